import MeshModel

/// Everything a sidecar's inbound side enforces for one workload, built once per configuration
/// from the rule set: the mutual TLS mode per port (PeerAuthentication), JWT authentication
/// (RequestAuthentication), authorization (AuthorizationPolicy) and local rate limits
/// (EnvoyFilter). Immutable; the token buckets are atomics, so every event loop shares one
/// instance without locks.
///
/// Per inbound request, in Envoy's filter order for an Istio sidecar:
/// 1. `mtlsMode(port:)` at the connection: STRICT refuses plaintext, DISABLE refuses TLS;
/// 2. `authenticate(headers:path:)`: `.rejected` → 401 with `message` and `wwwAuthenticate`;
/// 3. `authorize(_:)` with the verified `identity`: not `allowed` → 403 `RBAC: access denied`;
/// 4. `rateLimit(port:)?.check(...)`: not `allowed` → its status (429) and headers.
public final class InboundPolicy: Sendable {
    public let workload: WorkloadIdentity
    public let rootNamespace: String
    public let mtls: MutualTLSPolicy
    public let authentication: JWTAuthenticator
    public let authorization: AuthorizationEngine
    public let rateLimits: [Int: InboundRateLimit]

    init(
        workload: WorkloadIdentity, rootNamespace: String, mtls: MutualTLSPolicy, authentication: JWTAuthenticator,
        authorization: AuthorizationEngine, rateLimits: [Int: InboundRateLimit]
    ) {
        self.workload = workload
        self.rootNamespace = rootNamespace
        self.mtls = mtls
        self.authentication = authentication
        self.authorization = authorization
        self.rateLimits = rateLimits
    }

    /// Builds the policy of `workload` on its inbound `ports` from `resources` (the whole rule
    /// set; what does not apply to the workload is left out). Async only because JWKS keys are
    /// imported through jwt-kit's key collection; requests are then checked synchronously.
    ///
    /// - Parameters:
    ///   - rootNamespace: the mesh config's root namespace (`istio-system`).
    ///   - now: the monotonic clock in microseconds, which the token buckets start from.
    public static func build(
        resources: [Resource], workload: WorkloadIdentity, ports: [Int], rootNamespace: String = "istio-system",
        now: UInt64 = MonotonicClock.microseconds()
    ) async -> InboundPolicy {
        let mtls = MutualTLSPolicy(resources: resources, workload: workload, rootNamespace: rootNamespace)
        let authentication = await JWTAuthenticator.build(resources: resources, workload: workload, rootNamespace: rootNamespace)
        let authorization = AuthorizationEngine(resources: resources, workload: workload, rootNamespace: rootNamespace)
        var limits: [Int: InboundRateLimit] = [:]
        for port in ports {
            let limit = InboundRateLimit.build(
                resources: resources, workload: workload, port: port, rootNamespace: rootNamespace, now: now)
            if !limit.limiters.isEmpty || !limit.notes.isEmpty { limits[port] = limit }
        }
        return InboundPolicy(
            workload: workload, rootNamespace: rootNamespace, mtls: mtls, authentication: authentication,
            authorization: authorization, rateLimits: limits)
    }

    /// The mutual TLS mode on a workload port: STRICT, PERMISSIVE or DISABLE.
    public func mtlsMode(port: Int) -> PeerAuthentication.Mode { mtls.mode(port: port) }

    /// Finds and verifies the request's JWT (headers lowercase; the path with its query).
    public func authenticate(headers: [(name: String, value: String)], path: String) -> AuthnResult {
        authentication.authenticate(headers: headers, path: path)
    }

    /// Decides the request (fill `jwt` with `authenticate`'s identity).
    public func authorize(_ request: AuthzRequest) -> AuthzDecision { authorization.authorize(request) }

    /// The local rate limit of an inbound port, or nil when none applies.
    public func rateLimit(port: Int) -> InboundRateLimit? {
        guard let limit = rateLimits[port], !limit.limiters.isEmpty else { return nil }
        return limit
    }
}
