import MeshModel

/// The services requests can be routed to: ServiceEntries, WorkloadEntries and Kubernetes
/// Services with their pods.
public struct Registry: Sendable {
    public struct Port: Sendable, Hashable {
        public var number: Int
        public var name: String
        /// Uppercase protocol (`HTTP`, `TCP`, `TLS`, ...); empty when none was declared, which
        /// Istio treats by sniffing: HTTP requests are HTTP-routed, other traffic is TCP.
        public var protocolName: String
        public init(number: Int, name: String, protocolName: String) {
            self.number = number
            self.name = name
            self.protocolName = protocolName
        }

        /// HTTP-routed protocols (Istio's `IsHTTP`).
        public var isHTTP: Bool { ["HTTP", "HTTP2", "GRPC", "GRPC-WEB"].contains(protocolName) }
        /// No declared protocol: Istio detects HTTP on the connection.
        public var isSniffed: Bool { protocolName.isEmpty || !Self.known.contains(protocolName) }
        /// A port whose HTTP requests get HTTP routes (Istio's `IsHTTPOrSniffed`).
        public var isHTTPOrSniffed: Bool { isHTTP || isSniffed }
        /// TLS passed through and routed by SNI (`TLS`, `HTTPS`).
        public var isTLS: Bool { protocolName == "TLS" || protocolName == "HTTPS" }
        /// How `simulate` names the protocol.
        public var protocolDescription: String { protocolName.isEmpty ? "no declared protocol" : protocolName }

        static let known: Set<String> = [
            "HTTP", "HTTP2", "HTTPS", "GRPC", "GRPC-WEB", "TCP", "TLS", "MONGO", "REDIS", "MYSQL", "UDP", "HTTP_PROXY",
        ]
    }
    public struct Endpoint: Sendable, Hashable {
        public var address: String
        /// Port name → target port number (a ServiceEntry endpoint's `ports` map).
        public var ports: [String: Int]
        public var labels: [String: String]
        public var weight: Int

        /// The port to connect to for the service port `port`.
        public func targetPort(for port: Port) -> Int { ports[port.name] ?? port.number }
    }
    public struct Service: Sendable {
        public var fqdn: String
        public var namespace: String
        public var ports: [Port]
        public var endpoints: [Endpoint]
        public var resolution: String
        public var external: Bool
        /// `Kind ns/name` of what defined it.
        public var origin: String
        public var resource: Resource?
        /// Virtual IPs or CIDRs (a ServiceEntry's `addresses`, a Kubernetes Service's cluster IP).
        public var addresses: [String] = []
        /// Where it is visible (`exportTo`, or the mesh default), as written.
        public var exportTo: [String] = ["*"]
        /// Defined by a Kubernetes Service (which wins over a ServiceEntry for the same host).
        public var isKubernetes = false
        /// An `ExternalName` Service: the host it is an alias of.
        public var aliasOf: String?
        /// `ExternalName` Services that are aliases of this one (their FQDNs).
        public var aliases: [String] = []
        public var creation: CreationTime = .zero

        public init(
            fqdn: String, namespace: String, ports: [Port], endpoints: [Endpoint], resolution: String, external: Bool,
            origin: String,
            resource: Resource?
        ) {
            self.fqdn = fqdn
            self.namespace = namespace
            self.ports = ports
            self.endpoints = endpoints
            self.resolution = resolution
            self.external = external
            self.origin = origin
            self.resource = resource
            self.creation = resource?.creationTimestamp ?? .zero
        }

        public func endpoints(matching labels: [String: String]) -> [Endpoint] {
            endpoints.filter { endpoint in labels.allSatisfy { endpoint.labels[$0.key] == $0.value } }
        }

        public func port(_ number: Int?) -> Port? {
            guard let number else { return ports.count == 1 ? ports[0] : nil }
            return ports.first { $0.number == number }
        }

        /// `80, 8080`, for explanations.
        public var portList: String { ports.map { String($0.number) }.joined(separator: ", ") }
    }

    /// One service per host: the oldest definition, its namespace's other definitions merged in
    /// (ports and endpoints add up). What analyzers check hosts against.
    public private(set) var services: [String: Service] = [:]
    /// Services with wildcard hosts (`*.example.com`), most specific first.
    public private(set) var wildcardServices: [Service] = []
    /// Every definition of every host (one per ServiceEntry host and Kubernetes Service), oldest
    /// first (then by name and namespace, as Istio orders them): what a proxy chooses from.
    public private(set) var definitions: [Service] = []
    /// Positions in `wildcardServices` of `*.s` services by `.s` (the first, most specific, of
    /// each), and of the other wildcards (`*`, `*s`): a lookup tries the host's own suffixes
    /// instead of every wildcard.
    private var wildcardsBySuffix: [Substring: Int] = [:]
    private var otherWildcards: [Int] = []

