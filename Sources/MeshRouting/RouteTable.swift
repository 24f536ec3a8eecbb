import MeshModel
import MeshRegex

/// The compiled, immutable routing configuration of one proxy (a sidecar in a namespace with
/// labels, or a gateway). `simulate`, `proxy-config` and the proxy all ask it to `decide` where
/// a request goes; it is built once from a validated rule set.
///
/// It has the shape of an Istio proxy's configuration: one route configuration per listener
/// port (`8080`; a gateway's `http.80`), each with its virtual hosts and a catch-all, and TCP/TLS
/// listeners with their filter chains.
public final class RouteTable: @unchecked Sendable {
    /// The routes for one host on one port: a VirtualService's, or a registered service's
    /// default route.
    public final class VirtualHost: @unchecked Sendable {
        /// `host:port`, Istio's virtual host name.
        public let name: String
        /// The host as written and resolved (`reviews.default.svc.cluster.local`, `*.example.com`).
        public let host: String
        /// The listener port whose route configuration holds it.
        public let port: Int
        /// Every name a request may use for it (Envoy's `domains`).
        public let domains: [String]
        public let virtualService: Resource?
        // Immutable: `let` spares every per-request read an exclusivity check.
        public let routes: [CompiledRoute]
        /// The registered service the host names (nil for a host outside the registry).
        public let service: Registry.Service?
        /// A gateway server's `httpsRedirect`: plain HTTP is answered with a redirect to https.
        public let requireTLS: Bool
        /// The routes' match conditions, flattened: what `decide` and `explain` evaluate.
        let program: MatchProgram

        init(
            name: String, host: String, port: Int, domains: [String], virtualService: Resource?, routes: [CompiledRoute],
            service: Registry.Service?, requireTLS: Bool = false
        ) {
            self.name = name
            self.host = host
            self.port = port
            self.domains = domains
            self.virtualService = virtualService
            self.routes = routes
            self.service = service
            self.requireTLS = requireTLS
            self.program = MatchProgram(routes)
        }

        /// `namespace/name` of the VirtualService, or nil for a service's default route.
        public var virtualServiceName: String? { virtualService.map { "\($0.namespace)/\($0.name)" } }
    }

    /// What a route configuration does with a host none of its virtual hosts serves.
    public enum CatchAll: Sendable, Equatable {
        /// `allow_any`: on to the original destination (PassthroughCluster), or with
        /// ALLOW_ANY_DYNAMIC_DNS to AllowAnyDynamicDNSCluster.
        case allowAny(cluster: String)
        /// `block_all`: a direct 502 (REGISTRY_ONLY).
        case blockAll
        /// A gateway: 404.
        case notFound
    }

    /// One route configuration: the HTTP routes of one listener port.
    public final class RouteConfiguration: @unchecked Sendable {
        /// `8080` on a sidecar; `http.80` (or `https.443.NAME.GATEWAY.NS`) on a gateway.
        public let name: String
        public let port: Int
        /// Sorted by name, as Istio sends them.
        public let virtualHosts: [VirtualHost]
        public let catchAll: CatchAll
        /// Exact domain (lowercase, no port) → virtual host.
        let exactHosts: [String: VirtualHost]
        /// Wildcard domains (`*.example.com` stored as `.example.com`), most specific first.
        let wildcardHosts: [(suffix: String, host: VirtualHost)]
        let starHost: VirtualHost?

        init(name: String, port: Int, virtualHosts: [VirtualHost], catchAll: CatchAll) {
            self.name = name
            self.port = port
            self.virtualHosts = virtualHosts
            self.catchAll = catchAll
            var exact: [String: VirtualHost] = [:]
            var wildcard: [(String, VirtualHost)] = []
            var star: VirtualHost?
            for host in virtualHosts {
                for domain in host.domains {
                    let plain = domain.hasSuffix(":*") ? String(domain.dropLast(2)) : domain
                    if plain == "*" {
                        if star == nil { star = host }
                    } else if plain.hasPrefix("*") {
                        wildcard.append((String(plain.dropFirst()), host))
                    } else if exact[plain] == nil {
                        exact[plain] = host
                    }
                }
            }
            wildcard.sort { $0.0.count > $1.0.count }
            exactHosts = exact
            wildcardHosts = wildcard
            starHost = star
        }

