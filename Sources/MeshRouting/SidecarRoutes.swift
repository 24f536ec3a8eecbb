import MeshModel

/// A sidecar's HTTP route configurations, one per listener port, built as Istio's
/// `BuildSidecarOutboundVirtualHosts` builds them.
extension RouteCompiler {
    /// VirtualService hosts and services grouped before virtual hosts are made.
    struct Wrapper {
        var virtualService: Resource?
        var services: [Registry.Service]
        var plainHosts: [String]
        var routes: [CompiledRoute]
    }

    mutating func compileSidecar() {
        // An outbound HTTP listener for every HTTP (or undeclared) port of a service the proxy
        // sees, and port 80 for VirtualServices whose hosts are outside the registry.
        var ports = Set<Int>()
        for service in scope.services.values where service.aliasOf.map({ scope.service($0) == nil }) ?? true {
            for port in service.ports where port.isHTTPOrSniffed { ports.insert(port.number) }
        }
        for service in scope.wildcardServices {
            for port in service.ports where port.isHTTPOrSniffed { ports.insert(port.number) }
        }
        for egress in scope.egress {
            if let port = egress.port, egress.virtualServices.contains(where: hasHostOutsideRegistry) { ports.insert(port) }
        }
        if scope.virtualServices.contains(where: hasHostOutsideRegistry) { ports.insert(80) }
        for port in ports.sorted() { routeConfigurations.append(sidecarRouteConfiguration(port: port)) }
        compileSidecarTCP()
    }

    func hasHostOutsideRegistry(_ resource: Resource) -> Bool {
        guard let vs = resource.virtualService, !vs.http.isEmpty else { return false }
        return vs.hosts.contains { written in
            let host = HostNames.fqdn(written.value, namespace: resource.namespace)
            if host.hasPrefix("*") {
                return
                    !(scope.services.keys.contains { HostNames.matches($0, host) }
                    || scope.wildcardServices.contains { HostNames.matches($0.fqdn, host) })
            }
            return scope.service(host) == nil
        }
    }

    mutating func sidecarRouteConfiguration(port: Int) -> RouteTable.RouteConfiguration {
        let catchAll: RouteTable.CatchAll =
            switch scope.outboundMode {
            case .registryOnly: .blockAll
            case .allowAny: .allowAny(cluster: "PassthroughCluster")
            case .allowAnyDynamicDNS: .allowAny(cluster: "AllowAnyDynamicDNSCluster")
            }
        guard let egress = scope.egress(for: port) else {
            return RouteTable.RouteConfiguration(name: String(port), port: port, virtualHosts: [], catchAll: catchAll)
        }
        // The services on this port, each with just this port (as Istio trims them).
        var onPort: [String: Registry.Service] = [:]
        for (host, service) in egress.services {
            guard let p = service.ports.first(where: { $0.number == port }) else { continue }
            var trimmed = service
            trimmed.ports = [p]
            onPort[host] = trimmed
        }
        var virtualServices = egress.virtualServices
        // Istio keeps, on ports other than 80, only VirtualServices whose hosts name a service here.
        if port != 80 {
            virtualServices = virtualServices.filter { resource in
                guard let vs = resource.virtualService else { return false }
                return vs.hosts.contains { written in
                    let host = HostNames.fqdn(written.value, namespace: resource.namespace)
                    return onPort[host] != nil || onPort.keys.contains { HostNames.matches(host, $0) }
                }
            }
        }
        let index = mostSpecificVirtualService(egress)
        var wrappers: [Wrapper] = []
        for resource in virtualServices {
            guard let routes = compileRoutes(resource, port: port) else { continue }
            let (plain, services) = separateHosts(resource, onPort, index)
            let http = services.filter { $0.ports.first?.isHTTPOrSniffed == true }
            if !http.isEmpty {
                wrappers.append(Wrapper(virtualService: resource, services: http, plainHosts: plain, routes: routes))
            } else if port == 80 {
                wrappers.append(Wrapper(virtualService: resource, services: [], plainHosts: plain, routes: routes))
            }
        }
        let claimed = Set(wrappers.flatMap { $0.services.map(\.fqdn) })
        // An alias gets no virtual host of its own (its names are its service's), unless the service
        // it names is not one this proxy sees: then it routes to that name.
        for service in onPort.values.sorted(by: { $0.fqdn < $1.fqdn })
        where !claimed.contains(service.fqdn) && service.ports[0].isHTTPOrSniffed
            && (service.aliasOf == nil || scope.service(service.aliasOf!) == nil)
        {
            wrappers.append(
                Wrapper(virtualService: nil, services: [service], plainHosts: [], routes: [defaultRoute(service, port: port)]))
        }
        let hosts = virtualHosts(wrappers, port: port)
        return RouteTable.RouteConfiguration(
            name: String(port), port: port, virtualHosts: hosts.sorted { $0.name < $1.name }, catchAll: catchAll)
    }

