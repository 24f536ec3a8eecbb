import ArgumentParser
import EnvoyConfig
import Logging
import MeshDemo
import MeshProxy
import MeshYAML
import ServiceLifecycle

extension Meshctl.Experimental {
    /// `meshctl x traces collect|list`: a Zipkin on this machine, and traces printed as trees.
    struct Traces: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "traces",
            abstract: "Collect the proxies' spans (a Zipkin v2 collector) and print traces as trees.",
            discussion: """
                Proxies export spans with `proxy run --zipkin URL` (and `demo --zipkin URL`). `collect` \
                is a small in-memory collector with Zipkin's API; `list` reads traces from it, or \
                from a real Zipkin (or Jaeger's Zipkin-compatible query port).

                Examples:
                  meshctl x traces collect --listen 127.0.0.1:9411
                  meshctl x traces list --zipkin http://127.0.0.1:9411 --service customer
                """,
            subcommands: [Collect.self, List.self])
    }
}

extension Meshctl.Experimental.Traces {
    struct Collect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "collect",
            abstract: "Run a Zipkin v2 collector in memory (POST /api/v2/spans, GET /api/v2/traces).",
            discussion: """
                Keeps the latest --max-traces traces (the oldest go first) until it is stopped \
                with Ctrl-C or SIGTERM. It answers Zipkin's read API: GET /api/v2/traces \
                (?serviceName=, ?limit=), /api/v2/trace/ID and /api/v2/services.

                Examples:
                  meshctl x traces collect --listen 127.0.0.1:9411 &
                  meshctl proxy run -f samples/tutorial/ --zipkin http://127.0.0.1:9411/api/v2/spans
                """)

        @Option(help: ArgumentHelp("Where to listen, HOST:PORT (port 0: any free port).", valueName: "host:port"))
        var listen = "127.0.0.1:9411"

        @Option(help: ArgumentHelp("How many traces to keep.", valueName: "n"))
        var maxTraces = 1000

        @Option(
            help: ArgumentHelp("Once listening, write the bound address here as JSON.", valueName: "path"), completion: .file())
        var readyFile: String?

        func validate() throws {
            _ = try HostPort.parse(listen, option: "--listen")
            guard (1...1_000_000).contains(maxTraces) else { throw ValidationError("--max-traces must be from 1 to 1000000") }
        }

        func run() async throws {
            let collector = TraceCollector(maxTraces: maxTraces)
            let address = try HostPort.parse(listen, option: "--listen")
            let bound: String
            do {
                bound = try await collector.start(host: address.host, port: address.port)
            } catch {
                Output.error("error: cannot listen on \(listen): \(DemoBackend.describe(error))")
                throw ExitCode(1)
            }
            if let readyFile, !ReadyFile.write(["listen": bound], to: readyFile) {
                await collector.stop()
                throw ExitCode(1)
            }
            Output.error("collecting Zipkin v2 spans on http://\(bound)/api/v2/spans")
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: StopOnShutdown(stop: collector.stop))],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "meshctl.traces")))
            try await group.run()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Print the latest traces from a Zipkin API as trees of spans.",
            discussion: """
                One line per span, indented under its parent: the service that recorded it, the \
                request, the status, the cluster it went to, response flags other than `-`, and \
                the time it took. Reads GET /api/v2/traces, as Zipkin answers it.

                Examples:
                  meshctl x traces list
                  meshctl x traces list --zipkin http://127.0.0.1:9411 --service customer --limit 3
                  meshctl x traces list --trace-id 4bf92f3577b34da6a3ce929d0e0e4736 -o json
                """)

        @Option(help: ArgumentHelp("The Zipkin API to read, http://HOST:PORT.", valueName: "url"))
        var zipkin = "http://127.0.0.1:9411"

        @Option(help: ArgumentHelp("Only traces with a span from this service.", valueName: "name"))
        var service: String?

        @Option(name: .customLong("trace-id"), help: ArgumentHelp("Only this trace.", valueName: "id"))
        var traceID: String?

        @Option(help: ArgumentHelp("How many traces, the latest first.", valueName: "n"))
        var limit = 10

        @Option(name: [.short, .long], help: "Output format: text, or json (Zipkin's lists of spans).")
        var output: OutputFormat = .text

        func validate() throws {
            guard ZipkinExporter.parse(zipkin) != nil else {
                throw ValidationError(
                    "--zipkin '\(zipkin)' is not an http:// URL with a host and a port from 1 to 65535 (e.g. http://127.0.0.1:9411)"
                )
            }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
            if let traceID, !(16...32).contains(traceID.count) || !traceID.allSatisfy(\.isHexDigit) {
                throw ValidationError("--trace-id must be 16 to 32 hex digits, got '\(traceID)'")
            }
            if let service, service.isEmpty || service.contains(where: { $0 == " " || $0 == "&" || $0 == "?" }) {
                throw ValidationError("--service must be a service name, got '\(service)'")
            }
            if traceID != nil && service != nil {
                throw ValidationError("--trace-id and --service are alternatives: give one")
            }
        }

        func run() async throws {
            let (host, port, _) = ZipkinExporter.parse(zipkin)!
            let path =
                traceID.map { "/api/v2/trace/\($0.lowercased())" }
                ?? "/api/v2/traces?limit=\(limit)" + (service.map { "&serviceName=\($0.lowercased())" } ?? "")
            let answer: HTTPClient.Response
            do {
                answer = try await HTTPClient.send(
                    "GET", host: host, port: port, path: path, timeoutNanos: 10_000_000_000, maxBodyBytes: 64 << 20)
            } catch {
                Output.error("error: cannot reach the Zipkin API at \(zipkin): \(error)")
                throw ExitCode(1)
            }
            if answer.status == 404, let traceID {
                Output.error("error: \(zipkin) has no trace \(traceID)")
                throw ExitCode(1)
            }
            guard answer.status == 200 else {
                Output.error("error: \(zipkin)\(path) answered \(answer.status), not a Zipkin v2 API")
                throw ExitCode(1)
            }
            let document: JSONValue
            do {
                let file = try YAMLLoader.load(answer.body, path: path, limits: YAMLLimits(maxAliasExpansion: 0, maxDepth: 64))
                document = file.documents.first.map { file.jsonValue($0) } ?? .null
            } catch {
                Output.error("error: \(zipkin)\(path) did not answer JSON: \(error.message)")
                throw ExitCode(1)
            }
            let traces: [[JSONValue]]
            if traceID != nil, let spans = document.array {
                traces = [spans]
            } else if let lists = document.array, lists.allSatisfy({ $0.array != nil }) {
                traces = lists.compactMap(\.array)
            } else {
                Output.error("error: \(zipkin)\(path) did not answer a list of traces")
                throw ExitCode(1)
            }
            if output == .json {
                Output.print(JSONValue.array(traces.map { .array($0) }).json(pretty: true))
                return
            }
            if traces.isEmpty {
                Output.print("no traces" + (service.map { " with a span from \($0)" } ?? "") + " yet")
                return
            }
            Output.print(traces.map(TraceTree.render).joined(separator: "\n"))
        }
    }
}

