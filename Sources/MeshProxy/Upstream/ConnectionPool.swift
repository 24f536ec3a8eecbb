import NIOCore
import NIOPosix
import NIOSSL

/// A request waiting for a connection from a pool.
protocol PoolWaiter: AnyObject {
    func poolReady(_ connection: UpstreamConnection)
    func poolFailed(_ failure: UpstreamFailure)
}

/// One event loop's connections to one upstream host: keep-alive reuse, pending requests,
/// and the cluster's connection and pending-request limits (shared atomics, counted across
/// every event loop). Only its own event loop touches it.
final class ConnectionPool: ConnectionOwner, @unchecked Sendable {
    enum Acquired {
        case ready(UpstreamConnection)
        case queued
        /// 503 UO: the pending-request limit is reached.
        case overflow
    }

    let host: UpstreamHost
    let eventLoop: EventLoop
    private(set) var cluster: ClusterState
    private var settings: ClusterSettings
    private var machine = PoolStateMachine<UpstreamConnection, AnyObject>()

    /// The workload's identity, for clusters reached over mutual TLS.
    let identity: WorkloadTLS?

    init(host: UpstreamHost, cluster: ClusterRuntime, eventLoop: EventLoop, identity: WorkloadTLS? = nil) {
        self.host = host
        self.cluster = cluster.state
        self.settings = cluster.settings
        self.eventLoop = eventLoop
        self.identity = identity
    }

    var isEmpty: Bool { machine.isEmpty }

    func acquire(_ waiter: PoolWaiter, cluster runtime: ClusterRuntime) -> Acquired {
        settings = runtime.settings
        cluster = runtime.state
        let pendingAllowed = cluster.pendingRequests.load(ordering: .relaxed) < settings.maxPendingRequests
        let action = machine.acquire(waiter, pendingAllowed: pendingAllowed, connectionAllowed: connectionAllowed)
        switch action {
        case .use(let connection):
            connection.maxRequests = settings.maxRequestsPerConnection
            return .ready(connection)
        case .overflow:
            cluster.stats.rqPendingOverflow.increment()
            return .overflow
        case .wait(let connect):
            cluster.pendingRequests.wrappingAdd(1, ordering: .relaxed)
            cluster.stats.rqPendingTotal.increment()
            cluster.stats.rqPendingActive.increment()
            if connect { openConnection() }
            return .queued
        }
    }

    /// A waiting request gave up.
    func cancel(_ waiter: PoolWaiter) {
        if machine.cancel(waiter) { leftPending() }
    }

    /// A connection finished its request and can be reused.
    func release(_ connection: UpstreamConnection) {
        guard connection.isUsable else { return }
        if case .serve(let waiter, let connection) = machine.released(connection) { serve(waiter, connection) }
    }

    func connectionClosed(_ connection: UpstreamConnection) {
        cluster.connections.wrappingSubtract(1, ordering: .relaxed)
        cluster.stats.cxActive.decrement()
        cluster.stats.cxDestroy.increment()
        host.cxActive.wrappingSubtract(1, ordering: .relaxed)
        if machine.closed(connection, connectionAllowed: connectionAllowed) { openConnection() }
    }

    /// Closes idle connections (the host left the configuration).
    func closeIdle() {
        for connection in machine.drainIdle() { connection.close() }
    }

    private func connectionAllowed() -> Bool {
        if cluster.connections.load(ordering: .relaxed) < settings.maxConnections { return true }
        cluster.stats.cxOverflow.increment()
        return false
    }

    private func leftPending() {
        cluster.pendingRequests.wrappingSubtract(1, ordering: .relaxed)
        cluster.stats.rqPendingActive.decrement()
    }

    private func serve(_ waiter: AnyObject, _ connection: UpstreamConnection) {
        leftPending()
        connection.maxRequests = settings.maxRequestsPerConnection
        (waiter as! PoolWaiter).poolReady(connection)
    }

    private func openConnection() {
        cluster.connections.wrappingAdd(1, ordering: .relaxed)
        let connection = UpstreamConnection(host: host, pool: self)
        let tlsContext: NIOSSLContext?
        let serverName: String?
        switch settings.tls {
        case .none: (tlsContext, serverName) = (nil, nil)
        case .istioMutual: (tlsContext, serverName) = (identity?.clientContext, nil)
        case .files(let ca, let cert, let key, let sni):
            tlsContext = FileTLSContexts.shared.context(caCertificates: ca, clientCertificate: cert, privateKey: key)
            serverName = sni ?? (host.socketAddress == nil ? host.address : nil)
        }
        if settings.tls != .none && tlsContext == nil {
            // Nothing to secure the connection with: it fails as a connect failure would.
            cluster.connections.wrappingSubtract(1, ordering: .relaxed)
            let reason =
                settings.tls == .istioMutual
                ? "the cluster wants ISTIO_MUTUAL and this proxy has no workload certificate (--ca or --cert/--key/--root)"
                : "the DestinationRule's TLS files cannot be read"
            if case .failed(let waiter, let again) = failConnect(reason) {
                (waiter as? PoolWaiter)?.poolFailed(.connectFailure(reason))
                if again { openConnection() }
            }
            return
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(settings.connectTimeoutNanos))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(connection)
                }
            }
        let future =
            if let address = host.socketAddress {
                bootstrap.connect(to: address)
            } else {
                bootstrap.connect(host: host.address, port: host.port)
            }
        future.hop(to: eventLoop).whenComplete { result in
            switch result {
            case .success:
                self.cluster.stats.cxTotal.increment()
                self.cluster.stats.cxActive.increment()
                self.host.cxTotal.wrappingAdd(1, ordering: .relaxed)
                self.host.cxActive.wrappingAdd(1, ordering: .relaxed)
                if case .serve(let waiter, let connection) = self.machine.connected(connection) {
                    self.serve(waiter, connection)
                }
            case .failure(let error):
                self.cluster.connections.wrappingSubtract(1, ordering: .relaxed)
                if case .failed(let waiter, let again) = self.failConnect(Self.describe(error)) {
                    (waiter as? PoolWaiter)?.poolFailed(.connectFailure(Self.describe(error)))
                    if again { self.openConnection() }
                }
            }
        }
    }

    enum ConnectOutcome { case failed(AnyObject?, again: Bool) }

    /// Counts a connection that could not be opened; the first waiter is to be told.
    private func failConnect(_ reason: String) -> ConnectOutcome {
        cluster.stats.cxConnectFail.increment()
        host.cxConnectFail.wrappingAdd(1, ordering: .relaxed)
        let (failed, again) = machine.connectFailed(connectionAllowed: connectionAllowed)
        if failed != nil { leftPending() }
        return .failed(failed, again: again)
    }

    /// A connect failure in a few words (`connection refused`, `connection timeout`).
    static func describe(_ error: Error) -> String {
        if let io = error as? IOError { return describe(errno: io.errnoCode) }
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return describe(first.error) }
            if connection.dnsAError != nil || connection.dnsAAAAError != nil { return "cannot resolve \(connection.host)" }
        }
        if case ChannelError.connectTimeout = error { return "connection timeout" }
        return "\(error)"
    }

    static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ETIMEDOUT: "connection timeout"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        case ECONNRESET: "connection reset"
        case EADDRNOTAVAIL: "address not available"
        default: String(cString: strerror(code)).lowercased()
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
