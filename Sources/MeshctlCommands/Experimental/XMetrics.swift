import ArgumentParser
import EnvoyConfig
import Foundation
import MeshModel
import MeshYAML

extension Meshctl.Experimental {
    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract: "Request rates, error rates and latency percentiles per destination, from proxies' Istio metrics.",
            discussion: """
                Scrapes /stats/prometheus of every --admin twice, --duration apart, and computes from \
                the differences (a counter that went down was reset: its new value is the increase) \
                what istioctl's `experimental metrics` asks Prometheus for: TOTAL RPS and ERROR RPS \
                (4xx and 5xx) from istio_requests_total, and P50, P90 and P99 latency interpolated in \
                the buckets of istio_request_duration_milliseconds, as histogram_quantile does. One \
                row per destination service and version (the destination_version label: the \
                version a subset selects). Figures from several proxies are added up.

                Examples:
                  meshctl x metrics --admin 127.0.0.1:15000
                  meshctl x metrics recommendation --admin 127.0.0.1:15000 -d 10s
                  meshctl x metrics recommendation.default --admin 127.0.0.1:15000 -o json
                """,
            aliases: ["m"])

        @Argument(help: ArgumentHelp("Destination services (NAME, NAME.NAMESPACE or the FQDN); every one when none."))
        var services: [String] = []

        @OptionGroup var admin: AdminOptions

        @Option(
            name: [.customShort("d"), .customLong("duration")],
            help: ArgumentHelp("How long between the two scrapes (e.g. 5s, 500ms).", valueName: "duration"))
        var duration = "5s"

        @Option(help: ArgumentHelp("Whose reports to count: source (the client side) or destination.", valueName: "side"))
        var reporter = "source"

        @Option(name: [.short, .long], help: "Output format: text, json or yaml.")
        var output: ReportFormat = .text

        func validate() throws {
            guard let d = MeshDuration(duration), d.nanoseconds > 0, d.nanoseconds <= 3_600_000_000_000 else {
                throw ValidationError("--duration must be a positive duration up to 1h, such as 5s, got '\(duration)'")
            }
            guard reporter == "source" || reporter == "destination" else {
                throw ValidationError("--reporter must be source or destination")
            }
        }

        func run() throws {
            let clients = admin.clients
            var failed = false
            var first: [Int: Scrape] = [:]
            for (i, client) in clients.enumerated() {
                switch Scrape.take(client) {
                case .success(let scrape): first[i] = scrape
                case .failure(let failure):
                    Output.error("error: \(failure)")
                    failed = true
                }
            }
            guard !first.isEmpty else { throw ExitCode(1) }
            Output.error("sampling \(first.count == 1 ? "1 proxy" : "\(first.count) proxies") for \(duration)…")
            AdminDeadline.pause(MeshDuration(duration)?.nanoseconds ?? 0)
            var windows: [Window] = []
            for (i, client) in clients.enumerated() {
                guard let before = first[i] else { continue }
                switch Scrape.take(client) {
                case .success(let after): windows.append(Window(admin: client.address.text, before: before, after: after))
                case .failure(let failure):
                    Output.error("error: \(failure)")
                    failed = true
                }
            }
            let rows = Row.collect(windows, reporter: reporter, services: services)
            switch output {
            case .text: write(table(rows))
            case .json, .yaml:
                output.print([
                    "reporter": .string(reporter),
                    "proxies": .array(
                        windows.map { ["admin": .string($0.admin), "intervalSeconds": .double(Self.rounded($0.seconds, 3))] }),
                    "destinations": .array(rows.map(\.json)),
                ])
            }
            if failed { throw ExitCode(1) }
        }

        func table(_ rows: [Row]) -> String {
            // istioctl's layout: every column right-aligned, at least 13 wide.
            var w = TabWriter(minWidth: 13, tabWidth: 1, padding: 2, alignRight: true)
            func line(_ cells: [String]) { w.write(cells.map { $0 + "\t" }.joined() + "\n") }
            line(["DESTINATION", "VERSION", "TOTAL RPS", "ERROR RPS", "P50 LATENCY", "P90 LATENCY", "P99 LATENCY"])
            for row in rows {
                line(
                    [
                        row.service, row.version, String(format: "%.3f", row.totalRPS), String(format: "%.3f", row.errorRPS),
                    ] + row.percentiles.map { $0.map(Self.goDuration) ?? "-" })
            }
            return w.finish()
        }

        static func rounded(_ value: Double, _ places: Int) -> Double {
            let scale = pow(10, Double(places))
            return (value * scale).rounded() / scale
        }

        /// Milliseconds as Go prints a `time.Duration` (istioctl's latency cells), to the
        /// microsecond: `250µs`, `4.5ms`, `1.2s`, `2m3s`.
        static func goDuration(_ milliseconds: Double) -> String {
            let micros = (milliseconds * 1000).rounded()
            func trimmed(_ value: Double) -> String {
                var text = String(format: "%.6f", value)
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
                return text
            }
            switch micros {
            case 0: return "0s"
            case ..<1000: return "\(Int(micros))µs"
            case ..<1_000_000: return trimmed(micros / 1000) + "ms"
            case ..<60_000_000: return trimmed(micros / 1_000_000) + "s"
            default:
                let seconds = micros / 1_000_000
                let hours = Int(seconds / 3600)
                let minutes = Int(seconds.truncatingRemainder(dividingBy: 3600) / 60)
                let rest = trimmed(seconds.truncatingRemainder(dividingBy: 60))
                return (hours > 0 ? "\(hours)h" : "") + "\(minutes)m\(rest)s"
            }
        }
    }
}