    public init(resources: [Resource], mesh: MeshConfig = MeshConfig()) {
        var workloadEntries = Workloads<WorkloadEntrySpec>()
        var pods = Workloads<Resource>()
        for r in resources {
            if let we = r.workloadEntry { workloadEntries.add(we, namespace: r.namespace, labels: we.labels) }
            if let k8s = r.kubernetes, [.pod, .deployment, .statefulSet, .daemonSet, .replicaSet].contains(k8s.kind) {
                pods.add(r, namespace: r.namespace, labels: k8s.podLabels)
            }
        }
        for resource in Precedence.sorted(resources) {
            if let se = resource.serviceEntry { add(serviceEntry: se, resource, workloadEntries: workloadEntries, mesh: mesh) }
            if let k8s = resource.kubernetes, k8s.kind == .service { add(kubernetes: k8s, resource, pods: pods, mesh: mesh) }
        }
        // ExternalName Services are aliases: the concrete service learns its aliases' names.
        for alias in definitions where alias.aliasOf != nil {
            for i in definitions.indices
            where definitions[i].fqdn == alias.aliasOf && !definitions[i].aliases.contains(alias.fqdn) {
                definitions[i].aliases.append(alias.fqdn)
            }
        }
        for definition in definitions { insert(definition) }
        wildcardServices.sort { $0.fqdn.count > $1.fqdn.count }
        for (i, service) in wildcardServices.enumerated() {
            if service.fqdn.hasPrefix("*.") {
                if wildcardsBySuffix[service.fqdn.dropFirst()] == nil { wildcardsBySuffix[service.fqdn.dropFirst()] = i }
            } else {
                otherWildcards.append(i)
            }
        }
    }

    mutating func add(
        serviceEntry se: ServiceEntry, _ resource: Resource, workloadEntries: Workloads<WorkloadEntrySpec>, mesh: MeshConfig
    ) {
        let ports = se.ports.compactMap { p -> Port? in
            guard let number = p.number?.value else { return nil }
            return Port(
                number: number, name: p.name?.value ?? "port-\(number)", protocolName: (p.protocolName?.value ?? "").uppercased())
        }
        var endpoints = se.endpoints.map(Self.endpoint)
        if let selector = se.workloadSelector {
            endpoints += workloadEntries.selected(by: selector, in: resource.namespace).map { Self.endpoint($0.item) }
        }
        for host in se.hosts {
            var service = Service(
                fqdn: HostNames.normalized(host.value), namespace: resource.namespace, ports: ports, endpoints: endpoints,
                resolution: se.resolution?.value ?? "NONE", external: se.location != "MESH_INTERNAL",
                origin: resource.reference, resource: resource)
            service.addresses = se.addresses.map(\.value)
            service.exportTo = resource.exportTo.isEmpty ? mesh.defaultServiceExportTo : resource.exportTo
            definitions.append(service)
        }
    }

    mutating func add(
        kubernetes svc: KubernetesObject, _ resource: Resource, pods: Workloads<Resource>, mesh: MeshConfig
    ) {
        let fqdn = "\(resource.name).\(resource.namespace).\(HostNames.clusterDomain)"
        let ports = svc.ports.map { p in
            Port(number: p.port, name: p.name ?? "port-\(p.port)", protocolName: Self.protocolFromPortName(p))
        }
        var endpoints: [Endpoint] = []
        if !svc.selector.isEmpty {
            endpoints = pods.selected(by: svc.selector, in: resource.namespace).map {
                Endpoint(address: $0.item.name, ports: [:], labels: $0.labels, weight: 1)
            }
        }
        var service = Service(
            fqdn: fqdn, namespace: resource.namespace, ports: ports, endpoints: endpoints, resolution: "STATIC",
            external: false, origin: resource.reference, resource: resource)
        service.isKubernetes = true
        service.addresses = resource.clusterIPs
        service.exportTo = resource.exportTo.isEmpty ? mesh.defaultServiceExportTo : resource.exportTo
        if let target = resource.externalName {
            service.aliasOf = HostNames.normalized(target)
            service.resolution = "ALIAS"
            service.endpoints = []
        } else if resource.clusterIPs.isEmpty, resource.specScalar("clusterIP") == "None" {
            service.resolution = "NONE"  // headless: the caller's own destination is kept
        }
        definitions.append(service)
    }

