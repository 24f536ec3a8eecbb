import NIOCore

/// A mirrored copy of a request: sent on a pooled connection to the mirror cluster, its
/// answer read and dropped. Nothing about it reaches the client's request.
final class MirrorRequest: UpstreamReceiver, PoolWaiter, @unchecked Sendable {
    let worker: Worker
    let cluster: ClusterRuntime
    let host: UpstreamHost
    let request: ByteBuffer
    let isHead: Bool
    private var status = 0
    private var done = false
    private var connection: UpstreamConnection?
    private var waitingIn: ConnectionPool?
    private var timer: Scheduled<Void>?
    /// A mirror that takes longer than this is given up (its slot is needed).
    static let timeoutNanos: Int64 = 15_000_000_000

    init(worker: Worker, cluster: ClusterRuntime, host: UpstreamHost, request: ByteBuffer, isHead: Bool) {
        self.worker = worker
        self.cluster = cluster
        self.host = host
        self.request = request
        self.isHead = isHead
    }

    func start() {
        worker.mirrorsInFlight += 1
        host.activeRequests.wrappingAdd(1, ordering: .relaxed)
        timer = worker.eventLoop.scheduleTask(in: .nanoseconds(Self.timeoutNanos)) { [self] in
            timer = nil
            connection?.abandon()
            waitingIn?.cancel(self)
            end(counted: true)
        }
        let pool = worker.pool(for: host, cluster: cluster)
        switch pool.acquire(self, cluster: cluster) {
        case .ready(let connection): poolReady(connection)
        case .queued: waitingIn = pool
        case .overflow: end(counted: false)
        }
    }

    func poolReady(_ connection: UpstreamConnection) {
        waitingIn = nil
        guard !done else { return connection.pool.release(connection) }
        self.connection = connection
        connection.attach(self, requestIsHead: isHead)
        cluster.state.stats.rqTotal.increment()
        host.rqTotal.wrappingAdd(1, ordering: .relaxed)
        connection.write(request, flush: true)
    }

    func poolFailed(_ failure: UpstreamFailure) {
        waitingIn = nil
        end(counted: false)
    }
    func upstreamHead(_ head: ResponseHead) { status = head.status }
    func upstreamBody(_ buffer: ByteBuffer) {}
    func upstreamEnd() { end(counted: true) }
    func upstreamFailed(_ failure: UpstreamFailure) { end(counted: true) }
    func upstreamWritabilityChanged(_ writable: Bool) {}

    private func end(counted: Bool) {
        guard !done else { return }
        done = true
        timer?.cancel()
        connection = nil
        worker.mirrorsInFlight -= 1
        host.activeRequests.wrappingSubtract(1, ordering: .relaxed)
        guard counted else { return }
        cluster.state.stats.rqCompleted.increment()
        if status > 0 {
            cluster.state.stats.statusClass(status)?.increment()
            worker.statusStat(cluster.state, status).increment()
        }
        if status >= 500 || status == 0 {
            host.rqError.wrappingAdd(1, ordering: .relaxed)
        } else {
            host.rqSuccess.wrappingAdd(1, ordering: .relaxed)
        }
    }
}
