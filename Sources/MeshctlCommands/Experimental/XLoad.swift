import ArgumentParser
import Foundation
import MeshLoad
import MeshModel
import MeshYAML

extension Meshctl.Experimental {
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load",
            abstract: "Send HTTP load to a URL, directly or through a proxy, and report statuses and latency percentiles.",
            discussion: """
                As fortio's `load`: -c keep-alive connections, each with one request in flight, for -t \
                a duration or -n requests in all (split exactly between the connections). --qps 0 \
                (the default) sends the next request as soon as an answer arrives; a rate paces every \
                connection at its share. Latencies go into an HDR histogram (microsecond resolution, \
                three significant digits) from the moment a request is written to the end of its \
                answer. A connection the server closes is opened again; requests without an answer \
                (refused, reset, --timeout) are counted as errors by reason. Exit status 1 when no \
                request was answered.

                Examples:
                  meshctl x load http://127.0.0.1:19101/ -n 1000
                  meshctl x load http://127.0.0.1:15001/ --host recommendation:8080 -c 8 -t 10s
                  meshctl x load http://recommendation:8080/ -x 127.0.0.1:15001 --qps 200 -t 30s -o json
                """)

        @Argument(help: ArgumentHelp("The http:// URL to load.", valueName: "url"))
        var url: String

        @Option(name: [.short, .customLong("connections")], help: ArgumentHelp("Keep-alive connections.", valueName: "n"))
        var connections = 4

        @Option(help: ArgumentHelp("Requests per second over all connections; 0: as fast as possible.", valueName: "qps"))
        var qps: Double = 0

        @Option(
            name: [.customShort("t"), .customLong("duration")],
            help: ArgumentHelp("How long to send (e.g. 5s, 1m); default 5s unless -n is given.", valueName: "duration"))
        var duration: String?

        @Option(
            name: [.customShort("n"), .customLong("requests")],
            help: ArgumentHelp("Send exactly this many requests.", valueName: "n"))
        var requests: Int?

        @Option(
            name: [.customShort("H"), .customLong("header")],
            help: ArgumentHelp("A request header 'name: value' (repeatable).", valueName: "header"))
        var headers: [String] = []

        @Option(help: ArgumentHelp("The Host header (e.g. recommendation:8080 for a proxy's route).", valueName: "host"))
        var host: String?

        @Option(
            name: [.customShort("x"), .customLong("proxy")],
            help: ArgumentHelp(
                "Send through this proxy, HOST:PORT, with the URL in absolute form (as curl -x).", valueName: "host:port"))
        var proxy: String?

        @Option(name: [.customShort("X"), .customLong("method")], help: ArgumentHelp("The request method.", valueName: "method"))
        var method = "GET"

        @Option(help: ArgumentHelp("Event loops (threads) to spread the connections over.", valueName: "n"))
        var threads = 1

        @Option(help: ArgumentHelp("Count a request without an answer after this long as an error.", valueName: "duration"))
        var timeout = "10s"

        @Option(name: [.short, .long], help: "Output format: text, json or yaml.")
        var output: ReportFormat = .text

        func validate() throws {
            _ = try plan()
        }

        func plan() throws -> LoadPlan {
            guard (1...10_000).contains(connections) else { throw ValidationError("-c must be from 1 to 10000") }
            guard qps >= 0, qps.isFinite else { throw ValidationError("--qps must be 0 (as fast as possible) or more") }
            guard (1...64).contains(threads) else { throw ValidationError("--threads must be from 1 to 64") }
            if duration != nil && requests != nil { throw ValidationError("give -t DURATION or -n REQUESTS, not both") }
            let proxyAddress = try proxy.map { try HostPort.parse($0, option: "--proxy") }
            if let proxyAddress, proxyAddress.port == 0 { throw ValidationError("--proxy needs a port from 1 to 65535") }
            let target: LoadTarget
            do {
                target = try LoadTarget(url: url, proxy: proxyAddress)
            } catch {
                throw ValidationError(error.description)
            }
            var plan = LoadPlan(target: target)
            plan.connections = connections
            plan.qps = qps
            plan.threads = threads
            plan.method = method.uppercased()
            guard method.allSatisfy({ $0.isLetter || $0 == "-" }), !method.isEmpty else {
                throw ValidationError("-X '\(method)' is not an HTTP method")
            }
            if let requests {
                guard (1...1_000_000_000).contains(requests) else { throw ValidationError("-n must be from 1 to 1000000000") }
                plan.stop = .count(requests)
            } else {
                let text = duration ?? "5s"
                guard let d = MeshDuration(text), d.nanoseconds > 0, d.nanoseconds <= 86_400_000_000_000 else {
                    throw ValidationError("-t must be a positive duration up to 24h, such as 5s or 1m, got '\(text)'")
                }
                plan.stop = .duration(nanos: d.nanoseconds)
            }
            plan.timeoutNanos = try DurationArgument.nanoseconds(timeout, option: "--timeout", example: "2s")
            for header in headers {
                guard let colon = header.firstIndex(of: ":"), colon > header.startIndex else {
                    throw ValidationError("-H '\(header)' is not 'name: value'")
                }
                let name = header[..<colon].trimmingCharacters(in: .whitespaces)
                let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard name.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), !value.contains("\r"), !value.contains("\n") else {
                    throw ValidationError("-H '\(header)' is not a valid header")
                }
                plan.headers.append((name, value))
            }
            if let host {
                guard !host.isEmpty, !host.contains(" "), !host.contains("\r"), !host.contains("\n") else {
                    throw ValidationError("--host '\(host)' is not a host name")
                }
                plan.headers.removeAll { $0.0.lowercased() == "host" }
                plan.headers.insert(("host", host), at: 0)
            }
            return plan
        }

        func run() async throws {
            let plan = try plan()
            let generator = LoadGenerator(plan: plan)
            let what = Self.describe(plan)
            let progress = Progress("\(what)…")
            let report = try await generator.run { counts in
                let seconds = Double(counts.elapsedNanos) / 1e9
                progress.update(
                    "\(what): \(counts.completed) answered, \(counts.errors) errors, \(String(format: "%.0f", Double(counts.completed) / max(seconds, 1e-9))) req/s"
                )
            }
            progress.finish()
            switch output {
            case .text: Output.print(Self.text(report))
            case .json, .yaml: output.print(Self.document(report))
            }
            if report.completed == 0 { throw ExitCode(1) }
        }

        static func describe(_ plan: LoadPlan) -> String {
            let amount: String
            switch plan.stop {
            case .count(let n): amount = "\(n) request\(n == 1 ? "" : "s")"
            case .duration(let nanos): amount = MeshDuration(nanoseconds: nanos).description
            }
            let rate = plan.qps > 0 ? "\(Self.number(plan.qps)) qps" : "max qps"
            return
                "\(plan.method) \(plan.target.url), \(plan.connections) connection\(plan.connections == 1 ? "" : "s"), \(rate), \(amount)"
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
        }

        static func ms(_ value: Double?) -> String {
            guard let value else { return "-" }
            return value >= 100 ? String(format: "%.1f", value) : String(format: "%.3f", value)
        }

        static func text(_ report: LoadReport) -> String {
            var lines: [String] = []
            let plan = report.plan
            let via =
                plan.target.requestTarget.hasPrefix("http://") ? " via \(plan.target.connectHost):\(plan.target.connectPort)" : ""
            let host = plan.headers.first { $0.0.lowercased() == "host" }.map { " (Host \($0.1))" } ?? ""
            lines.append(
                "\(plan.method) \(plan.target.url)\(via)\(host): \(plan.connections) connections, \(plan.qps > 0 ? "\(number(plan.qps)) qps" : "max qps")"
            )
            lines.append(
                String(
                    format: "%d requests in %.3fs, %.1f answered/s, %d errors", report.sent, report.seconds,
                    report.requestsPerSecond,
                    report.errorCount))
            lines.append("statuses:")
            for (code, count) in report.statuses.sorted(by: { $0.key < $1.key }) {
                lines.append(String(format: "  %d  %8d  %6.2f%%", code, count, 100 * Double(count) / Double(max(report.sent, 1))))
            }
            for (reason, count) in report.errors.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    String(format: "  err  %7d  %6.2f%%  %@", count, 100 * Double(count) / Double(max(report.sent, 1)), reason))
            }
            guard report.completed > 0 else { return lines.joined(separator: "\n") }
            lines.append("latency (ms): min \(ms(report.minMs))  mean \(ms(report.meanMs))  max \(ms(report.maxMs))")
            lines.append(
                "  " + LoadReport.percentiles.map { "p\(number($0)) \(ms(report.latencyMs($0)))" }.joined(separator: "  "))
            lines.append("histogram (ms):")
            let buckets = report.buckets()
            let widest = buckets.map(\.count).max() ?? 1
            for bucket in buckets {
                let bar = String(repeating: "#", count: bucket.count == 0 ? 0 : max(1, bucket.count * 40 / max(widest, 1)))
                lines.append(
                    String(format: "  %9@ – %-9@ %8d  ", ms(bucket.lowerMs), ms(bucket.upperMs), bucket.count) + bar)
            }
            return lines.joined(separator: "\n")
        }

        static func document(_ report: LoadReport) -> JSONValue {
            let plan = report.plan
            var latency: [(String, JSONValue)] = []
            for p in LoadReport.percentiles {
                latency.append(("p\(number(p))", report.latencyMs(p).map { .double($0) } ?? .null))
            }
            latency.append(("min", report.minMs.map { .double($0) } ?? .null))
            latency.append(("mean", report.meanMs.map { .double(Metrics.rounded($0, 3)) } ?? .null))
            latency.append(("max", report.maxMs.map { .double($0) } ?? .null))
            return [
                "url": .string(plan.target.url),
                "connections": .int(Int64(plan.connections)),
                "qps": .double(plan.qps),
                "seconds": .double(Metrics.rounded(report.seconds, 3)),
                "requests": .int(Int64(report.sent)),
                "answered": .int(Int64(report.completed)),
                "requestsPerSecond": .double(Metrics.rounded(report.requestsPerSecond, 1)),
                "statuses": .object(report.statuses.sorted { $0.key < $1.key }.map { (String($0.key), .int(Int64($0.value))) }),
                "errors": .object(report.errors.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) }),
                "latency": .object(latency),
            ]
        }
    }
}
