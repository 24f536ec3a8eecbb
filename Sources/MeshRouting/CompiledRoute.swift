import MeshModel
import MeshRegex

/// A destination resolved against the registry and DestinationRules, with its cluster name.
public final class Target: @unchecked Sendable {
    public let host: String
    public let subset: String?
    public let port: Int
    /// `outbound|PORT|SUBSET|FQDN`, Istio's cluster name.
    public let cluster: String
    /// Relative weight within its route.
    public let weight: Int
    /// Set when the proxy cannot send there: 503 with this flag (NC: no cluster; UH: no
    /// healthy upstream), and why.
    public let failure: (status: Int, flag: String, reason: String)?
    public let endpoints: [Registry.Endpoint]
    public let service: Registry.Service?
    /// The DestinationRule policy that applies to this cluster (subset merged over the rule).
    public let policy: TrafficPolicy?
    public let destinationRule: Resource?
    /// How the port was chosen, in words (`destination port 9080`, `the service's only port`).
    public let portReason: String
    /// The host the route named when it is an alias (`ExternalName` Service) of `host`.
    public let alias: String?

    init(
        host: String, subset: String?, port: Int, weight: Int, failure: (Int, String, String)?, endpoints: [Registry.Endpoint],
        service: Registry.Service?, policy: TrafficPolicy?, destinationRule: Resource?, portReason: String = "",
        alias: String? = nil
    ) {
        self.host = host
        self.subset = subset
        self.port = port
        self.weight = weight
        self.cluster = Target.clusterName(port: port, subset: subset, host: host)
        self.failure = failure.map { (status: $0.0, flag: $0.1, reason: $0.2) }
        self.endpoints = endpoints
        self.service = service
        self.policy = policy
        self.destinationRule = destinationRule
        self.portReason = portReason
        self.alias = alias
    }

    public static func clusterName(port: Int, subset: String?, host: String) -> String {
        "outbound|\(port)|\(subset ?? "")|\(host)"
    }
}

/// Calls `body` with a string's UTF-8 bytes, without copying native strings.
@inline(__always) func withUTF8Bytes<S: StringProtocol, R>(_ s: S, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = s.utf8.withContiguousStorageIfAvailable(body) { return result }
    return Array(s.utf8).withUnsafeBufferPointer(body)
}

/// One StringMatch as compiled: RE2 programs are compiled once, here. `MatchProgram` does the
/// matching.
public final class CompiledStringMatch: @unchecked Sendable {
    public enum Kind: Sendable { case exact, prefix, regex, present }
    public let kind: Kind
    public let text: String
    let regex: RE2Regex?

    init(_ match: StringMatch, regexes: RegexProvider) {
        switch match {
        case .exact(let v): (kind, text) = (.exact, v)
        case .prefix(let v): (kind, text) = (.prefix, v)
        case .regex(let v): (kind, text) = (.regex, v)
        case .present: (kind, text) = (.present, "")
        }
        // Validation has already refused what RE2 cannot compile; never match if it slips by.
        regex = kind == .regex ? try? regexes(text) : nil
    }

    public var description: String {
        switch kind {
        case .exact: "exact \"\(text)\""
        case .prefix: "prefix \"\(text)\""
        case .regex: "regex \"\(text)\""
        case .present: "present"
        }
    }
}

public typealias RegexProvider = (String) throws -> RE2Regex

/// One condition of a match entry, for explanations; `MatchProgram` holds the same conditions in
/// the form requests are matched against.
public final class Condition: @unchecked Sendable {
    public enum Field: Sendable { case uri, scheme, method, authority, header, withoutHeader, queryParam, port }
    public let field: Field
    /// Header or query parameter name (headers lowercase).
    public let name: String
    public let matcher: CompiledStringMatch?
    public let ignoreCase: Bool
    public let port: Int

    init(_ field: Field, name: String = "", _ matcher: CompiledStringMatch?, ignoreCase: Bool = false, port: Int = 0) {
        self.field = field
        self.name = name
        self.matcher = matcher
        self.ignoreCase = ignoreCase
        self.port = port
    }

