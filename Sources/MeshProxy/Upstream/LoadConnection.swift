import NIOCore
import NIOPosix

/// Who hears how each request on a `LoadConnection` ended. Called on the connection's event loop.
public protocol LoadConnectionDelegate: AnyObject {
    /// The answer to the request sent last is complete.
    func loadConnection(_ connection: LoadConnection, answered status: Int, bodyBytes: Int)
    /// The request sent last got no complete answer (no connection, a reset, not HTTP).
    func loadConnection(_ connection: LoadConnection, failed reason: String)
}

/// One keep-alive HTTP/1.1 client connection for a load generator: the proxy's own upstream
/// connection and response parser, sending pre-framed request bytes one at a time and
/// reconnecting when the server closes. Confined to one event loop, which every call must be on.
/// Its delegate must outlive it (it is not retained).
public final class LoadConnection: UpstreamReceiver, ConnectionOwner, @unchecked Sendable {
    public let loop: EventLoop
    let target: UpstreamHost
    let connectTimeout: TimeAmount
    /// Not retained: the delegate owns the connection and outlives it.
    private unowned(unsafe) let delegate: LoadConnectionDelegate
    private var upstream: UpstreamConnection?
    private var status = 0
    private var bodyBytes = 0
    private var reusable = false
    /// Connections opened, the first included.
    public private(set) var connects = 0

    public init(
        host: String, port: Int, loop: EventLoop, delegate: LoadConnectionDelegate, connectTimeout: TimeAmount = .seconds(10)
    ) {
        self.loop = loop
        self.target = UpstreamHost(address: host, port: port)
        self.delegate = delegate
        self.connectTimeout = connectTimeout
    }

    /// Sends one request (its whole bytes); the delegate hears how it ended. Connects first when
    /// there is no open connection.
    public func send(_ request: ByteBuffer, isHead: Bool = false) {
        loop.assertInEventLoop()
        status = 0
        bodyBytes = 0
        reusable = false
        // Every way a connection ends clears `upstream`, so one that is set is open.
        if let upstream {
            upstream.attach(self, requestIsHead: isHead, decodeChunks: true)
            upstream.write(request, flush: true)
            return
        }
        connect(then: request, isHead: isHead)
    }

    /// Closes the connection; a request in flight is abandoned without a word to the delegate,
    /// and the next `send` connects again.
    public func close() {
        upstream?.abandon()
        upstream = nil
    }

    private func connect(then request: ByteBuffer, isHead: Bool) {
        let connection = UpstreamConnection(host: target, pool: self)
        upstream = connection
        connects += 1
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(connection) }
            }
        let future =
            target.socketAddress.map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: target.address, port: target.port)
        future.hop(to: loop).whenComplete { [self] result in
            guard upstream === connection else {
                if case .success(let channel) = result { channel.close(promise: nil) }
                return
            }
            switch result {
            case .success:
                connection.attach(self, requestIsHead: isHead, decodeChunks: true)
                connection.write(request, flush: true)
            case .failure(let error):
                upstream = nil
                delegate.loadConnection(self, failed: ConnectionPool.describe(error))
            }
        }
    }

    func upstreamHead(_ head: ResponseHead) { status = head.status }

    func upstreamBody(_ buffer: ByteBuffer) { bodyBytes += buffer.readableBytes }

    func upstreamEnd() {
        // Not released back: the server closes after this answer; the next request reconnects.
        if !reusable { upstream = nil }
        delegate.loadConnection(self, answered: status, bodyBytes: bodyBytes)
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        upstream = nil
        delegate.loadConnection(self, failed: failure.reason)
    }

    func upstreamWritabilityChanged(_ writable: Bool) {}

    func release(_ connection: UpstreamConnection) { reusable = connection === upstream }

    func connectionClosed(_ connection: UpstreamConnection) {
        if connection === upstream && connection.receiver == nil { upstream = nil }
    }
}
