import NIOCore
import Synchronization

/// One endpoint of a cluster, shared by every worker event loop and kept across configuration
/// changes while the cluster still has it, so its connections, counters and ejection survive
/// a push.
public final class UpstreamHost: Sendable {
    /// `address:port`, the host's identity within its cluster.
    public let key: String
    public let address: String
    public let port: Int
    public let labels: [String: String]
    /// The `version` label, for Istio's `destination_version`.
    public let version: String
    /// A numeric address resolved once; nil when `address` is a name resolved per connection.
    public let socketAddress: SocketAddress?

    /// Requests sent and not yet answered (LEAST_REQUEST compares these).
    let activeRequests = Atomic<Int>(0)
    let consecutive5xx = Atomic<Int>(0)
    let consecutiveGateway = Atomic<Int>(0)
    /// Read on every pick; written under the cluster's outlier lock.
    let ejected = Atomic<Bool>(false)

    // Envoy's per-host counters, as `/clusters` lists them.
    let cxTotal = Atomic<Int64>(0)
    let cxActive = Atomic<Int64>(0)
    let cxConnectFail = Atomic<Int64>(0)
    let rqTotal = Atomic<Int64>(0)
    let rqSuccess = Atomic<Int64>(0)
    let rqError = Atomic<Int64>(0)
    let rqTimeout = Atomic<Int64>(0)

    public init(address: String, port: Int, labels: [String: String] = [:]) {
        self.key = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        self.address = address
        self.port = port
        self.labels = labels
        self.version = labels["version"] ?? "unknown"
        self.socketAddress = try? SocketAddress(ipAddress: address, port: port)
    }

    public var isEjected: Bool { ejected.load(ordering: .relaxed) }
    public var active: Int { activeRequests.load(ordering: .relaxed) }

    /// Envoy's per-host stats for `/clusters`, in its order.
    var statValues: [(String, Int64, Bool)] {
        [
            ("cx_active", cxActive.load(ordering: .relaxed), true),
            ("cx_connect_fail", cxConnectFail.load(ordering: .relaxed), false),
            ("cx_total", cxTotal.load(ordering: .relaxed), false),
            ("rq_active", Int64(activeRequests.load(ordering: .relaxed)), true),
            ("rq_error", rqError.load(ordering: .relaxed), false),
            ("rq_success", rqSuccess.load(ordering: .relaxed), false),
            ("rq_timeout", rqTimeout.load(ordering: .relaxed), false),
            ("rq_total", rqTotal.load(ordering: .relaxed), false),
        ]
    }

    func resetCounters() {
        cxTotal.store(0, ordering: .relaxed)
        cxConnectFail.store(0, ordering: .relaxed)
        rqTotal.store(0, ordering: .relaxed)
        rqSuccess.store(0, ordering: .relaxed)
        rqError.store(0, ordering: .relaxed)
        rqTimeout.store(0, ordering: .relaxed)
    }
}
