/// The admin listener's home page: a self-contained HTML page (no external assets, as Envoy's
/// admin home) that reads the proxy's own endpoints every two seconds and shows the service
/// graph with live request and error rates (from `/stats/prometheus`), each cluster's hosts and
/// their health (from `/clusters?format=json`), an active rollout's progress, and the endpoint
/// list.
///
/// The rollout hook: the page asks `GET /rollout` and shows its JSON when it answers 200, e.g.
/// `{"name": "recommendation", "state": "Progressing", "step": 2, "steps": 4,
///   "weights": {"v1": 75, "v2": 25}, "gates": [{"name": "error rate", "value": 0.002,
///   "threshold": 0.01, "passed": true}]}`;
/// any other answer (404 today) hides the section.
enum LivePage {
    static func html(endpoints: [(String, String)]) -> String {
        var rows = ""
        for (path, what) in endpoints {
            rows += "<tr><td><a href=\"\(path)\">\(path)</a></td><td>\(escape(what))</td></tr>\n"
        }
        return head + body + "<section><h2>Admin endpoints</h2><table class=\"endpoints\">\n" + rows + "</table></section>\n"
            + "<script>\n" + script + "</script>\n</body></html>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static let head = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>meshctl proxy</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.4em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
        .muted { color: #777; } table { border-collapse: collapse; }
        td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; } #clusters td:first-child { white-space: nowrap; }
        th { border-bottom: 1px solid #ccc; } .num { text-align: right; font-variant-numeric: tabular-nums; }
        .healthy { color: #2e7d32; } .unhealthy { color: #c62828; font-weight: bold; }
        svg text { font: 12px system-ui, sans-serif; } .bar { background: #eee; width: 320px; height: 14px; display: flex; }
        .bar span { display: block; height: 100%; } .passed { color: #2e7d32; } .failed { color: #c62828; }
        </style></head><body>

        """

    static let body = """
        <h1>meshctl proxy <span id="workload" class="muted"></span></h1>
        <div id="info" class="muted">loading…</div>
        <noscript>This page reads the proxy's admin endpoints with JavaScript; the endpoints below work without it.</noscript>
        <section><h2>Service graph <span id="graph-window" class="muted">(requests this proxy sent per second, since it started)</span></h2>
        <svg id="graph" width="900" height="120" role="img" aria-label="service graph"></svg>
        <div id="graph-empty" class="muted">no requests yet</div></section>
        <section id="rollout" hidden><h2>Rollout <span id="rollout-name"></span></h2><div id="rollout-body"></div></section>
        <section><h2>Clusters</h2>
        <table id="clusters"><thead><tr><th>cluster</th><th>host</th><th>health</th>
        <th class="num">requests</th><th class="num">errors</th><th class="num">active</th></tr></thead><tbody></tbody></table></section>

        """

    static let script = #"""
        "use strict";
        const state = { previous: null, refreshes: 0 };
        const el = (id) => document.getElementById(id);
        const SVG = "http://www.w3.org/2000/svg";

        function parseLabels(text) {
          const labels = {};
          const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
          let m;
          while ((m = re.exec(text)) !== null) labels[m[1]] = m[2].replace(/\\(.)/g, "$1");
          return labels;
        }

        // istio_requests_total by source workload, destination service and version.
        function readRequests(text) {
          const totals = {};
          for (const line of text.split("\n")) {
            if (!line.startsWith("istio_requests_total{")) continue;
            const close = line.lastIndexOf("}");
            const labels = parseLabels(line.slice(21, close));
            const value = parseFloat(line.slice(close + 1));
            if (labels.reporter !== "source" || !isFinite(value)) continue;
            const key = [labels.source_workload, labels.destination_service, labels.destination_version].join("\u0000");
            const entry = totals[key] || (totals[key] = { source: labels.source_workload,
              service: labels.destination_service, version: labels.destination_version, requests: 0, errors: 0 });
            entry.requests += value;
            if (/^[45]/.test(labels.response_code || "")) entry.errors += value;
          }
          return totals;
        }

        function shortName(host) {
          return host.endsWith(".default.svc.cluster.local") ? host.slice(0, -26) : host;
        }

        function drawGraph(rows) {
          const svg = el("graph");
          while (svg.firstChild) svg.removeChild(svg.firstChild);
          el("graph-empty").hidden = rows.length > 0;
          if (rows.length === 0) { svg.setAttribute("height", "10"); return; }
          const sources = [...new Set(rows.map(r => r.source))].sort();
          const services = [...new Set(rows.map(r => r.service))].sort();
          const versions = [...new Set(rows.map(r => r.service + "|" + r.version))].sort();
          const height = 40 + 44 * Math.max(sources.length, services.length, versions.length);
          svg.setAttribute("height", String(height));
          const pos = {};
          const column = (names, x, kind, label) => names.forEach((name, i) => {
            const y = 30 + i * 44 + (height - 40 - 44 * names.length) / 2;
            pos[kind + ":" + name] = { x, y };
            const g = document.createElementNS(SVG, "g");
            g.setAttribute("class", "node " + kind);
            g.setAttribute("data-name", name);
            const rect = document.createElementNS(SVG, "rect");
            Object.entries({ x: x - 85, y: y - 14, width: 170, height: 28, rx: 8, fill: "#f4f6fb", stroke: "#5c6bc0" })
              .forEach(([k, v]) => rect.setAttribute(k, String(v)));
            const text = document.createElementNS(SVG, "text");
            Object.entries({ x, y: y + 4, "text-anchor": "middle" }).forEach(([k, v]) => text.setAttribute(k, String(v)));
            text.textContent = label(name);
            g.append(rect, text);
            svg.append(g);
          });
          const edge = (from, to, rps, errorRate, kind) => {
            const a = pos[from], b = pos[to];
            const g = document.createElementNS(SVG, "g");
            g.setAttribute("class", "edge " + kind);
            g.setAttribute("data-from", from.split(":").slice(1).join(":"));
            g.setAttribute("data-to", to.split(":").slice(1).join(":"));
            g.setAttribute("data-rps", rps.toFixed(2));
            g.setAttribute("data-error-rate", errorRate.toFixed(4));
            const colour = errorRate > 0 ? "#c62828" : "#2e7d32";
            const line = document.createElementNS(SVG, "line");
            Object.entries({ x1: a.x + 85, y1: a.y, x2: b.x - 85, y2: b.y, stroke: colour, "stroke-width": 2 })
              .forEach(([k, v]) => line.setAttribute(k, String(v)));
            const text = document.createElementNS(SVG, "text");
            Object.entries({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 5, "text-anchor": "middle", fill: colour })
              .forEach(([k, v]) => text.setAttribute(k, String(v)));
            text.textContent = rps.toFixed(1) + " rps" + (errorRate > 0 ? ", " + (100 * errorRate).toFixed(1) + "% errors" : "");
            g.append(line, text);
            svg.append(g);
          };
          column(sources, 100, "workload", (n) => n);
          column(services, 450, "service", shortName);
          column(versions, 800, "version", (n) => shortName(n.split("|")[0]) + " " + n.split("|")[1]);
          const bySourceService = {};
          for (const r of rows) {
            const k = r.source + "\u0000" + r.service;
            const e = bySourceService[k] || (bySourceService[k] = { source: r.source, service: r.service, rps: 0, eps: 0 });
            e.rps += r.rps; e.eps += r.eps;
          }
          for (const e of Object.values(bySourceService)) {
            edge("workload:" + e.source, "service:" + e.service, e.rps, e.rps > 0 ? e.eps / e.rps : 0, "call");
          }
          for (const r of rows) {
            edge("service:" + r.service, "version:" + r.service + "|" + r.version, r.rps, r.rps > 0 ? r.eps / r.rps : 0, "split");
          }
        }

        function drawClusters(doc) {
          const body = el("clusters").tBodies[0];
          body.textContent = "";
          for (const cluster of doc.cluster_statuses || []) {
            for (const host of cluster.host_statuses || []) {
              const address = host.address.socket_address;
              const stats = {};
              for (const s of host.stats || []) stats[s.name] = Number(s.value || 0);
              const ejected = host.health_status && host.health_status.failed_outlier_check;
              const tr = document.createElement("tr");
              tr.className = "host";
              tr.dataset.cluster = cluster.name;
              tr.dataset.host = address.address + ":" + address.port_value;
              tr.dataset.health = ejected ? "failed_outlier_check" : "healthy";
              const cells = [cluster.name, tr.dataset.host, tr.dataset.health,
                stats.rq_total || 0, stats.rq_error || 0, stats.rq_active || 0];
              cells.forEach((value, i) => {
                const td = document.createElement("td");
                td.textContent = String(value);
                if (i >= 3) td.className = "num";
                if (i === 2) td.className = ejected ? "unhealthy" : "healthy";
                tr.append(td);
              });
              body.append(tr);
            }
          }
        }

        function drawRollout(r) {
          const section = el("rollout");
          if (!r) { section.hidden = true; return; }
          section.hidden = false;
          el("rollout-name").textContent = (r.name || "") + (r.state ? " — " + r.state : "");
          const box = el("rollout-body");
          box.textContent = "";
          const step = document.createElement("div");
          step.id = "rollout-step";
          step.textContent = "step " + (r.step ?? "?") + " of " + (r.steps ?? "?");
          box.append(step);
          const weights = r.weights || {};
          const bar = document.createElement("div");
          bar.className = "bar";
          const colours = ["#5c6bc0", "#ef6c00", "#2e7d32", "#8e24aa"];
          Object.entries(weights).forEach(([version, weight], i) => {
            const span = document.createElement("span");
            span.style.width = weight + "%";
            span.style.background = colours[i % colours.length];
            span.title = version + " " + weight + "%";
            bar.append(span);
          });
          box.append(bar);
          const legend = document.createElement("div");
          legend.id = "rollout-weights";
          legend.textContent = Object.entries(weights).map(([v, w]) => v + " " + w + "%").join(", ");
          box.append(legend);
          for (const gate of r.gates || []) {
            const div = document.createElement("div");
            div.className = "gate " + (gate.passed ? "passed" : "failed");
            div.textContent = (gate.passed ? "✓ " : "✗ ") + gate.name + ": " + gate.value + " (threshold " + gate.threshold + ")";
            box.append(div);
          }
        }

        async function get(path, json) {
          const response = await fetch(path, { cache: "no-store" });
          if (!response.ok) throw new Error(path + " answered " + response.status);
          return json ? response.json() : response.text();
        }

        async function refresh() {
          try {
            const [info, prometheus, clusters] = await Promise.all([
              get("/server_info", true), get("/stats/prometheus", false), get("/clusters?format=json", true)]);
            const now = performance.now();
            el("workload").textContent = info.command_line_options ? info.command_line_options.service_node : "";
            el("info").textContent = info.version + " · " + info.state + " · config version " + info.config_version +
              " · up " + info.uptime_current_epoch + " · updated " + new Date().toLocaleTimeString();
            const totals = readRequests(prometheus);
            // The first look averages since the proxy started; later ones, over the last refresh.
            const uptime = Math.max(parseFloat(info.uptime_current_epoch) || 0, 1);
            const rows = Object.entries(totals).map(([key, t]) => {
              if (!state.previous) return Object.assign({}, t, { rps: t.requests / uptime, eps: t.errors / uptime });
              const before = state.previous.totals[key] || { requests: 0, errors: 0 };
              const seconds = Math.max((now - state.previous.time) / 1000, 0.001);
              return Object.assign({}, t, { rps: Math.max(t.requests - before.requests, 0) / seconds,
                eps: Math.max(t.errors - before.errors, 0) / seconds });
            });
            el("graph-window").textContent = state.previous
              ? "(requests this proxy sent per second, over the last " + ((now - state.previous.time) / 1000).toFixed(1) + "s)"
              : "(requests this proxy sent per second, since it started)";
            state.previous = { totals, time: now };
            drawGraph(rows);
            drawClusters(clusters);
            state.refreshes += 1;
            document.body.dataset.refreshes = String(state.refreshes);
          } catch (error) {
            el("info").textContent = "cannot read the admin API: " + error.message;
          }
          try {
            drawRollout(await get("/rollout", true));
          } catch (error) {
            drawRollout(null);
          }
        }

        refresh();
        setInterval(refresh, 2000);

        """#
}
