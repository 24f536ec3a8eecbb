import ArgumentParser
import Foundation
import MeshModel
import MeshRouting

extension Meshctl {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where a request would be routed, and why.",
            discussion: """
                Runs the same routing engine the proxy uses on one request (or many, with -n) and \
                explains the decision: which VirtualService and rule matched, why earlier rules did \
                not, the destination cluster, weights, faults, mirrors, retries and timeout.

                Examples:
                  meshctl simulate -f samples/tutorial/ --host recommendation -H 'baggage-user-agent: Safari/605.1'
                  meshctl simulate -f samples/tutorial/ --host recommendation -n 100000 --seed 7
                  meshctl simulate -f samples/tutorial/ --host example.org --mesh-config samples/mesh/registry-only.yaml
                """)

        @OptionGroup var input: InputOptions

        @Option(help: "The request's Host (authority); a port after ':' is ignored for routing.")
        var host: String

        @Option(help: "The request path, with an optional query string.")
        var path = "/"

        @Option(help: "The HTTP method.")
        var method = "GET"

        @Option(help: "The request scheme.")
        var scheme = "http"

        @Option(name: .customShort("H"), help: ArgumentHelp("A request header, 'name: value'. Repeatable.", valueName: "header"))
        var headers: [String] = []

        @Option(help: "The listener port the request arrives on (for match.port); by default the port in --host, if any.")
        var port: Int?

        @Option(
            name: .customLong("source-labels"),
            help: ArgumentHelp("Labels of the calling workload, k=v,... (for match.sourceLabels).", valueName: "labels"))
        var sourceLabels: String?

        @Option(name: .customLong("source-namespace"), help: "Namespace of the calling workload.")
        var sourceNamespace = "default"

        @Option(help: "Simulate at this gateway (namespace/name or name) instead of a sidecar (mesh).")
        var gateway = "mesh"

        @OptionGroup var meshConfig: MeshConfigOption

        @Option(name: .customShort("n"), help: "Simulate this many requests and print the distribution.")
        var count: Int?

        @Option(help: "Seed for weighted choices and fault percentages (the same seed gives the same answers).")
        var seed: UInt64?

        @Option(name: [.short, .long], help: "Output format: text or json.")
        var output: OutputFormat = .text

        func validate() throws {
            for header in headers {
                guard let colon = header.firstIndex(of: ":"), !header[..<colon].trimmingCharacters(in: .whitespaces).isEmpty
                else {
                    throw ValidationError("malformed header '\(header)': write -H 'name: value'")
                }
            }
            if let count, count < 1 { throw ValidationError("-n must be at least 1") }
            if let count, count > 100_000_000 { throw ValidationError("-n must be at most 100000000") }
            if host.isEmpty { throw ValidationError("--host must not be empty") }
            _ = try parsedLabels()
        }

        func parsedLabels() throws -> [String: String] {
            guard let sourceLabels, !sourceLabels.isEmpty else { return [:] }
            var labels: [String: String] = [:]
            for pair in sourceLabels.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ValidationError("malformed --source-labels '\(sourceLabels)': write k=v,k2=v2")
                }
                labels[String(parts[0])] = String(parts[1])
            }
            return labels
        }

        func request() -> HTTPRequest {
            // A client that sends `Host: reviews:9080` connected to port 9080.
            let hostPort = host.split(separator: ":").last.flatMap { host.contains(":") && !host.hasSuffix("]") ? Int($0) : nil }
            var request = HTTPRequest(authority: host, path: path, method: method, scheme: scheme, port: port ?? hostPort)
            for header in headers {
                let colon = header.firstIndex(of: ":")!
                request.addHeader(
                    header[..<colon].trimmingCharacters(in: .whitespaces),
                    header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            return request
        }

        func run() throws {
            let rules = try loadValidRules(input.paths)
            let mesh = try meshConfig.load()
            let gatewayName = gateway == "mesh" || gateway.contains("/") ? gateway : "\(sourceNamespace)/\(gateway)"
            let identity = ProxyIdentity(namespace: sourceNamespace, labels: try parsedLabels(), gateway: gatewayName)
            let table = RouteTable(resources: rules.resources, mesh: mesh, identity: identity)
            var random = SplitMix64(seed: seed ?? UInt64.random(in: 0...UInt64.max))
            let request = request()
            if let count {
                let report = Distribution.run(table, request, count: count, random: &random)
                Output.print(output == .json ? report.json() : report.text(request: request))
            } else {
                let decision = table.decide(request, random: &random, certainOnly: true)
                let report = DecisionReport(table: table, request: request, decision: decision)
                Output.print(output == .json ? DiagnosticRenderer.encodeJSON(report) : report.text())
            }
        }
    }
}