/// A trace as an indented tree of its spans, children under their parent in start order.
enum TraceTree {
    static func render(_ spans: [JSONValue]) -> String {
        let ids = Set(spans.compactMap { $0["id"]?.string })
        var children: [String: [JSONValue]] = [:]
        var roots: [JSONValue] = []
        for span in spans {
            if let parent = span["parentId"]?.string, ids.contains(parent) {
                children[parent, default: []].append(span)
            } else {
                roots.append(span)
            }
        }
        let byStart: (JSONValue, JSONValue) -> Bool = { ($0["timestamp"]?.int ?? 0) < ($1["timestamp"]?.int ?? 0) }
        let start = spans.compactMap { $0["timestamp"]?.int }.min() ?? 0
        let end = spans.compactMap { span in span["timestamp"]?.int.map { $0 + (span["duration"]?.int ?? 0) } }.max() ?? start
        var rows: [[String]] = []
        var seen = Set<String>()
        func walk(_ span: JSONValue, depth: Int) {
            let id = span["id"]?.string ?? ""
            guard seen.insert(id).inserted || id.isEmpty else { return }
            let tags = span["tags"]
            let service = span["localEndpoint"]?["serviceName"]?.string ?? "-"
            let method = tags?["http.method"]?.string
            let url = tags?["http.url"]?.string ?? span["name"]?.string ?? "-"
            var status = tags?["http.status_code"]?.string ?? "-"
            if let flags = tags?["response_flags"]?.string, flags != "-" { status += " " + flags }
            rows.append([
                String(repeating: "  ", count: depth) + service, [method, url].compactMap { $0 }.joined(separator: " "), status,
                tags?["upstream_cluster"]?.string ?? "-", duration(span["duration"]?.int ?? 0),
            ])
            for child in (children[id] ?? []).sorted(by: byStart) { walk(child, depth: depth + 1) }
        }
        for root in roots.sorted(by: byStart) { walk(root, depth: 0) }
        // Spans whose parents form a cycle (a broken tracer) have no root: shown as roots too.
        for span in spans.sorted(by: byStart) where !seen.contains(span["id"]?.string ?? "") { walk(span, depth: 0) }
        let trace = spans.first?["traceId"]?.string ?? "-"
        let header =
            "trace \(trace): \(spans.count) span\(spans.count == 1 ? "" : "s"), \(duration(end - start))"
        var table = TabWriter(minWidth: 0, tabWidth: 8, padding: 2)
        for row in rows { table.writeRow(["  " + row[0]] + row.dropFirst()) }
        return header + "\n" + table.finish()
    }

    static func duration(_ micros: Int64) -> String {
        micros >= 1_000_000
            ? "\(Double(micros / 1000) / 1000)s" : micros >= 1000 ? "\(Double(micros / 10) / 100)ms" : "\(micros)µs"
    }
}
