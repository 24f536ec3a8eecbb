import MeshModel

/// A connection as the routing engine sees it: what a TCP or TLS client connected to.
public struct TCPRequest: Sendable {
    /// The destination port.
    public var port: Int
    /// The destination address the client connected to (a service's virtual IP, or an
    /// address `destinationSubnets` may cover).
    public var destinationIP: String?
    /// The TLS server name the client sent (nil for plain TCP).
    public var sni: String?
    /// The service the client meant, when no address is given (as if it resolved the name).
    public var host: String?
    /// The client speaks TLS (TLS routes are matched by `sni`).
    public var tls: Bool

    public init(port: Int, destinationIP: String? = nil, sni: String? = nil, host: String? = nil, tls: Bool? = nil) {
        self.port = port
        self.destinationIP = destinationIP
        self.sni = sni.map { HostNames.normalized($0) }
        self.host = host
        self.tls = tls ?? (sni != nil)
    }
}

/// One filter chain of a TCP or TLS listener: which connections it takes (destination
/// subnets, server names) and where it sends them (weighted clusters).
public final class FilterChain: @unchecked Sendable {
    /// TLS server names (`*.example.com` allowed); empty takes any.
    public let serverNames: [String]
    /// Destination CIDRs; empty takes any address.
    public let destinationSubnets: [String]
    public let virtualService: Resource?
    /// `tcp` or `tls`, and the rule's index in that list (nil for a service's default chain).
    public let routeKind: String
    public let ruleIndex: Int?
    public let node: Int32
    public let targets: [Target]
    let cumulativeWeights: [Int]
    let totalWeight: Int

    init(
        serverNames: [String], destinationSubnets: [String], virtualService: Resource?, routeKind: String, ruleIndex: Int?,
        node: Int32, targets: [Target], cumulative: [Int], total: Int
    ) {
        self.serverNames = serverNames
        self.destinationSubnets = destinationSubnets
        self.virtualService = virtualService
        self.routeKind = routeKind
        self.ruleIndex = ruleIndex
        self.node = node
        self.targets = targets
        self.cumulativeWeights = cumulative
        self.totalWeight = total
    }

    /// `VirtualService ns/name tcp[0] (file:line)`, or the default chain's description.
    public var label: String {
        guard let vs = virtualService, let index = ruleIndex else { return "default chain" }
        return "VirtualService \(vs.namespace)/\(vs.name) \(routeKind)[\(index)] (\(vs.position(node)))"
    }
}

/// A TCP or TLS listener: a service port that is not HTTP (at its virtual IP, or at 0.0.0.0
/// when it has none), or a gateway's TCP/TLS server port.
public final class TCPListener: @unchecked Sendable {
    /// `10.0.0.5_3306`, `0.0.0.0_443`: Istio's listener name.
    public let name: String
    public let address: String
    public let port: Int
    /// The services whose port this is (several share `0.0.0.0_PORT`), oldest first.
    public let services: [Registry.Service]
    /// The port's protocol as declared (`TCP`, `TLS`, `HTTPS`, ...; empty when sniffed).
    public let protocolName: String
    public let isTLS: Bool
    public let chains: [FilterChain]
    /// Match entries left out for this proxy, and why (for explanations).
    public let dropped: [String]

    init(
        name: String, address: String, port: Int, services: [Registry.Service], protocolName: String, isTLS: Bool,
        chains: [FilterChain], dropped: [String]
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.services = services
        self.protocolName = protocolName
        self.isTLS = isTLS
        self.chains = chains
        self.dropped = dropped
    }

    public var isWildcard: Bool { address == "0.0.0.0" }
}

/// Where a TCP or TLS connection goes.
public struct TCPDecision: Sendable {
    public enum Kind: Sendable {
        /// To `target`'s cluster.
        case forward
        /// No listener or chain takes it and unknown destinations are allowed: PassthroughCluster.
        case passthrough
        /// Unknown destination under REGISTRY_ONLY: BlackHoleCluster.
        case blackhole
        /// `target` has no cluster or no endpoints (NC / UH).
        case unavailable
        /// A gateway has no server on this port: the connection is refused.
        case noListener
        /// A gateway server has no route for it: the connection is closed.
        case noRoute
    }
    public var kind: Kind
    public var listener: TCPListener?
    public var chain: FilterChain?
    public var target: Target?
    /// How the listener was chosen, in words.
    public var reason: String

