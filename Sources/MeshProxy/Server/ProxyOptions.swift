import MeshModel
import MeshRouting

/// How a proxy is run: its addresses, workers, identity and limits.
public struct ProxyOptions: Sendable {
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The outbound listener (Istio's 15001).
    public var listen = Address(host: "127.0.0.1", port: 15001)
    /// Service ports to listen for as well, on the outbound listener's host: a connection to
    /// HOST:PORT is for service port PORT (as a sidecar's original destination port), HTTP or
    /// TCP/TLS by what its first bytes are.
    public var outboundPorts: [Int] = []
    /// The inbound listener (Istio's 15006), in front of `app`: authorization, authentication
    /// and rate limits apply there.
    public var inbound: Address?
    /// The local application the inbound side forwards to.
    public var app: Address?
    /// The workload's service account (its identity: `spiffe://cluster.local/ns/NS/sa/SA`).
    public var serviceAccount = "default"
    /// The workload certificate, key and mesh root, for mutual TLS (nil: plaintext only).
    public var tls: WorkloadTLS?
    /// Renews `tls` from a mesh CA before it expires (with `--ca`).
    public var rotation: CertificateRotation?
    /// Builds the inbound side's security from a configuration's resources instead of the rule
    /// set's own PeerAuthentications, AuthorizationPolicies, RequestAuthentications and rate
    /// limits (nil: those).
    public var inboundGate: (@Sendable ([Resource]) async -> any InboundGate)?
    /// The admin API (Envoy's 15000).
    public var admin = Address(host: "127.0.0.1", port: 15000)
    /// Worker event loops, as Envoy's `--concurrency`.
    public var concurrency = System.coreCount
    public var identity = ProxyIdentity()
    /// The workload name in Istio's metric labels.
    public var workload = "meshctl"
    public var mesh = MeshConfig()
    /// Istio's `--compatibility-version`: 1.27 or earlier appends `-shadow` to mirrored hosts.
    public var compatibilityVersion: (major: Int, minor: Int)?
    /// A client must send a request's headers within this time, or is cut off (408).
    public var headerTimeoutNanos: Int64 = 10_000_000_000
    /// An idle keep-alive client connection is closed after this time.
    public var idleTimeoutNanos: Int64 = 3_600_000_000_000
    /// Request bodies up to this size are kept for retries and mirrors (Envoy's buffer limit).
    public var retryBufferBytes = 1 << 20
    /// Mirrored requests one worker keeps in flight; more are dropped and counted.
    public var maxMirrorsInFlight = 256
    /// Largest `PUT /config` body.
    public var maxConfigBytes = 64 << 20
    /// A Zipkin v2 span endpoint (`http://host:9411/api/v2/spans`): trace every request there.
    public var zipkin: String?
    /// The share of new traces sampled, in percent (requests that arrive with a sampling
    /// decision keep it).
    public var traceSampling: Double = 100
    /// Drain time on shutdown before connections are closed.
    public var drainNanos: Int64 = 5_000_000_000

    public init() {}

    /// Istio 1.27 and earlier mirror to `HOST-shadow`.
    public var mirrorsToShadowHost: Bool {
        guard let v = compatibilityVersion else { return false }
        return v.major < 1 || (v.major == 1 && v.minor <= 27)
    }
}

#if canImport(Glibc)
    import Glibc
#endif

enum System {
    static var coreCount: Int { max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1) }
}
