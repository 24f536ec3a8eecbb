import MeshModel
import MeshRouting

/// What a DestinationRule's traffic policy means for one cluster, with Istio's defaults filled in.
public struct ClusterSettings: Sendable, Equatable {
    public enum Balancer: Sendable, Equatable {
        case leastRequest, roundRobin, random, passthrough
        case ringHash(HashKey, minimumRingSize: Int)
    }
    public enum HashKey: Sendable, Equatable {
        case header(String)
        case cookie(String)
        case sourceIP
        case queryParameter(String)
    }
    /// Istio leaves every threshold at the maximum unless the rule sets one (0 means unset).
    public static let unlimited = 4_294_967_295

    public var maxConnections = unlimited
    public var maxPendingRequests = unlimited
    public var maxRequests = unlimited
    public var maxRetries = unlimited
    /// 0: unlimited; 1 disables keep-alive.
    public var maxRequestsPerConnection = 0
    public var connectTimeoutNanos: Int64 = 10_000_000_000
    public var idleTimeoutNanos: Int64 = 3_600_000_000_000
    public var balancer = Balancer.leastRequest
    public var outlier: OutlierSettings?
    /// How connections to the cluster's hosts are secured.
    public var tls = TLSOrigination.none

    /// A DestinationRule's `tls`, or Istio's auto mutual TLS to endpoints whose proxy accepts it.
    public enum TLSOrigination: Sendable, Equatable {
        case none
        /// ISTIO_MUTUAL: the workload certificate, checked against the mesh root.
        case istioMutual
        /// SIMPLE (`clientCertificate` nil) or MUTUAL, with the files the rule names.
        case files(caCertificates: String?, clientCertificate: String?, privateKey: String?, sni: String?)
    }

    public init() {}

    /// The settings for `target`: the subset's policy over the rule's (Istio's per-field
    /// replacement), then the port-level settings for the target's port.
    public init(_ target: Target) {
        self.init(policy: target.policy, port: target.port)
        if target.policy?.tls?.mode == nil && !target.endpoints.isEmpty
            && target.endpoints.allSatisfy({ $0.labels["security.istio.io/tlsMode"] == "istio" })
        {
            tls = .istioMutual  // Istio's auto mutual TLS: the endpoints' proxies accept it
        }
    }

    public init(policy: TrafficPolicy?, port: Int) {
        guard let policy else { return }
        var pool = policy.connectionPool
        var lb = policy.loadBalancer
        var outlier = policy.outlierDetection
        if let portLevel = policy.portLevelSettings.first(where: { $0.port?.number == port }) {
            if let p = portLevel.connectionPool { pool = p }
            if let l = portLevel.loadBalancer { lb = l }
            if let o = portLevel.outlierDetection { outlier = o }
        }
        func limit(_ value: Located<Int>?) -> Int? {
            guard let v = value?.value, v > 0 else { return nil }
            return min(v, Self.unlimited)
        }
        if let tcp = pool?.tcp {
            if let v = limit(tcp.maxConnections) { maxConnections = v }
            if let t = tcp.connectTimeout, t.nanoseconds > 0 { connectTimeoutNanos = t.nanoseconds }
            if let t = tcp.idleTimeout, t.nanoseconds > 0 { idleTimeoutNanos = t.nanoseconds }
        }
        if let http = pool?.http {
            if let v = limit(http.http1MaxPendingRequests) { maxPendingRequests = v }
            if let v = limit(http.http2MaxRequests) { maxRequests = v }
            if let v = limit(http.maxRetries) { maxRetries = v }
            if let v = limit(http.maxRequestsPerConnection) { maxRequestsPerConnection = v }
            if let t = http.idleTimeout, t.nanoseconds > 0 { idleTimeoutNanos = t.nanoseconds }
        }
        if let lb {
            if let hash = lb.consistentHash {
                let key: HashKey? =
                    if let h = hash.httpHeaderName { .header(h.lowercased()) } else if let c = hash.httpCookieName {
                        .cookie(c)
                    } else if hash.useSourceIp == true {
                        .sourceIP
                    } else if let q = hash.httpQueryParameterName { .queryParameter(q) } else { nil }
                if let key { balancer = .ringHash(key, minimumRingSize: max(hash.minimumRingSize ?? 1024, 1)) }
            } else {
                switch lb.simple?.value ?? "" {
                case "ROUND_ROBIN": balancer = .roundRobin
                case "RANDOM": balancer = .random
                case "PASSTHROUGH": balancer = .passthrough
                default: balancer = .leastRequest  // LEAST_REQUEST, LEAST_CONN, UNSPECIFIED
                }
            }
        }
        if let outlier { self.outlier = OutlierSettings(outlier) }
        var tlsSettings = policy.tls
        if let portLevel = policy.portLevelSettings.first(where: { $0.port?.number == port }), let t = portLevel.tls {
            tlsSettings = t
        }
        switch tlsSettings?.mode?.value {
        case "ISTIO_MUTUAL": tls = .istioMutual
        case "SIMPLE", "MUTUAL":
            tls = .files(
                caCertificates: tlsSettings?.caCertificates,
                clientCertificate: tlsSettings?.mode?.value == "MUTUAL" ? tlsSettings?.clientCertificate : nil,
                privateKey: tlsSettings?.mode?.value == "MUTUAL" ? tlsSettings?.privateKey : nil, sni: tlsSettings?.sni)
        default: tls = .none
        }
    }
}

/// Outlier detection as Istio configures Envoy's.
public struct OutlierSettings: Sendable, Equatable {
    /// 0 disables.
    public var consecutive5xx = 5
    /// 0: off (Istio sets it only when given).
    public var consecutiveGateway = 0
    public var intervalNanos: Int64 = 10_000_000_000
    public var baseEjectionNanos: Int64 = 30_000_000_000
    public static let maxEjectionNanos: Int64 = 300_000_000_000
    public var maxEjectionPercent = 10
    public var minHealthPercent = 0

    public init() {}

    init(_ o: OutlierDetection) {
        if let v = o.consecutive5xxErrors?.value { consecutive5xx = max(v, 0) }
        if let v = o.consecutiveGatewayErrors?.value { consecutiveGateway = max(v, 0) }
        if let v = o.consecutiveErrors?.value, o.consecutiveGatewayErrors == nil { consecutiveGateway = max(v, 0) }
        if let t = o.interval, t.nanoseconds > 0 { intervalNanos = t.nanoseconds }
        if let t = o.baseEjectionTime, t.nanoseconds > 0 { baseEjectionNanos = t.nanoseconds }
        if let v = o.maxEjectionPercent?.value, v > 0 { maxEjectionPercent = min(v, 100) }
        if let v = o.minHealthPercent?.value { minHealthPercent = min(max(v, 0), 100) }
    }
}
