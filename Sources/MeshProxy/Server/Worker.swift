import EnvoyConfig
import Logging
import MeshRouting
import NIOCore
import Synchronization

/// What every worker shares for the life of the proxy.
final class ProxyContext: Sendable {
    let options: ProxyOptions
    let stats: StatStore
    let listenerStats: ListenerStats
    /// The inbound listener's stats (`http.inbound_0.0.0.0_APPPORT.`, Istio's name for the
    /// connection manager of the application's port).
    let inboundStats: ListenerStats
    let metrics: IstioMetrics
    let accessLog: AccessLog?
    let clusters: ClusterRegistry
    /// `/healthcheck/fail` sets it: `/ready` answers 503 while set.
    let failingHealthChecks = Atomic<Bool>(false)
    /// `/drain_listeners` or shutdown: answer with `connection: close` from now on.
    let draining = Atomic<Bool>(false)
    let mirrorsDropped: Stat
    /// Where spans go, when tracing is on.
    let tracer: ZipkinExporter?
    let logger: Logger

    init(options: ProxyOptions, accessLog: AccessLog?, logger: Logger = Logger(label: "meshctl.proxy")) {
        self.options = options
        self.logger = logger
        let stats = StatStore()
        self.stats = stats
        listenerStats = ListenerStats(statPrefix: "outbound_\(options.listen.host)_\(options.listen.port)", store: stats)
        // Without an inbound side its counters are kept out of /stats, as Envoy has none.
        inboundStats = ListenerStats(
            statPrefix: InboundSide.statPrefix(appPort: options.app?.port ?? 0), store: options.app == nil ? StatStore() : stats)
        metrics = IstioMetrics(identity: options.identity, workload: options.workload)
        self.accessLog = accessLog
        clusters = ClusterRegistry(stats: stats)
        mirrorsDropped = stats.counter("meshctl.mirror.dropped")
        tracer = options.zipkin.flatMap { try? ZipkinExporter(url: $0, service: options.workload, stats: stats, logger: logger) }
    }
}

/// One event loop's share of the proxy: its snapshot of the configuration, its connection
/// pools, its random numbers and its caches of stat handles. Only its own event loop touches
/// it, so nothing here is locked.
final class Worker: @unchecked Sendable {
    let eventLoop: EventLoop
    let context: ProxyContext
    /// The listener's stats, at hand for every request.
    let listenerStats: ListenerStats
    let inboundStats: ListenerStats
    private(set) var snapshot: ProxySnapshot
    var random: SplitMix64
    private var pools: [ObjectIdentifier: ConnectionPool] = [:]
    private var statusStats: [StatusKey: Stat] = [:]
    private var metricHandles: [MetricKey: IstioMetrics.Handles] = [:]
    private var lastMetrics: (key: MetricKey, handles: IstioMetrics.Handles)?
    private var passthroughHosts: [String: UpstreamHost] = [:]
    /// The ports of this proxy's own listeners (outbound, per-service, inbound), once bound.
    var ownListenerPorts: Set<Int> = []
    var mirrorsInFlight = 0

    struct StatusKey: Hashable {
        var cluster: ObjectIdentifier
        var status: Int
    }
    struct MetricKey: Hashable {
        var cluster: ObjectIdentifier?
        var host: ObjectIdentifier?
        var status: Int
        var flags: UInt32
    }

    init(eventLoop: EventLoop, context: ProxyContext, snapshot: ProxySnapshot, seed: UInt64) {
        self.eventLoop = eventLoop
        self.context = context
        self.listenerStats = context.listenerStats
        self.inboundStats = context.inboundStats
        self.snapshot = snapshot
        self.random = SplitMix64(seed: seed)
    }

    /// Takes a new configuration: later requests use it; pools of hosts it no longer has
    /// close their idle connections.
    /// Switches to `next`; returns the configuration it replaces (for the caller to free).
    func install(_ next: ProxySnapshot) -> ProxySnapshot {
        let replaced = snapshot
        snapshot = next
        var live = Set<ObjectIdentifier>()
        for cluster in next.clusters.values {
            for host in cluster.hosts { live.insert(ObjectIdentifier(host)) }
        }
        for (key, pool) in pools where !live.contains(key) && pool.host.labels["meshctl.passthrough"] == nil {
            pool.closeIdle()
            if pool.isEmpty { pools[key] = nil }
        }
        metricHandles.removeAll(keepingCapacity: true)
        lastMetrics = nil
        statusStats.removeAll(keepingCapacity: true)
        return replaced
    }

