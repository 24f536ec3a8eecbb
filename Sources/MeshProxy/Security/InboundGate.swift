import NIOCore

/// What the inbound side knows of a request when it asks whether to let it in.
public struct InboundRequest: Sendable {
    public var method: String
    public var path: String
    public var authority: String
    /// Header names lowercase, values as sent.
    public var headers: [(name: String, value: String)]
    /// The peer's identity from its mutual-TLS certificate (`cluster.local/ns/NS/sa/SA`), or nil.
    public var principal: String?
    public var sourceIP: String
    public var port: Int
    public var tls: Bool
}

/// The inbound side's answer: let it through (with headers to add, e.g. a verified JWT's
/// payload), or answer it now (401, 403, 429).
public enum InboundVerdict: Sendable {
    case allow(addHeaders: [(String, String)], removeHeaders: [String])
    case deny(status: Int, body: String, headers: [(String, String)], flag: String)
}

/// What a RequestAuthentication that selects this proxy makes of a request it routes (as at
/// an Istio gateway): nothing, a 401, or a verified token whose claims routing can match
/// (`@request.auth.claims.NAME` headers).
public enum RoutingAuthentication: Sendable {
    case none
    case reject(InboundVerdict)
    case verified(routingHeaders: [(String, String)], addHeaders: [(String, String)], removeHeaders: [String])
}

/// Authentication, authorization and rate limits for the inbound side, built once per
/// configuration (the security policies meshctl reads implement it).
public protocol InboundGate: Sendable {
    /// The mutual-TLS mode for connections to `port`: STRICT refuses plaintext.
    func requiresMutualTLS(port: Int) -> Bool
    /// Authenticates, authorizes and rate-limits one request.
    func admit(_ request: InboundRequest) -> InboundVerdict
    /// Whether authorization policies apply (allowed requests count as `rbac.allowed`).
    var authorizes: Bool { get }
    /// Whether requests this proxy routes are authenticated (a RequestAuthentication selects it).
    var authenticatesRoutedRequests: Bool { get }
    /// Authenticates a request before it is routed.
    func authenticateForRouting(_ request: InboundRequest) -> RoutingAuthentication
}

extension InboundGate {
    public var authorizes: Bool { false }
    public var authenticatesRoutedRequests: Bool { false }
    public func authenticateForRouting(_ request: InboundRequest) -> RoutingAuthentication { .none }
}

/// Lets everything in, over TLS or plaintext (no security policy in the rule set).
public struct OpenGate: InboundGate {
    public init() {}
    public func requiresMutualTLS(port: Int) -> Bool { false }
    public func admit(_ request: InboundRequest) -> InboundVerdict { .allow(addHeaders: [], removeHeaders: []) }
}
