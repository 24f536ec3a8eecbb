import MeshModel

/// One server of a Gateway that applies to the proxy.
public struct GatewayServer: Sendable {
    public var gateway: Resource
    /// Its index in the Gateway's `servers`.
    public var index: Int
    public var port: Int
    /// Uppercase: HTTP, HTTPS, HTTP2, GRPC, TCP, TLS, MONGO...
    public var protocolName: String
    public var portName: String
    /// `hosts` as written (`ns/host`, `./host`, `host`).
    public var hosts: [String]
    public var tlsMode: String?
    public var httpsRedirect: Bool

    /// `namespace/name` of its Gateway.
    public var gatewayName: String { "\(gateway.namespace)/\(gateway.name)" }

    /// Requests are routed by `http` rules: HTTP servers, and HTTPS servers that end TLS here.
    public var isHTTPRouted: Bool {
        if ["HTTP", "HTTP2", "GRPC", "GRPC-WEB"].contains(protocolName) { return true }
        return protocolName == "HTTPS" && !isTLSPassthrough
    }

    /// TLS is passed through and routed by SNI with `tls` rules.
    public var isTLSPassthrough: Bool {
        (protocolName == "TLS" || protocolName == "HTTPS") && (tlsMode == "PASSTHROUGH" || tlsMode == "AUTO_PASSTHROUGH")
    }

    /// Istio's route configuration name: `http.80`, or `https.443.PORTNAME.GATEWAY.NAMESPACE`.
    public var routeConfigurationName: String {
        protocolName == "HTTPS" ? "https.\(port).\(portName).\(gateway.name).\(gateway.namespace)" : "http.\(port)"
    }

    /// The server's hosts a VirtualService in `namespace` may use (`ns/host` entries of other
    /// namespaces left out), lowercase.
    public func hosts(for namespace: String) -> [String] {
        hosts.compactMap { written in
            let parts = written.split(separator: "/", maxSplits: 1).map(String.init)
            if parts.count == 1 { return HostNames.normalized(parts[0]) }
            let ns = parts[0] == "." ? gateway.namespace : parts[0]
            return ns == "*" || ns == namespace ? HostNames.normalized(parts[1]) : nil
        }
    }

    /// Istio's `pickMatchingGatewayHosts`: each VirtualService host that meets a server host,
    /// as the more specific of the two.
    func matchingHosts(_ resource: Resource) -> [String] {
        guard let vs = resource.virtualService else { return [] }
        var out: [String] = []
        for written in vs.hosts {
            let vsHost = HostNames.fqdn(written.value, namespace: resource.namespace)
            for serverHost in hosts(for: resource.namespace) where HostNames.matches(serverHost, vsHost) {
                let chosen = HostNames.subsetOf(serverHost, vsHost) ? serverHost : vsHost
                if !out.contains(chosen) { out.append(chosen) }
            }
        }
        return out
    }
}

extension RouteCompiler {
    /// True when the VirtualService is bound to this server's Gateway.
    func isBound(_ resource: Resource, to server: GatewayServer) -> Bool {
        guard let vs = resource.virtualService else { return false }
        return vs.gateways.contains { ProxyScope.gatewayName($0.value, namespace: resource.namespace) == server.gatewayName }
    }

