import MeshProxy
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A service that answers like the Istio tutorial's: `recommendation v1 from 'HOST': 3`, the
/// number its running count of requests. It can play a misbehaving version (a fixed status, a
/// share of 503s, a delay) and reports what reached it in response headers, so a test or a
/// person can see what the proxy sent.
///
/// Paths, beside the tutorial answer on every other path:
/// - `/status/CODE` answers with that status (a CODE outside 200–599 gets a 400 saying so);
/// - `/bytes/N` streams N bytes (chunked; an N that is not a count gets a 400);
/// - `/upload` reads the request body and answers with its length;
/// - `/echo` answers with the request's headers, one per line;
/// - `/misbehave` makes every later answer a 503, `/behave` undoes it (as the tutorial's v2).
///
/// With a `call`, it plays a service in the middle of a chain, as the tutorial's customer and
/// preference do: it calls the next service through its sidecar proxy and answers
/// `customer => preference => recommendation v1 from '...': 3`, or
/// `customer => Error: 503 - ...` when the next service fails. It passes the tutorial's
/// headers on: `user-agent` as `baggage-user-agent`, `user-preference`, `x-request-id` and the
/// trace context (`traceparent`, `tracestate`, B3).
public final class DemoBackend: Sendable {
    /// The next service in a chain: its authority (`preference:8080`), reached through a proxy.
    public struct Call: Sendable {
        public var authority: String
        public var proxyHost: String
        public var proxyPort: Int
        public init(authority: String, proxyHost: String, proxyPort: Int) {
            self.authority = authority
            self.proxyHost = proxyHost
            self.proxyPort = proxyPort
        }
    }

    public struct Behaviour: Sendable {
        public var name: String
        public var version: String
        /// Every answer has this status.
        public var status: Int?
        /// This share (0–1) of answers is 503.
        public var failRate: Double = 0
        /// Each answer waits this long.
        public var delayNanos: Int64 = 0
        /// The next service to call before answering.
        public var call: Call?
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public let behaviour: Behaviour
    let group: MultiThreadedEventLoopGroup
    let count = Atomic<Int>(0)
    let random = Mutex(UInt64(0x9E37_79B9_7F4A_7C15))
    private let channel = Mutex<Channel?>(nil)

    public init(_ behaviour: Behaviour, threads: Int = 1) {
        self.behaviour = behaviour
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }

    public var requestCount: Int { count.load(ordering: .relaxed) }

    let arrivals = Atomic<Int>(0)
    /// Requests read whole so far, answered or not (a delayed answer counts in `requestCount`
    /// only once it is sent).
    public var requestsArrived: Int { arrivals.load(ordering: .relaxed) }

    let misbehaving = Atomic<Bool>(false)
    let extraDelay = Atomic<Int64>(0)

    /// Makes every answer a 503 (true), or restores the normal behaviour.
    public func misbehave(_ on: Bool) { misbehaving.store(on, ordering: .relaxed) }

    /// Adds a wait before each answer (0 removes it), beside the behaviour's own delay.
    public func slowDown(nanos: Int64) { extraDelay.store(max(nanos, 0), ordering: .relaxed) }
    let seenHost = Mutex<String?>(nil)
    /// The Host header of the latest request.
    public var lastHost: String? { seenHost.withLock { $0 } }

    /// Binds `host:port` (0: any free port) and returns the bound address as `HOST:PORT`.
    @discardableResult
    public func start(host: String, port: Int) async throws -> String {
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(DemoHandler(backend: self))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLock { $0 = bound }
        return ProxyServer.text(bound.localAddress) ?? "\(host):\(port)"
    }

    /// A bind error in a few words.
    public static func describe(_ error: Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "address already in use"
            case EADDRNOTAVAIL: return "no interface of this machine has that address"
            case EACCES: return "permission denied (ports below 1024 need privileges)"
            default: return "\(String(cString: strerror(io.errnoCode))) (errno \(io.errnoCode))"
            }
        }
        if let unknown = error as? SocketAddressError.UnknownHost { return "cannot resolve \(unknown.host)" }
        return "\(error)"
    }

    public func stop() async {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
        try? await group.shutdownGracefully()
    }

    /// Whether this answer should fail, drawn from `failRate`.
    func shouldFail() -> Bool {
        guard behaviour.failRate > 0 else { return false }
        let draw = random.withLock { state -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Double(draw >> 11) * 0x1p-53 < behaviour.failRate
    }
}

