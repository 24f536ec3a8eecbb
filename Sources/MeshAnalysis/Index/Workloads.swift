import MeshModel

/// The pods and Kubernetes Services of the input, as a cluster would hold them: Pods, and one
/// pod for each Deployment, StatefulSet, DaemonSet or ReplicaSet (its template's labels). A Pod
/// scheduled on a Node of the input carries the node's topology labels too (region, zone,
/// subzone, when not empty, and the hostname), as Istio adds them to its endpoints.
///
/// Like `istioctl analyze` on files, it adds Istio's default ingress gateway (a pod labelled
/// `istio: ingressgateway` and its Service `istio-ingressgateway` in istio-system, ports 80, 443,
/// 31400 and 15443) unless the mesh config turns the ingress controller OFF or the input has its
/// own of that name.
struct Workloads {
    struct Pod {
        var name: String
        var namespace: String
        var labels: [String: String]
    }
    struct Service {
        var name: String
        var namespace: String
        /// Kubernetes selects every pod of the namespace with an empty selector, as istioctl does.
        var selector: [String: String]
        var ports: [KubernetesObject.ServicePort]
        var resource: Resource?
    }

    private(set) var pods: [Pod] = []
    private(set) var services: [Service] = []
    /// Pods by `key=value` of each label, in the order added.
    private var podsByLabel: [String: [Int]] = [:]
    private var servicesByNamespace: [String: [Int]] = [:]

    static let istioNamespace = "istio-system"
    static let ingressPorts = [(80, "http2"), (443, "https"), (31400, "tcp"), (15443, "tls")]

    static let topologyLabels = ["topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"]

    init(_ resources: [Resource], mesh: MeshConfig) {
        var podNames = Set<String>()
        var nodeLabels: [String: [String: String]] = [:]
        for r in resources where r.kubernetes?.kind == .node { nodeLabels[r.name] = r.labels }
        for r in resources {
            guard let k8s = r.kubernetes else { continue }
            switch k8s.kind {
            case .pod, .deployment, .statefulSet, .daemonSet, .replicaSet:
                var labels = k8s.podLabels
                if let nodeName = k8s.nodeName, !nodeName.isEmpty {
                    for key in Self.topologyLabels {
                        if let value = nodeLabels[nodeName]?[key], !value.isEmpty { labels[key] = value }
                    }
                    labels["kubernetes.io/hostname"] = nodeName
                }
                add(Pod(name: r.name, namespace: r.namespace, labels: labels))
                if k8s.kind == .pod { podNames.insert("\(r.namespace)/\(r.name)") }
            case .service:
                add(Service(name: r.name, namespace: r.namespace, selector: k8s.selector, ports: k8s.ports, resource: r))
            default: break
            }
        }
        guard mesh.ingressControllerMode != "OFF" else { return }
        let ns = Self.istioNamespace
        let labels = ["istio": "ingressgateway"]
        if !podNames.contains("\(ns)/\(mesh.ingressService)-dummypod") {
            add(Pod(name: "\(mesh.ingressService)-dummypod", namespace: ns, labels: labels))
        }
        if !services.contains(where: { $0.namespace == ns && $0.name == mesh.ingressService }) {
            let ports = Self.ingressPorts.map {
                KubernetesObject.ServicePort(
                    name: $0.1, port: $0.0, protocolName: "TCP", appProtocol: nil, targetPort: $0.0, node: -1)
            }
            add(Service(name: mesh.ingressService, namespace: ns, selector: labels, ports: ports, resource: nil))
        }
    }

    private mutating func add(_ pod: Pod) {
        let i = pods.count
        pods.append(pod)
        for (key, value) in pod.labels { podsByLabel["\(key)=\(value)", default: []].append(i) }
    }

    private mutating func add(_ service: Service) {
        servicesByNamespace[service.namespace, default: []].append(services.count)
        services.append(service)
    }

    /// The pods (of every namespace) whose labels include each pair of `selector`: all pods for
    /// an empty one, as a Kubernetes label selector built from a map has it.
    func pods(selectedBy selector: [String: String]) -> [Pod] {
        guard !selector.isEmpty else { return pods }
        var candidates: [Int]?
        for (key, value) in selector {
            let carrying = podsByLabel["\(key)=\(value)"] ?? []
            if carrying.count < candidates?.count ?? .max { candidates = carrying }
        }
        return (candidates ?? []).map { pods[$0] }.filter { Self.matches(selector, $0.labels) }
    }

    /// Whether some pod carries every pair of `selector`; stops at the first.
    func hasPod(selectedBy selector: [String: String]) -> Bool {
        guard !selector.isEmpty else { return !pods.isEmpty }
        var candidates: [Int]?
        for (key, value) in selector {
            let carrying = podsByLabel["\(key)=\(value)"] ?? []
            if carrying.count < candidates?.count ?? .max { candidates = carrying }
        }
        return (candidates ?? []).contains { Self.matches(selector, pods[$0].labels) }
    }

    /// The pods of a Service: those of its namespace its selector matches (none without one).
    func pods(of service: Service) -> [Pod] {
        guard !service.selector.isEmpty else { return [] }
        return pods(selectedBy: service.selector).filter { $0.namespace == service.namespace }
    }

    /// The Services in a pod's namespace whose selector matches it.
    func services(selecting pod: Pod) -> [Service] {
        (servicesByNamespace[pod.namespace] ?? []).map { services[$0] }.filter { Self.matches($0.selector, pod.labels) }
    }

    static func matches(_ selector: [String: String], _ labels: [String: String]) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }
}
