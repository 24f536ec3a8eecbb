import MeshRouting
import NIOCore
import NIOPosix

/// A TCP (or unopened TLS) connection forwarded to where the route table's `tcp`/`tls` routes
/// send it: Envoy's tcp_proxy. Bytes are relayed both ways as they come, each side held back
/// while the other cannot take more; the cluster's connection limit and outlier detection
/// apply as they do to HTTP.
final class TCPForwarder: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let worker: Worker
    let cluster: ClusterRuntime
    let host: UpstreamHost
    private var context: ChannelHandlerContext?
    private var upstream: TCPUpstream?
    private var pending: [ByteBuffer] = []
    private var readsPaused = false
    private var readPending = false
    private var closed = false

    init(worker: Worker, cluster: ClusterRuntime, host: UpstreamHost) {
        self.worker = worker
        self.cluster = cluster
        self.host = host
    }

    /// Decides where a connection to service port `port` (with a TLS server name, if any)
    /// goes; nil when it is refused (no route, registry-only, no host, a breaker).
    static func make(worker: Worker, port: Int?, sni: String?, channel: Channel) -> TCPForwarder? {
        let snapshot = worker.snapshot
        let servicePort = port ?? (sni != nil ? 443 : 0)
        guard servicePort > 0 else { return nil }
        // Without an original destination address, a port that only one service's listener
        // takes is for that service (on a sidecar, its address would say so).
        let listeners = snapshot.table.tcpListeners.filter { $0.port == servicePort }
        let address = listeners.count == 1 && !listeners[0].isWildcard ? listeners[0].address : nil
        let request = TCPRequest(port: servicePort, destinationIP: address, sni: sni, host: sni, tls: sni != nil)
        let decision = snapshot.table.decideTCP(request, random: &worker.random)
        let cluster: ClusterRuntime
        let host: UpstreamHost
        switch decision.kind {
        case .forward:
            guard let target = decision.target, let runtime = snapshot.cluster(for: target), runtime.failure == nil,
                let chosen = runtime.pick(random: &worker.random, exclude: [], hashKey: nil)
            else { return nil }
            (cluster, host) = (runtime, chosen)
        case .passthrough:
            // Without an original destination, only a TLS server name says where to go.
            guard let sni else { return nil }
            (cluster, host) = (snapshot.passthrough, worker.passthroughHost(sni, port: servicePort))
        case .blackhole, .unavailable, .noListener, .noRoute:
            return nil
        }
        let state = cluster.state
        if state.connections.load(ordering: .relaxed) >= cluster.settings.maxConnections {
            state.stats.cxOverflow.increment()
            return nil
        }
        return TCPForwarder(worker: worker, cluster: cluster, host: host)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        connect(context)
        context.fireChannelActive()
    }

    private func connect(_ context: ChannelHandlerContext) {
        let state = cluster.state
        state.connections.wrappingAdd(1, ordering: .relaxed)
        let upstream = TCPUpstream(forwarder: self)
        self.upstream = upstream
        let bootstrap = ClientBootstrap(group: context.eventLoop)
            .connectTimeout(.nanoseconds(cluster.settings.connectTimeoutNanos))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(upstream) }
            }
        let connected =
            host.socketAddress.map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: host.address, port: host.port)
        connected.hop(to: context.eventLoop).whenComplete { [self] result in
            switch result {
            case .success:
                state.stats.cxTotal.increment()
                state.stats.cxActive.increment()
                host.cxTotal.wrappingAdd(1, ordering: .relaxed)
                host.cxActive.wrappingAdd(1, ordering: .relaxed)
                upstreamConnected()
            case .failure:
                state.connections.wrappingSubtract(1, ordering: .relaxed)
                state.stats.cxConnectFail.increment()
                host.cxConnectFail.wrappingAdd(1, ordering: .relaxed)
                // A connect failure counts toward the host's ejection, as a local-origin error does.
                cluster.recordOutcome(host, error: true, gateway: true)
                self.upstream = nil
                close()
            }
        }
    }

    private func upstreamConnected() {
        guard let upstream, !closed else {
            self.upstream?.close()
            return
        }
        cluster.recordOutcome(host, error: false, gateway: false)
        for buffer in pending { upstream.write(buffer) }
        pending.removeAll()
        upstream.flush()
        setReadsPaused(!upstream.isWritable)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let upstream, upstream.isConnected else {
            pending.append(buffer)
            if pending.reduce(0, { $0 + $1.readableBytes }) > 1 << 20 { setReadsPaused(true) }
            return
        }
        upstream.write(buffer)
        upstream.flush()
        if !upstream.isWritable { setReadsPaused(true) }
    }

    /// Bytes from the upstream, for the client.
    func fromUpstream(_ buffer: ByteBuffer) {
        guard let context, !closed else { return }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        if !context.channel.isWritable { upstream?.pauseReads(true) }
    }

    func upstreamWritabilityChanged(_ writable: Bool) { setReadsPaused(!writable) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        upstream?.pauseReads(!context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func upstreamClosed() {
        cluster.state.connections.wrappingSubtract(1, ordering: .relaxed)
        cluster.state.stats.cxActive.decrement()
        cluster.state.stats.cxDestroy.increment()
        host.cxActive.wrappingSubtract(1, ordering: .relaxed)
        upstream = nil
        close()
    }

    private func setReadsPaused(_ paused: Bool) {
        guard paused != readsPaused else { return }
        readsPaused = paused
        if !paused && readPending {
            readPending = false
            context?.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        upstream?.close()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { close() }

    func close() {
        guard let context, !closed else { return }
        closed = true
        context.flush()
        context.close(promise: nil)
        upstream?.close()
    }
}

/// The upstream side of a forwarded TCP connection.
final class TCPUpstream: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    unowned(unsafe) let forwarder: TCPForwarder
    private var context: ChannelHandlerContext?
    private var readsPaused = false
    private var readPending = false
    private(set) var isConnected = false
    private var closed = false

    init(forwarder: TCPForwarder) { self.forwarder = forwarder }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        isConnected = true
        context.fireChannelActive()
    }

    func write(_ buffer: ByteBuffer) { context?.write(wrapOutboundOut(buffer), promise: nil) }
    func flush() { context?.flush() }

    func close() {
        guard !closed else { return }
        closed = true
        context?.flush()
        context?.close(promise: nil)
    }

    func pauseReads(_ paused: Bool) {
        guard paused != readsPaused else { return }
        readsPaused = paused
        if !paused && readPending {
            readPending = false
            context?.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { forwarder.fromUpstream(unwrapInboundIn(data)) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        forwarder.upstreamWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        if isConnected { forwarder.upstreamClosed() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { close() }
}
