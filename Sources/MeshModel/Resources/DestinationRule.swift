/// `networking.istio.io` DestinationRule: subsets and the traffic policy for one host.
public struct DestinationRule: Sendable {
    public var node: Int32
    public var host: Located<String>?
    public var trafficPolicy: TrafficPolicy?
    public var subsets: [Subset] = []
    public var exportTo: [Located<String>] = []
    public var workloadSelector: [String: String]?
    /// The mapping holding `workloadSelector`'s labels (-1 when none).
    public var workloadSelectorNode: Int32 = -1
}

public struct Subset: Sendable {
    public var node: Int32
    public var name: Located<String>?
    public var labels: [String: String] = [:]
    public var trafficPolicy: TrafficPolicy?
    /// The `labels` mapping (-1 when none).
    public var labelsNode: Int32 = -1
}

public struct TrafficPolicy: Sendable {
    public struct PortSettings: Sendable {
        public var node: Int32
        public var port: PortNumber?
        public var loadBalancer: LoadBalancerSettings?
        public var connectionPool: ConnectionPoolSettings?
        public var outlierDetection: OutlierDetection?
        public var tls: ClientTLSSettings?
    }
    public var node: Int32
    public var loadBalancer: LoadBalancerSettings?
    public var connectionPool: ConnectionPoolSettings?
    public var outlierDetection: OutlierDetection?
    public var tls: ClientTLSSettings?
    public var portLevelSettings: [PortSettings] = []

    public init(node: Int32) { self.node = node }

    /// Istio's merge of a subset's policy over the rule's: each top-level field the subset sets
    /// replaces the rule's whole field; there is no deep merge.
    public func overridden(by subset: TrafficPolicy?) -> TrafficPolicy {
        guard let subset else { return self }
        var merged = self
        if subset.loadBalancer != nil { merged.loadBalancer = subset.loadBalancer }
        if subset.connectionPool != nil { merged.connectionPool = subset.connectionPool }
        if subset.outlierDetection != nil { merged.outlierDetection = subset.outlierDetection }
        if subset.tls != nil { merged.tls = subset.tls }
        if !subset.portLevelSettings.isEmpty { merged.portLevelSettings = subset.portLevelSettings }
        return merged
    }
}

public struct LoadBalancerSettings: Sendable {
    public struct ConsistentHash: Sendable {
        public var node: Int32
        public var httpHeaderName: String?
        public var httpCookieName: String?
        public var httpCookieTTL: MeshDuration?
        public var useSourceIp: Bool?
        public var httpQueryParameterName: String?
        public var minimumRingSize: Int?
        public var maglevTableSize: Int?
    }
    public var node: Int32
    /// UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST.
    public var simple: Located<String>?
    public var consistentHash: ConsistentHash?
    public var warmupDurationSecs: MeshDuration?
}

public struct ConnectionPoolSettings: Sendable {
    public struct TCP: Sendable {
        public var node: Int32
        public var maxConnections: Located<Int>?
        public var connectTimeout: MeshDuration?
        public var maxConnectionDuration: MeshDuration?
        public var idleTimeout: MeshDuration?
    }
    public struct HTTP: Sendable {
        public var node: Int32
        public var http1MaxPendingRequests: Located<Int>?
        public var http2MaxRequests: Located<Int>?
        public var maxRequestsPerConnection: Located<Int>?
        public var maxRetries: Located<Int>?
        public var idleTimeout: MeshDuration?
        public var h2UpgradePolicy: String?
        public var useClientProtocol: Bool?
        public var maxConcurrentStreams: Located<Int>?
    }
    public var node: Int32
    public var tcp: TCP?
    public var http: HTTP?
}

public struct OutlierDetection: Sendable {
    public var node: Int32
    public var consecutive5xxErrors: Located<Int>?
    public var consecutiveGatewayErrors: Located<Int>?
    public var consecutiveLocalOriginFailures: Located<Int>?
    public var splitExternalLocalOriginErrors: Bool?
    /// Deprecated; Istio reads it as consecutiveGatewayErrors... kept for the warning.
    public var consecutiveErrors: Located<Int>?
    public var interval: MeshDuration?
    public var baseEjectionTime: MeshDuration?
    public var maxEjectionPercent: Located<Int>?
    public var minHealthPercent: Located<Int>?
}

public struct ClientTLSSettings: Sendable {
    public var node: Int32
    public var mode: Located<String>?
    public var clientCertificate: String?
    public var privateKey: String?
    public var caCertificates: String?
    public var credentialName: String?
    public var subjectAltNames: [String] = []
    public var sni: String?
    public var insecureSkipVerify: Bool?
}

// MARK: - Decoding

