import EnvoyConfig
import Foundation
import MeshModel
import MeshRegex
import MeshYAML
import NIOCore
import NIOHTTP1

/// Envoy's admin endpoints (same paths, formats and stat names), and meshctl's own
/// `GET/PUT /config`.
final class AdminAPI: Sendable {
    let server: ProxyServer
    var maxBodyBytes: Int { server.options.maxConfigBytes }

    init(server: ProxyServer) { self.server = server }

    /// Endpoints that change state: POST only, as Envoy requires.
    static let mutating: Set<String> = [
        "/logging", "/healthcheck/fail", "/healthcheck/ok", "/reset_counters", "/drain_listeners", "/quitquitquit",
    ]

    static let endpoints: [(String, String)] = [
        ("/", "this page: the service graph with live rates, clusters and health, a rollout's progress"),
        ("/ready", "LIVE when serving; 503 after /healthcheck/fail or while draining"),
        ("/server_info", "version, state, uptime and config version"),
        ("/config_dump", "the running configuration as Envoy's config dump (?include_eds: with endpoints)"),
        ("/clusters", "upstream clusters, hosts, health and counters (?format=json)"),
        ("/stats", "counters and gauges (?filter=REGEX, ?format=json)"),
        ("/stats/prometheus", "stats and Istio's metrics in Prometheus format"),
        ("/listeners", "listeners and their addresses (?format=json)"),
        ("/config", "GET the running rules as YAML; PUT a whole new rule set"),
        ("/logging", "POST ?level=trace|debug|info|warning|error|critical"),
        ("/healthcheck/fail", "POST: make /ready fail"),
        ("/healthcheck/ok", "POST: make /ready pass again"),
        ("/reset_counters", "POST: zero every counter"),
        ("/drain_listeners", "POST: stop accepting connections"),
        ("/quitquitquit", "POST: drain and exit"),
    ]

    func handle(_ request: AdminRequest, on loop: EventLoop) -> EventLoopFuture<AdminResponse> {
        if Self.mutating.contains(request.path) && request.method != .POST {
            return loop.makeSucceededFuture(
                .text("Method \(request.method.rawValue) not allowed, POST required.\n", .methodNotAllowed))
        }
        if request.path == "/config" && request.method == .PUT {
            // Decoding, validating and compiling a large rule set is kept off the event loop.
            let promise = loop.makePromise(of: AdminResponse.self)
            let body = Array(request.body.readableBytesView)
            promise.completeWithTask { await self.putConfig(body) }
            return promise.futureResult
        }
        return loop.makeSucceededFuture(respond(request))
    }

