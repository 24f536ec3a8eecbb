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

                Weighted choices and fault percentages are drawn from a generator seeded with \
                --seed (default \(Simulate.defaultSeed)), so the same command always gives the same \
                answer; a single request on a weighted route shows the whole split beside the pick.

                Examples:
                  meshctl simulate -f samples/tutorial/ --host recommendation -H 'baggage-user-agent: Safari/605.1'
                  meshctl simulate -f samples/tutorial/ --host recommendation -n 100000 --seed 7
                  meshctl simulate -f samples/tutorial/ --host example.org --mesh-config samples/mesh/registry-only.yaml
                """)

        @OptionGroup var input: InputOptions

        @Option(
            help: """
                The request's Host (authority), e.g. reviews or reviews:9080. The host selects the \
                VirtualService; a port after ':' is the listener port (for match.port) unless --port is given.
                """)
        var host: String

        @Option(help: "The request path, starting with '/', with an optional query string.")
        var path = "/"

        @Option(help: "The HTTP method.")
        var method = "GET"

        @Option(help: "The request scheme.")
        var scheme = "http"

        @Option(name: .customShort("H"), help: ArgumentHelp("A request header, 'name: value'. Repeatable.", valueName: "header"))
        var headers: [String] = []

        @Option(
            parsing: .unconditional,
            help: "The listener port the request arrives on (for match.port); by default the port in --host, if any.")
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

        @Option(
            name: .customShort("n"), parsing: .unconditional, help: "Simulate this many requests and print the distribution.")
        var count: Int?

        /// The seed when none is given: a fixed one, so that a run is repeatable.
        static let defaultSeed: UInt64 = 1

        @Option(
            parsing: .unconditional,
            help: "Seed for weighted choices and fault percentages (the same seed gives the same answers).")
        var seed: UInt64 = Simulate.defaultSeed

        @Option(name: [.short, .long], help: "Output format: text or json.")
        var output: OutputFormat = .text

        func validate() throws {
            for header in headers {
                guard let colon = header.firstIndex(of: ":"), !header[..<colon].trimmingCharacters(in: .whitespaces).isEmpty
                else {
                    throw ValidationError("malformed header '\(header)': write -H 'name: value'")
                }
            }
            if let count, count < 1 { throw ValidationError("-n must be at least 1, got \(count)") }
            if let count, count > 100_000_000 { throw ValidationError("-n must be at most 100000000, got \(count)") }
            if host.isEmpty { throw ValidationError("--host must not be empty") }
            _ = try hostPort()
            if let port, !(1...65535).contains(port) {
                throw ValidationError("--port must be between 1 and 65535, got \(port)")
            }
            if !path.hasPrefix("/") { throw ValidationError("--path must start with '/', got '\(path)'") }
            let gatewayParts = gateway.split(separator: "/", omittingEmptySubsequences: false)
            if gateway.isEmpty || gatewayParts.count > 2 || gatewayParts.contains(where: \.isEmpty) {
                throw ValidationError("--gateway must be mesh, a Gateway's name or namespace/name, got '\(gateway)'")
            }
            _ = try parsedLabels()
        }

        /// The port written in `--host` (`reviews:9080`, `[::1]:9080`), or nil; one that is not a
        /// port number is a usage error.
        func hostPort() throws -> Int? {
            let portText: Substring
            if host.hasPrefix("[") {
                guard let close = host.firstIndex(of: "]") else {
                    throw ValidationError("--host '\(host)' opens an IPv6 address with '[' but does not close it")
                }
                let rest = host[host.index(after: close)...]
                guard !rest.isEmpty else { return nil }
                guard rest.hasPrefix(":") else {
                    throw ValidationError("--host '\(host)' has text after ']' that is not ':PORT'")
                }
                portText = rest.dropFirst()
            } else {
                // A bare IPv6 address (several colons) carries no port.
                guard let colon = host.firstIndex(of: ":"), host[host.index(after: colon)...].firstIndex(of: ":") == nil
                else { return nil }
                portText = host[host.index(after: colon)...]
            }
            if portText.isEmpty { return nil }
            guard portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(portText), (1...65535).contains(port)
            else {
                throw ValidationError("the port in --host '\(host)' must be a number between 1 and 65535, got '\(portText)'")
            }
            return port
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

        func request() throws -> HTTPRequest {
            // A client that sends `Host: reviews:9080` connected to port 9080.
            var request = HTTPRequest(authority: host, path: path, method: method, scheme: scheme, port: try port ?? hostPort())
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
            try checkGatewayExists(gatewayName, in: rules.resources)
            let identity = ProxyIdentity(namespace: sourceNamespace, labels: try parsedLabels(), gateway: gatewayName)
            let table = RouteTable(resources: rules.resources, mesh: mesh, identity: identity)
            var random = SplitMix64(seed: seed)
            let request = try request()
            if let count {
                let report = Distribution.run(table, request, count: count, random: &random)
                Output.print(output == .json ? report.json() : report.text(request: request))
            } else {
                let decision = table.decide(request, random: &random, certainOnly: true)
                let report = DecisionReport(table: table, request: request, decision: decision, seed: seed)
                Output.print(output == .json ? DiagnosticRenderer.encodeJSON(report) : report.text())
            }
        }

        /// Simulating at a gateway the rules do not define would answer 404 for every host: a
        /// usage error that names the Gateways there are.
        func checkGatewayExists(_ name: String, in resources: [Resource]) throws {
            guard name != "mesh" else { return }
            let gateways = Set(resources.filter { $0.gateway != nil }.map { "\($0.namespace)/\($0.name)" })
            guard !gateways.contains(name) else { return }
            let known = gateways.isEmpty ? "the rules define none" : "they define \(gateways.sorted().joined(separator: ", "))"
            Output.error("Error: --gateway '\(gateway)': no Gateway has the name \(name) in the rules given; \(known)")
            throw ExitCode.validationFailure
        }
    }
}