    @inline(__always) func pool(for host: UpstreamHost, cluster: ClusterRuntime) -> ConnectionPool {
        let key = ObjectIdentifier(host)
        if let pool = pools[key] { return pool }
        let pool = ConnectionPool(host: host, cluster: cluster, eventLoop: eventLoop, identity: context.options.tls)
        pools[key] = pool
        return pool
    }

    /// The host a passthrough request goes to: the name and port it asked for.
    func passthroughHost(_ name: String, port: Int) -> UpstreamHost {
        let key = "\(name):\(port)"
        if let host = passthroughHosts[key] { return host }
        let host = snapshot.passthrough.state.host(address: name, port: port, labels: ["meshctl.passthrough": "true"])
        if passthroughHosts.count > 4096 { passthroughHosts.removeAll() }
        passthroughHosts[key] = host
        return host
    }

    /// Whether `host` is one of this proxy's own listeners: a loopback address (or the
    /// listeners' own host) on a listener's port, or on `downstreamPort`, the port the request
    /// came in on.
    @inline(__always) func isOwnListener(_ host: UpstreamHost, downstreamPort: Int?) -> Bool {
        guard host.port == downstreamPort || ownListenerPorts.contains(host.port) else { return false }
        let address = host.address.lowercased()
        return address == context.options.listen.host || address == "localhost" || address == "::1"
            || address.hasPrefix("127.") || address == "0.0.0.0" || address == "::"
            || address == context.options.inbound?.host
    }

    @inline(__always) func statusStat(_ cluster: ClusterState, _ status: Int) -> Stat {
        if status == 200 { return cluster.stats.rq200 }
        let key = StatusKey(cluster: ObjectIdentifier(cluster), status: status)
        if let stat = statusStats[key] { return stat }
        let stat = cluster.stats.status(status)
        statusStats[key] = stat
        return stat
    }

    @inline(__always) func metrics(
        _ cluster: ClusterRuntime?, _ host: UpstreamHost?, _ status: Int, _ flags: ResponseFlags
    ) -> IstioMetrics.Handles {
        let key = MetricKey(
            cluster: cluster.map { ObjectIdentifier($0.state) }, host: host.map { ObjectIdentifier($0) }, status: status,
            flags: flags.rawValue)
        // Steady traffic repeats the same combination: the last one is checked before the table.
        if let last = lastMetrics, last.key == key { return last.handles }
        let handles =
            metricHandles[key]
            ?? {
                let made = context.metrics.handles(cluster: cluster, host: host, status: status, flags: flags)
                metricHandles[key] = made
                return made
            }()
        lastMetrics = (key, handles)
        return handles
    }

    /// A new random request id.
    func requestID() -> RequestID { RequestID(high: random.next(), low: random.next()) }
}

/// A random request id, written as a version-4 UUID (122 random bits) straight into a buffer;
/// it becomes a string only when something (the access log) asks.
struct RequestID: CustomStringConvertible {
    var high: UInt64
    var low: UInt64

    func write(into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { out in
            let hex: StaticString = "0123456789abcdef"
            var value = high
            var nibbles = 0
            for i in 0..<36 {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    out[i] = UInt8(ascii: "-")
                    continue
                }
                if nibbles == 16 { value = low }
                out[i] = hex.utf8Start[Int(value & 0xf)]
                value >>= 4
                nibbles += 1
            }
            // RFC 9562 (4122) version 4: the version nibble is 4, and the variant's two high
            // bits are 10, so the first digit of the fourth group is 8, 9, a or b.
            out[14] = UInt8(ascii: "4")
            out[19] = hex.utf8Start[8 | Int(low & 0x3)]
            return 36
        }
    }

    var description: String {
        var buffer = ByteBufferAllocator().buffer(capacity: 36)
        write(into: &buffer)
        return String(buffer: buffer)
    }
}
