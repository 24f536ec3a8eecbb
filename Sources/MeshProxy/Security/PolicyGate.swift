import MeshModel
import MeshSecurity

/// The inbound side's security from the rule set's `security.istio.io` policies (and the
/// local-rate-limit EnvoyFilter), in Envoy's filter order: JWT authentication (401), then
/// authorization (403), then the local rate limit (429).
public struct PolicyGate: InboundGate {
    public let policy: InboundPolicy
    public let hasRequestAuthentication: Bool

    /// Builds the gate for this workload from a configuration's resources.
    public static func build(
        resources: [Resource], workload: WorkloadIdentity, port: Int?, rootNamespace: String
    ) async -> PolicyGate {
        let policy = await InboundPolicy.build(
            resources: resources, workload: workload, ports: port.map { [$0] } ?? [], rootNamespace: rootNamespace)
        return PolicyGate(policy: policy, hasRequestAuthentication: !policy.authentication.isEmpty)
    }

    public func requiresMutualTLS(port: Int) -> Bool { policy.mtlsMode(port: port) == .strict }

    public var authenticatesRoutedRequests: Bool { hasRequestAuthentication }

    public var authorizes: Bool { policy.authorization.hasPolicies }

    public func authenticateForRouting(_ request: InboundRequest) -> RoutingAuthentication {
        let result = policy.authenticate(headers: request.headers, path: request.path)
        switch result.outcome {
        case .noToken: return .none
        case .rejected: return .reject(Self.unauthorized(result, request))
        case .verified:
            return .verified(
                routingHeaders: result.identity?.routingHeaders.map { ($0.name, $0.value) } ?? [],
                addHeaders: result.setHeaders.map { ($0.name, $0.value) }, removeHeaders: result.removeHeaders)
        }
    }

    public func admit(_ request: InboundRequest) -> InboundVerdict {
        let authn = policy.authenticate(headers: request.headers, path: request.path)
        if authn.outcome == .rejected { return Self.unauthorized(authn, request) }
        let decision = policy.authorize(
            AuthzRequest(
                method: request.method, path: request.path, host: request.authority, headers: request.headers,
                sourceIP: request.sourceIP, destinationPort: request.port, peerPrincipal: request.principal,
                jwt: authn.identity))
        if !decision.allowed {
            return .deny(status: decision.status ?? 403, body: AuthzDecision.deniedBody, headers: [], flag: "RBAC")
        }
        if let limit = policy.rateLimit(port: request.port) {
            let verdict = limit.check(
                headers: request.headers, path: request.path, method: request.method, authority: request.authority,
                remoteAddress: request.sourceIP)
            if !verdict.allowed {
                return .deny(
                    status: verdict.status ?? 429, body: RateLimitDecision.body,
                    headers: verdict.responseHeaders.map { ($0.name, $0.value) }, flag: "RL")
            }
        }
        return .allow(addHeaders: authn.setHeaders.map { ($0.name, $0.value) }, removeHeaders: authn.removeHeaders)
    }

    static func unauthorized(_ result: AuthnResult, _ request: InboundRequest) -> InboundVerdict {
        var headers: [(String, String)] = []
        if let challenge = result.wwwAuthenticate(host: request.authority, path: request.path) {
            headers.append(("www-authenticate", challenge))
        }
        return .deny(status: 401, body: result.message ?? "Jwt verification fails", headers: headers, flag: "JWT")
    }
}
