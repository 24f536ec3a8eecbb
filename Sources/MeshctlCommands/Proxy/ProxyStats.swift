import ArgumentParser
import MeshRegex
import MeshYAML

extension Meshctl.Proxy {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Show running proxies' stats: Envoy's counters and gauges, as text, JSON or Prometheus.",
            discussion: """
                Reads the admin API's /stats (text and JSON) or /stats/prometheus (prom: Envoy's \
                stats and Istio's istio_requests_total and istio_request_duration_milliseconds). \
                --filter keeps the stats whose name contains a match of an RE2 regex (for prom, \
                the sample line: name and labels); it is checked before any proxy is asked. With \
                several --admin, text and prom print each proxy after a `# HOST:PORT` comment.

                Examples:
                  meshctl proxy stats --admin 127.0.0.1:15000 --filter 'upstream_rq_(total|5xx)'
                  meshctl proxy stats --admin 127.0.0.1:15000 -o prom --filter istio_requests_total
                  meshctl proxy stats --admin 127.0.0.1:15000 --admin 127.0.0.1:16000 -o json
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, yaml, prom
        }

        @OptionGroup var admin: AdminOptions

        @Option(help: ArgumentHelp("Only stats whose name contains a match of this RE2 regex.", valueName: "regex"))
        var filter: String?

        @Option(name: [.short, .long], help: "Output format: text (Envoy's /stats), json, yaml or prom (Prometheus).")
        var output: Format = .text

        func run() throws {
            var regex: RE2Regex?
            if let filter, !filter.isEmpty {
                do {
                    _ = try RE2Regex(filter)
                    regex = try RE2Regex(".*(?:\(filter)).*")
                } catch {
                    fail("--filter '\(filter)' is not a valid RE2 regex: \(error.reason)")
                }
            }
            let clients = admin.clients
            var proxies: [JSONValue] = []
            var failed = false
            for (i, client) in clients.enumerated() {
                let header = clients.count > 1 ? (i > 0 ? "\n" : "") + "# \(client.address)\n" : ""
                switch read(client, regex: regex) {
                case .failure(let failure):
                    Output.error("error: \(failure)")
                    failed = true
                case .success(.lines(let text)):
                    write(header + text)
                case .success(.stats(let stats)):
                    proxies.append(["admin": .string(client.address.text), "stats": .array(stats)])
                }
            }
            if output == .json || output == .yaml {
                ReportFormat(rawValue: output.rawValue)?.print(["proxies": .array(proxies)])
            }
            if failed { throw ExitCode(1) }
        }

        enum Read {
            case lines(String)
            case stats([JSONValue])
        }

        func read(_ client: AdminClient, regex: RE2Regex?) -> Result<Read, AdminFailure> {
            let query = filter.map { $0.isEmpty ? "" : "filter=" + Self.percentEncode($0) } ?? ""
            switch output {
            case .prom:
                return client.fetch("/stats/prometheus", what: "Prometheus stats").flatMap { response in
                    guard (try? PrometheusText.parse(response.text)) != nil else {
                        return .failure(client.notAdmin("GET", "/stats/prometheus", response, what: "Prometheus stats"))
                    }
                    return .success(.lines(Self.filterExposition(response.text, regex)))
                }
            case .text:
                let path = "/stats" + (query.isEmpty ? "" : "?" + query)
                return client.fetch(path, what: "stats").flatMap { response in
                    var kept = ""
                    for line in response.text.split(separator: "\n") {
                        guard let colon = line.firstIndex(of: ":"), !line[..<colon].contains(" ") else {
                            return .failure(client.notAdmin("GET", path, response, what: "stats"))
                        }
                        if regex?.fullMatch(String(line[..<colon])) ?? true { kept += line + "\n" }
                    }
                    return .success(.lines(kept))
                }
            case .json, .yaml:
                let path = "/stats?format=json" + (query.isEmpty ? "" : "&" + query)
                return client.document(path, what: "stats") { $0["stats"]?.array != nil }.map { document in
                    .stats(
                        (document["stats"]?.array ?? []).filter { stat in
                            regex.map { $0.fullMatch(stat["name"]?.string ?? "") } ?? true
                        })
                }
            }
        }

        /// The exposition with only the samples `regex` finds something in (name and labels),
        /// and the HELP and TYPE lines of the families they belong to.
        static func filterExposition(_ text: String, _ regex: RE2Regex?) -> String {
            guard let regex else { return text }
            let lines = text.split(separator: "\n")
            var kept: [Bool] = []
            var families: Set<Substring> = []
            for line in lines {
                if line.hasPrefix("#") {
                    kept.append(false)
                    continue
                }
                let series = line.lastIndex(of: "}").map { line[...$0] } ?? line.prefix { $0 != " " }
                let keep = regex.fullMatch(String(series))
                kept.append(keep)
                if keep { families.insert(line.prefix { $0 != "{" && $0 != " " }) }
            }
            var out = ""
            for (i, line) in lines.enumerated() {
                if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                    let name = line.dropFirst(7).prefix { $0 != " " }
                    if families.contains(where: { $0 == name || $0.hasPrefix(name + "_") }) { out += line + "\n" }
                } else if kept[i] {
                    out += line + "\n"
                }
            }
            return out
        }

        /// A query value, percent-encoded except for RFC 3986's unreserved characters.
        static func percentEncode(_ text: String) -> String {
            var out = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                    UInt8(ascii: "~"):
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
            }
            return out
        }
    }
}
