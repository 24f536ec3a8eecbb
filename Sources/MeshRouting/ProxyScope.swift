import MeshModel

/// What one proxy sees of the mesh, as Istio's SidecarScope works it out: the services and
/// VirtualServices exported to its namespace, narrowed by the Sidecar resource that selects
/// it, the DestinationRule for each host, and its outbound traffic policy.
public struct ProxyScope: Sendable {
    /// One `egress[]` listener of a Sidecar (or the implicit `*/*` one).
    public struct Egress: Sendable {
        /// The port it is restricted to (nil: every port).
        public var port: Int?
        /// `namespace/host` as written, and parsed (`.` replaced by the proxy's namespace).
        public var written: [String]
        var hosts: [(namespace: String, host: String)]
        /// The services it imports, by host (trimmed to `port` when it has one).
        public var services: [String: Registry.Service]
        /// The VirtualServices it imports, in Istio's order.
        public var virtualServices: [Resource]
    }

    /// A DestinationRule as it applies to a host: the rules of one namespace merged (subsets
    /// added, the first traffic policy kept), oldest first.
    public struct MergedDestinationRule: Sendable {
        /// The oldest rule: what clusters name as their config.
        public var resource: Resource
        public var resources: [Resource]
        public var host: String
        public var trafficPolicy: TrafficPolicy?
        public var subsets: [Subset]
    }

    public let namespace: String
    /// The Sidecar resource that applies (nil: Istio's default, which imports everything).
    public let sidecar: Resource?
    public let outboundMode: MeshConfig.OutboundMode
    /// Where the outbound policy came from, for explanations.
    public let outboundModeSource: String
    public let egress: [Egress]
    /// Every service the proxy sees, by host.
    public let services: [String: Registry.Service]
    /// Wildcard-host services it sees, most specific first.
    public let wildcardServices: [Registry.Service]
    /// Services it cannot see, by host, and why (for explanations).
    public let hidden: [String: String]
    /// VirtualServices for this proxy (its gateways or `mesh`) that are exported to it.
    public let virtualServices: [Resource]
    /// VirtualServices bound to this proxy but not exported to its namespace, with why.
    public let hiddenVirtualServices: [(resource: Resource, reason: String)]
    /// DestinationRules that can apply to this proxy: namespace → host (FQDN) → rules, oldest first.
    let destinationRules: [String: [String: [Resource]]]
    let rootNamespace: String