    private func respond(_ request: AdminRequest) -> AdminResponse {
        let snapshot = server.config.snapshot
        switch request.path {
        case "/":
            return AdminResponse(
                status: .ok, contentType: "text/html; charset=UTF-8", body: LivePage.html(endpoints: Self.endpoints))
        case "/ready":
            let failing =
                server.context.failingHealthChecks.load(ordering: .relaxed)
                || server.context.draining.load(ordering: .relaxed)
            return failing ? .text("DRAINING\n", .serviceUnavailable) : .text("LIVE\n")
        case "/server_info": return .json(serverInfo(snapshot).json() + "\n")
        case "/config_dump":
            var renderer = ConfigDumpRenderer(
                table: snapshot.table, listen: (server.options.listen.host, boundListenPort),
                admin: (server.options.admin.host, boundAdminPort))
            renderer.version = String(snapshot.version)
            renderer.inbound = inboundSide(snapshot)
            // As Envoy: the EDS section only when asked for (it can be large).
            renderer.includeEndpoints = request.query["include_eds"] != nil
            return .json(renderer.render().json() + "\n")
        case "/clusters":
            return request.query["format"] == "json"
                ? .json(ClustersFormat.json(snapshot).json() + "\n") : .text(ClustersFormat.text(snapshot))
        case "/stats":
            return stats(request)
        case "/stats/prometheus":
            let envoy = server.context.stats.prometheus()
            let istio = server.context.metrics.registry.emitToString()
            return AdminResponse(status: .ok, contentType: "text/plain; version=0.0.4", body: envoy + istio)
        case "/listeners": return listeners(request)
        case "/config":
            guard request.method == .GET || request.method == .HEAD else {
                return .text("Method \(request.method.rawValue) not allowed, GET or PUT required.\n", .methodNotAllowed)
            }
            return AdminResponse(
                status: .ok, contentType: "application/yaml", body: snapshot.rulesYAML(),
                headers: [("x-meshctl-config-version", String(snapshot.version))])
        case "/logging":
            // Envoy's two forms: ?level=L sets every logger, ?NAME=L one logger (there is one).
            if let level = request.query["level"] ?? request.query["meshctl.proxy"] {
                guard ProxyLogLevel.set(level) else {
                    return .text(
                        "unknown log level `\(level)`: use trace, debug, info, warning, error or critical\n", .badRequest)
                }
            }
            return .text("active loggers:\n  meshctl.proxy: \(ProxyLogLevel.current)\n")
        case "/healthcheck/fail":
            server.context.failingHealthChecks.store(true, ordering: .relaxed)
            return .text("OK\n")
        case "/healthcheck/ok":
            server.context.failingHealthChecks.store(false, ordering: .relaxed)
            return .text("OK\n")
        case "/reset_counters":
            server.context.stats.resetCounters()
            for cluster in snapshot.clusters.values {
                for host in cluster.hosts { host.resetCounters() }
            }
            return .text("OK\n")
        case "/drain_listeners":
            Task { await server.drainListeners() }
            return .text("OK\n")
        case "/quitquitquit":
            server.requestQuit()
            return .text("OK\n")
        default:
            return .text("invalid path: \(request.path)\n", .notFound)
        }
    }

    /// The inbound listener and the application behind it, with the security in force there.
    private func inboundSide(_ snapshot: ProxySnapshot) -> InboundSide? {
        guard let inbound = server.options.inbound, let app = server.options.app else { return nil }
        return InboundSide(
            address: inbound.host, port: server.boundInboundPort ?? inbound.port, appAddress: app.host, appPort: app.port,
            mutualTLS: snapshot.inboundGate.mutualTLSMode(port: app.port), acceptsTLS: server.options.tls != nil,
            policy: snapshot.inboundGate.enforcedPolicy)
    }

    var boundListenPort: Int { server.listenAddress?.port ?? server.options.listen.port }
    var boundAdminPort: Int { server.adminAddress?.port ?? server.options.admin.port }

    private func serverInfo(_ snapshot: ProxySnapshot) -> JSONValue {
        let uptime = "\(server.uptimeSeconds)s"
        let draining = server.context.draining.load(ordering: .relaxed)
        let failing = server.context.failingHealthChecks.load(ordering: .relaxed)
        return [
            "version": .string("meshctl/\(ProxyVersion.current)"),
            "state": .string(draining || failing ? "DRAINING" : "LIVE"),
            "hot_restart_version": "disabled",
            "command_line_options": [
                "concurrency": .int(Int64(server.options.concurrency)),
                "service_node": .string(server.options.workload),
                "log_level": .string(ProxyLogLevel.current),
            ],
            "node": [
                "id": .string(
                    "sidecar~\(server.options.listen.host)~\(server.options.workload).\(server.options.identity.namespace)~\(server.options.identity.namespace).svc.cluster.local"
                ),
                "cluster": .string(server.options.workload),
            ],
            "uptime_current_epoch": .string(uptime),
            "uptime_all_epochs": .string(uptime),
            "config_version": .string(String(snapshot.version)),
            "resources": .int(Int64(snapshot.resources.count)),
        ]
    }