final class DemoHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let backend: DemoBackend
    private var head: HTTPRequestHead?
    private var bodyBytes = 0

    init(backend: DemoBackend) { self.backend = backend }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            bodyBytes = 0
        case .body(let part):
            bodyBytes += part.readableBytes
        case .end:
            guard let head else { return }
            self.head = nil
            backend.arrivals.add(1, ordering: .relaxed)
            let delay = backend.behaviour.delayNanos + backend.extraDelay.load(ordering: .relaxed)
            if delay > 0 {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let body = bodyBytes
                context.eventLoop.scheduleTask(in: .nanoseconds(delay)) {
                    let (handler, context) = bound.value
                    handler.respond(context, head, bodyBytes: body)
                }
            } else {
                respond(context, head, bodyBytes: bodyBytes)
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, bodyBytes: Int) {
        guard context.channel.isActive else { return }
        let n = backend.count.wrappingAdd(1, ordering: .relaxed).newValue
        let b = backend.behaviour
        let path = head.uri.split(separator: "?").first.map(String.init) ?? "/"
        let host = head.headers["host"].first ?? ""
        backend.seenHost.withLock { $0 = host }
        var status = HTTPResponseStatus(statusCode: b.status ?? 200)
        if backend.shouldFail() || backend.misbehaving.load(ordering: .relaxed) { status = .serviceUnavailable }
        var body = "\(b.name) \(b.version) from '\(localName(context))': \(n)\n"
        if path == "/misbehave" || path == "/behave" {
            backend.misbehave(path == "/misbehave")
            status = .ok
            body = "\(b.name) \(b.version): \(path == "/misbehave" ? "every answer is now a 503" : "back to normal")\n"
        } else if let call = b.call, status == .ok, !path.hasPrefix("/status/"), path != "/echo", path != "/upload",
            !path.hasPrefix("/bytes/")
        {
            return forward(context, head, to: call)
        } else if status != .ok && b.call != nil {
            body = "\(b.name) => Error: \(status.code) - \(b.name) \(b.version) is failing\n"
        } else if path.hasPrefix("/status/"), let code = Int(path.dropFirst(8)), code >= 200 && code < 600 {
            status = HTTPResponseStatus(statusCode: code)
        } else if path == "/upload" {
            body = "\(bodyBytes)\n"
        } else if path == "/echo" {
            body = head.headers.map { "\($0.name.lowercased()): \($0.value)\n" }.joined()
        } else if path.hasPrefix("/bytes/"), let size = Int(path.dropFirst(7)), size >= 0 {
            return stream(context, head, size: size, status: status)
        } else if path.hasPrefix("/status/") {
            status = .badRequest
            body = "\(b.name) \(b.version): /status/CODE takes a status from 200 to 599, got '\(path.dropFirst(8))'\n"
        } else if path.hasPrefix("/bytes/") {
            status = .badRequest
            body = "\(b.name) \(b.version): /bytes/N takes a number of bytes from 0 up, got '\(path.dropFirst(7))'\n"
        }
        answer(context, head, status: status, body: body)
    }

    private func answer(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: HTTPResponseStatus, body: String) {
        guard context.channel.isActive else { return }
        var headers = seenHeaders(head, host: head.headers["host"].first ?? "")
        headers.add(name: "content-type", value: "text/plain")
        headers.add(name: "content-length", value: String(body.utf8.count))
        if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil) }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        // A client that asked to close gets the connection closed after its answer.
        if !head.isKeepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Calls the next service through the proxy and answers with its answer after this
    /// service's name, as the tutorial's services do.
    private func forward(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, to call: DemoBackend.Call) {
        var headers: [(String, String)] = [("host", call.authority)]
        if let agent = head.headers["user-agent"].first, head.headers["baggage-user-agent"].isEmpty {
            headers.append(("baggage-user-agent", agent))
        }
        for name in Self.propagated {
            for value in head.headers[name] { headers.append((name, value)) }
        }
        let name = backend.behaviour.name
        let uri = head.uri
        let sent = headers
        let promise = context.eventLoop.makePromise(of: (Int, String).self)
        promise.completeWithTask {
            do {
                let answer = try await HTTPClient.send(
                    "GET", host: call.proxyHost, port: call.proxyPort, path: uri, headers: sent, timeoutNanos: 30_000_000_000)
                let text = answer.text.hasSuffix("\n") ? String(answer.text.dropLast()) : answer.text
                if answer.status == 200 { return (200, "\(name) => \(text)\n") }
                return (answer.status, "\(name) => Error: \(answer.status) - \(text)\n")
            } catch {
                return (503, "\(name) => Error: 503 - \(error)\n")
            }
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { status, body in
            let (handler, context) = bound.value
            handler.answer(context, head, status: HTTPResponseStatus(statusCode: status), body: body)
        }
    }

    /// The headers a tutorial service passes on to the next one.
    static let propagated = [
        "baggage-user-agent", "user-preference", "x-request-id", "traceparent", "tracestate", "b3", "x-b3-traceid",
        "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags",
    ]

    private func seenHeaders(_ head: HTTPRequestHead, host: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "x-seen-host", value: host)
        headers.add(name: "x-seen-path", value: head.uri)
        headers.add(name: "x-seen-method", value: head.method.rawValue)
        if let id = head.headers["x-request-id"].first { headers.add(name: "x-seen-request-id", value: id) }
        headers.add(name: "x-demo-version", value: backend.behaviour.version)
        return headers
    }

    /// `/bytes/N`: N bytes in 64 KiB chunks, written as the client takes them.
    private func stream(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, size: Int, status: HTTPResponseStatus) {
        var headers = seenHeaders(head, host: head.headers["host"].first ?? "")
        headers.add(name: "content-type", value: "application/octet-stream")
        headers.add(name: "transfer-encoding", value: "chunked")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        @Sendable func next(_ remaining: Int) {
            let (handler, context) = bound.value
            guard context.channel.isActive else { return }
            if remaining == 0 {
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            let n = min(remaining, chunk.readableBytes)
            let write = context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(chunk.getSlice(at: 0, length: n)!))))
            write.whenSuccess { next(remaining - n) }
        }
        next(size)
    }

    private func localName(_ context: ChannelHandlerContext) -> String {
        ProxyServer.text(context.channel.localAddress) ?? backend.behaviour.name
    }
}