    /// Istio's `separateVSHostsAndServices`: a VirtualService's hosts that name services on
    /// this port, and the others. A wildcard host takes the services it covers when no more
    /// specific VirtualService claims them, and is not a host of its own when it covers any.
    func separateHosts(_ resource: Resource, _ onPort: [String: Registry.Service], _ index: [String: Resource])
        -> (plain: [String], services: [Registry.Service])
    {
        guard let vs = resource.virtualService else { return ([], []) }
        var plain: [String] = []
        var services: [Registry.Service] = []
        var wildcards: [String] = []
        for written in vs.hosts {
            let host = HostNames.fqdn(written.value, namespace: resource.namespace)
            if host.hasPrefix("*") {
                wildcards.append(host)
            } else if let service = onPort[host] {
                services.append(service)
            } else {
                plain.append(host)
            }
        }
        for wildcard in wildcards {
            var covers = false
            for (host, service) in onPort.sorted(by: { $0.key < $1.key }) where HostNames.matches(host, wildcard) {
                covers = true
                if index[host] === resource, !services.contains(where: { $0.fqdn == host }) { services.append(service) }
            }
            if !covers { plain.append(wildcard) }
        }
        return (plain, services)
    }

    /// For each service not named exactly by a VirtualService, the VirtualService with the most
    /// specific wildcard host covering it (the first one, when two have the same host).
    func mostSpecificVirtualService(_ egress: ProxyScope.Egress) -> [String: Resource] {
        var exact = Set<String>()
        var wildcards: [(host: String, resource: Resource)] = []
        for resource in egress.virtualServices {
            for written in resource.virtualService?.hosts ?? [] {
                let host = HostNames.fqdn(written.value, namespace: resource.namespace)
                if host.hasPrefix("*") {
                    if !wildcards.contains(where: { $0.host == host }) { wildcards.append((host, resource)) }
                } else {
                    exact.insert(host)
                }
            }
        }
        var index: [String: Resource] = [:]
        for host in egress.services.keys where !exact.contains(host) {
            let covering = wildcards.filter { HostNames.matches(host, $0.host) }
            // The most specific wildcard: the one that is a subset of the others.
            if let best = covering.max(by: { $0.host.count < $1.host.count }) { index[host] = best.resource }
        }
        return index
    }

    /// The virtual hosts of the wrappers on `port`: named `host:port`, the first claim of a
    /// name or domain winning (VirtualServices come first, oldest first).
    mutating func virtualHosts(_ wrappers: [Wrapper], port: Int) -> [RouteTable.VirtualHost] {
        var names: [String: Resource?] = [:]
        var usedDomains = Set<String>()
        var knownFQDNs = Set<String>()
        for wrapper in wrappers { for service in wrapper.services { knownFQDNs.insert(service.fqdn) } }
        var out: [RouteTable.VirtualHost] = []
        func add(_ host: String, _ wrapper: Wrapper, _ service: Registry.Service?) {
            let name = "\(host):\(port)"
            if let owner = names[name] {
                if let vs = wrapper.virtualService {
                    let first = owner.map { "VirtualService \($0.namespace)/\($0.name)" } ?? "the registry's default route"
                    let why = owner.map { Precedence.reason($0, before: vs) } ?? ""
                    notes.append(
                        "host \(host) on port \(port) is claimed by both \(first) and VirtualService \(vs.namespace)/\(vs.name); \(first) is used\(why.isEmpty ? "" : " (\(why))")"
                    )
                }
                return
            }
            var domains: [String]
            var expanded = Set<String>()
            if let service {
                (domains, expanded) = serviceDomains(service)
            } else if host.hasSuffix("." + HostNames.clusterDomain), scope.hidden[host] == nil {
                // A cluster-local host the files do not register is taken to be a Kubernetes
                // Service that exists in the cluster: it answers to its short names too.
                domains = HostNames.aliases(of: host, proxyNamespace: identity.namespace)
                expanded = Set(domains.dropFirst())
            } else {
                domains = [host]
            }
            domains = domains.filter { domain in
                if usedDomains.contains(domain) { return false }
                if expanded.contains(domain) && knownFQDNs.contains(domain) { return false }
                return true
            }
            guard !domains.isEmpty else { return }
            usedDomains.formUnion(domains)
            names[name] = .some(wrapper.virtualService)
            out.append(
                RouteTable.VirtualHost(
                    name: name, host: host, port: port, domains: domains, virtualService: wrapper.virtualService,
                    routes: wrapper.routes, service: service))
        }
        for wrapper in wrappers {
            for host in wrapper.plainHosts { add(host, wrapper, nil) }
            for service in wrapper.services { add(service.fqdn, wrapper, service) }
        }
        return out
    }

    /// Istio's `generateVirtualHostDomains` for a sidecar (ports ignored in host matching):
    /// the service's name, its absolute form (`name.`), its short forms, the same for each of
    /// its aliases, and its virtual IPs.
    func serviceDomains(_ service: Registry.Service) -> ([String], Set<String>) {
        var domains: [String] = []
        var expanded = Set<String>()
        for name in [service.fqdn] + service.aliases {
            let alternates = HostNames.alternateNames(of: name, proxyNamespace: identity.namespace)
            domains.append(name)
            domains += alternates
            expanded.formUnion(alternates)
        }
        for address in service.addresses where !address.contains("/") && address != "0.0.0.0" { domains.append(address) }
        return (domains.uniqued(), expanded)
    }
}
