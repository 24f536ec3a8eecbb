import NIOCore
import NIOPosix

/// meshctl's HTTP/1.1 client for one request at a time (admin APIs, Prometheus, rollout
/// pushes): the proxy's own upstream connection and response parser, with one deadline for
/// the whole exchange and a cap on the answer's size.
public enum HTTPClient {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why a request got no usable answer, in words fit for one line.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// One event loop for every client request of the process.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Sends one request and waits for the whole answer, at most `timeoutNanos` in all
    /// (connecting, sending, and every byte of the answer).
    public static func send(
        _ method: String, host: String, port: Int, path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        timeoutNanos: Int64 = 10_000_000_000, maxBodyBytes: Int = 100 << 20
    ) async throws(Failure) -> Response {
        let loop = group.next()
        let exchange = ClientExchange(loop: loop, maxBodyBytes: maxBodyBytes)
        var request = ByteBufferAllocator().buffer(capacity: 256 + (body?.count ?? 0))
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        request.writeString("\(method) \(path) HTTP/1.1\r\n")
        // A caller's Host (a request through a proxy, for a service) replaces the address's.
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { request.writeString("host: \(authority)\r\n") }
        if !headers.contains(where: { $0.0.lowercased() == "user-agent" }) { request.writeString("user-agent: meshctl\r\n") }
        request.writeString("accept: */*\r\n")
        for (name, value) in headers { request.writeString("\(name): \(value)\r\n") }
        if let body {
            request.writeString("content-length: \(body.count)\r\n\r\n")
            request.writeBytes(body)
        } else {
            request.writeString("\r\n")
        }
        let payload = request
        let future: EventLoopFuture<Response> = loop.flatSubmit {
            exchange.start(host: host, port: port, request: payload, isHead: method == "HEAD", timeoutNanos: timeoutNanos)
        }
        do {
            return try await future.get()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("\(error)")
        }
    }

    /// `send`, for callers that are not asynchronous (it waits on the client's own event loop).
    public static func sendBlocking(
        _ method: String, host: String, port: Int, path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        timeoutNanos: Int64 = 10_000_000_000, maxBodyBytes: Int = 100 << 20
    ) throws(Failure) -> Response {
        let box = ResultBox()
        let done = DispatchSemaphoreLike()
        Task {
            do throws(Failure) {
                box.result = .success(
                    try await send(
                        method, host: host, port: port, path: path, body: body, headers: headers, timeoutNanos: timeoutNanos,
                        maxBodyBytes: maxBodyBytes))
            } catch {
                box.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        switch box.result! {
        case .success(let response): return response
        case .failure(let failure): throw failure
        }
    }

    final class ResultBox: @unchecked Sendable { var result: Result<Response, Failure>? }
}

/// A one-shot semaphore (Dispatch is not imported into this module's public surface).
final class DispatchSemaphoreLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var signalled = false
    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }
    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }
    func signal() {
        pthread_mutex_lock(&mutex)
        signalled = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }
    func wait() {
        pthread_mutex_lock(&mutex)
        while !signalled { pthread_cond_wait(&condition, &mutex) }
        pthread_mutex_unlock(&mutex)
    }
}

/// One client request on its own connection, confined to the client's event loop.
final class ClientExchange: UpstreamReceiver, ConnectionOwner, @unchecked Sendable {
    let loop: EventLoop
    let maxBodyBytes: Int
    private let promise: EventLoopPromise<HTTPClient.Response>
    private var head: ResponseHead?
    private var body: [UInt8] = []
    private var connection: UpstreamConnection?
    private var timer: Scheduled<Void>?
    private var finished = false

    init(loop: EventLoop, maxBodyBytes: Int) {
        self.loop = loop
        self.maxBodyBytes = maxBodyBytes
        self.promise = loop.makePromise()
    }

    func start(host: String, port: Int, request: ByteBuffer, isHead: Bool, timeoutNanos: Int64) -> EventLoopFuture<
        HTTPClient.Response
    > {
        timer = loop.scheduleTask(in: .nanoseconds(timeoutNanos)) { [self] in
            fail("no complete answer within \(Self.seconds(timeoutNanos))")
        }
        let upstream = UpstreamHost(address: host, port: port)
        let connection = UpstreamConnection(host: upstream, pool: self)
        self.connection = connection
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(timeoutNanos))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(connection) }
            }
        let connected =
            upstream.socketAddress.map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: host, port: port)
        connected.whenComplete { [self] result in
            switch result {
            case .success:
                guard !finished else { return connection.close() }
                connection.attach(self, requestIsHead: isHead, decodeChunks: true)
                connection.write(request, flush: true)
            case .failure(let error):
                fail(ConnectionPool.describe(error))
            }
        }
        return promise.futureResult
    }

    static func seconds(_ nanos: Int64) -> String {
        let s = Double(nanos) / 1e9
        return s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }

    private func fail(_ reason: String) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        connection?.abandon()
        promise.fail(HTTPClient.Failure(reason))
    }

    func upstreamHead(_ head: ResponseHead) { self.head = head }

    func upstreamBody(_ buffer: ByteBuffer) {
        guard !finished else { return }
        if body.count + buffer.readableBytes > maxBodyBytes {
            let declared = head?.contentLength.map { " (\($0 >> 20) MiB)" } ?? ""
            return fail("the answer is larger than \(maxBodyBytes >> 20) MiB\(declared); refused")
        }
        body.append(contentsOf: buffer.readableBytesView)
    }

    func upstreamEnd() {
        guard !finished, let head else { return }
        finished = true
        timer?.cancel()
        connection?.close()
        promise.succeed(HTTPClient.Response(status: head.status, headers: head.headers, body: body))
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        switch failure {
        case .protocolError: fail("the answer is not HTTP (\(failure.reason))")
        default: fail("the connection closed before a complete answer")
        }
    }

    func upstreamWritabilityChanged(_ writable: Bool) {}
    func release(_ connection: UpstreamConnection) { connection.close() }
    func connectionClosed(_ connection: UpstreamConnection) {}
}

#if canImport(Glibc)
    import Glibc
#endif