    /// The cluster, as Envoy would log it.
    public var cluster: String? {
        switch kind {
        case .forward, .unavailable: target?.cluster
        case .passthrough: "PassthroughCluster"
        case .blackhole: "BlackHoleCluster"
        case .noListener, .noRoute: nil
        }
    }
}

/// The conditions `tcp` and `tls` matches share.
protocol L4Match {
    var port: Located<Int>? { get }
    var sourceLabels: [String: String] { get }
    var sourceNamespace: String? { get }
    var gateways: [Located<String>] { get }
}

extension TCPRoute.Match: L4Match {}
extension TLSRoute.Match: L4Match {}

extension RouteCompiler {
    /// The routes that apply, oldest first: VirtualServices whose hosts cover `host`.
    func configs(for host: String, in virtualServices: [Resource]) -> [Resource] {
        virtualServices.filter { r in
            (r.virtualService?.hosts ?? []).contains { HostNames.matches(HostNames.fqdn($0.value, namespace: r.namespace), host) }
        }
    }

    /// Weighted destinations of a `tcp` or `tls` route (a single one takes everything; zero
    /// weights are left out when there are several).
    mutating func destinations(_ route: [RouteDestination], port: Int, namespace: String) -> ([Target], [Int], Int) {
        var chosen: [Target] = []
        var cumulative: [Int] = []
        var total = 0
        for d in route {
            let weight = route.count == 1 ? max(d.weight?.value ?? 100, 1) : max(d.weight?.value ?? 0, 0)
            guard weight > 0, let destination = d.destination else { continue }
            let fqdn = HostNames.fqdn(destination.host?.value ?? "", namespace: namespace)
            let target = makeTarget(
                host: fqdn, subset: destination.subset?.value, port: destination.port?.number, listenPort: port, weight: weight,
                singlePortRule: true)
            total += weight
            chosen.append(target)
            cumulative.append(total)
        }
        return (chosen, cumulative, total)
    }

    mutating func chain(
        _ resource: Resource?, kind: String, index: Int?, node: Int32, route: [RouteDestination], port: Int,
        serverNames: [String] = [], subnets: [String] = []
    ) -> FilterChain {
        let (targets, cumulative, total) = destinations(route, port: port, namespace: resource?.namespace ?? identity.namespace)
        return FilterChain(
            serverNames: serverNames, destinationSubnets: subnets, virtualService: resource, routeKind: kind, ruleIndex: index,
            node: node, targets: targets, cumulative: cumulative, total: total)
    }

    /// The chain for a service port no rule claims: its cluster, all endpoints.
    mutating func defaultChain(_ service: Registry.Service, port: Int, serverNames: [String], subnets: [String]) -> FilterChain {
        let target = makeTarget(host: service.fqdn, subset: nil, port: nil, listenPort: port, weight: 100, singlePortRule: true)
        return FilterChain(
            serverNames: serverNames, destinationSubnets: subnets, virtualService: nil, routeKind: "", ruleIndex: nil, node: -1,
            targets: [target], cumulative: [100], total: 100)
    }

    /// Istio's `matchTCP` / `matchTLS` for the parts known when the configuration is built:
    /// why the match does not apply to this proxy on `listenPort`, or nil.
    func l4Mismatch(_ match: any L4Match, vs: Resource, listenPort: Int) -> String? {
        let gateways = match.gateways.map(\.value)
        let sourceLabels = match.sourceLabels
        let sourceNamespace = match.sourceNamespace
        let matchPort = match.port?.value
        if !gateways.isEmpty {
            let names = gateways.map { ProxyScope.gatewayName($0, namespace: vs.namespace) }
            if !names.contains(where: gatewayNames.contains) {
                return "gateways \(gateways.joined(separator: ",")) do not include \(identity.gateway)"
            }
        }
        let missing = sourceLabels.sorted { $0.key < $1.key }.filter { workloadLabels[$0.key] != $0.value }
        if !missing.isEmpty {
            return
                "sourceLabels \(missing.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) do not match this proxy's labels"
        }
        if let matchPort, matchPort != 0, matchPort != listenPort {
            return "port \(matchPort) is not this listener's port \(listenPort)"
        }
        if let sourceNamespace, !sourceNamespace.isEmpty, sourceNamespace != identity.namespace {
            return "sourceNamespace \(sourceNamespace) is not this proxy's namespace (\(identity.namespace))"
        }
        return nil
    }

