import NIOCore
import NIOHTTP1
import NIOSSL

/// One client connection to the outbound listener: requests parsed from the bytes as they
/// arrive, served one at a time and answered in order (bytes of later, pipelined requests are
/// held until the current one ends), with the header timeout, the idle timeout, backpressure
/// both ways, and answers to requests that are not HTTP.
final class DownstreamHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let worker: Worker
    private var context: ChannelHandlerContext?
    private var parser = RequestParser()
    private var current: Exchange?
    /// Bytes of requests after the current one, held until it ends.
    private var held: ByteBuffer?
    private var received = 0
    private var readsPaused = false
    private var readPending = false
    private var closed = false
    private var headerTimer: Scheduled<Void>?
    private var bytesAtIdle = 0
    private var idleSince = NIODeadline.now()
    private var partialSince: NIODeadline?
    /// Set by the exchange: close once the current response is written.
    var closeAfterResponse = false
    private(set) var remoteIP = "-"
    private(set) var remoteAddress = "-"
    /// The port of the listener this connection came to.
    private(set) var localPort: Int?

    /// The service port connections to this listener are for, when the Host header names none
    /// (nil on the outbound listener: the route table infers it, as `simulate` does).
    let listenerPort: Int?
    /// The inbound listener's connection (to the local application).
    let inbound: Bool
    /// The stats of the listener this connection came to.
    let stats: ListenerStats
    private var peerLooked = false
    private var peer: String?

    init(worker: Worker, listenerPort: Int? = nil, inbound: Bool = false) {
        self.worker = worker
        self.listenerPort = listenerPort
        self.inbound = inbound
        self.stats = inbound ? worker.inboundStats : worker.listenerStats
    }

    /// The client's identity from its mutual-TLS certificate (`cluster.local/ns/NS/sa/SA`).
    var principal: String? {
        if !peerLooked, let context {
            peerLooked = true
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            peer = WorkloadTLS.principal(of: handler?.peerCertificate)
        }
        return peer
    }

    /// The connection came over TLS.
    var overTLS: Bool {
        guard let context else { return false }
        return (try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)) != nil
    }

    /// Kept from writability events: asking the channel costs a call through its existential
    /// on every response.
    private(set) var isWritable = true
    /// The proxy is draining: every response closes its connection.
    var mustClose: Bool { worker.context.draining.load(ordering: .relaxed) }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        localPort = context.channel.localAddress?.port
        if let address = context.channel.remoteAddress {
            remoteIP = address.ipAddress ?? "-"
            if let ip = address.ipAddress, let port = address.port {
                remoteAddress = ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
            }
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        stats.cxTotal.increment()
        stats.cxActive.increment()
        armHeaderTimer()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        stats.cxActive.decrement()
        headerTimer?.cancel()
        headerTimer = nil
        current?.downstreamClosed()
        current = nil
        held = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received &+= buffer.readableBytes
        if var waiting = held {
            waiting.writeBuffer(&buffer)
            held = waiting
            if waiting.readableBytes > 1 << 20 { pauseReads(true) }
            return
        }
        process(&buffer)
    }

    /// Parses and serves what `buffer` holds, up to the end of a request that is still being
    /// answered; what follows it is held.
    private func process(_ buffer: inout ByteBuffer) {
        while !closed {
            if let current, current.requestComplete {
                if buffer.readableBytes > 0 { held = buffer }
                return
            }
            let event: RequestParser.Event?
            do {
                event = try parser.next(&buffer)
            } catch {
                stats.cxProtocolError.increment()
                if let current, current.phase == .streaming || current.phase == .done {
                    close()
                } else {
                    current?.downstreamClosed()
                    current = nil
                    reject(error.status, error.description)
                }
                return
            }
            guard let event else { return }
            switch event {
            case .head(let raw):
                let request: ProxyRequestHead
                do {
                    request = try ProxyRequestHead(raw, routed: worker.snapshot.routedHeaders, listenerPort: listenerPort)
                } catch {
                    let (status, message): (Int, String) =
                        switch error {
                        case .badRequest(let why): (400, why)
                        case .notSupported(let why): (405, why)
                        }
                    stats.cxProtocolError.increment()
                    return reject(status, message)
                }
                let exchange = Exchange(downstream: self, worker: worker, head: request)
                current = exchange
                exchange.start()
            case .body(let part):
                current?.requestBody(part)
            case .end:
                current?.requestEnd()
            }
        }
    }

    /// The current exchange is over: close if it said so, else take the next request.
    func exchangeFinished(_ exchange: Exchange) {
        guard exchange === current else { return }
        current = nil
        if closeAfterResponse {
            close()
            return
        }
        if var waiting = held {
            held = nil
            process(&waiting)
        }
        if current == nil {
            if readsPaused { pauseReads(false) }
            armHeaderTimer()
        }
    }

    // MARK: - Writing

    func write(_ buffer: ByteBuffer, flush: Bool) {
        guard let context, !closed else { return }
        context.write(wrapOutboundOut(buffer), promise: nil)
        if flush { context.flush() }
    }

    func flush() { context?.flush() }

    func sendContinue() { write(ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n"), flush: true) }

    /// Closes once what is written has gone out: closing at once would drop the end of a
    /// response a slow reader has not taken yet. A reader that takes nothing for 30 seconds is
    /// cut off.
    func close() {
        guard let context, !closed else { return }
        closed = true
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: written)
        let cutOff = context.eventLoop.scheduleTask(in: .seconds(30)) { context.close(promise: nil) }
        written.futureResult.whenComplete { _ in
            cutOff.cancel()
            context.close(promise: nil)
        }
    }

    /// A request the proxy cannot read: answer it and close.
    private func reject(_ status: Int, _ message: String) {
        closeAfterResponse = true
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        let body = message.isEmpty ? "" : message + "\n"
        write(
            ByteBuffer(
                string:
                    "HTTP/1.1 \(status) \(reason)\r\ncontent-length: \(body.utf8.count)\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n\(body)"
            ), flush: true)
        close()
    }

    // MARK: - Backpressure

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

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        if isWritable { current?.downstreamWritable() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - Timeouts and errors

    /// Waiting for a request: a client that starts one must finish its headers within the
    /// header timeout (else 408); an idle keep-alive connection closes after the idle timeout.
    ///
    /// One timer per connection, not per request: finishing a request only notes the time and
    /// the bytes received so far; the timer, when it fires, works out what is due and re-arms.
    private func armHeaderTimer() {
        guard let context, !closed else { return }
        bytesAtIdle = received
        idleSince = .now()
        partialSince = nil
        if headerTimer == nil { scheduleCheck(context, in: worker.context.options.headerTimeoutNanos) }
    }

    private func scheduleCheck(_ context: ChannelHandlerContext, in nanos: Int64) {
        headerTimer = context.eventLoop.scheduleTask(in: .nanoseconds(max(nanos, 1_000_000))) { [self] in
            headerTimer = nil
            checkTimeouts()
        }
    }

    private func checkTimeouts() {
        guard let context, !closed else { return }
        let options = worker.context.options
        guard current == nil else { return scheduleCheck(context, in: options.headerTimeoutNanos) }
        let idle = (NIODeadline.now() - idleSince).nanoseconds
        if received != bytesAtIdle {
            // A request has started arriving: its headers get the header timeout from when a
            // check first saw it (so between one and two timeouts after its first byte).
            guard let since = partialSince else {
                partialSince = .now()
                return scheduleCheck(context, in: options.headerTimeoutNanos)
            }
            let waited = (NIODeadline.now() - since).nanoseconds
            if waited >= options.headerTimeoutNanos {
                stats.rqTimeout.increment()
                return reject(408, "request header timeout")
            }
            return scheduleCheck(context, in: options.headerTimeoutNanos - waited)
        }
        if idle >= options.idleTimeoutNanos { return close() }
        scheduleCheck(context, in: min(options.headerTimeoutNanos, options.idleTimeoutNanos - idle))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        close()
    }
}