    init(resources: [Resource], registry: Registry, mesh: MeshConfig, identity: ProxyIdentity, gateways: Set<String>) {
        namespace = identity.namespace
        rootNamespace = mesh.rootNamespace
        let sorted = Precedence.sorted(resources)
        let isSidecar = identity.gateway == "mesh"
        // The Sidecar that selects this workload; gateways are not affected by Sidecars.
        var chosen: Resource?
        if isSidecar {
            let sidecars = sorted.filter { $0.sidecar != nil }
            chosen =
                sidecars.first {
                    $0.namespace == identity.namespace && !($0.sidecar!.workloadSelector ?? [:]).isEmpty
                        && $0.sidecar!.workloadSelector!.allSatisfy { identity.labels[$0.key] == $0.value }
                }
                ?? sidecars.first { $0.namespace == identity.namespace && ($0.sidecar!.workloadSelector ?? [:]).isEmpty }
                ?? sidecars.first { $0.namespace == mesh.rootNamespace && ($0.sidecar!.workloadSelector ?? [:]).isEmpty }
        }
        sidecar = chosen
        if let mode = chosen?.sidecar?.outboundTrafficPolicy?.mode?.value, let parsed = MeshConfig.OutboundMode(rawValue: mode) {
            outboundMode = parsed
            outboundModeSource = "Sidecar \(chosen!.namespace)/\(chosen!.name)"
        } else {
            outboundMode = mesh.outboundTrafficPolicy
            outboundModeSource = "the mesh config"
        }

        // Services exported to this namespace, in Istio's order: private ones of the namespace,
        // then those exported to it by name, then public ones; oldest first within each.
        var visible: [Registry.Service] = []
        var hidden: [String: String] = [:]
        for definition in registry.definitions {
            if Visibility.isVisible(exportTo: definition.exportTo, namespace: definition.namespace, from: identity.namespace) {
                visible.append(definition)
            } else if hidden[definition.fqdn] == nil {
                hidden[definition.fqdn] =
                    "\(definition.origin) is exported to \(Visibility.describe(definition.exportTo)), not to namespace \(identity.namespace)"
            }
        }
        visible = visible.enumerated().sorted { a, b in
            let (ta, tb) = (Visibility.tier(a.element.exportTo), Visibility.tier(b.element.exportTo))
            return ta != tb ? ta < tb : a.offset < b.offset
        }.map(\.element)

        // VirtualServices bound to this proxy and exported to its namespace, in the same order.
        var boundVS: [Resource] = []
        var hiddenVS: [(Resource, String)] = []
        for r in sorted {
            guard let vs = r.virtualService else { continue }
            let names = vs.gateways.isEmpty ? ["mesh"] : vs.gateways.map { Self.gatewayName($0.value, namespace: r.namespace) }
            guard names.contains(where: gateways.contains) else { continue }
            let exportTo = Visibility.effective(r.exportTo, default: mesh.defaultVirtualServiceExportTo)
            if Visibility.isVisible(exportTo: exportTo, namespace: r.namespace, from: identity.namespace) {
                boundVS.append(r)
            } else {
                hiddenVS.append((r, "it is exported to \(Visibility.describe(exportTo)), not to namespace \(identity.namespace)"))
            }
        }
        boundVS = boundVS.enumerated().sorted { a, b in
            let ta = Visibility.tier(Visibility.effective(a.element.exportTo, default: mesh.defaultVirtualServiceExportTo))
            let tb = Visibility.tier(Visibility.effective(b.element.exportTo, default: mesh.defaultVirtualServiceExportTo))
            return ta != tb ? ta < tb : a.offset < b.offset
        }.map(\.element)
        hiddenVirtualServices = hiddenVS.map { (resource: $0.0, reason: $0.1) }
        let visibleByHost = Dictionary(grouping: visible, by: \.fqdn)

        var egress: [Egress] = []
        var chosenServices: [String: Registry.Service] = [:]
        if let sidecarSpec = chosen?.sidecar, !sidecarSpec.egress.isEmpty {
            for listener in sidecarSpec.egress {
                let written = listener.hosts.map(\.value)
                let hosts = written.compactMap { entry -> (namespace: String, host: String)? in
                    let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { return nil }
                    return (parts[0] == "." ? identity.namespace : parts[0], HostNames.normalized(parts[1]))
                }
                var e = Egress(
                    port: listener.port?.number?.value, written: written, hosts: hosts, services: [:], virtualServices: [])
                e.services = Self.select(visible, visibleByHost, hosts: hosts, port: e.port, proxyNamespace: identity.namespace)
                e.virtualServices = boundVS.filter { Self.imports(hosts, $0) }
                // Services a VirtualService routes to are imported too (without replacing one
                // chosen by the hosts): the proxy's namespace first, else the first by name.
                for vs in e.virtualServices {
                    for host in Self.destinationHosts(vs) where e.services[host] == nil {
                        let candidates = visibleByHost[host] ?? []
                        guard
                            let pick = candidates.first(where: { $0.namespace == identity.namespace })
                                ?? candidates.min(by: { $0.namespace < $1.namespace })
                        else { continue }
                        if let trimmed = Self.trim(Self.merge(pick, candidates), to: e.port) { e.services[host] = trimmed }
                    }
                }
                for (host, service) in e.services {
                    if var existing = chosenServices[host] {
                        guard existing.namespace == service.namespace else { continue }
                        for port in service.ports where !existing.ports.contains(where: { $0.number == port.number }) {
                            existing.ports.append(port)
                        }
                        chosenServices[host] = existing
                    } else {
                        chosenServices[host] = service
                    }
                }
                egress.append(e)
            }
        } else {
            // Istio's default: one listener importing `*/*`. One service per host: the first in
            // order, except that a Kubernetes Service wins over a ServiceEntry.
            for definition in visible {
                if let existing = chosenServices[definition.fqdn], !(definition.isKubernetes && !existing.isKubernetes) {
                    continue
                }
                chosenServices[definition.fqdn] = Self.merge(definition, visibleByHost[definition.fqdn] ?? [])
            }
            egress = [
                Egress(
                    port: nil, written: ["*/*"], hosts: [("*", "*")], services: chosenServices, virtualServices: boundVS)
            ]
        }
        for definition in registry.definitions where chosenServices[definition.fqdn] == nil && hidden[definition.fqdn] == nil {
            hidden[definition.fqdn] =
                "Sidecar \(chosen.map { "\($0.namespace)/\($0.name)" } ?? "") does not import it (egress hosts \(egress.flatMap(\.written).joined(separator: ", ")))"
        }
        self.egress = egress
        self.hidden = hidden
        services = chosenServices.filter { !$0.key.hasPrefix("*") }
        wildcardServices = chosenServices.values.filter { $0.fqdn.hasPrefix("*") }.sorted { $0.fqdn.count > $1.fqdn.count }
        virtualServices = boundVS
        var rules: [String: [String: [Resource]]] = [:]
        for r in sorted {
            guard let dr = r.destinationRule, let written = dr.host?.value else { continue }
            if let selector = dr.workloadSelector, !selector.isEmpty {
                // A rule with a workload selector applies only to the selected workloads of its namespace.
                guard r.namespace == identity.namespace, selector.allSatisfy({ identity.labels[$0.key] == $0.value }) else {
                    continue
                }
            }
            // A namespace's own rules apply to its proxies; others only where they are exported.
            let exportTo = Visibility.effective(r.exportTo, default: mesh.defaultDestinationRuleExportTo)
            guard
                r.namespace == identity.namespace
                    || Visibility.isVisible(exportTo: exportTo, namespace: r.namespace, from: identity.namespace)
            else { continue }
            rules[r.namespace, default: [:]][HostNames.fqdn(written, namespace: r.namespace), default: []].append(r)
        }
        destinationRules = rules
    }