    /// Istio's `buildSidecarOutboundTCPFilterChainOpts`: `tcp` routes in order; the first rule
    /// without destination subnets ends the list; rules with subnets become chains for them;
    /// the service's own chain comes last when nothing took every connection.
    mutating func tcpChains(_ service: Registry.Service, port: Int, configs: [Resource], cidrs: [String], dropped: inout [String])
        -> [FilterChain]
    {
        var chains: [FilterChain] = []
        var covered = false
        outer: for resource in configs {
            guard let vs = resource.virtualService else { continue }
            for (i, tcp) in vs.tcp.enumerated() {
                if tcp.match.isEmpty {
                    chains.append(
                        chain(resource, kind: "tcp", index: i, node: tcp.node, route: tcp.route, port: port, subnets: cidrs))
                    covered = true
                    break outer
                }
                var subnets: [String] = []
                for (m, match) in tcp.match.enumerated() {
                    if let why = l4Mismatch(match, vs: resource, listenPort: port) {
                        dropped.append(
                            "VirtualService \(resource.namespace)/\(resource.name) tcp[\(i)] match[\(m)] dropped: \(why)")
                        continue
                    }
                    if match.destinationSubnets.isEmpty {
                        chains.append(
                            chain(resource, kind: "tcp", index: i, node: tcp.node, route: tcp.route, port: port, subnets: cidrs))
                        covered = true
                        break outer
                    }
                    subnets += match.destinationSubnets
                }
                if !subnets.isEmpty {
                    chains.append(
                        chain(resource, kind: "tcp", index: i, node: tcp.node, route: tcp.route, port: port, subnets: subnets))
                    if subnets.sorted() == cidrs.sorted() { covered = true }
                }
            }
        }
        if !covered { chains.append(defaultChain(service, port: port, serverNames: [], subnets: cidrs)) }
        return chains
    }

    /// Istio's `buildSidecarOutboundTLSFilterChainOpts`: a chain per `tls` match (server names
    /// and subnets), the first of identical ones kept; without any, the service's own chain,
    /// matched by its name when the listener is shared.
    mutating func tlsChains(
        _ service: Registry.Service, port: Int, configs: [Resource], cidrs: [String], shared: Bool, dropped: inout [String]
    ) -> [FilterChain] {
        var chains: [FilterChain] = []
        var handled = Set<String>()
        for resource in configs {
            guard let vs = resource.virtualService else { continue }
            for (i, tls) in vs.tls.enumerated() {
                for (m, match) in tls.match.enumerated() {
                    if let why = l4Mismatch(match, vs: resource, listenPort: port) {
                        dropped.append(
                            "VirtualService \(resource.namespace)/\(resource.name) tls[\(i)] match[\(m)] dropped: \(why)")
                        continue
                    }
                    let names = match.sniHosts.map { HostNames.normalized($0.value) }
                    let subnets = match.destinationSubnets.isEmpty ? cidrs : match.destinationSubnets
                    let key = names.joined(separator: ",") + "|" + match.destinationSubnets.joined(separator: ",")
                    guard handled.insert(key).inserted else { continue }
                    chains.append(
                        chain(
                            resource, kind: "tls", index: i, node: tls.node, route: tls.route, port: port, serverNames: names,
                            subnets: subnets))
                }
            }
        }
        if chains.isEmpty {
            let names = !cidrs.isEmpty || shared ? ([service.fqdn] + service.aliases) : []
            chains.append(defaultChain(service, port: port, serverNames: names, subnets: cidrs))
        }
        return chains
    }

