import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@testable import MeshProxy

/// A Zipkin collector on loopback that keeps the span batches posted to it.
final class SpanCollector: @unchecked Sendable {
    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let collector: SpanCollector
        var body = ByteBuffer()
        init(collector: SpanCollector) { self.collector = collector }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: body.clear()
            case .body(var part): body.writeBuffer(&part)
            case .end:
                collector.received(String(buffer: body))
                let head = HTTPResponseHead(version: .http1_1, status: .accepted, headers: ["content-length": "0"])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var channel: Channel?
    private let lock = NSLock()
    private var spans: [[String: Any]] = []

    init() async throws {
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(Handler(collector: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var url: String { "http://127.0.0.1:\(channel!.localAddress!.port!)/api/v2/spans" }

    func received(_ body: String) {
        let batch = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? []
        lock.withLock { spans += batch }
    }

    var all: [[String: Any]] { lock.withLock { spans } }

    func stop() async {
        try? await channel?.close()
        try? await group.shutdownGracefully()
    }
}

@Suite struct TracingTests {
    @Test func contextsAreReadFromW3CAndB3() {
        let w3c = TraceContext.parse(traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        #expect(w3c?.traceID == "0af7651916cd43dd8448eb211c80319c")
        #expect(w3c?.parent == 0xb7ad_6b71_6920_3331)
        #expect(w3c?.sampled == true)
        #expect(TraceContext.parse(traceparent: "00-00000000000000000000000000000000-b7ad6b7169203331-01") == nil)
        let single = TraceContext.parse(
            b3: "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0", traceID: nil, spanID: nil, sampled: nil)
        #expect(single?.traceID == "80f198ee56343ba864fe8b2a57d3eff7")
        #expect(single?.sampled == false)
        let multi = TraceContext.parse(b3: nil, traceID: "463ac35c9f6413ad", spanID: "a2fb4a1d1a96d312", sampled: "1")
        #expect(multi?.traceID == "0000000000000000463ac35c9f6413ad")
    }

    @Test func spansJoinTheCallersTraceAndReachTheCollector() async throws {
        let collector = try await SpanCollector()
        let proxy = try await ProxyHarness.start([.init("v1")], configure: { $0.zipkin = collector.url })
        defer {
            Task {
                await proxy.stop()
                await collector.stop()
            }
        }
        let traceID = "0af7651916cd43dd8448eb211c80319c"
        let echoed = try await proxy.send(
            "/echo", headers: [("traceparent", "00-\(traceID)-b7ad6b7169203331-01"), ("tracestate", "vendor=x")])
        // The upstream sees the same trace with this proxy's span as its parent, and the state untouched.
        let line = echoed.text.split(separator: "\n").first { $0.hasPrefix("traceparent: ") }.map(String.init) ?? ""
        let parts = line.dropFirst(13).split(separator: "-")
        #expect(parts.count == 4 && parts[1] == traceID)
        #expect(parts.count == 4 && parts[2] != "b7ad6b7169203331")
        #expect(echoed.text.contains("tracestate: vendor=x"))
        #expect(echoed.text.contains("x-b3-traceid: \(traceID)"))
        _ = try await proxy.send("/")  // a request without context starts a trace of its own
        var spans: [[String: Any]] = []
        for _ in 0..<100 where spans.count < 2 {
            try await Task.sleep(for: .milliseconds(50))
            spans = collector.all
        }
        #expect(spans.count == 2)
        let child = spans.first { $0["traceId"] as? String == traceID }
        #expect(child?["parentId"] as? String == "b7ad6b7169203331")
        let childSpan = parts.count == 4 ? String(parts[2]) : ""
        #expect(child?["id"] as? String == childSpan, "the span id the upstream was given")
        #expect(child?["kind"] as? String == "CLIENT")
        #expect((child?["tags"] as? [String: String])?["http.status_code"] == "200")
        let root = spans.first { $0["traceId"] as? String != traceID }
        #expect(root != nil && root?["parentId"] == nil)
        // The exporter counts a batch once the collector's answer is back, just after it arrived.
        var sent = try await proxy.stat("tracing.zipkin.spans_sent")
        for _ in 0..<100 where sent < 2 {
            try await Task.sleep(for: .milliseconds(20))
            sent = try await proxy.stat("tracing.zipkin.spans_sent")
        }
        #expect(sent == 2)
    }

    @Test func aCollectorThatIsDownCostsOnlyDroppedSpans() async throws {
        let port = try ProxyHarness.closedPort()
        let proxy = try await ProxyHarness.start(
            [.init("v1")], configure: { $0.zipkin = "http://127.0.0.1:\(port)/api/v2/spans" })
        defer { Task { await proxy.stop() } }
        for _ in 0..<20 { #expect(try await proxy.send("/").status == 200) }
        var dropped = 0
        for _ in 0..<100 where dropped < 20 {
            try await Task.sleep(for: .milliseconds(50))
            dropped = try await proxy.stat("tracing.zipkin.spans_dropped")
        }
        #expect(dropped == 20)
    }
}
