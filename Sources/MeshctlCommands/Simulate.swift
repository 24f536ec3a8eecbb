import ArgumentParser
import EnvoyConfig
import Foundation
import MeshModel
import MeshRouting
import MeshSecurity

extension Meshctl {
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate",
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

                With --inbound, the request arrives at a workload's sidecar instead (the workload \
                of --workload-namespace with --workload-labels, on --port): the PeerAuthentication \
                mode, the JWT (--jwt or an Authorization header) against RequestAuthentications, \
                the AuthorizationPolicy and rule that allowed or denied it (from \
                --source-principal, --source-ip, --source-namespace) and the local rate limit.
                  meshctl simulate -f policies/ --inbound --workload-labels app=reviews --port 9080 \
                    --source-principal cluster.local/ns/default/sa/productpage --path /reviews/1
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

        @OptionGroup var inbound: InboundOptions

        func validate() throws {
            if inbound.inbound {
                if connectionProtocol != .http {
                    throw ValidationError("--inbound simulates an HTTP request; leave out --protocol")
                }
                if proxy.gateway != "mesh" { throw ValidationError("--inbound is a sidecar's inbound side; leave out --gateway") }
            } else if let flag = inbound.flagWithoutInbound {
                throw ValidationError("\(flag) is for --inbound")
            }
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
                if host == nil && !inbound.inbound { throw ValidationError("give the request's host with --host") }
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
            switch AuthorityPort(host) {
            case .none: return nil
            case .port(let port): return port
            case .invalid: throw ValidationError(AuthorityPort.problem(host, source: "--host"))
            }
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

        func run() async throws {
            let rules = try loadValidRules(input.paths)
            let mesh = try meshConfig.load()
            if inbound.inbound {
                try await runInbound(rules.resources, mesh: mesh)
                return
            }
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

/// `k=v,k2=v2` as a label flag takes it; a malformed pair is a usage error naming `flag`.
func parseLabels(_ text: String?, flag: String) throws -> [String: String] {
    guard let text, !text.isEmpty else { return [:] }
    var labels: [String: String] = [:]
    for pair in text.split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw ValidationError("malformed \(flag) '\(text)': write k=v,k2=v2")
        }
        labels[String(parts[0])] = String(parts[1])
    }
    return labels
}

/// `simulate --inbound` and the flags that describe the workload and the caller.
struct InboundOptions: ParsableArguments {
    @Flag(help: "Simulate the request arriving at a workload's sidecar (authentication, authorization, rate limits).")
    var inbound = false

    @Option(
        name: .customLong("workload-labels"),
        help: ArgumentHelp("With --inbound: the receiving workload's labels, k=v,...", valueName: "labels"))
    var workloadLabels: String?

    @Option(
        name: .customLong("workload-namespace"),
        help: ArgumentHelp("With --inbound: the receiving workload's namespace (default: default).", valueName: "ns"))
    var workloadNamespace: String?

    @Option(
        name: .customLong("service-account"),
        help: ArgumentHelp("With --inbound: the receiving workload's service account (default: default).", valueName: "name"))
    var serviceAccount: String?

    @Option(
        name: .customLong("source-principal"),
        help: ArgumentHelp(
            "With --inbound: the caller's mutual TLS identity, e.g. cluster.local/ns/default/sa/productpage (without it, plaintext).",
            valueName: "principal"))
    var sourcePrincipal: String?

    @Option(
        name: .customLong("source-ip"), help: ArgumentHelp("With --inbound: the caller's address.", valueName: "ip"))
    var sourceIP: String?

    @Option(
        name: .customLong("remote-ip"),
        help: ArgumentHelp(
            "With --inbound: the original client's address (X-Forwarded-For); default --source-ip.", valueName: "ip"))
    var remoteIP: String?

    @Option(help: ArgumentHelp("With --inbound: a JWT, sent as Authorization: Bearer TOKEN.", valueName: "token"))
    var jwt: String?

    @Option(
        name: .customLong("trust-domain"), help: ArgumentHelp("With --inbound: the mesh's trust domain.", valueName: "domain"))
    var trustDomain = "cluster.local"

    /// The first inbound-only flag given without --inbound.
    var flagWithoutInbound: String? {
        let given: [(String, Bool)] = [
            ("--workload-labels", workloadLabels != nil), ("--workload-namespace", workloadNamespace != nil),
            ("--service-account", serviceAccount != nil), ("--source-principal", sourcePrincipal != nil),
            ("--source-ip", sourceIP != nil), ("--remote-ip", remoteIP != nil), ("--jwt", jwt != nil),
        ]
        return given.first { $0.1 }?.0
    }