    mutating func compileSidecarTCP() {
        // Services in Istio's order, so the oldest claims a shared `0.0.0.0_PORT` first.
        var order: [Registry.Service] = []
        var seen = Set<String>()
        for definition in registry.definitions where seen.insert(definition.fqdn).inserted {
            if let service = scope.services[definition.fqdn]
                ?? scope.wildcardServices.first(where: { $0.fqdn == definition.fqdn })
            {
                order.append(service)
            }
        }
        var keys: [String] = []
        var building:
            [String: (
                address: String, port: Int, services: [Registry.Service], protocolName: String, tls: Bool, chains: [FilterChain],
                dropped: [String]
            )] =
                [:]
        for service in order where service.aliasOf == nil {
            for port in service.ports where !port.isHTTP {
                guard let egress = scope.egress(for: port.number), egress.services[service.fqdn] != nil else { continue }
                let vips = service.addresses.filter { !$0.contains("/") && $0 != "0.0.0.0" }
                let cidrs = service.addresses.filter { $0.contains("/") }
                let relevant = configs(for: service.fqdn, in: egress.virtualServices)
                var dropped: [String] = []
                let chains =
                    port.isTLS
                    ? tlsChains(
                        service, port: port.number, configs: relevant, cidrs: cidrs, shared: vips.isEmpty, dropped: &dropped)
                    : tcpChains(service, port: port.number, configs: relevant, cidrs: cidrs, dropped: &dropped)
                for address in vips.isEmpty ? ["0.0.0.0"] : vips {
                    let key = "\(address)_\(port.number)"
                    if var existing = building[key] {
                        existing.services.append(service)
                        existing.chains += chains
                        existing.dropped += dropped
                        building[key] = existing
                    } else {
                        keys.append(key)
                        building[key] = (address, port.number, [service], port.protocolName, port.isTLS, chains, dropped)
                    }
                }
            }
        }
        tcpListeners = keys.map { key in
            let b = building[key]!
            return TCPListener(
                name: key, address: b.address, port: b.port, services: b.services, protocolName: b.protocolName, isTLS: b.tls,
                chains: b.chains, dropped: b.dropped)
        }
    }
}

extension RouteTable {
    /// Decides where a TCP or TLS connection goes: the listener for its address and port, the
    /// filter chain for its address and server name (the most specific wins, as in Envoy),
    /// and a cluster drawn from the chain's weights.
    public func decideTCP<R: RandomNumberGenerator>(_ request: TCPRequest, random: inout R) -> TCPDecision {
        let candidates = tcpListenersByPort[request.port] ?? []
        var listener: TCPListener?
        var reason = ""
        if isGateway {
            listener = candidates.first
            if listener == nil {
                let why =
                    routeConfigurationByPort[request.port] != nil
                    ? "the gateway's servers on port \(request.port) are HTTP, not TCP or TLS"
                    : "the gateway has no server on port \(request.port)"
                return TCPDecision(kind: .noListener, reason: "\(why): the connection is refused")
            }
            reason = "gateway listener \(listener!.name)"
        } else if let ip = request.destinationIP {
            if let exact = candidates.first(where: { $0.address == ip }) {
                listener = exact
                reason =
                    "destination \(ip):\(request.port) is \(exact.services.map(\.fqdn).joined(separator: ", "))'s address: listener \(exact.name)"
            } else if let wildcard = candidates.first(where: \.isWildcard) {
                listener = wildcard
                reason = "no service has the address \(ip) on port \(request.port): listener \(wildcard.name)"
            }
        } else if let host = request.host {
            let fqdn = resolveHost(host)
            if let service = scope.service(fqdn),
                let found = candidates.first(where: { l in l.services.contains { $0.fqdn == service.fqdn } })
            {
                listener = found
                reason =
                    found.isWildcard
                    ? "\(service.fqdn) has no address, so its port \(request.port) is on the shared listener \(found.name)"
                    : "\(service.fqdn) port \(request.port): listener \(found.name)"
            } else if let service = scope.service(fqdn), let port = service.ports.first(where: { $0.number == request.port }),
                port.isHTTP
            {
                return TCPDecision(
                    kind: scope.outboundMode.allowsUnknown ? .passthrough : .blackhole,
                    reason:
                        "port \(request.port) of \(service.fqdn) is \(port.protocolName), so it has an HTTP listener: a connection that does not speak HTTP fails there (meshctl shows where it would go without the listener)"
                )
            } else if let wildcard = candidates.first(where: \.isWildcard) {
                listener = wildcard
                reason = "\(fqdn) is not a service with a TCP port \(request.port) here: listener \(wildcard.name)"
            }
        } else if let wildcard = candidates.first(where: \.isWildcard) {
            listener = wildcard
            reason = "no address given: listener \(wildcard.name)"
        }
        guard let listener else {
            let mode = scope.outboundMode
            return TCPDecision(
                kind: mode.allowsUnknown ? .passthrough : .blackhole,
                reason:
                    "no listener for port \(request.port)\(request.destinationIP.map { " at \($0)" } ?? ""): the connection goes through virtualOutbound to \(mode.allowsUnknown ? "PassthroughCluster" : "BlackHoleCluster") (\(mode.rawValue))"
            )
        }
        guard let chain = Self.selectChain(listener.chains, request) else {
            if isGateway {
                return TCPDecision(
                    kind: .noRoute, listener: listener,
                    reason:
                        "\(reason); no route of the gateway takes this connection\(request.sni.map { " (SNI \($0))" } ?? ""): it is closed"
                )
            }
            let mode = scope.outboundMode
            return TCPDecision(
                kind: mode.allowsUnknown ? .passthrough : .blackhole, listener: listener,
                reason:
                    "\(reason); no filter chain takes it\(request.sni.map { " (SNI \($0))" } ?? ""), so the listener's fallthrough chain sends it to \(mode.allowsUnknown ? "PassthroughCluster" : "BlackHoleCluster")"
            )
        }
        var decision = TCPDecision(kind: .forward, listener: listener, chain: chain, reason: reason)
        guard chain.totalWeight > 0 else {
            decision.kind = .unavailable
            return decision
        }
        let target: Target
        if chain.targets.count == 1 {
            target = chain.targets[0]
        } else {
            let draw = Int(random.next() % UInt64(chain.totalWeight))
            var i = 0
            while chain.cumulativeWeights[i] <= draw { i += 1 }
            target = chain.targets[i]
        }
        decision.target = target
        decision.kind = target.failure == nil ? .forward : .unavailable
        return decision
    }