/// One read of a proxy's /stats/prometheus: every series' value, and when it was read.
struct Scrape {
    var values: [String: (sample: PrometheusSample, value: Double)]
    var time: Int64

    static func take(_ client: AdminClient) -> Result<Scrape, AdminFailure> {
        client.fetch("/stats/prometheus", what: "Prometheus stats").flatMap { response in
            guard let scrape = Scrape(response.text) else {
                return .failure(client.notAdmin("GET", "/stats/prometheus", response, what: "Prometheus stats"))
            }
            return .success(scrape)
        }
    }

}

extension Scrape {
    /// Istio's series from a `/stats/prometheus` answer read now; nil when it is not Prometheus text.
    init?(_ text: String) {
        guard let samples = try? PrometheusText.parse(text) else { return nil }
        var values: [String: (sample: PrometheusSample, value: Double)] = [:]
        for sample in samples where sample.name.hasPrefix("istio_") {
            values[sample.series] = (sample: sample, value: sample.value)
        }
        self.init(values: values, time: AdminDeadline.now)
    }
}

/// Two scrapes of one proxy: each series' increase between them.
struct Window {
    var admin: String
    var seconds: Double
    var increases: [(sample: PrometheusSample, increase: Double)]

    init(admin: String, before: Scrape, after: Scrape) {
        self.admin = admin
        seconds = max(Double(after.time - before.time) / 1e9, 1e-9)
        increases = after.values.values.map { entry in
            let previous = before.values[entry.sample.series]?.value ?? 0
            // A counter that went down was reset (the proxy restarted, or /reset_counters):
            // everything it counts now came after the reset.
            return (entry.sample, entry.value >= previous ? entry.value - previous : entry.value)
        }
    }
}

/// One destination service and version: rates and latency percentiles over the window.
struct Row {
    var service: String
    var version: String
    var requests = 0.0
    var errors = 0.0
    var totalRPS = 0.0
    var errorRPS = 0.0
    /// Histogram bucket increases by upper bound (`+Inf` included).
    var buckets: [Double: Double] = [:]

    var percentiles: [Double?] { [0.5, 0.9, 0.99].map(quantile) }

    /// Prometheus's `histogram_quantile`: the bucket where the rank falls, interpolated
    /// linearly within it; the highest finite bound when it falls in `+Inf`.
    func quantile(_ q: Double) -> Double? {
        let bounds = buckets.keys.sorted()
        guard let total = bounds.last.flatMap({ buckets[$0] }), total > 0, bounds.last == .infinity else { return nil }
        let rank = q * total
        var lower = 0.0
        var below = 0.0
        for bound in bounds {
            let count = buckets[bound] ?? 0
            if count >= rank {
                if bound == .infinity { return bounds.count > 1 ? bounds[bounds.count - 2] : nil }
                if bound <= 0 || count == below { return bound }
                return lower + (bound - lower) * (rank - below) / (count - below)
            }
            (lower, below) = (bound, count)
        }
        return nil
    }

    var json: JSONValue {
        let p = percentiles.map { $0.map { JSONValue.double(Meshctl.Experimental.Metrics.rounded($0, 3)) } ?? .null }
        return [
            "service": .string(service), "version": .string(version), "requests": .int(Int64(requests.rounded())),
            "errors": .int(Int64(errors.rounded())), "totalRPS": .double(Meshctl.Experimental.Metrics.rounded(totalRPS, 3)),
            "errorRPS": .double(Meshctl.Experimental.Metrics.rounded(errorRPS, 3)), "p50Ms": p[0], "p90Ms": p[1], "p99Ms": p[2],
        ]
    }

    /// The rows for `services` (all when empty) from every proxy's window, reported by `reporter`.
    static func collect(_ windows: [Window], reporter: String, services: [String]) -> [Row] {
        var rows: [String: Row] = [:]
        func wanted(_ sample: PrometheusSample) -> Bool {
            guard !services.isEmpty else { return true }
            let fqdn = sample.label("destination_service") ?? ""
            let name = sample.label("destination_service_name") ?? ""
            let namespace = sample.label("destination_service_namespace") ?? ""
            return services.contains { $0 == fqdn || $0 == name || $0 == "\(name).\(namespace)" || fqdn.hasPrefix($0 + ".") }
        }
        for window in windows {
            for (sample, increase) in window.increases where sample.label("reporter") == reporter && wanted(sample) {
                let service = sample.label("destination_service") ?? sample.label("destination_service_name") ?? "unknown"
                let version = sample.label("destination_version") ?? "unknown"
                let key = service + "\u{0}" + version
                var row = rows[key] ?? Row(service: service, version: version)
                switch sample.name {
                case "istio_requests_total":
                    row.requests += increase
                    row.totalRPS += increase / window.seconds
                    let code = sample.label("response_code") ?? ""
                    if code.count == 3, code.hasPrefix("4") || code.hasPrefix("5") {
                        row.errors += increase
                        row.errorRPS += increase / window.seconds
                    }
                case "istio_request_duration_milliseconds_bucket":
                    if let bound = sample.label("le").flatMap({ PrometheusText.number(Substring($0)) }) {
                        row.buckets[bound, default: 0] += increase
                    }
                default: continue
                }
                rows[key] = row
            }
        }
        var out = rows.values.sorted { ($0.service, $0.version) < ($1.service, $1.version) }
        for service in services where !out.contains(where: { Self.names(service, $0.service) }) {
            out.append(Row(service: service, version: "-"))
        }
        return out
    }

    /// Whether `service` (as given on the command line) names the service `fqdn`.
    static func names(_ service: String, _ fqdn: String) -> Bool {
        service == fqdn || fqdn.hasPrefix(service + ".")
    }
}
