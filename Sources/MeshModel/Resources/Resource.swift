import MeshYAML

/// One decoded document: its identity, where it came from, and its typed spec.
public struct Resource: Sendable {
    public enum Spec: Sendable {
        case virtualService(VirtualService)
        case destinationRule(DestinationRule)
        case serviceEntry(ServiceEntry)
        case gateway(Gateway)
        case workloadEntry(WorkloadEntrySpec)
        case kubernetes(KubernetesObject)
    }

    public var apiVersion: String
    public var kind: String
    public var name: String
    public var namespace: String
    public var labels: [String: String]
    public var annotations: [String: String]
    public var file: YAMLFile
    /// The document's root mapping.
    public var node: Int32
    public var nameNode: Int32
    public var spec: Spec

    /// `Kind namespace/name`, as diagnostics print it.
    public var reference: String { "\(kind) \(namespace)/\(name)" }

    public func mark(_ node: Int32) -> SourceMark { file.mark(of: node) }

    /// `FILE:LINE` of a node in this resource's file.
    public func position(_ node: Int32) -> String {
        let mark = file.mark(of: node)
        return "\(file.path):\(mark.line)"
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
    public var kubernetes: KubernetesObject? {
        if case .kubernetes(let v) = spec { return v }
        return nil
    }
}

/// The Kubernetes objects that form the service registry alongside ServiceEntries.
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
    }
    public struct ServicePort: Sendable {
        public var name: String?
        public var port: Int
        public var protocolName: String?
        public var appProtocol: String?
        public var node: Int32
    }
    public var kind: Kind
    /// Service: selector; workloads: the pod (template) labels.
    public var selector: [String: String] = [:]
    public var podLabels: [String: String] = [:]
    public var ports: [ServicePort] = []
    public var node: Int32
}