    /// Why a request did not satisfy this condition, in words.
    func failure(_ r: HTTPRequest) -> String {
        let m = matcher?.description ?? ""
        switch field {
        case .uri: return "uri \"\(r.pathOnly)\" does not match \(m)\(ignoreCase ? " (ignoring case)" : "")"
        case .scheme: return "scheme \"\(r.scheme)\" does not match \(m)"
        case .method: return "method \"\(r.method)\" does not match \(m)"
        case .authority: return "authority \"\(r.authority)\" does not match \(m)"
        case .header:
            guard let value = r.header(name) else { return "header \(name) is absent (wanted \(m))" }
            return "header \(name) \"\(value)\" does not match \(m)"
        case .withoutHeader:
            return "header \(name) \"\(r.header(name) ?? "")\" matches \(m), which withoutHeaders excludes"
        case .queryParam:
            guard let value = r.queryParameter(name) else { return "query parameter \(name) is absent (wanted \(m))" }
            return "query parameter \(name) \"\(value)\" does not match \(m)"
        case .port: return "port \(r.port.map(String.init) ?? "(none)") is not \(port)"
        }
    }

    var summary: String {
        let m = matcher?.description ?? ""
        switch field {
        case .uri: return "uri \(m)"
        case .scheme: return "scheme \(m)"
        case .method: return "method \(m)"
        case .authority: return "authority \(m)"
        case .header: return "header \(name) \(m)"
        case .withoutHeader: return "without header \(name) \(m)"
        case .queryParam: return "query \(name) \(m)"
        case .port: return "port \(port)"
        }
    }
}

/// One `match` entry: every condition must hold.
public final class CompiledMatch: @unchecked Sendable {
    public let conditions: [Condition]
    /// Set when the entry was dropped when the configuration was built, as Istio drops it: its
    /// `port` is another listener's, or its `sourceLabels`, `sourceNamespace` or `gateways`
    /// name another workload. Why, in words.
    public let dropReason: String?
    public let name: String?
    public let node: Int32

    init(conditions: [Condition], dropReason: String?, name: String?, node: Int32) {
        self.conditions = conditions
        self.dropReason = dropReason
        self.name = name
        self.node = node
    }

    /// The former name of `dropReason`.
    public var identityMismatch: String? { dropReason }

    /// Istio's catch-all test: no path other than `/` (or regex `.*`), no header or query
    /// conditions. Rules after a catch-all are never reached.
    public var isCatchAll: Bool {
        for condition in conditions {
            switch condition.field {
            case .uri:
                guard let m = condition.matcher else { continue }
                if !((m.kind == .prefix && m.text == "/") || (m.kind == .regex && m.text == ".*") || m.kind == .present) {
                    return false
                }
            case .port: continue
            default: return false
            }
        }
        return true
    }
}

/// What a rule does with a request it matched.
public enum RouteAction: Sendable {
    case route(targets: [Target], cumulative: [Int], total: Int)
    case redirect(HTTPRedirect)
    case directResponse(status: Int, body: String?)
    case delegate(String)
}

public struct RetryPolicy: Sendable, Equatable {
    public var attempts: Int
    public var perTryTimeout: MeshDuration?
    /// Envoy's retry conditions, without status codes.
    public var retryOn: String
    /// The statuses `retriable-status-codes` retries on.
    public var retriableStatusCodes: [Int]
    /// True when the rule set none and Istio's (or the mesh config's) default applies.
    public var isDefault: Bool

    public init(attempts: Int, perTryTimeout: MeshDuration?, retryOn: String, retriableStatusCodes: [Int], isDefault: Bool) {
        self.attempts = attempts
        self.perTryTimeout = perTryTimeout
        self.retryOn = retryOn
        self.retriableStatusCodes = retriableStatusCodes
        self.isDefault = isDefault
    }

