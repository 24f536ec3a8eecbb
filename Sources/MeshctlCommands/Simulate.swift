import ArgumentParser
import Foundation
import MeshModel
import MeshRouting

extension Meshctl {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where a request (or a TCP or TLS connection) would be routed, and why.",
            discussion: """
                Runs the same routing engine the proxy uses on one request (or many, with -n) and \
                explains the decision: the listener and route configuration for the request's port, \
                which VirtualService and rule matched, why earlier rules did not, the destination \
                cluster (and how its port was chosen), weights, faults, mirrors, retries and timeout.

                The rules are compiled for one proxy: a sidecar in --source-namespace with \
                --source-labels (it sees only what is exported to its namespace and what its Sidecar \
                resource imports), or the gateway named by --gateway. With --protocol tcp or tls, \
                a connection to --port (at --destination-ip, with --sni) follows tcp and tls routes.

                Weighted choices and fault percentages are drawn from a generator seeded with \
                --seed (default \(Simulate.defaultSeed)), so the same command always gives the same \
                answer; a single request on a weighted route shows the whole split beside the pick.

                Examples:
                  meshctl simulate -f samples/tutorial/ --host recommendation -H 'baggage-user-agent: Safari/605.1'
                  meshctl simulate -f samples/tutorial/ --host recommendation -n 100000 --seed 7
                  meshctl simulate -f samples/tutorial/ --host example.org --mesh-config samples/mesh/registry-only.yaml
                  meshctl simulate -f rules/ --protocol tls --port 443 --sni api.example.com
                """)

        @OptionGroup var input: InputOptions

        @Option(
            help: """
                The request's Host (authority), e.g. reviews or reviews:9080. The host selects the \
                VirtualService; a port after ':' is the listener port (for the route configuration, \
                match.port and a destination without port) unless --port is given. For tcp and tls, \
                the service the client connects to (when no --destination-ip is given).
                """)
        var host: String?

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
            help: """
                The port the request is for: it picks the route configuration (or TCP listener), \
                match.port and the port of a destination without one. By default the port in \
                --host; without either, the port the host is served on (80 when several or none).
                """)
        var port: Int?

        @Option(
            name: .customLong("protocol"),
            help: ArgumentHelp("http, or tcp or tls for a connection that follows tcp or tls routes.", valueName: "protocol"))
        var connectionProtocol: ConnectionProtocol = .http

        @Option(help: ArgumentHelp("The TLS server name the client sends (with --protocol tls).", valueName: "name"))
        var sni: String?

        @Option(
            name: .customLong("destination-ip"),
            help: ArgumentHelp(
                "The address the client connects to (tcp, tls): a service's address or one destinationSubnets cover.",
                valueName: "ip"))
        var destinationIP: String?

        @OptionGroup var proxy: ProxySelection

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
            if let host, host.isEmpty { throw ValidationError("--host must not be empty") }
            _ = try hostPort()
            if let port, !(1...65535).contains(port) {
                throw ValidationError("--port must be between 1 and 65535, got \(port)")
            }
            if !path.hasPrefix("/") { throw ValidationError("--path must start with '/', got '\(path)'") }
            switch connectionProtocol {
            case .http:
                if host == nil { throw ValidationError("give the request's host with --host") }
                if sni != nil { throw ValidationError("--sni is for --protocol tls") }
                if destinationIP != nil { throw ValidationError("--destination-ip is for --protocol tcp or tls") }
            case .tcp, .tls:
                if try port ?? hostPort() == nil {
                    throw ValidationError("--protocol \(connectionProtocol.rawValue) needs the destination port: give --port")
                }
                if connectionProtocol == .tcp, sni != nil { throw ValidationError("--sni is for --protocol tls") }
                if let sni, sni.isEmpty { throw ValidationError("--sni must not be empty") }
                if let destinationIP, !HostNames.isIPAddress(destinationIP) {
                    throw ValidationError("--destination-ip must be an IPv4 or IPv6 address, got '\(destinationIP)'")
                }
            }
        }

        /// The port written in `--host` (`reviews:9080`, `[::1]:9080`), or nil; one that is not a
        /// port number is a usage error.
        func hostPort() throws -> Int? {
            guard let host else { return nil }
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

        func request() throws -> HTTPRequest {
            // A client that sends `Host: reviews:9080` connected to port 9080.
            var request = HTTPRequest(
                authority: host ?? "", path: path, method: method, scheme: scheme, port: try port ?? hostPort())
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
            let identity = try proxy.identity(in: rules.resources)
            let table = RouteTable(
                resources: rules.resources, mesh: mesh, identity: identity, compatibility: proxy.compatibility.version)
            var random = SplitMix64(seed: seed)
            if connectionProtocol != .http {
                let connection = TCPRequest(
                    port: try port ?? hostPort() ?? 0, destinationIP: destinationIP, sni: sni,
                    host: host.map(HostNames.stripPort), tls: connectionProtocol == .tls)
                if let count {
                    let report = Progress.during("simulating \(count) connections…") {
                        Distribution.run(table, connection, count: count, random: &random)
                    }
                    Output.print(output == .json ? report.json() : report.text(connection: connection))
                } else {
                    let decision = table.decideTCP(connection, random: &random)
                    let report = DecisionReport(table: table, connection: connection, decision: decision, seed: seed)
                    Output.print(output == .json ? DiagnosticRenderer.encodeJSON(report) : report.text())
                }
                return
            }
            let request = try request()
            if let count {
                let report = Progress.during("simulating \(count) requests…") {
                    Distribution.run(table, request, count: count, random: &random)
                }
                Output.print(output == .json ? report.json() : report.text(request: request))
            } else {
                let decision = table.decide(request, random: &random, certainOnly: true)
                let report = DecisionReport(table: table, request: request, decision: decision, seed: seed)
                Output.print(output == .json ? DiagnosticRenderer.encodeJSON(report) : report.text())
            }
        }
    }

    /// What `simulate` sends: an HTTP request, or a TCP or TLS connection.
    enum ConnectionProtocol: String, ExpressibleByArgument, CaseIterable {
        case http, tcp, tls
    }
}