    func validate() throws {
        for (flag, value) in [("--source-ip", sourceIP), ("--remote-ip", remoteIP)] {
            if let value, !HostNames.isIPAddress(value) {
                throw ValidationError("\(flag) must be an IPv4 or IPv6 address, got '\(value)'")
            }
        }
        if let principal = sourcePrincipal, principal.isEmpty { throw ValidationError("--source-principal must not be empty") }
        if let jwt, jwt.isEmpty { throw ValidationError("--jwt must not be empty") }
        _ = try labels()
    }

    func labels() throws -> [String: String] { try parseLabels(workloadLabels, flag: "--workload-labels") }
}

extension Meshctl.Simulate {
    func runInbound(_ resources: [Resource], mesh: MeshConfig) async throws {
        let workload = WorkloadIdentity(
            namespace: inbound.workloadNamespace ?? "default", labels: try inbound.labels(),
            serviceAccount: inbound.serviceAccount ?? "default", trustDomain: inbound.trustDomain)
        let port = try port ?? hostPort() ?? 80
        let policy = await InboundPolicy.build(
            resources: resources, workload: workload, ports: [port], rootNamespace: mesh.rootNamespace, now: 0)
        var request = try self.request()
        if request.authority.isEmpty { request.authority = "\(workload.labels["app"] ?? "workload"):\(port)" }
        if let jwt = inbound.jwt { request.addHeader("authorization", "Bearer \(jwt)") }
        if let count {
            let lines = simulateMany(policy, request: request, port: port, count: count)
            Output.print(output == .json ? lines.json : lines.text)
            return
        }
        let report = inboundReport(policy, request: request, port: port)
        Output.print(output == .json ? DiagnosticRenderer.encodeJSON(report) : report.text())
    }

    /// The caller's principal: --source-principal, or with --source-namespace alone a workload
    /// of that namespace's default service account.
    var callerPrincipal: String? {
        if let principal = inbound.sourcePrincipal {
            return principal.hasPrefix("spiffe://") ? String(principal.dropFirst(9)) : principal
        }
        return proxy.sourceNamespace.map { "\(inbound.trustDomain)/ns/\($0)/sa/default" }
    }

    func authzRequest(_ request: HTTPRequest, port: Int, principal: String?, jwt: JWTIdentity?) -> AuthzRequest {
        AuthzRequest(
            method: request.method, path: request.path, host: request.authority, headers: request.headers,
            sourceIP: inbound.sourceIP, remoteIP: inbound.remoteIP, destinationPort: port, peerPrincipal: principal, jwt: jwt)
    }