    /// Istio's protocol selection for a Kubernetes port: `appProtocol`, then the name's prefix
    /// (`http-web`), then the port's own `protocol` when it is not TCP; otherwise none is
    /// declared and the protocol is sniffed.
    static func protocolFromPortName(_ p: KubernetesObject.ServicePort) -> String {
        if let app = p.appProtocol {
            let upper = app.uppercased()
            switch upper {
            case "KUBERNETES.IO/H2C": return "HTTP2"
            case "KUBERNETES.IO/WS", "KUBERNETES.IO/WSS": return "HTTP"
            default: return Port.known.contains(upper) ? upper : ""
            }
        }
        let name = (p.name ?? "").uppercased()
        for candidate in ["GRPC-WEB", "HTTP2", "HTTPS", "HTTP", "GRPC", "TCP", "TLS", "MONGO", "REDIS", "MYSQL"]
        where name == candidate || name.hasPrefix(candidate + "-") {
            return candidate
        }
        if p.protocolName?.uppercased() == "UDP" { return "UDP" }
        return ""
    }

    static func endpoint(_ w: WorkloadEntrySpec) -> Endpoint {
        var ports: [String: Int] = [:]
        for entry in w.ports { ports[entry.key] = entry.value }
        return Endpoint(address: w.address?.value ?? "", ports: ports, labels: w.labels, weight: w.weight?.value ?? 1)
    }

    mutating func insert(_ service: Service) {
        if service.fqdn.hasPrefix("*") {
            wildcardServices.append(service)
        } else if let existing = services[service.fqdn] {
            // Several entries for one host in one namespace: their ports and endpoints add up
            // (changed in place: a copy per entry would cost the square of their number).
            guard existing.namespace == service.namespace else { return }
            for port in service.ports where !existing.ports.contains(where: { $0.number == port.number }) {
                services[service.fqdn]?.ports.append(port)
            }
            services[service.fqdn]?.endpoints += service.endpoints
        } else {
            services[service.fqdn] = service
        }
    }

    /// The service for a host (an FQDN), exact first, then the most specific wildcard.
    public func service(_ fqdn: String) -> Service? {
        if let exact = services[fqdn] { return exact }
        // The first wildcard in `wildcardServices` order that covers the host: `*.s` covers it
        // when `.s` is a suffix starting at one of its dots (not its first character).
        var best: Int?
        for i in fqdn.indices.dropFirst() where fqdn[i] == "." {
            if let j = wildcardsBySuffix[fqdn[i...]], j < best ?? .max { best = j }
        }
        for j in otherWildcards where j < best ?? .max && HostNames.wildcardCovers(wildcardServices[j].fqdn, fqdn) {
            best = j
            break
        }
        return best.map { wildcardServices[$0] }
    }
}

/// Pods or WorkloadEntries by namespace and by each of their labels, so that a selector looks only
/// at the workloads carrying one of its labels instead of at every workload.
struct Workloads<Item> {
    private var all: [(item: Item, labels: [String: String])] = []
    private var byNamespace: [String: [Int]] = [:]
    /// namespace → `key=value` → positions, in the order added.
    private var byLabel: [String: [String: [Int]]] = [:]

    mutating func add(_ item: Item, namespace: String, labels: [String: String]) {
        let position = all.count
        all.append((item, labels))
        byNamespace[namespace, default: []].append(position)
        for (key, value) in labels { byLabel[namespace, default: [:]]["\(key)=\(value)", default: []].append(position) }
    }

    /// The workloads of `namespace` whose labels include every pair of `selector` (all of them for
    /// an empty selector), in the order added.
    func selected(by selector: [String: String], in namespace: String) -> [(item: Item, labels: [String: String])] {
        var candidates = byNamespace[namespace] ?? []
        for (key, value) in selector {
            let carrying = byLabel[namespace]?["\(key)=\(value)"] ?? []
            if carrying.count < candidates.count { candidates = carrying }
        }
        return candidates.map { all[$0] }.filter { workload in
            selector.allSatisfy { workload.labels[$0.key] == $0.value }
        }
    }
}
