import MeshModel

/// Where one request goes, as decided by the route table.
///
/// A decision keeps its table alive with one strong reference and refers to the table's
/// compiled objects without counting references to each (the per-request path stays cheap).
public struct Decision: Sendable {
    public enum Kind: Sendable {
        /// Send to `target`'s cluster.
        case forward
        /// Unknown host under ALLOW_ANY: to the original destination.
        case passthrough
        /// Unknown destination under REGISTRY_ONLY on a port without an HTTP listener:
        /// BlackHoleCluster (Envoy closes the connection; meshctl's proxy answers 502).
        case blackhole
        /// Host known, no rule matched: 404 (flag NR).
        case noRoute
        /// `target` has no cluster or no endpoints: 503 NC / UH.
        case unavailable
        case redirect
        /// A rule's `directResponse`, or REGISTRY_ONLY's `block_all` route (502).
        case directResponse
        /// Fault injection aborted the request with `fixedStatus`.
        case abort
        /// The rule delegates to another VirtualService (not followed here).
        case delegate
        /// A gateway with no server on the request's port: the connection is refused.
        case noListener
    }

    public var kind: Kind
    /// Owns the objects below.
    let table: RouteTable
    public unowned(unsafe) var virtualHost: RouteTable.VirtualHost?
    /// The matched rule.
    public unowned(unsafe) var route: CompiledRoute?
    /// The destination the route chose (also when a fault then aborted the request).
    public unowned(unsafe) var target: Target?
    /// The position of `target` among the route's destinations (-1 without one).
    public var targetIndex = -1
    /// The status of a redirect, direct response or abort.
    public var fixedStatus = 0
    /// A fault delay was injected on this request.
    public var delayed = false
    /// Mirrors that fired for this request.
    public var mirrored: [Target] = []
    /// The listener port the request was routed on (its own, or the one inferred for it).
    public var port = 0
    /// Answered by REGISTRY_ONLY's `block_all` route.
    public var blockAll = false
    /// Sent to `AllowAnyDynamicDNSCluster` (ALLOW_ANY_DYNAMIC_DNS) rather than PassthroughCluster.
    public var dynamicDNS = false
    /// Redirected to https by a gateway server's `httpsRedirect`.
    public var tlsRedirect = false
    /// Set when the port is a TCP (or TLS) port of the service: not HTTP-routed.
    public var tcp: TCPDecision? { tcpBox?.decision }
    /// Boxed, so the common decision stays small to copy.
    var tcpBox: TCPDecisionBox?

    init(_ kind: Kind, table: RouteTable, virtualHost: RouteTable.VirtualHost? = nil, route: CompiledRoute? = nil) {
        self.kind = kind
        self.table = table
        self.virtualHost = virtualHost
        self.route = route
    }

    /// The chosen destination's own header operations (its `headers`), applied after the rule's.
    public var destinationHeaders: Headers? {
        guard let route, targetIndex >= 0, targetIndex < route.destinationHeaders.count else { return nil }
        return route.destinationHeaders[targetIndex]
    }

    /// Index of the matched rule in its VirtualService's `http` list.
    public var routeIndex: Int? { route?.index }

    /// The status the proxy itself answers with, or nil when the upstream's answer is returned.
    public var status: Int? {
        switch kind {
        case .forward, .passthrough, .delegate, .noListener: nil
        case .blackhole: 502
        case .noRoute: 404
        case .unavailable: target?.failure?.status ?? 503
        case .redirect, .directResponse, .abort: fixedStatus
        }
    }

    /// Envoy's response flag for answers the proxy makes itself.
    public var responseFlag: String? {
        switch kind {
        case .noRoute: "NR"
        case .unavailable: target?.failure?.flag
        case .abort: "FI"
        default: nil
        }
    }

    /// The cluster name, as Envoy would log it.
    public var cluster: String? {
        switch kind {
        case .forward, .unavailable, .abort: target?.cluster
        case .passthrough: dynamicDNS ? "AllowAnyDynamicDNSCluster" : "PassthroughCluster"
        case .blackhole: "BlackHoleCluster"
        default: nil
        }
    }

    /// The route configuration the request was matched in (nil without an HTTP listener).
    public var routeConfiguration: RouteTable.RouteConfiguration? {
        tcpBox == nil ? table.routeConfigurationFor(port) : nil
    }

    /// A redirect's Location (worked out from the request when asked for).
    public func location(for request: HTTPRequest) -> String? {
        guard kind == .redirect else { return nil }
        if tlsRedirect { return "https://\(HostNames.stripPort(request.authority))\(request.path)" }
        guard case .redirect(let redirect)? = route?.action else { return nil }
        return RouteTable.location(redirect, request, port: port)
    }

    public var body: String? {
        guard kind == .directResponse, case .directResponse(_, let body)? = route?.action else { return nil }
        return body
    }
}

/// A TCP decision inside an HTTP one (rare), kept out of line.
final class TCPDecisionBox: @unchecked Sendable {
    let decision: TCPDecision
    init(_ decision: TCPDecision) { self.decision = decision }
}

extension RouteTable {
    /// The route configuration for a listener port: a few are scanned, many looked up.
    @inline(__always) func routeConfigurationFor(_ port: Int) -> RouteConfiguration? {
        if routeConfigurations.count <= 8 {
            for config in routeConfigurations where config.port == port { return config }
            return nil
        }
        return routeConfigurationByPort[port]
    }

