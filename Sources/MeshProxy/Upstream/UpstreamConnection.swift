import NIOCore

/// Why an upstream exchange ended without a complete response.
public enum UpstreamFailure: Error, Sendable, Equatable {
    /// No connection could be made (refused, unreachable, connect timeout).
    case connectFailure(String)
    /// The connection closed or was reset before the response head.
    case resetBeforeResponse(String)
    /// The connection closed or broke in the middle of the response body.
    case resetDuringResponse(String)
    /// The upstream answered with bytes that are not a forwardable HTTP/1.x response.
    case protocolError(String)

    public var reason: String {
        switch self {
        case .connectFailure(let r), .resetBeforeResponse(let r), .resetDuringResponse(let r), .protocolError(let r): r
        }
    }
}

/// Whoever is waiting for the response on an upstream connection: a proxied request, a
/// mirrored copy, or the admin client.
protocol UpstreamReceiver: AnyObject {
    func upstreamHead(_ head: ResponseHead)
    func upstreamBody(_ buffer: ByteBuffer)
    /// The response is complete; the connection has already gone back to its pool (or closed).
    func upstreamEnd()
    func upstreamFailed(_ failure: UpstreamFailure)
    /// The connection can take more request bytes again (or can't).
    func upstreamWritabilityChanged(_ writable: Bool)
}

/// Who keeps a connection between requests: a pool, or the one-off admin client.
protocol ConnectionOwner: AnyObject {
    /// The connection finished a response and may carry another request.
    func release(_ connection: UpstreamConnection)
    func connectionClosed(_ connection: UpstreamConnection)
}

/// One HTTP/1.1 connection to an upstream host, carrying one request at a time.
///
/// Requests are written as bytes the proxy already framed; responses are parsed by
/// `ResponseParser` and handed to the current receiver. When a response ends, the connection
/// goes back to its pool if both sides allow keep-alive.
final class UpstreamConnection: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let host: UpstreamHost
    let pool: ConnectionOwner
    private(set) var context: ChannelHandlerContext?
    private var parser = ResponseParser()
    private(set) var receiver: UpstreamReceiver?
    private(set) var requestsServed = 0
    /// Limit from the cluster's `maxRequestsPerConnection` (0: none).
    var maxRequests = 0
    private var readsPaused = false
    private var readPending = false
    private var closed = false
    /// The current response's head said the connection closes after it.
    private var closesAfterResponse = false

    init(host: UpstreamHost, pool: ConnectionOwner) {
        self.host = host
        self.pool = pool
    }

    /// Open (set false when the channel goes inactive or is closed).
    var isUsable: Bool { !closed && context != nil }
    /// Kept from writability events, so the request path does not ask the channel.
    private(set) var isWritable = true

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    /// Starts an exchange: `receiver` gets the response to what is written next.
    func attach(_ receiver: UpstreamReceiver, requestIsHead: Bool, decodeChunks: Bool = false) {
        self.receiver = receiver
        parser = ResponseParser(requestWasHead: requestIsHead, decodeChunks: decodeChunks)
        closesAfterResponse = false
    }

    /// Forgets the receiver without finishing the exchange; the connection is closed, since
    /// the rest of the response would arrive for nobody.
    func abandon() {
        receiver = nil
        close()
    }

    func write(_ buffer: ByteBuffer, flush: Bool) {
        guard let context, !closed else { return }
        context.write(wrapOutboundOut(buffer), promise: nil)
        if flush { context.flush() }
    }

    func flush() { context?.flush() }

    func close() {
        guard !closed else { return }
        closed = true
        context?.close(promise: nil)
    }

    /// Stops (or resumes) reading responses, when the downstream cannot take more.
    func pauseReads(_ paused: Bool) {
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

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard receiver != nil else {
            // Bytes nobody asked for (an idle connection talking): not a connection to reuse.
            close()
            return
        }
        do {
            while receiver != nil, let event = try parser.next(&buffer) {
                deliver(event, leftover: buffer.readableBytes > 0)
            }
            if buffer.readableBytes > 0 { close() }  // bytes beyond the response: not reusable
        } catch {
            fail(.protocolError(error.description))
        }
    }

    private func deliver(_ event: ResponseParser.Event, leftover: Bool) {
        guard let receiver else { return }
        switch event {
        case .head(let head):
            closesAfterResponse = head.closes
            receiver.upstreamHead(head)
        case .body(let buffer):
            receiver.upstreamBody(buffer)
        case .end:
            requestsServed += 1
            self.receiver = nil
            // The next exchange on this connection starts reading; a pause was this one's.
            pauseReads(false)
            let reusable = !closed && !leftover && !closesAfterResponse && (maxRequests == 0 || requestsServed < maxRequests)
            if reusable {
                pool.release(self)
            } else {
                close()
            }
            receiver.upstreamEnd()
        }
    }

    private func fail(_ failure: UpstreamFailure) {
        let receiver = self.receiver
        self.receiver = nil
        close()
        receiver?.upstreamFailed(failure)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        if receiver != nil {
            do {
                if try parser.connectionClosed() { deliver(.end, leftover: false) }
            } catch {
                let failure: UpstreamFailure =
                    parser.isAtHead
                    ? .resetBeforeResponse("connection termination") : .resetDuringResponse("connection termination")
                let receiver = self.receiver
                self.receiver = nil
                receiver?.upstreamFailed(failure)
            }
        }
        pool.connectionClosed(self)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        receiver?.upstreamWritabilityChanged(isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if receiver != nil {
            fail(parser.isAtHead ? .resetBeforeResponse("\(error)") : .resetDuringResponse("\(error)"))
        } else {
            close()
        }
    }
}
