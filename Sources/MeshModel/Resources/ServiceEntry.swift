/// `networking.istio.io` ServiceEntry: a service in the registry, with where it lives.
public struct ServiceEntry: Sendable {
    public struct Port: Sendable {
        public var node: Int32
        public var number: Located<Int>?
        public var protocolName: Located<String>?
        public var name: Located<String>?
        public var targetPort: Int?
    }
    public var node: Int32
    public var hosts: [Located<String>] = []
    public var addresses: [Located<String>] = []
    public var ports: [Port] = []
    /// MESH_EXTERNAL or MESH_INTERNAL.
    public var location: String?
    /// NONE, STATIC, DNS, DNS_ROUND_ROBIN.
    public var resolution: Located<String>?
    public var endpoints: [WorkloadEntrySpec] = []
    public var workloadSelector: [String: String]?
    public var exportTo: [Located<String>] = []
    public var subjectAltNames: [String] = []
    public var hostsNode: Int32 = -1
    /// The mapping holding `workloadSelector`'s labels (-1 when none).
    public var workloadSelectorNode: Int32 = -1
}

/// A workload's address, ports and labels: a ServiceEntry endpoint or a WorkloadEntry's spec.
public struct WorkloadEntrySpec: Sendable {
    public var node: Int32
    public var address: Located<String>?
    public var ports: [MapEntry<Int>] = []
    public var labels: [String: String] = [:]
    public var network: String?
    public var locality: String?
    public var weight: Located<Int>?
    public var serviceAccount: String?
    /// The `labels` mapping (-1 when none).
    public var labelsNode: Int32 = -1
}

extension ServiceEntry {
    public static let resolutions = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"]

    public static func decode(_ n: Node) -> ServiceEntry {
        var se = ServiceEntry(node: n.index)
        n.fields([
            "hosts", "addresses", "ports", "location", "resolution", "endpoints", "workloadSelector", "exportTo",
            "subjectAltNames",
        ]) { name, v in
            switch name {
            case "hosts": se.hosts = v.list { $0.located { $0.string() } }; se.hostsNode = v.index
            case "addresses": se.addresses = v.list { $0.located { $0.string() } }
            case "ports": se.ports = v.list(Port.decode)
            case "location": se.location = v.enumValue(["MESH_EXTERNAL", "MESH_INTERNAL"])
            case "resolution": se.resolution = v.located { $0.enumValue(resolutions) }
            case "endpoints": se.endpoints = v.list(WorkloadEntrySpec.decode)
            case "workloadSelector": (se.workloadSelector, se.workloadSelectorNode) = v.matchLabels()
            case "exportTo": se.exportTo = v.list { $0.located { $0.string() } }
            case "subjectAltNames": se.subjectAltNames = v.stringList()
            default: return false
            }
            return true
        }
        return se
    }
}

extension ServiceEntry.Port {
    static func decode(_ n: Node) -> Self? {
        var p = Self(node: n.index)
        n.fields(["number", "protocol", "name", "targetPort"]) { name, v in
            switch name {
            case "number": p.number = v.located { $0.uint32() }
            case "protocol": p.protocolName = v.located { $0.string() }
            case "name": p.name = v.located { $0.string() }
            case "targetPort": p.targetPort = v.uint32()
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? p : nil
    }
}

extension WorkloadEntrySpec {
    public static func decode(_ n: Node) -> WorkloadEntrySpec? {
        var w = WorkloadEntrySpec(node: n.index)
        n.fields(["address", "ports", "labels", "network", "locality", "weight", "serviceAccount"]) { name, v in
            switch name {
            case "address": w.address = v.located { $0.string() }
            case "ports": w.ports = v.entries { $0.uint32() }
            case "labels": (w.labels, w.labelsNode) = (v.stringMap(), v.index)
            case "network": w.network = v.string()
            case "locality": w.locality = v.string()
            case "weight": w.weight = v.located { $0.uint32() }
            case "serviceAccount": w.serviceAccount = v.string()
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? w : nil
    }
}

/// `networking.istio.io` Gateway: a load balancer at the edge of the mesh.
public struct Gateway: Sendable {
    public struct Server: Sendable {
        public var node: Int32
        public var port: ServiceEntry.Port?
        public var bind: String?
        public var hosts: [Located<String>] = []
        public var tlsMode: Located<String>?
        public var httpsRedirect: Bool?
        public var name: String?
        public var tlsNode: Int32 = -1
        public var hasCredentials = false
        /// `tls.credentialName` (a Secret in the gateway workload's namespace, or `ns/name`).
        public var credentialName: Located<String>?
        public var credentialNames: [Located<String>] = []
        /// `tls.serverCertificate` and `tls.privateKey`: files mounted in the gateway.
        public var serverCertificate: String?
        public var privateKey: String?
    }
    public var node: Int32
    public var selector: [String: String] = [:]
    public var servers: [Server] = []
    public var serversNode: Int32 = -1
    /// The `selector` mapping (-1 when none).
    public var selectorNode: Int32 = -1

    public static func decode(_ n: Node) -> Gateway {
        var g = Gateway(node: n.index)
        n.fields(["selector", "servers"]) { name, v in
            switch name {
            case "selector": (g.selector, g.selectorNode) = (v.stringMap(), v.index)
            case "servers": g.servers = v.list(Server.decode); g.serversNode = v.index
            default: return false
            }
            return true
        }
        return g
    }
}

extension Gateway.Server {
    static func decode(_ n: Node) -> Self? {
        var s = Self(node: n.index)
        n.fields(["port", "bind", "hosts", "tls", "name", "defaultEndpoint"]) { name, v in
            switch name {
            case "port": s.port = ServiceEntry.Port.decode(v)
            case "bind": s.bind = v.string()
            case "hosts": s.hosts = v.list { $0.located { $0.string() } }
            case "name": s.name = v.string()
            case "defaultEndpoint": _ = v.string()
            case "tls":
                s.tlsNode = v.index
                v.fields([
                    "httpsRedirect", "mode", "serverCertificate", "privateKey", "caCertificates", "credentialName",
                    "credentialNames", "subjectAltNames", "verifyCertificateSpki", "verifyCertificateHash",
                    "minProtocolVersion", "maxProtocolVersion", "cipherSuites", "caCrl",
                ]) { name, t in
                    switch name {
                    case "httpsRedirect": s.httpsRedirect = t.bool()
                    case "mode":
                        s.tlsMode = t.located {
                            $0.enumValue([
                                "PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL",
                            ])
                        }
                    case "serverCertificate":
                        s.serverCertificate = t.string()
                        s.hasCredentials = true
                    case "privateKey":
                        s.privateKey = t.string()
                        s.hasCredentials = true
                    case "credentialName":
                        s.credentialName = t.located { $0.string() }
                        s.hasCredentials = true
                    case "caCertificates", "minProtocolVersion", "maxProtocolVersion", "caCrl": _ = t.string()
                    case "credentialNames":
                        s.credentialNames = t.list { $0.located { $0.string() } }
                        s.hasCredentials = true
                    case "subjectAltNames", "verifyCertificateSpki", "verifyCertificateHash", "cipherSuites": _ = t.stringList()
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? s : nil
    }
}
