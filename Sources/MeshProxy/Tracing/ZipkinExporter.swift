import Logging
import MeshYAML
import NIOCore
import Synchronization

/// One finished span, as the proxy records it: plain values, formatted only when exported.
struct Span: Sendable {
    var traceHigh: UInt64
    var traceLow: UInt64
    var id: UInt64
    var parent: UInt64?
    var name: String
    var startMicros: Int64
    var durationMicros: Int64
    var method: String
    var url: String
    var status: Int
    var cluster: String
    var flags: String
    var requestID: String
    var upstream: String?

    /// Zipkin v2 JSON (which Jaeger's Zipkin endpoint also accepts).
    func json(service: String) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("traceId", .string(TraceContext.hex(traceHigh) + TraceContext.hex(traceLow))),
            ("id", .string(TraceContext.hex(id))),
        ]
        if let parent { fields.append(("parentId", .string(TraceContext.hex(parent)))) }
        fields += [
            ("name", .string(name)),
            ("kind", "CLIENT"),
            ("timestamp", .int(startMicros)),
            ("duration", .int(max(durationMicros, 1))),
            ("localEndpoint", ["serviceName": .string(service)]),
        ]
        var tags: [(String, JSONValue)] = [
            ("http.method", .string(method)),
            ("http.url", .string(url)),
            ("http.status_code", .string(String(status))),
            ("upstream_cluster", .string(cluster)),
            ("response_flags", .string(flags)),
            ("guid:x-request-id", .string(requestID)),
            ("component", "proxy"),
        ]
        if let upstream { tags.append(("upstream_address", .string(upstream))) }
        if status >= 500 || status == 0 { tags.append(("error", "true")) }
        fields.append(("tags", .object(tags)))
        return .object(fields)
    }
}

/// Sends finished spans to a Zipkin collector in batches, off the request path: requests only
/// append to a bounded queue; a timer on the admin event loop posts what has gathered. When the
/// collector is slow or down, the queue stays bounded: spans beyond it are dropped and counted.
public final class ZipkinExporter: Sendable {
    let host: String
    let port: Int
    let path: String
    let service: String
    let maxQueued: Int
    private let queue = Mutex<[Span]>([])
    /// A batch is being posted: the next waits for it.
    private let posting = Atomic<Bool>(false)
    let spansSent: Stat
    let spansDropped: Stat
    let reportsSent: Stat
    let reportsFailed: Stat
    let logger: Logger
    /// Failed reports in a row: the first of a run is logged, and the first success after.
    private let failing = Atomic<Int>(0)

    /// `url` is the collector's span endpoint, e.g. `http://127.0.0.1:9411/api/v2/spans`.
    public init(
        url: String, service: String, stats: StatStore, maxQueued: Int = 10_000, logger: Logger = Logger(label: "meshctl.proxy")
    ) throws(ProxyServer.StartError) {
        guard let parsed = Self.parse(url) else {
            throw ProxyServer.StartError(description: "--zipkin '\(url)' is not an http:// URL with a host")
        }
        (host, port, path) = parsed
        self.service = service
        self.maxQueued = maxQueued
        spansSent = stats.counter("tracing.zipkin.spans_sent")
        spansDropped = stats.counter("tracing.zipkin.spans_dropped")
        reportsSent = stats.counter("tracing.zipkin.reports_sent")
        reportsFailed = stats.counter("tracing.zipkin.reports_failed")
        self.logger = logger
    }

    /// `http://host[:port][/path]` → its parts (path defaults to Zipkin's `/api/v2/spans`).
    public static func parse(_ url: String) -> (String, Int, String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var path = String(rest[slash...])
        if path.isEmpty || path == "/" { path = "/api/v2/spans" }
        var host = Substring(authority)
        var port = 9411
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
            host = authority[..<colon]
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return host.isEmpty ? nil : (String(host), port, path)
    }

    /// Queues a finished span (never blocks beyond a short lock).
    func record(_ span: Span) {
        let kept = queue.withLock { queued -> Bool in
            guard queued.count < maxQueued else { return false }
            queued.append(span)
            return true
        }
        if !kept { spansDropped.increment() }
    }

    /// Posts what has gathered, unless a post is still out.
    func flush() {
        guard !posting.load(ordering: .relaxed) else { return }
        let batch = queue.withLock { queued -> [Span] in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        guard !batch.isEmpty else { return }
        posting.store(true, ordering: .relaxed)
        let body = Array(JSONValue.array(batch.map { $0.json(service: service) }).json(pretty: false).utf8)
        Task {
            defer { posting.store(false, ordering: .relaxed) }
            do {
                let answer = try await HTTPClient.send(
                    "POST", host: host, port: port, path: path, body: body, headers: [("content-type", "application/json")],
                    timeoutNanos: 5_000_000_000, maxBodyBytes: 1 << 20)
                if (200..<300).contains(answer.status) {
                    reportsSent.increment()
                    spansSent.increment(by: Int64(batch.count))
                    if failing.exchange(0, ordering: .relaxed) > 0 {
                        logger.info("spans reach the Zipkin collector at \(host):\(port) again")
                    }
                    return
                }
                reportFailed(batch.count, "it answered \(answer.status)")
            } catch {
                reportFailed(batch.count, "\(error)")
            }
        }
    }

    private func reportFailed(_ spans: Int, _ why: String) {
        reportsFailed.increment()
        spansDropped.increment(by: Int64(spans))
        if failing.wrappingAdd(1, ordering: .relaxed).oldValue == 0 {
            logger.warning(
                "cannot send spans to the Zipkin collector at \(host):\(port)\(path): \(why); they are dropped (tracing.zipkin.spans_dropped) until it answers"
            )
        }
    }
}
