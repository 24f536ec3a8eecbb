/// `istio.type.v1beta1.WorkloadSelector`: the labels that pick the workloads a policy applies
/// to, with where they were written.
public struct WorkloadSelector: Sendable {
    /// The `selector` mapping.
    public var node: Int32
    public var labels: [String: String]
    /// The `matchLabels` mapping (-1 when absent).
    public var labelsNode: Int32

    public init(node: Int32 = -1, labels: [String: String], labelsNode: Int32 = -1) {
        self.node = node
        self.labels = labels
        self.labelsNode = labelsNode
    }
}

/// `istio.type.v1beta1.PolicyTargetReference`: a Gateway, Service or ServiceEntry a policy is
/// attached to instead of a workload selector.
public struct PolicyTargetReference: Sendable {
    public var node: Int32
    public var group: Located<String>?
    public var kind: Located<String>?
    public var name: Located<String>?
    public var namespace: Located<String>?

    /// `group/Kind name`, as messages print it (`gateway.networking.k8s.io/Gateway bookinfo`).
    public var description: String {
        let group = group?.value ?? ""
        return "\(group.isEmpty ? "" : group + "/")\(kind?.value ?? "?") \(name?.value ?? "?")"
    }
}

/// A list of strings as written, keeping whether it was written at all (Istio's validation
/// tells an absent list from an empty one).
public struct StringValues: Sendable {
    public var items: [Located<String>]
    /// The sequence node.
    public var node: Int32

    public var values: [String] { items.map(\.value) }
}

extension Node {
    /// `{matchLabels: {...}}`.
    func workloadSelector() -> WorkloadSelector? {
        guard raw.kind == .mapping || isNull else {
            _ = matchLabels()
            return nil
        }
        let (labels, labelsNode) = matchLabels()
        return WorkloadSelector(node: index, labels: labels, labelsNode: labelsNode)
    }

    func policyTargetReference() -> PolicyTargetReference? {
        var ref = PolicyTargetReference(node: index)
        fields(["group", "kind", "name", "namespace"]) { name, v in
            switch name {
            case "group": ref.group = v.located { $0.isNull ? "" : $0.string() }
            case "kind": ref.kind = v.located { $0.string() }
            case "name": ref.name = v.located { $0.string() }
            case "namespace": ref.namespace = v.located { $0.string() }
            default: return false
            }
            return true
        }
        return raw.kind == .mapping ? ref : nil
    }

    /// A list of strings, each with its node; nil when the field holds something else.
    func stringValues() -> StringValues? {
        let items = list { $0.located { $0.string() } }
        guard raw.kind == .sequence || isNull else { return nil }
        return StringValues(items: items, node: index)
    }
}
