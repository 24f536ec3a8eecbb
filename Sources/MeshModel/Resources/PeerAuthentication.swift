/// `security.istio.io` PeerAuthentication: whether a workload's sidecar accepts plaintext,
/// mutual TLS or both, for the whole mesh (root namespace, no selector), a namespace (no
/// selector), a workload (selector) and, for a workload, per port.
public struct PeerAuthentication: Sendable {
    /// `mtls.mode`.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case unset = "UNSET"
        case disable = "DISABLE"
        case permissive = "PERMISSIVE"
        case strict = "STRICT"
    }

    /// `{mode: ...}`: Istio's MutualTLS message.
    public struct MutualTLS: Sendable {
        public var node: Int32
        public var mode: Located<Mode>?

        /// The mode, UNSET when not written.
        public var effectiveMode: Mode { mode?.value ?? .unset }
    }

    /// One entry of `portLevelMtls`: the workload's port (its container port, not a service
    /// port) and its setting.
    public struct PortSetting: Sendable {
        public var port: Int
        /// The key, where the port was written.
        public var portNode: Int32
        public var mtls: MutualTLS
    }

    public var node: Int32
    public var selector: WorkloadSelector?
    public var mtls: MutualTLS?
    /// nil when `portLevelMtls` is absent; empty when written empty (which Istio refuses).
    public var portLevelMtls: [PortSetting]?
    public var portLevelNode: Int32 = -1

    /// Has a selector with at least one label: a workload-level policy.
    public var isWorkloadLevel: Bool { !(selector?.labels.isEmpty ?? true) }
}

extension PeerAuthentication {
    static let fieldNames = ["selector", "mtls", "portLevelMtls"]

    public static func decode(_ n: Node) -> PeerAuthentication {
        var pa = PeerAuthentication(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "selector": pa.selector = v.workloadSelector()
            case "mtls": pa.mtls = MutualTLS.decode(v)
            case "portLevelMtls":
                pa.portLevelNode = v.index
                pa.portLevelMtls = v.entries { MutualTLS.decode($0) }.compactMap { entry in
                    guard let port = Int(entry.key), port >= 0, port <= Int(UInt32.max) else {
                        n.ctx.report(
                            .schemaError,
                            "\(v.path) key `\(entry.key)` must be a port number (the workload's port, 1..65535)",
                            at: entry.keyNode)
                        return nil
                    }
                    return PortSetting(port: port, portNode: entry.keyNode, mtls: entry.value)
                }
            default: return false
            }
            return true
        }
        return pa
    }
}

extension PeerAuthentication.MutualTLS {
    static func decode(_ n: Node) -> Self? {
        var m = Self(node: n.index)
        n.fields(["mode"]) { name, v in
            guard name == "mode" else { return false }
            m.mode = v.enumValue(PeerAuthentication.Mode.allCases.map(\.rawValue)).flatMap {
                PeerAuthentication.Mode(rawValue: $0)
            }.map { Located($0, node: v.index) }
            return true
        }
        return n.raw.kind == .mapping || n.isNull ? m : nil
    }
}