    /// Envoy's filter chain choice: the most specific destination subnet holding the address
    /// (else chains without one), then an exact server name, the longest wildcard, or none.
    static func selectChain(_ chains: [FilterChain], _ request: TCPRequest) -> FilterChain? {
        var pool = chains.filter { $0.destinationSubnets.isEmpty }
        if let ip = request.destinationIP.flatMap(IPAddress.init) {
            var best = -1
            var inSubnet: [FilterChain] = []
            for chain in chains {
                for cidr in chain.destinationSubnets where ip.isIn(cidr) {
                    let bits = Int(cidr.split(separator: "/").last.flatMap { Int($0) } ?? (ip.isV4 ? 32 : 128))
                    if bits > best {
                        (best, inSubnet) = (bits, [chain])
                    } else if bits == best, !inSubnet.contains(where: { $0 === chain }) {
                        inSubnet.append(chain)
                    }
                }
            }
            if !inSubnet.isEmpty { pool = inSubnet }
        }
        let sni = request.tls ? request.sni : nil
        if let sni {
            if let exact = pool.first(where: { $0.serverNames.contains(sni) }) { return exact }
            var bestLength = -1
            var best: FilterChain?
            for chain in pool {
                for name in chain.serverNames
                where name.hasPrefix("*") && HostNames.wildcardCovers(name, sni) && name.count > bestLength {
                    (bestLength, best) = (name.count, chain)
                }
            }
            if let best { return best }
        }
        return pool.first { $0.serverNames.isEmpty }
    }

    /// A host as a client names it → the FQDN of the service it means (short names in the
    /// proxy's namespace, `name.ns`, `name.ns.svc`, a trailing dot).
    func resolveHost(_ host: String) -> String {
        let name = HostNames.normalized(HostNames.stripPort(host))
        if scope.service(name) != nil { return name }
        let parts = name.split(separator: ".")
        if parts.count == 1 { return HostNames.fqdn(name, namespace: identity.namespace) }
        if parts.count == 2 { return "\(name).\(HostNames.clusterDomain)" }
        if parts.count == 3, parts[2] == "svc" { return "\(name).cluster.local" }
        return name
    }
}