    /// `name` in a VirtualService's namespace, or `ns/name` as written; `mesh` stays `mesh`.
    static func gatewayName(_ name: String, namespace: String) -> String {
        if name == "mesh" { return name }
        return name.contains("/") ? name : "\(namespace)/\(name)"
    }

    /// The definition with the other definitions of its host in its namespace merged in (ports
    /// and endpoints add up, as several ServiceEntries for one host do). `all` are the host's
    /// definitions.
    static func merge(_ first: Registry.Service, _ all: [Registry.Service]) -> Registry.Service {
        var merged = first
        for other in all where other.fqdn == first.fqdn && other.namespace == first.namespace && other.origin != first.origin {
            for port in other.ports where !merged.ports.contains(where: { $0.number == port.number }) {
                merged.ports.append(port)
            }
            merged.endpoints += other.endpoints
            merged.addresses += other.addresses.filter { !merged.addresses.contains($0) }
        }
        return merged
    }

    static func trim(_ service: Registry.Service, to port: Int?) -> Registry.Service? {
        guard let port else { return service }
        guard let only = service.ports.first(where: { $0.number == port }) else { return nil }
        var trimmed = service
        trimmed.ports = [only]
        return trimmed
    }

    /// Istio's `selectServices`: a service is imported by `ns/host` entries of its namespace,
    /// else by `*/host` entries; a host in the proxy's namespace wins over the same host elsewhere.
    static func select(
        _ visible: [Registry.Service], _ byHost: [String: [Registry.Service]], hosts: [(namespace: String, host: String)],
        port: Int?, proxyNamespace: String
    ) -> [String: Registry.Service] {
        var out: [String: Registry.Service] = [:]
        for service in visible {
            let own = hosts.filter { $0.namespace == service.namespace }
            let candidates = own.isEmpty ? hosts.filter { $0.namespace == "*" } : own
            guard candidates.contains(where: { HostNames.subsetOf(service.fqdn, $0.host) }),
                let trimmed = trim(merge(service, byHost[service.fqdn] ?? []), to: port)
            else { continue }
            if let existing = out[service.fqdn] {
                guard existing.namespace != proxyNamespace, service.namespace == proxyNamespace else { continue }
            }
            out[service.fqdn] = trimmed
        }
        return out
    }