        /// True when a virtual host serves `host` by an exact or wildcard domain (not `*`).
        func serves(_ host: String) -> Bool {
            if exactHosts[host] != nil { return true }
            for (suffix, _) in wildcardHosts where host.hasSuffix(suffix) && host.utf8.count > suffix.utf8.count { return true }
            return false
        }

        /// The virtual host serving `host` (lowercase, port stripped), as Envoy picks it: an exact
        /// domain, then the longest wildcard suffix, then `*`.
        @inline(__always) public func virtualHost(for host: String) -> VirtualHost? {
            if let exact = exactHosts[host] { return exact }
            for (suffix, vh) in wildcardHosts where host.hasSuffix(suffix) && host.utf8.count > suffix.utf8.count { return vh }
            return starHost
        }
    }

    /// A VirtualService (or some of its rules) that does not take effect on a port, and why.
    public struct Discarded: Sendable {
        public var virtualService: Resource
        public var port: Int
        public var reason: String
    }

    public let mesh: MeshConfig
    public let identity: ProxyIdentity
    public let compatibility: CompatibilityVersion?
    /// Every service the rule files define.
    public let registry: Registry
    /// What this proxy sees of them.
    public let scope: ProxyScope
    /// The effective outbound traffic policy (a Sidecar's, else the mesh's).
    public var outboundMode: MeshConfig.OutboundMode { scope.outboundMode }
    /// HTTP route configurations, by port.
    public let routeConfigurations: [RouteConfiguration]
    let routeConfigurationByPort: [Int: RouteConfiguration]
    /// TCP and TLS listeners (service ports that are not HTTP, and gateway TCP/TLS servers).
    public let tcpListeners: [TCPListener]
    let tcpListenersByPort: [Int: [TCPListener]]
    /// Per port, the names of services whose port is declared TCP (or TLS, MONGO, ...): HTTP
    /// requests to them are not HTTP-routed.
    let layer4Names: [Int: Set<String>]
    /// The gateway servers this proxy serves (empty for a sidecar).
    public let gatewayServers: [GatewayServer]
    /// Every virtual host of every route configuration.
    public let virtualHosts: [VirtualHost]
    /// Every cluster a route can send to, by name.
    public let targets: [String: Target]
    /// Every target object a decision can return (routes, mirrors, TCP routes, defaults).
    public let allTargets: [Target]
    /// The DestinationRule that applies to each host (FQDN) a target sends to.
    public let destinationRules: [String: Resource]
    /// VirtualServices left out of a port's routes, and why.
    public let discarded: [Discarded]
    /// Notes from compiling (e.g. a host claimed by two VirtualServices).
    public let notes: [String]

    public init(
        resources: [Resource], mesh: MeshConfig = MeshConfig(), identity: ProxyIdentity = ProxyIdentity(),
        compatibility: CompatibilityVersion? = nil, regexes: @escaping RegexProvider = { try RE2Regex($0) }
    ) {
        var compiler = RouteCompiler(
            resources: resources.effective, mesh: mesh, identity: identity, compatibility: compatibility, regexes: regexes)
        compiler.compile()
        self.mesh = mesh
        self.identity = identity
        self.compatibility = compatibility
        self.registry = compiler.registry
        self.scope = compiler.scope
        self.routeConfigurations = compiler.routeConfigurations
        self.routeConfigurationByPort = Dictionary(compiler.routeConfigurations.map { ($0.port, $0) }) { a, _ in a }
        self.tcpListeners = compiler.tcpListeners
        self.tcpListenersByPort = Dictionary(grouping: compiler.tcpListeners, by: \.port)
        var layer4: [Int: Set<String>] = [:]
        for listener in compiler.tcpListeners where !identity.gateway.contains("/") {
            for service in listener.services {
                guard let port = service.ports.first(where: { $0.number == listener.port }), !port.isSniffed else { continue }
                for name in [service.fqdn] + service.aliases {
                    layer4[listener.port, default: []].insert(name)
                    layer4[listener.port, default: []].formUnion(
                        HostNames.alternateNames(of: name, proxyNamespace: identity.namespace))
                }
                layer4[listener.port, default: []].formUnion(service.addresses.filter { !$0.contains("/") })
            }
        }
        self.layer4Names = layer4
        self.gatewayServers = compiler.gatewayServers
        self.virtualHosts = compiler.routeConfigurations.flatMap(\.virtualHosts)
        self.targets = compiler.targets
        self.allTargets = compiler.allTargets
        self.destinationRules = compiler.destinationRuleByHost
        self.discarded = compiler.discarded
        self.notes = compiler.notes
    }

