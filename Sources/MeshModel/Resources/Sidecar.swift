/// `networking.istio.io` Sidecar: what a workload's proxy sees of the mesh (egress hosts and
/// ports), how it receives traffic (ingress), and its own outbound traffic policy.
public struct Sidecar: Sendable {
    /// A port of an ingress or egress listener (Istio's SidecarPort: a ServiceEntry's fields).
    public typealias Port = ServiceEntry.Port
    /// `egress[]`: the hosts (`namespace/host`) a listener imports, optionally on one port.
    public struct EgressListener: Sendable {
        public var node: Int32
        public var port: Port?
        public var bind: Located<String>?
        public var captureMode: Located<String>?
        public var hosts: [Located<String>] = []
        public var hostsNode: Int32 = -1
    }
    /// `ingress[]`: a listener for traffic to the workload.
    public struct IngressListener: Sendable {
        public var node: Int32
        public var port: Port?
        public var bind: Located<String>?
        public var captureMode: Located<String>?
        public var defaultEndpoint: Located<String>?
        public var hasTLS = false
        public var connectionPool: ConnectionPoolSettings?
    }
    /// `outboundTrafficPolicy`: replaces the mesh's for the workloads this Sidecar selects.
    public struct OutboundTrafficPolicy: Sendable {
        public var node: Int32
        public var mode: Located<String>?
        public var egressProxy: Destination?
    }

    public var node: Int32
    public var workloadSelector: [String: String]?
    /// The mapping holding `workloadSelector`'s labels (-1 when none).
    public var workloadSelectorNode: Int32 = -1
    public var ingress: [IngressListener] = []
    public var egress: [EgressListener] = []
    public var egressNode: Int32 = -1
    public var outboundTrafficPolicy: OutboundTrafficPolicy?
    public var inboundConnectionPool: ConnectionPoolSettings?

    public static let captureModes = ["DEFAULT", "IPTABLES", "NONE"]
    public static let outboundModes = ["REGISTRY_ONLY", "ALLOW_ANY"]
}

extension Sidecar {
    static let fieldNames = ["workloadSelector", "ingress", "egress", "outboundTrafficPolicy", "inboundConnectionPool"]

    public static func decode(_ n: Node) -> Sidecar {
        var sidecar = Sidecar(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "workloadSelector": (sidecar.workloadSelector, sidecar.workloadSelectorNode) = v.matchLabels()
            case "ingress": sidecar.ingress = v.list(IngressListener.decode)
            case "egress": (sidecar.egress, sidecar.egressNode) = (v.list(EgressListener.decode), v.index)
            case "outboundTrafficPolicy": sidecar.outboundTrafficPolicy = OutboundTrafficPolicy.decode(v)
            case "inboundConnectionPool": sidecar.inboundConnectionPool = ConnectionPoolSettings.decode(v)
            default: return false
            }
            return true
        }
        return sidecar
    }
}

extension Sidecar.EgressListener {
    static func decode(_ n: Node) -> Self? {
        var e = Self(node: n.index)
        n.fields(["port", "bind", "captureMode", "hosts"]) { name, v in
            switch name {
            case "port": e.port = Sidecar.Port.decode(v)
            case "bind": e.bind = v.located { $0.string() }
            case "captureMode": e.captureMode = v.located { $0.enumValue(Sidecar.captureModes) }
            case "hosts": (e.hosts, e.hostsNode) = (v.list { $0.located { $0.string() } }, v.index)
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? e : nil
    }
}

extension Sidecar.IngressListener {
    static let tlsFields = [
        "httpsRedirect", "mode", "serverCertificate", "privateKey", "caCertificates", "credentialName", "credentialNames",
        "subjectAltNames", "verifyCertificateSpki", "verifyCertificateHash", "minProtocolVersion", "maxProtocolVersion",
        "cipherSuites", "caCrl",
    ]

    static func decode(_ n: Node) -> Self? {
        var i = Self(node: n.index)
        n.fields(["port", "bind", "captureMode", "defaultEndpoint", "tls", "connectionPool"]) { name, v in
            switch name {
            case "port": i.port = Sidecar.Port.decode(v)
            case "bind": i.bind = v.located { $0.string() }
            case "captureMode": i.captureMode = v.located { $0.enumValue(Sidecar.captureModes) }
            case "defaultEndpoint": i.defaultEndpoint = v.located { $0.string() }
            case "connectionPool": i.connectionPool = ConnectionPoolSettings.decode(v)
            case "tls":
                i.hasTLS = true
                // Inbound TLS is not modeled; its fields are checked by name only.
                v.fields(tlsFields) { field, _ in tlsFields.contains(field) }
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? i : nil
    }
}

extension Sidecar.OutboundTrafficPolicy {
    static func decode(_ n: Node) -> Self? {
        var policy = Self(node: n.index)
        n.fields(["mode", "egressProxy"]) { name, v in
            switch name {
            case "mode": policy.mode = v.located { $0.enumValue(Sidecar.outboundModes) }
            case "egressProxy": policy.egressProxy = Destination.decode(v)
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? policy : nil
    }
}

extension Sidecar {
    /// Every `egress[].hosts` entry, as written (`ns/host`).
    public var egressHosts: [Located<String>] { egress.flatMap(\.hosts) }
    /// `outboundTrafficPolicy.mode`, when set.
    public var outboundMode: String? { outboundTrafficPolicy?.mode?.value }
    /// The `outboundTrafficPolicy.egressProxy` mapping (-1 when none).
    public var egressProxyNode: Int32 { outboundTrafficPolicy?.egressProxy?.node ?? -1 }
}