    /// Istio's reading of a `retryOn` string: numbers are status codes, and naming any adds the
    /// `retriable-status-codes` condition.
    public init(attempts: Int, perTryTimeout: MeshDuration?, retryOn: String, isDefault: Bool) {
        let items = retryOn.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        let codes = items.compactMap { Int($0) }
        var conditions = items.filter { Int($0) == nil }
        if !codes.isEmpty && !conditions.contains("retriable-status-codes") { conditions.append("retriable-status-codes") }
        self.init(
            attempts: attempts, perTryTimeout: perTryTimeout, retryOn: conditions.joined(separator: ","),
            retriableStatusCodes: codes,
            isDefault: isDefault)
    }

    /// Istio's default retry policy (since 1.24): 2 retries on connect-failure, refused-stream,
    /// unavailable and cancelled; no status code is retried.
    public static let istioDefault = RetryPolicy(
        attempts: 2, perTryTimeout: nil,
        retryOn: "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes", retriableStatusCodes: [],
        isDefault: true)

    /// Istio's default for a compatibility version: 1.23 and earlier also retried 503.
    public static func istioDefault(compatibility: CompatibilityVersion?) -> RetryPolicy {
        var policy = istioDefault
        if compatibility?.retries503ByDefault == true { policy.retriableStatusCodes = [503] }
        return policy
    }
}

public struct CompiledFault: Sendable {
    public var abortStatus: Int?
    public var abortPercent: Double
    public var delay: MeshDuration?
    public var delayPercent: Double
}

/// One `http[]` rule, compiled for one listener port. A class: the decision refers to it
/// without copying it.
public final class CompiledRoute: @unchecked Sendable {
    public let index: Int
    public let name: String?
    /// The VirtualService it came from (nil for a service's default route).
    public internal(set) var virtualService: Resource?
    public let node: Int32
    /// Empty means the rule matches every request.
    public let matches: [CompiledMatch]
    public let action: RouteAction
    public let fault: CompiledFault?
    public let mirrors: [(target: Target, percent: Double)]
    public let timeout: MeshDuration?
    public let retries: RetryPolicy
    public let rewrite: HTTPRewrite?
    public let headers: Headers?
    public let corsPolicy: CorsPolicy?
    public let source: HTTPRoute?
    /// The weighted destinations of a `route` action, hoisted out of `action` so the
    /// per-request choice reads them without copying the enum.
    let targets: [Target]
    let cumulativeWeights: [Int]
    let totalWeight: Int
    /// Each destination's own `headers` (in the order of `destinations`; nil where it has none,
    /// empty when no destination has any).
    public let destinationHeaders: [Headers?]

    /// The weighted destinations of a `route` action, in order (empty for other actions).
    public var destinations: [Target] { targets }

    /// True when every match entry was dropped for this proxy and port: the rule is not part
    /// of the configuration.
    public var isDropped: Bool { !matches.isEmpty && matches.allSatisfy { $0.dropReason != nil } }

    /// The Envoy route name of one match entry: the rule's name, and `.MATCH` when the entry
    /// has a name (Istio's naming).
    public func envoyName(_ match: CompiledMatch?) -> String? {
        if let matchName = match?.name, !matchName.isEmpty { return (name ?? "") + "." + matchName }
        return name
    }

    init(
        index: Int, name: String?, node: Int32, matches: [CompiledMatch], action: RouteAction, fault: CompiledFault?,
        mirrors: [(target: Target, percent: Double)], timeout: MeshDuration?, retries: RetryPolicy, rewrite: HTTPRewrite?,
        headers: Headers?, corsPolicy: CorsPolicy?, source: HTTPRoute?, destinationHeaders: [Headers?] = []
    ) {
        self.index = index
        self.name = name
        self.node = node
        self.matches = matches
        self.action = action
        self.fault = fault
        self.mirrors = mirrors
        self.timeout = timeout
        self.retries = retries
        self.rewrite = rewrite
        self.headers = headers
        self.corsPolicy = corsPolicy
        self.source = source
        self.destinationHeaders = destinationHeaders.contains { $0 != nil } ? destinationHeaders : []
        if case .route(let targets, let cumulative, let total) = action {
            (self.targets, self.cumulativeWeights, self.totalWeight) = (targets, cumulative, total)
        } else {
            (self.targets, self.cumulativeWeights, self.totalWeight) = ([], [], 0)
        }
    }
}
