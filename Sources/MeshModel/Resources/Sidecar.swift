/// `networking.istio.io` Sidecar: what a workload's proxy accepts and may reach.
///
/// Decoded as far as analysis needs it: the workload selector, the egress hosts, and the
/// outbound policy (whose `egressProxy` Istio ignores).
public struct Sidecar: Sendable {
    public var node: Int32
    /// nil when the Sidecar has no `workloadSelector` (it applies to the whole namespace).
    public var workloadSelector: [String: String]?
    public var workloadSelectorNode: Int32 = -1
    /// Every `egress[].hosts` entry, as written (`ns/host`).
    public var egressHosts: [Located<String>] = []
    public var outboundMode: String?
    /// The `outboundTrafficPolicy.egressProxy` mapping (-1 when none).
    public var egressProxyNode: Int32 = -1
}

extension Sidecar {
    static let fieldNames = ["workloadSelector", "ingress", "egress", "outboundTrafficPolicy", "inboundConnectionPool"]

    public static func decode(_ n: Node) -> Sidecar {
        var sidecar = Sidecar(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "workloadSelector":
                let (labels, node) = v.matchLabels()
                (sidecar.workloadSelector, sidecar.workloadSelectorNode) = (labels, node >= 0 ? node : v.index)
            case "egress":
                for listener in v.list({ $0 }) {
                    listener.fields(["port", "bind", "captureMode", "hosts"]) { field, x in
                        if field == "hosts" { sidecar.egressHosts += x.list { $0.located { $0.string() } } }
                        return ["port", "bind", "captureMode", "hosts"].contains(field)
                    }
                }
            case "outboundTrafficPolicy":
                v.fields(["mode", "egressProxy"]) { field, x in
                    switch field {
                    case "mode": sidecar.outboundMode = x.enumValue(["REGISTRY_ONLY", "ALLOW_ANY"])
                    case "egressProxy": sidecar.egressProxyNode = x.index
                    default: return false
                    }
                    return true
                }
            case "ingress", "inboundConnectionPool": break  // accepted; not modelled
            default: return false
            }
            return true
        }
        return sidecar
    }
}