    private func stats(_ request: AdminRequest) -> AdminResponse {
        var stats = server.context.stats.all()
        if let filter = request.query["filter"], !filter.isEmpty {
            guard let regex = try? RE2Regex(".*(?:\(filter)).*") else {
                return .text("Invalid re2 regex: \(filter)\n", .badRequest)
            }
            stats = stats.filter { regex.fullMatch($0.name) }
        }
        if request.query["usedonly"] != nil { stats = stats.filter { $0.value != 0 } }
        if request.query["format"] == "json" {
            let entries: [JSONValue] = stats.map { ["name": .string($0.name), "value": .int($0.value)] }
            return .json(JSONValue.object([("stats", .array(entries))]).json() + "\n")
        }
        if request.query["format"] == "prometheus" {
            return .text(server.context.stats.prometheus())
        }
        return .text(stats.map { "\($0.name): \($0.value)\n" }.joined())
    }

    private func listeners(_ request: AdminRequest) -> AdminResponse {
        let host = server.options.listen.host
        var bound = [(name: "\(host)_\(boundListenPort)", host: host, port: boundListenPort)]
        if let inbound = server.options.inbound {
            bound.append((name: "virtualInbound", host: inbound.host, port: server.boundInboundPort ?? inbound.port))
        }
        if request.query["format"] == "json" {
            let statuses: [JSONValue] = bound.map { listener in
                [
                    "name": .string(listener.name),
                    "local_address": [
                        "socket_address": ["address": .string(listener.host), "port_value": .int(Int64(listener.port))]
                    ],
                ]
            }
            return .json(JSONValue.object([("listener_statuses", .array(statuses))]).json() + "\n")
        }
        return .text(
            bound.map { "\($0.name)::\(ProxyOptions.Address(host: $0.host, port: $0.port))\n" }.joined())
    }

    private func putConfig(_ body: [UInt8]) async -> AdminResponse {
        let name = "<PUT /config>"
        var loaded = await ConfigStore.loadInBackground(body, name: name)
        if case .success(let rules) = loaded, rules.resources.isEmpty {
            // A whole rule set replaces the running one: an empty body (a script's empty
            // variable, a file not found) would leave the proxy without a single service.
            let empty = Diagnostic(
                level: .error, code: DiagnosticCode.unreadableFile.code,
                message:
                    "the body holds no resources: PUT /config replaces the whole rule set, so an empty one is refused and the running configuration stays",
                file: name, line: 1, column: 1)
            loaded = .failure(ConfigStore.Rejected(diagnostics: [empty], rules: rules))
        } else if case .success(let rules) = loaded,
            rules.resources.allSatisfy({ $0.kubernetes.map { $0.kind != .service } ?? false })
        {
            // Only objects the proxy does not route by (a ConfigMap, a Deployment): the same
            // mistake as an empty body, with a file that was not the one meant.
            let kinds = Set(rules.resources.compactMap { $0.kubernetes?.kind.rawValue }).sorted().joined(separator: ", ")
            let unused = Diagnostic(
                level: .error, code: DiagnosticCode.unreadableFile.code,
                message:
                    "the body holds no Istio resources and no Service (only \(kinds)): PUT /config replaces the whole rule set, so it is refused and the running configuration stays",
                file: name, line: 1, column: 1)
            loaded = .failure(ConfigStore.Rejected(diagnostics: [unused], rules: rules))
        }
        switch loaded {
        case .failure(let rejected):
            server.logger.warning("rejected a new configuration: \(rejected.description)")
            return .json(rejected.json + "\n", .badRequest)
        case .success(let rules):
            let version = await server.config.apply(rules)
            server.logger.info("configuration \(version) in force: \(rules.resources.count) resources")
            let answer: JSONValue = ["version": .string(String(version)), "resources": .int(Int64(rules.resources.count))]
            return .json(answer.json() + "\n")
        }
    }
}

public enum ProxyVersion {
    public static let current = "0.2.0"
}