    /// Istio's `SelectVirtualServices`: a VirtualService is imported when one of its hosts
    /// matches an egress host of its namespace or of `*`.
    static func imports(_ hosts: [(namespace: String, host: String)], _ resource: Resource) -> Bool {
        guard let vs = resource.virtualService else { return false }
        let relevant = hosts.filter { $0.namespace == resource.namespace || $0.namespace == "*" }
        for written in vs.hosts {
            let host = HostNames.fqdn(written.value, namespace: resource.namespace)
            if relevant.contains(where: { $0.host == host || HostNames.matches($0.host, host) }) { return true }
        }
        return false
    }

    /// The hosts a VirtualService's routes send to (FQDNs).
    static func destinationHosts(_ resource: Resource) -> [String] {
        guard let vs = resource.virtualService else { return [] }
        var hosts: [String] = []
        func add(_ d: Destination?) {
            guard let host = d?.host?.value else { return }
            let fqdn = HostNames.fqdn(host, namespace: resource.namespace)
            if !hosts.contains(fqdn) { hosts.append(fqdn) }
        }
        for http in vs.http {
            http.route.forEach { add($0.destination) }
            add(http.mirror)
            http.mirrors.forEach { add($0.destination) }
        }
        for tcp in vs.tcp { tcp.route.forEach { add($0.destination) } }
        for tls in vs.tls { tls.route.forEach { add($0.destination) } }
        return hosts
    }

    /// The service `host` names for this proxy: exact, then the most specific wildcard.
    public func service(_ host: String) -> Registry.Service? {
        if let exact = services[host] { return exact }
        return wildcardServices.first { HostNames.wildcardCovers($0.fqdn, host) }
    }

    /// The egress listener that serves `port`: the one for that port, else the catch-all.
    public func egress(for port: Int) -> Egress? {
        egress.first { $0.port == port } ?? egress.first { $0.port == nil }
    }

    /// The DestinationRule that applies to `host` for this proxy: rules in the proxy's
    /// namespace first, then those exported to it from the service's namespace, then from the
    /// root namespace; among them the most specific host wins.
    public func destinationRule(for host: String, serviceNamespace: String?) -> MergedDestinationRule? {
        var namespaces = [namespace]
        if let serviceNamespace, !namespaces.contains(serviceNamespace) { namespaces.append(serviceNamespace) }
        if !namespaces.contains(rootNamespace) { namespaces.append(rootNamespace) }
        for ns in namespaces {
            guard let byHost = destinationRules[ns] else { continue }
            // The most specific host: exact, else the longest wildcard covering it.
            let best =
                byHost[host] != nil
                ? host
                : byHost.keys.filter { $0.hasPrefix("*") && HostNames.wildcardCovers($0, host) }.max { $0.count < $1.count }
            guard let best, let rules = byHost[best] else { continue }
            var merged = MergedDestinationRule(
                resource: rules[0], resources: rules, host: best, trafficPolicy: nil, subsets: [])
            for rule in rules {
                let dr = rule.destinationRule!
                if merged.trafficPolicy == nil { merged.trafficPolicy = dr.trafficPolicy }
                for subset in dr.subsets where !merged.subsets.contains(where: { $0.name?.value == subset.name?.value }) {
                    merged.subsets.append(subset)
                }
            }
            return merged
        }
        return nil
    }
}
