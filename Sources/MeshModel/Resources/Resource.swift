import MeshYAML

/// One decoded document: its identity, where it came from, and its typed spec.
///
/// Immutable, and a class: analysis passes thousands of resources through indexes and filters,
/// and a reference costs one retain where a copy of the whole spec costs dozens.
public final class Resource: @unchecked Sendable {
    public enum Spec: Sendable {
        case virtualService(VirtualService)
        case destinationRule(DestinationRule)
        case serviceEntry(ServiceEntry)
        case gateway(Gateway)
        case workloadEntry(WorkloadEntrySpec)
        case sidecar(Sidecar)
        case envoyFilter(EnvoyFilter)
        case peerAuthentication(PeerAuthentication)
        case authorizationPolicy(AuthorizationPolicy)
        case requestAuthentication(RequestAuthentication)
        case kubernetes(KubernetesObject)
        case rollout(Rollout)
    }

    public let apiVersion: String
    public let kind: String
    public let name: String
    public let namespace: String
    public let labels: [String: String]
    public let annotations: [String: String]
    public let file: YAMLFile
    /// The document's root mapping.
    public let node: Int32
    public let nameNode: Int32
    public let spec: Spec
    /// `Kind namespace/name`, as diagnostics print it.
    public let reference: String

    public init(
        apiVersion: String, kind: String, name: String, namespace: String, labels: [String: String],
        annotations: [String: String], file: YAMLFile, node: Int32, nameNode: Int32, spec: Spec
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.file = file
        self.node = node
        self.nameNode = nameNode
        self.spec = spec
        self.reference = "\(kind) \(namespace)/\(name)"
    }

    public func mark(_ node: Int32) -> SourceMark { file.mark(of: node) }

    /// `FILE:LINE` of a node in this resource's file.
    public func position(_ node: Int32) -> String {
        let mark = file.mark(of: node)
        return "\(file.path):\(mark.line)"
    }
}

extension Array where Element == Resource {
    /// The resources that take effect: a later definition of the same kind, namespace and name
    /// replaces an earlier one, as with `kubectl apply`.
    public var effective: [Resource] {
        var latest: [String: Int] = [:]
        for (i, r) in enumerated() { latest[r.reference] = i }
        return enumerated().filter { latest[$0.element.reference] == $0.offset }.map(\.element)
    }
}

extension Resource {
    public var virtualService: VirtualService? {
        if case .virtualService(let v) = spec { return v }
        return nil
    }
    public var destinationRule: DestinationRule? {
        if case .destinationRule(let v) = spec { return v }
        return nil
    }
    public var serviceEntry: ServiceEntry? {
        if case .serviceEntry(let v) = spec { return v }
        return nil
    }
    public var gateway: Gateway? {
        if case .gateway(let v) = spec { return v }
        return nil
    }
    public var workloadEntry: WorkloadEntrySpec? {
        if case .workloadEntry(let v) = spec { return v }
        return nil
    }
    public var sidecar: Sidecar? {
        if case .sidecar(let v) = spec { return v }
        return nil
    }
    public var rollout: Rollout? {
        if case .rollout(let v) = spec { return v }
        return nil
    }
    public var envoyFilter: EnvoyFilter? {
        if case .envoyFilter(let v) = spec { return v }
        return nil
    }
    public var peerAuthentication: PeerAuthentication? {
        if case .peerAuthentication(let v) = spec { return v }
        return nil
    }
    public var authorizationPolicy: AuthorizationPolicy? {
        if case .authorizationPolicy(let v) = spec { return v }
        return nil
    }
    public var requestAuthentication: RequestAuthentication? {
        if case .requestAuthentication(let v) = spec { return v }
        return nil
    }
    public var kubernetes: KubernetesObject? {
        if case .kubernetes(let v) = spec { return v }
        return nil
    }
}

/// The Kubernetes objects that form the service registry alongside ServiceEntries, and the
/// other objects analyzers read as a cluster holds them: Secrets (gateway credentials).
public struct KubernetesObject: Sendable {
    public enum Kind: String, Sendable {
        case service = "Service"
        case pod = "Pod"
        case namespace = "Namespace"
        case configMap = "ConfigMap"
        case deployment = "Deployment"
        case statefulSet = "StatefulSet"
        case daemonSet = "DaemonSet"
        case replicaSet = "ReplicaSet"
        case secret = "Secret"
        /// A cluster node: its labels give the pods scheduled on it their topology.
        case node = "Node"
    }
    public struct ServicePort: Sendable {
        public var name: String?
        public var port: Int
        public var protocolName: String?
        public var appProtocol: String?
        /// A numeric `targetPort` (nil when absent or named).
        public var targetPort: Int?
        public var node: Int32

        public init(
            name: String?, port: Int, protocolName: String?, appProtocol: String?, targetPort: Int? = nil, node: Int32 = -1
        ) {
            self.name = name
            self.port = port
            self.protocolName = protocolName
            self.appProtocol = appProtocol
            self.targetPort = targetPort
            self.node = node
        }
    }
    /// One entry of a Secret: where its value is, and whether it is base64 (`data`) or plain
    /// text (`stringData`). The value is decoded only by whoever needs it, never printed.
    public struct SecretEntry: Sendable {
        public var node: Int32
        public var isBase64: Bool
    }
    public var kind: Kind
    /// Service: selector; workloads: the pod (template) labels.
    public var selector: [String: String] = [:]
    public var podLabels: [String: String] = [:]
    public var ports: [ServicePort] = []
    /// Secret: `type` (`kubernetes.io/tls`, `Opaque`, ...) and entries by key.
    public var secretType: String?
    public var secretEntries: [String: SecretEntry] = [:]
    /// Pod: `spec.nodeName`, the node it is scheduled on.
    public var nodeName: String?
    public var node: Int32
}