    mutating func compileGateway() {
        for gateway in gateways {
            for (i, server) in (gateway.gateway?.servers ?? []).enumerated() {
                guard let port = server.port?.number?.value else { continue }
                gatewayServers.append(
                    GatewayServer(
                        gateway: gateway, index: i, port: port,
                        protocolName: (server.port?.protocolName?.value ?? "").uppercased(),
                        portName: server.port?.name?.value ?? "", hosts: server.hosts.map(\.value),
                        tlsMode: server.tlsMode?.value,
                        httpsRedirect: server.httpsRedirect ?? false))
            }
        }
        let httpPorts = Dictionary(grouping: gatewayServers.filter(\.isHTTPRouted), by: \.port)
        for port in httpPorts.keys.sorted() {
            let servers = httpPorts[port]!
            var order: [String] = []
            var byHost: [String: (virtualService: Resource, routes: [CompiledRoute], requireTLS: Bool)] = [:]
            var compiled: [ObjectIdentifier: [CompiledRoute]?] = [:]
            for server in servers {
                for resource in scope.virtualServices where isBound(resource, to: server) {
                    let hosts = server.matchingHosts(resource)
                    guard !hosts.isEmpty else { continue }
                    let key = ObjectIdentifier(resource)
                    if compiled[key] == nil { compiled[key] = .some(compileRoutes(resource, port: port)) }
                    guard let routes = compiled[key]! else { continue }
                    for host in hosts {
                        guard var existing = byHost[host] else {
                            byHost[host] = (resource, routes, server.httpsRedirect)
                            order.append(host)
                            continue
                        }
                        // Several VirtualServices for one host on a gateway are merged.
                        if !existing.routes.contains(where: { $0.virtualService === resource }) {
                            existing.routes += routes
                            notes.append(
                                "host \(host) on gateway port \(port): the rules of VirtualService \(resource.namespace)/\(resource.name) are added after those already there"
                            )
                        }
                        existing.requireTLS = existing.requireTLS || server.httpsRedirect
                        byHost[host] = existing
                    }
                }
            }
            let hosts = order.map { host in
                let built = byHost[host]!
                // Catch-all rules move to the end, behind the specific rules of merged VirtualServices.
                let routes = built.routes.filter { !Self.isCatchAll($0) } + built.routes.filter { Self.isCatchAll($0) }
                return RouteTable.VirtualHost(
                    name: "\(host):\(port)", host: host, port: port, domains: host == "*" ? ["*"] : [host, "\(host):*"],
                    virtualService: built.virtualService, routes: routes, service: scope.service(host),
                    requireTLS: built.requireTLS)
            }
            routeConfigurations.append(
                RouteTable.RouteConfiguration(
                    name: servers[0].routeConfigurationName, port: port, virtualHosts: hosts.sorted { $0.name < $1.name },
                    catchAll: .notFound))
        }
        compileGatewayTCP()
    }

    static func isCatchAll(_ route: CompiledRoute) -> Bool {
        let kept = route.matches.filter { $0.dropReason == nil }
        return route.matches.isEmpty || (!kept.isEmpty && kept.allSatisfy(\.isCatchAll))
    }

    mutating func compileGatewayTCP() {
        let l4 = Dictionary(grouping: gatewayServers.filter { !$0.isHTTPRouted }, by: \.port)
        for port in l4.keys.sorted() {
            var chains: [FilterChain] = []
            var dropped: [String] = []
            let servers = l4[port]!
            for server in servers {
                for resource in scope.virtualServices where isBound(resource, to: server) {
                    guard let vs = resource.virtualService, !server.matchingHosts(resource).isEmpty else { continue }
                    if server.isTLSPassthrough {
                        let serverHosts = server.hosts(for: resource.namespace)
                        for (i, tls) in vs.tls.enumerated() {
                            for (m, match) in tls.match.enumerated() {
                                if let why = l4Mismatch(match, vs: resource, listenPort: port) {
                                    dropped.append(
                                        "VirtualService \(resource.namespace)/\(resource.name) tls[\(i)] match[\(m)] dropped: \(why)"
                                    )
                                    continue
                                }
                                // The server names are the match's SNI hosts the server's hosts allow.
                                var names: [String] = []
                                for sni in match.sniHosts.map({ HostNames.normalized($0.value) }) {
                                    for host in serverHosts where HostNames.matches(host, sni) {
                                        let chosen = HostNames.subsetOf(host, sni) ? host : sni
                                        if !names.contains(chosen) { names.append(chosen) }
                                    }
                                }
                                guard !names.isEmpty else { continue }
                                chains.append(
                                    chain(
                                        resource, kind: "tls", index: i, node: tls.node, route: tls.route, port: port,
                                        serverNames: names, subnets: match.destinationSubnets))
                            }
                        }
                    } else if chains.isEmpty {
                        // TCP (and TLS ended here): the first rule that applies takes every connection.
                        tcp: for (i, tcp) in vs.tcp.enumerated() {
                            let applies =
                                tcp.match.isEmpty
                                || tcp.match.contains { match in
                                    l4Mismatch(match, vs: resource, listenPort: port) == nil
                                }
                            guard applies else { continue }
                            let names =
                                server.protocolName == "TLS" ? server.hosts(for: resource.namespace).filter { $0 != "*" } : []
                            chains.append(
                                chain(
                                    resource, kind: "tcp", index: i, node: tcp.node, route: tcp.route, port: port,
                                    serverNames: names))
                            break tcp
                        }
                    }
                }
            }
            tcpListeners.append(
                TCPListener(
                    name: "0.0.0.0_\(port)", address: "0.0.0.0", port: port, services: [],
                    protocolName: servers[0].protocolName, isTLS: servers[0].isTLSPassthrough, chains: chains, dropped: dropped))
        }
    }
}