    func inboundReport(_ policy: InboundPolicy, request: HTTPRequest, port: Int) -> InboundReport {
        var lines: [String] = []
        let workload = policy.workload
        let labels = workload.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        lines.append(
            "workload \(workload.namespace)/\(labels.isEmpty ? "(no labels)" : labels) as \(workload.principal), port \(port), inbound cluster inbound|\(port)||"
        )
        // 1. The connection: mutual TLS or plaintext, per PeerAuthentication.
        let mode = policy.mtlsMode(port: port)
        let source = policy.mtls.source(port: port)
        var principal = callerPrincipal
        let modeOrigin =
            source.policy.map { "\(source.level)-level PeerAuthentication \($0)" } ?? "Istio's default, no PeerAuthentication"
        lines.append("mTLS mode \(mode.rawValue) (\(modeOrigin))")
        for note in policy.mtls.notes { lines.append("  " + note) }
        var decision = "allowed"
        var status: Int?
        var peer = "plaintext"
        if inbound.sourcePrincipal == nil, let principal {
            lines.append("  --source-namespace alone: the caller is taken to be \(principal)")
        }
        switch (mode, principal) {
        case (.strict, nil):
            lines.append(
                "  STRICT: a plaintext connection is refused at the TLS handshake (no HTTP answer); give --source-principal for a mesh peer"
            )
            decision = "refused"
        case (.disable, .some(let p)):
            lines.append(
                "  DISABLE: the caller's sidecar sends plaintext, so \(p) is not a peer identity here (source.principal is empty)"
            )
            principal = nil
        case (_, .some(let p)):
            peer = "mutual TLS"
            lines.append("  mutual TLS: the peer certificate's identity spiffe://\(p) is source.principal \(p)")
        case (_, nil):
            lines.append("  plaintext: no peer identity (source.principal and source.namespace are empty)")
        }
        // 2. JWT authentication.
        var authn = AuthnResult(outcome: .noToken)
        var authnJSON: [String: String?] = ["outcome": nil, "message": nil, "policy": nil, "principal": nil]
        var claims: [String: [String]] = [:]
        if decision == "allowed" {
            authn = policy.authenticate(headers: request.headers, path: request.path)
            if policy.authentication.isEmpty {
                lines.append("authentication: no RequestAuthentication applies")
            } else {
                let issuers = policy.authentication.providers.map { "\($0.issuer) (\($0.policy))" }
                lines.append("authentication: RequestAuthentication accepts tokens of \(issuers.joined(separator: ", "))")
                for note in policy.authentication.notes { lines.append("  " + note) }
            }
            switch authn.outcome {
            case .noToken:
                if !policy.authentication.isEmpty {
                    lines.append("  no token: authentication passes without a request principal; authorization decides")
                }
            case .verified:
                let id = authn.identity!
                lines.append("  token verified: request.auth.principal \(id.principal), audiences \(id.audiences)")
                for (key, value) in id.claims.sorted(by: { $0.key < $1.key }) { claims[key] = value.matchableStrings }
            case .rejected:
                lines.append("  token rejected: \(authn.message ?? "") → 401")
                decision = "unauthenticated"
                status = 401
            }
            authnJSON = [
                "outcome": authn.outcome.rawValue, "message": authn.message, "policy": authn.policy,
                "principal": authn.identity?.principal,
            ]
        }
        // 3. Authorization.
        let authz = policy.authorization.explain(
            authzRequest(request, port: port, principal: principal, jwt: authn.identity))
        if decision == "allowed" {
            if policy.authorization.isEmpty {
                lines.append("authorization: no AuthorizationPolicy applies: allowed")
            } else {
                let names = policy.authorization.policies.map {
                    "\($0.action.rawValue)\($0.dryRun ? " (dry-run)" : "") \($0.policy)"
                }
                lines.append("authorization: \(names.joined(separator: ", "))")
            }
            for (name, reason) in policy.authorization.skipped { lines.append("  \(name) does not apply: \(reason)") }
            for line in authz.explanation { lines.append("  " + line) }
            for hit in authz.customNotEnforced {
                lines.append(
                    "  CUSTOM \(hit.policy) rule \(hit.rule) matches: meshctl does not call the external authorizer, so it is not enforced"
                )
            }
            switch authz.reason {
            case .deniedByPolicy:
                lines.append(
                    "  → denied by DENY \(authz.decidedBy!.policy) rule \(authz.decidedBy!.rule): 403 RBAC: access denied")
            case .allowedByPolicy:
                lines.append("  → allowed by ALLOW \(authz.decidedBy!.policy) rule \(authz.decidedBy!.rule)")
            case .noAllowPolicy:
                lines.append("  → allowed: no DENY policy matches and no ALLOW policy applies")
            case .noAllowPolicyMatched:
                lines.append("  → denied: ALLOW policies apply and none matches: 403 RBAC: access denied")
            }
            for hit in authz.audited { lines.append("  audited by AUDIT \(hit.policy) rule \(hit.rule)") }
            for hit in authz.shadowMatches {
                lines.append("  dry-run \(hit.action.rawValue) \(hit.policy) rule \(hit.rule) matches (not enforced)")
            }
            if !authz.counters.isEmpty {
                lines.append(
                    "  counters: "
                        + authz.counters.map { "http.\(InboundSide.statPrefix(appPort: port)).\($0)" }.joined(separator: ", "))
            }
            if !authz.allowed {
                decision = "denied"
                status = 403
            }
        }
        // 4. The local rate limit.
        var rateJSON: InboundReport.RateLimit?
        if let limit = policy.rateLimits[port] {
            for note in limit.notes { lines.append("rate limit: " + note) }
        }
        if let limit = policy.rateLimit(port: port) {
            for limiter in limit.limiters { lines.append("rate limit: \(limiter.summary)") }
            if decision == "allowed" {
                let result = limit.check(
                    headers: request.headers, path: request.path, method: request.method, authority: request.authority,
                    remoteAddress: inbound.sourceIP, now: 0)
                rateJSON = InboundReport.RateLimit(
                    allowed: result.allowed, status: result.status,
                    responseHeaders: Dictionary(result.responseHeaders.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
                    counters: result.counters, configuration: limit.limiters.map(\.summary).joined(separator: "; "))
                lines.append(
                    "  the first request takes a token: \(result.allowed ? "allowed" : "answered \(result.status ?? 429)") (counters \(result.counters.joined(separator: ", ")))"
                )
                if !result.allowed {
                    decision = "rate-limited"
                    status = result.status
                }
            }
        }
        let from = principal.map { "from \($0)" } ?? "from a plaintext caller"
        let headline: String
        switch decision {
        case "refused":
            headline = "\(request.method) \(request.authority)\(request.path) (inbound, \(from)) → refused at the TLS handshake"
        case "allowed":
            headline = "\(request.method) \(request.authority)\(request.path) (inbound, \(from)) → allowed to inbound|\(port)||"
        default:
            let body = status == 401 ? authn.message ?? "" : status == 403 ? AuthzDecision.deniedBody : RateLimitDecision.body
            headline = "\(request.method) \(request.authority)\(request.path) (inbound, \(from)) → \(status ?? 0) \(body)"
        }
        let step = InboundReport.Step(
            workload: [
                "namespace": workload.namespace, "labels": labels, "serviceAccount": workload.serviceAccount,
                "principal": workload.principal,
            ], port: port,
            mtls: ["mode": mode.rawValue, "policy": source.policy, "level": source.level, "peer": peer, "principal": principal],
            authentication: authnJSON, claims: claims,
            authorization: InboundReport.Authorization(
                allowed: authz.allowed, reason: authz.reason.rawValue, policy: authz.decidedBy?.policy,
                rule: authz.decidedBy?.rule,
                envoyPolicy: authz.decidedBy?.envoyName, responseCodeDetails: authz.responseCodeDetails,
                counters: authz.counters.map { "http.\(InboundSide.statPrefix(appPort: port)).\($0)" },
                audited: authz.audited.map { $0.policy },
                customNotEnforced: authz.customNotEnforced.map { $0.policy }, shadow: authz.shadowMatches.map { $0.policy },
                shadowAllowed: authz.shadowAllowed, policies: policy.authorization.policies.map { $0.policy }),
            rateLimit: rateJSON, decision: decision)
        return InboundReport(
            cluster: "inbound|\(port)||",
            destination: DecisionReport.DestinationJSON(host: request.authority, subset: nil, port: port), status: status,
            explain: lines, request: ["host": request.authority, "path": request.path, "method": request.method], inbound: step,
            headline: headline)
    }

    /// `-n COUNT --inbound`: COUNT identical requests at one instant, through the same
    /// buckets, by what the sidecar answers.
    func simulateMany(_ policy: InboundPolicy, request: HTTPRequest, port: Int, count: Int) -> (text: String, json: String) {
        let single = inboundReport(policy, request: request, port: port)
        var statuses: [Int: Int] = [:]
        var allowed = 0
        if single.inbound.decision == "allowed" || single.inbound.decision == "rate-limited" {
            // The report took the first token.
            if single.status == nil { allowed += 1 } else { statuses[single.status!, default: 0] += 1 }
            let limit = policy.rateLimit(port: port)
            for _ in 1..<max(count, 1) {
                let result = limit?.check(
                    headers: request.headers, path: request.path, method: request.method, authority: request.authority,
                    remoteAddress: inbound.sourceIP, now: 0)
                if let status = result?.status { statuses[status, default: 0] += 1 } else { allowed += 1 }
            }
        } else {
            statuses[single.status ?? 0, default: 0] = count
        }
        var lines = [
            "\(count) requests at one instant: \(request.method) \(request.authority)\(request.path) (inbound, port \(port))"
        ]
        lines.append("  allowed: \(allowed)")
        for (status, n) in statuses.sorted(by: { $0.key < $1.key }) {
            lines.append(status == 0 ? "  refused at the TLS handshake: \(n)" : "  answered \(status) by the sidecar: \(n)")
        }
        struct Document: Encodable {
            var requests: Int
            var allowed: Int
            var statuses: [String: Int]
        }
        let json = DiagnosticRenderer.encodeJSON(
            Document(
                requests: count, allowed: allowed,
                statuses: Dictionary(uniqueKeysWithValues: statuses.map { (String($0.key), $0.value) })))
        return (lines.joined(separator: "\n"), json)
    }
}