extension DestinationRule {
    public static func decode(_ n: Node) -> DestinationRule {
        var dr = DestinationRule(node: n.index)
        n.fields(["host", "trafficPolicy", "subsets", "exportTo", "workloadSelector"]) { name, v in
            switch name {
            case "host": dr.host = v.located { $0.string() }
            case "trafficPolicy": dr.trafficPolicy = TrafficPolicy.decode(v)
            case "subsets": dr.subsets = v.list(Subset.decode)
            case "exportTo": dr.exportTo = v.list { $0.located { $0.string() } }
            case "workloadSelector": (dr.workloadSelector, dr.workloadSelectorNode) = v.matchLabels()
            default: return false
            }
            return true
        }
        return dr
    }
}

extension Node {
    /// `{matchLabels: {...}}` (WorkloadSelector); `labels` is accepted as ServiceEntry spells it.
    /// Also the node of the labels' mapping, for pointing at one label.
    func matchLabels() -> ([String: String], Int32) {
        var labels: [String: String] = [:]
        var node: Int32 = -1
        fields(["matchLabels", "labels"]) { name, v in
            switch name {
            case "matchLabels", "labels":
                labels = v.stringMap()
                node = v.index
            default: return false
            }
            return true
        }
        return (labels, node)
    }
}

extension Subset {
    static func decode(_ n: Node) -> Subset? {
        var s = Subset(node: n.index)
        n.fields(["name", "labels", "trafficPolicy"]) { name, v in
            switch name {
            case "name": s.name = v.located { $0.string() }
            case "labels": (s.labels, s.labelsNode) = (v.stringMap(), v.index)
            case "trafficPolicy": s.trafficPolicy = TrafficPolicy.decode(v)
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? s : nil
    }
}

extension TrafficPolicy {
    static func decode(_ n: Node) -> TrafficPolicy? {
        var p = TrafficPolicy(node: n.index)
        n.fields(["loadBalancer", "connectionPool", "outlierDetection", "tls", "portLevelSettings", "tunnel", "proxyProtocol"]) {
            name, v in
            switch name {
            case "loadBalancer": p.loadBalancer = LoadBalancerSettings.decode(v)
            case "connectionPool": p.connectionPool = ConnectionPoolSettings.decode(v)
            case "outlierDetection": p.outlierDetection = OutlierDetection.decode(v)
            case "tls": p.tls = ClientTLSSettings.decode(v)
            case "portLevelSettings":
                p.portLevelSettings = v.list { s in
                    var settings = PortSettings(node: s.index)
                    s.fields(["port", "loadBalancer", "connectionPool", "outlierDetection", "tls"]) { name, x in
                        switch name {
                        case "port": settings.port = x.portSelector()
                        case "loadBalancer": settings.loadBalancer = LoadBalancerSettings.decode(x)
                        case "connectionPool": settings.connectionPool = ConnectionPoolSettings.decode(x)
                        case "outlierDetection": settings.outlierDetection = OutlierDetection.decode(x)
                        case "tls": settings.tls = ClientTLSSettings.decode(x)
                        default: return false
                        }
                        return true
                    }
                    return settings
                }
            case "tunnel", "proxyProtocol": break  // accepted; not modelled by the proxy
            default: return false
            }
            return true
        }
        return p
    }
}

extension LoadBalancerSettings {
    static let simpleValues = ["UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"]

    static func decode(_ n: Node) -> LoadBalancerSettings? {
        var lb = LoadBalancerSettings(node: n.index)
        n.fields(["simple", "consistentHash", "localityLbSetting", "warmupDurationSecs", "warmup"]) { name, v in
            switch name {
            case "simple": lb.simple = v.located { $0.enumValue(simpleValues) }
            case "consistentHash": lb.consistentHash = ConsistentHash.decode(v)
            case "warmupDurationSecs": lb.warmupDurationSecs = v.duration()
            case "localityLbSetting", "warmup": break  // accepted; not modelled by the proxy
            default: return false
            }
            return true
        }
        return lb
    }
}

extension LoadBalancerSettings.ConsistentHash {
    static func decode(_ n: Node) -> Self? {
        var h = Self(node: n.index)
        n.fields([
            "httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName", "ringHash", "maglev", "minimumRingSize",
        ]) {
            name, v in
            switch name {
            case "httpHeaderName": h.httpHeaderName = v.string()
            case "httpCookie":
                v.fields(["name", "path", "ttl", "attributes"]) { name, c in
                    switch name {
                    case "name": h.httpCookieName = c.string()
                    case "ttl": h.httpCookieTTL = c.duration()
                    case "path", "attributes": break
                    default: return false
                    }
                    return true
                }
            case "useSourceIp": h.useSourceIp = v.bool()
            case "httpQueryParameterName": h.httpQueryParameterName = v.string()
            case "ringHash":
                v.fields(["minimumRingSize"]) { name, r in
                    guard name == "minimumRingSize" else { return false }
                    h.minimumRingSize = r.uint32()
                    return true
                }
            case "maglev":
                v.fields(["tableSize"]) { name, r in
                    guard name == "tableSize" else { return false }
                    h.maglevTableSize = r.uint32()
                    return true
                }
            case "minimumRingSize": h.minimumRingSize = v.uint32()
            default: return false
            }
            return true
        }
        return h
    }
}

extension ConnectionPoolSettings {
    static func decode(_ n: Node) -> ConnectionPoolSettings? {
        var c = ConnectionPoolSettings(node: n.index)
        n.fields(["tcp", "http"]) { name, v in
            switch name {
            case "tcp":
                var t = TCP(node: v.index)
                v.fields(["maxConnections", "connectTimeout", "tcpKeepalive", "maxConnectionDuration", "idleTimeout"]) {
                    name, x in
                    switch name {
                    case "maxConnections": t.maxConnections = x.located { $0.int32() }
                    case "connectTimeout": t.connectTimeout = x.duration()
                    case "maxConnectionDuration": t.maxConnectionDuration = x.duration()
                    case "idleTimeout": t.idleTimeout = x.duration()
                    case "tcpKeepalive":
                        x.fields(["probes", "time", "interval"]) { name, k in
                            switch name {
                            case "probes": _ = k.uint32()
                            case "time", "interval": _ = k.duration()
                            default: return false
                            }
                            return true
                        }
                    default: return false
                    }
                    return true
                }
                c.tcp = t
            case "http":
                var h = HTTP(node: v.index)
                v.fields([
                    "http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "maxRetries", "idleTimeout",
                    "h2UpgradePolicy", "useClientProtocol", "maxConcurrentStreams",
                ]) { name, x in
                    switch name {
                    case "http1MaxPendingRequests": h.http1MaxPendingRequests = x.located { $0.int32() }
                    case "http2MaxRequests": h.http2MaxRequests = x.located { $0.int32() }
                    case "maxRequestsPerConnection": h.maxRequestsPerConnection = x.located { $0.int32() }
                    case "maxRetries": h.maxRetries = x.located { $0.int32() }
                    case "idleTimeout": h.idleTimeout = x.duration()
                    case "h2UpgradePolicy": h.h2UpgradePolicy = x.enumValue(["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"])
                    case "useClientProtocol": h.useClientProtocol = x.bool()
                    case "maxConcurrentStreams": h.maxConcurrentStreams = x.located { $0.int32() }
                    default: return false
                    }
                    return true
                }
                c.http = h
            default: return false
            }
            return true
        }
        return c
    }
}

extension OutlierDetection {
    static func decode(_ n: Node) -> OutlierDetection? {
        var o = OutlierDetection(node: n.index)
        n.fields([
            "consecutive5xxErrors", "consecutiveGatewayErrors", "consecutiveLocalOriginFailures",
            "splitExternalLocalOriginErrors", "consecutiveErrors", "interval", "baseEjectionTime", "maxEjectionPercent",
            "minHealthPercent",
        ]) { name, v in
            switch name {
            case "consecutive5xxErrors": o.consecutive5xxErrors = v.located { $0.uint32() }
            case "consecutiveGatewayErrors": o.consecutiveGatewayErrors = v.located { $0.uint32() }
            case "consecutiveLocalOriginFailures": o.consecutiveLocalOriginFailures = v.located { $0.uint32() }
            case "splitExternalLocalOriginErrors": o.splitExternalLocalOriginErrors = v.bool()
            case "consecutiveErrors": o.consecutiveErrors = v.located { $0.int32() }
            case "interval": o.interval = v.duration()
            case "baseEjectionTime": o.baseEjectionTime = v.duration()
            case "maxEjectionPercent": o.maxEjectionPercent = v.located { $0.int32() }
            case "minHealthPercent": o.minHealthPercent = v.located { $0.int32() }
            default: return false
            }
            return true
        }
        return o
    }
}

extension ClientTLSSettings {
    static func decode(_ n: Node) -> ClientTLSSettings? {
        var t = ClientTLSSettings(node: n.index)
        n.fields([
            "mode", "clientCertificate", "privateKey", "caCertificates", "credentialName", "subjectAltNames", "sni",
            "insecureSkipVerify", "caCrl",
        ]) { name, v in
            switch name {
            case "mode": t.mode = v.located { $0.enumValue(["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"]) }
            case "clientCertificate": t.clientCertificate = v.string()
            case "privateKey": t.privateKey = v.string()
            case "caCertificates": t.caCertificates = v.string()
            case "credentialName": t.credentialName = v.string()
            case "subjectAltNames": t.subjectAltNames = v.stringList()
            case "sni": t.sni = v.string()
            case "insecureSkipVerify": t.insecureSkipVerify = v.bool()
            case "caCrl": _ = v.string()
            default: return false
            }
            return true
        }
        return t
    }
}