    /// True when this table is a gateway's.
    public var isGateway: Bool { identity.gateway != "mesh" }

    /// The route configuration for a listener port, if the proxy has an HTTP listener there.
    public func routeConfiguration(port: Int) -> RouteConfiguration? { routeConfigurationByPort[port] }

    /// The virtual host serving `host` on `port` (or on the port a request for it would use).
    public func virtualHost(for host: String, port: Int? = nil) -> VirtualHost? {
        let port = port ?? inferredPort(host: host).port
        return routeConfigurationByPort[port]?.virtualHost(for: host)
    }

    /// The ports whose route configurations serve `host` by one of its names (not by `*`).
    func servingPorts(_ host: String) -> [Int] {
        var ports: [Int] = []
        for config in routeConfigurations where config.serves(host) { ports.append(config.port) }
        return ports
    }

    /// The port a request that names none is taken to use: the only port whose route
    /// configuration serves the host, else 80 (HTTP's default) when it is one of several or none
    /// serves it, else the first of them; at a gateway, 80 or its first HTTP port.
    func inferredPortNumber(_ host: String) -> Int {
        if isGateway {
            let ports = gatewayServers.filter(\.isHTTPRouted).map(\.port)
            return ports.isEmpty || ports.contains(80) ? 80 : ports.min()!
        }
        var count = 0
        var first = 0
        var has80 = false
        for config in routeConfigurations where config.serves(host) {
            if count == 0 { first = config.port }
            if config.port == 80 { has80 = true }
            count += 1
        }
        if count == 1 { return first }
        if count == 0, let port = scope.service(HostNames.fqdn(host, namespace: identity.namespace))?.ports.first {
            return port.number
        }
        return count == 0 || has80 ? 80 : first
    }

    /// The port a request that names none is taken to use, and why.
    public func inferredPort(host: String) -> (port: Int, reason: String) {
        let port = inferredPortNumber(host)
        if isGateway {
            return port == 80
                ? (80, "no port given: 80, HTTP's default")
                : (port, "no port given: the gateway has no HTTP server on 80, so its first HTTP port \(port) is used")
        }
        let serving = servingPorts(host)
        let list = serving.map(String.init).joined(separator: ", ")
        if serving.count == 1 {
            return (port, "no port given: \(host) is served on port \(port) only, so the request is taken to be on \(port)")
        }
        if serving.count > 1 {
            return port == 80
                ? (80, "no port given: 80, HTTP's default (\(host) is served on ports \(list))")
                : (port, "no port given: \(host) is served on ports \(list); the first, \(port), is used")
        }
        if port != 80 || scope.service(HostNames.fqdn(host, namespace: identity.namespace)) != nil {
            return (port, "no port given: \(HostNames.fqdn(host, namespace: identity.namespace))'s first port \(port) is used")
        }
        return (80, "no port given: 80, HTTP's default")
    }
}

/// Who the proxy is: what `sourceLabels`, `sourceNamespace` and `gateways` match against.
public struct ProxyIdentity: Sendable {
    public var namespace: String
    public var labels: [String: String]
    /// `mesh` for a sidecar, or a gateway's `namespace/name`.
    public var gateway: String

    public init(namespace: String = "default", labels: [String: String] = [:], gateway: String = "mesh") {
        self.namespace = namespace
        self.labels = labels
        self.gateway = gateway
    }
}
