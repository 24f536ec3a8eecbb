import MeshProxy
import MeshYAML
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small Zipkin v2 collector, for a machine without Zipkin or Jaeger: it takes the spans
/// proxies post (`POST /api/v2/spans`, a JSON list) and answers Zipkin's read API for them
/// (`GET /api/v2/traces`, `/api/v2/trace/ID`, `/api/v2/services`), so whatever reads a Zipkin
/// (`meshctl x traces list`, a script) reads this too. Everything is kept in memory, bounded:
/// the oldest traces go first.
public final class TraceCollector: Sendable {
    /// The spans of one trace, in arrival order, and when the trace was last added to.
    struct Trace {
        var spans: [JSONValue]
        var touched: Int
    }

    struct Store {
        var traces: [String: Trace] = [:]
        var clock = 0
        var spans = 0
        var dropped = 0
    }

    public let maxTraces: Int
    public let maxSpansPerTrace: Int
    public static let maxBodyBytes = 16 << 20
    let store = Mutex(Store())
    let group: MultiThreadedEventLoopGroup
    let channel = Mutex<Channel?>(nil)

    public init(maxTraces: Int = 1000, maxSpansPerTrace: Int = 1000) {
        self.maxTraces = maxTraces
        self.maxSpansPerTrace = maxSpansPerTrace
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// The spans received so far, and those dropped at the bounds.
    public var counts: (spans: Int, dropped: Int) { store.withLock { ($0.spans, $0.dropped) } }

    /// Binds `host:port` (0: any free port) and returns the bound address as `HOST:PORT`.
    public func start(host: String, port: Int) async throws -> String {
        let bound = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(CollectorHandler(collector: self))
                }
            }
            .bind(host: host, port: port).get()
        channel.withLock { $0 = bound }
        return ProxyServer.text(bound.localAddress) ?? "\(host):\(port)"
    }

    public func stop() async {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
        try? await group.shutdownGracefully()
    }

    // MARK: The API

    /// Takes a Zipkin v2 JSON list of spans; a problem is returned as a one-line message.
    public func receive(_ body: [UInt8]) -> String? {
        let document: JSONValue
        do {
            let file = try YAMLLoader.load(body, path: "spans", limits: YAMLLimits(maxAliasExpansion: 0, maxDepth: 64))
            guard let root = file.documents.first else { return "an empty body: expected a JSON list of spans" }
            document = file.jsonValue(root)
        } catch {
            return "not valid JSON at \(error.mark.line):\(error.mark.column): \(error.message)"
        }
        guard let spans = document.array else { return "expected a JSON list of Zipkin v2 spans" }
        for (index, span) in spans.enumerated() {
            guard let trace = span["traceId"]?.string, Self.isHex(trace, 16, 32), let id = span["id"]?.string,
                Self.isHex(id, 16, 16)
            else {
                return "span \(index) has no valid traceId (16 or 32 hex digits) and id (16 hex digits)"
            }
            if let problem = Self.problem(in: span) { return "span \(index): \(problem)" }
        }
        store.withLock { store in
            for span in spans {
                let key = Self.normalized(span["traceId"]!.string!)
                store.clock += 1
                var trace = store.traces[key] ?? Trace(spans: [], touched: 0)
                guard trace.spans.count < maxSpansPerTrace else {
                    store.dropped += 1
                    continue
                }
                trace.spans.append(span)
                trace.touched = store.clock
                store.traces[key] = trace
                store.spans += 1
            }
            if store.traces.count > maxTraces {
                let oldest = store.traces.sorted { $0.value.touched < $1.value.touched }.prefix(store.traces.count - maxTraces)
                for (key, trace) in oldest {
                    store.dropped += trace.spans.count
                    store.traces[key] = nil
                }
            }
        }
        return nil
    }

    /// Zipkin's `GET /api/v2/traces`: the latest traces first, each a list of spans; only those
    /// with a span of `service` when it is given.
    public func traces(service: String?, limit: Int) -> JSONValue {
        let picked = store.withLock { store in
            store.traces.values.sorted { $0.touched > $1.touched }
                .filter { trace in service.map { name in trace.spans.contains { Self.service(of: $0) == name } } ?? true }
                .prefix(limit).map(\.spans)
        }
        return .array(picked.map { .array($0) })
    }

    /// Zipkin's `GET /api/v2/trace/ID`.
    public func trace(_ id: String) -> JSONValue? {
        store.withLock { $0.traces[Self.normalized(id)] }.map { .array($0.spans) }
    }

    /// Zipkin's `GET /api/v2/services`.
    public func services() -> JSONValue {
        let names = store.withLock { store in
            Set(store.traces.values.flatMap { $0.spans.compactMap(Self.service(of:)) })
        }
        return .array(names.sorted().map { .string($0) })
    }

    static func service(of span: JSONValue) -> String? { span["localEndpoint"]?["serviceName"]?.string?.lowercased() }

    /// What a span has in the wrong shape for Zipkin's v2 model, if anything.
    static func problem(in span: JSONValue) -> String? {
        for field in ["timestamp", "duration"] {
            guard let value = span[field] else { continue }
            guard case .int(let number) = value, number >= 0 else {
                return "\(field) must be a whole number of microseconds, not negative"
            }
        }
        if let parent = span["parentId"], parent.string.map({ isHex($0, 16, 16) }) != true {
            return "parentId must be 16 hex digits"
        }
        for field in ["localEndpoint", "remoteEndpoint"] {
            if let value = span[field], value.object == nil { return "\(field) must be an object" }
        }
        if let tags = span["tags"] {
            guard let fields = tags.object, fields.allSatisfy({ $0.1.string != nil }) else {
                return "tags must be an object of strings"
            }
        }
        return nil
    }

    /// A 64-bit trace id and the same id padded to 128 bits are one trace, as in Zipkin.
    static func normalized(_ id: String) -> String {
        let lower = id.lowercased()
        return lower.count == 16 ? String(repeating: "0", count: 16) + lower : lower
    }

    static func isHex(_ text: String, _ shortest: Int, _ longest: Int) -> Bool {
        (shortest...longest).contains(text.utf8.count) && text.utf8.allSatisfy { $0.isHexDigit }
    }

    /// Answers one request: (status, JSON or text body).
    func answer(method: HTTPMethod, uri: String, body: [UInt8]) -> (HTTPResponseStatus, String) {
        let (path, query) = RequestTarget.split(uri)
        switch (method, path) {
        case (.POST, "/api/v2/spans"):
            if let problem = receive(body) { return (.badRequest, problem + "\n") }
            return (.accepted, "")
        case (.GET, "/api/v2/traces"):
            var limit = 10
            if let given = query["limit"] {
                guard let number = Int(given), number > 0 else {
                    return (.badRequest, "limit must be a whole number from 1 up\n")
                }
                limit = number
            }
            return (.ok, traces(service: query["serviceName"]?.lowercased(), limit: limit).json(pretty: false))
        case (.GET, "/api/v2/services"):
            return (.ok, services().json(pretty: false))
        case (.GET, "/health"):
            return (.ok, "{\"status\": \"UP\"}")
        case (.GET, _) where path.hasPrefix("/api/v2/trace/"):
            let id = String(path.dropFirst("/api/v2/trace/".count))
            guard let trace = trace(id) else { return (.notFound, "trace \(id) not found\n") }
            return (.ok, trace.json(pretty: false))
        case (_, "/api/v2/spans"), (_, "/api/v2/traces"), (_, "/api/v2/services"):
            return (.methodNotAllowed, "\(method) is not allowed on \(path)\n")
        default:
            return (.notFound, "no such endpoint: \(path) (this collector answers POST /api/v2/spans, GET /api/v2/traces)\n")
        }
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}

/// Reads one request whole (up to the body limit) and writes the collector's answer.
final class CollectorHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let collector: TraceCollector
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(collector: TraceCollector) { self.collector = collector }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.removeAll(keepingCapacity: true)
            tooLarge = false
        case .body(let part):
            guard !tooLarge else { return }
            if body.count + part.readableBytes > TraceCollector.maxBodyBytes {
                tooLarge = true
                body = []
            } else {
                body += part.readableBytesView
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let (status, text) =
                tooLarge
                ? (HTTPResponseStatus.payloadTooLarge, "a body larger than \(TraceCollector.maxBodyBytes >> 20) MiB\n")
                : collector.answer(method: head.method, uri: head.uri, body: body)
            var headers = HTTPHeaders()
            headers.add(
                name: "content-type", value: text.hasPrefix("{") || text.hasPrefix("[") ? "application/json" : "text/plain")
            headers.add(name: "content-length", value: String(text.utf8.count))
            if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if !text.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            }
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