    /// Decides where `request` goes. Weighted choices, fault percentages and mirror
    /// percentages are drawn from `random`, as the proxy draws them per request.
    ///
    /// The request's `port` picks the route configuration (a request without one is taken to
    /// use the port its host is served on); its Host picks the virtual host there.
    ///
    /// With `certainOnly`, a fault or mirror applies only when its percentage is 100: what is
    /// true of every such request, which is what a single simulated request reports.
    @inline(__always)
    public func decide<R: RandomNumberGenerator>(_ request: HTTPRequest, random: inout R, certainOnly: Bool = false) -> Decision {
        let host = HostNames.stripPort(request.authority)
        let port = request.port ?? HostNames.port(of: request.authority) ?? inferredPortNumber(host)
        if !layer4Names.isEmpty, let names = layer4Names[port], names.contains(host) {
            return tcpDecision(host: host, port: port, random: &random)
        }
        guard let config = routeConfigurationFor(port) else {
            var decision = Decision(
                isGateway ? .noListener : (outboundMode.allowsUnknown ? .passthrough : .blackhole), table: self)
            decision.port = port
            return decision
        }
        guard let vh = config.virtualHost(for: host) else {
            var decision = Decision(.noRoute, table: self)
            decision.port = port
            switch config.catchAll {
            case .allowAny(let cluster):
                decision.kind = .passthrough
                decision.dynamicDNS = cluster != "PassthroughCluster"
            case .blockAll:
                decision.kind = .directResponse
                decision.fixedStatus = 502
                decision.blockAll = true
            case .notFound: break
            }
            return decision
        }
        var decision = Decision(.noRoute, table: self, virtualHost: vh)
        decision.port = port
        if vh.requireTLS, request.scheme == "http" {
            decision.kind = .redirect
            decision.fixedStatus = 301
            decision.tlsRedirect = true
            return decision
        }
        guard let ruleIndex = vh.program.firstMatchingRule(request) else { return decision }
        let route = vh.routes[ruleIndex]
        decision.route = route
        switch route.action {
        case .route:
            let total = route.totalWeight
            guard total > 0 else { return decision }
            var index = 0
            if route.targets.count > 1 {
                let draw = Int(random.next() % UInt64(total))
                index = route.cumulativeWeights.withUnsafeBufferPointer { cumulative in
                    var i = 0
                    while cumulative[i] <= draw { i += 1 }
                    return i
                }
            }
            let target = route.targets[index]
            decision.target = target
            decision.targetIndex = index
            decision.kind = target.failure == nil ? .forward : .unavailable
        case .redirect(let redirect):
            decision.kind = .redirect
            decision.fixedStatus = redirect.redirectCode?.value ?? 301
        case .directResponse(let status, _):
            decision.kind = .directResponse
            decision.fixedStatus = status
        case .delegate:
            decision.kind = .delegate
        }
        if let fault = route.fault {
            if fault.delay != nil, Self.roll(fault.delayPercent, &random, certainOnly) { decision.delayed = true }
            if let status = fault.abortStatus, Self.roll(fault.abortPercent, &random, certainOnly) {
                decision.kind = .abort
                decision.fixedStatus = status
                return decision
            }
        }
        for mirror in route.mirrors where Self.roll(mirror.percent, &random, certainOnly) {
            decision.mirrored.append(mirror.target)
        }
        return decision
    }

    /// An HTTP request to a service port declared TCP (or TLS, MONGO, ...): Istio does not
    /// HTTP-route it; the port's TCP routes carry its bytes.
    func tcpDecision<R: RandomNumberGenerator>(host: String, port: Int, random: inout R) -> Decision {
        let tcp = decideTCP(TCPRequest(port: port, host: host, tls: false), random: &random)
        let kind: Decision.Kind =
            switch tcp.kind {
            case .forward: .forward
            case .unavailable: .unavailable
            case .passthrough: .passthrough
            case .blackhole: .blackhole
            case .noListener: .noListener
            case .noRoute: .noRoute
            }
        var decision = Decision(kind, table: self)
        decision.port = port
        decision.target = tcp.target
        decision.tcpBox = TCPDecisionBox(tcp)
        return decision
    }

    /// True with probability `percent`/100.
    @inline(__always) static func roll<R: RandomNumberGenerator>(_ percent: Double, _ random: inout R, _ certainOnly: Bool)
        -> Bool
    {
        if percent >= 100 { return true }
        if percent <= 0 || certainOnly { return false }
        return Double(random.next() >> 11) * 0x1p-53 * 100 < percent
    }

    /// The Location header of a redirect: the request's URL with the redirect's parts replaced.
    ///
    /// As Envoy builds it: without an `authority`, the request's Host is kept whole, port and
    /// all, unless the redirect names a port (which replaces it) or changes the scheme away
    /// from one whose default port the Host names (`:80` for http, `:443` for https).
    static func location(_ r: HTTPRedirect, _ request: HTTPRequest, port: Int) -> String {
        let scheme = r.scheme ?? request.scheme
        var newPort: Int?
        if let port = r.port?.value {
            newPort = port
        } else if r.derivePort == "FROM_REQUEST_PORT" {
            // Istio renders the listener's port; 80 for http and 443 for https are left out.
            let requestPort = request.port ?? port
            if !(requestPort == 80 && scheme == "http") && !(requestPort == 443 && scheme == "https") {
                newPort = requestPort
            }
        }
        var authority: String
        if let host = r.authority {
            authority = host
        } else {
            authority = request.authority
            let requestPort = HostNames.port(of: authority)
            let defaultPortOfOldScheme =
                (request.scheme == "http" && requestPort == 80) || (request.scheme == "https" && requestPort == 443)
            if newPort != nil || (scheme != request.scheme && defaultPortOfOldScheme) {
                authority = HostNames.stripPort(authority)
            }
        }
        if let newPort { authority += ":\(newPort)" }
        let path = r.uri ?? request.path
        return "\(scheme)://\(authority)\(path)"
    }
}
