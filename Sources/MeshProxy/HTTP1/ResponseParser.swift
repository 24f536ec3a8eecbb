import NIOCore

/// An upstream response's head, kept as the bytes that arrived: the proxy rewrites it by
/// copying header lines, not by decoding and re-encoding every header.
public struct ResponseHead: Sendable {
    /// Status line and header lines, up to and including the empty line.
    public var raw: ByteBuffer
    public var status: Int
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var fields: [HeaderField]
    public var contentLength: Int?
    public var chunked: Bool
    /// The upstream will close the connection after this response.
    public var closes: Bool
    /// End of the status line (past its CRLF).
    var statusLineEnd: Int

    /// The value of the first header called `name` (lowercase ASCII), or nil.
    public func value(of name: String) -> String? {
        raw.withUnsafeReadableBytes { bytes in
            for field in fields where HTTPBytes.equalsIgnoringCase(bytes, field.lineStart, field.nameEnd, name) {
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.valueStart..<field.valueEnd]), as: UTF8.self)
            }
            return nil
        }
    }

    /// Every header as (name, value) strings, for the admin client and tests.
    public var headers: [(name: String, value: String)] {
        raw.withUnsafeReadableBytes { bytes in
            fields.map { f in
                (
                    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[f.lineStart..<f.nameEnd]), as: UTF8.self),
                    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[f.valueStart..<f.valueEnd]), as: UTF8.self)
                )
            }
        }
    }
}

/// An incremental HTTP/1.x response parser for one upstream connection.
///
/// It finds the head, then the body's framing (Content-Length, chunked, or until close), and
/// hands body bytes on as they arrive — in chunked framing unchanged, so a proxy forwarding to
/// an HTTP/1.1 client passes them through without re-encoding. Informational (1xx) heads are
/// skipped. A pure value: no I/O, tested on its own.
public struct ResponseParser: Sendable {
    public enum Event {
        case head(ResponseHead)
        /// Body bytes as framed on the wire (chunk headers included for a chunked body).
        case body(ByteBuffer)
        case end
    }

    enum State: Sendable {
        case head
        case fixed(remaining: Int)
        case chunked
        case untilClose
        case done
    }

    public static let maxHeadBytes = 60 * 1024
    var state = State.head
    var collector = HeadCollector(maxBytes: ResponseParser.maxHeadBytes)
    var chunks = ChunkedFraming()
    /// The end was reached; it is the next event.
    var pendingEnd = false
    /// The request was HEAD: the response has no body whatever its headers say.
    public var requestWasHead = false
    /// Hand on a chunked body's data without its framing (for an HTTP/1.0 client).
    public var decodeChunks = false
    public private(set) var bodyBytes = 0

    public init(requestWasHead: Bool = false, decodeChunks: Bool = false) {
        self.requestWasHead = requestWasHead
        self.decodeChunks = decodeChunks
    }

    public var isComplete: Bool { if case .done = state { true } else { false } }
    public var isAtHead: Bool { if case .head = state { collector.isEmpty } else { false } }

    /// The next event from `buffer`, or nil when it needs more bytes. Call it until nil: a
    /// read can hold a head, body bytes and the end. Bytes after the end of the response are
    /// an error (the proxy never pipelines upstream requests).
    public mutating func next(_ buffer: inout ByteBuffer) throws(HTTP1ParseError) -> Event? {
        if pendingEnd {
            pendingEnd = false
            return .end
        }
        while buffer.readableBytes > 0 {
            switch state {
            case .head:
                guard
                    let raw = try collector.take(
                        &buffer, tooLarge: "upstream response headers exceed \(Self.maxHeadBytes / 1024) KiB", status: 502)
                else { return nil }
                let head = try Self.parseHead(raw)
                if head.status >= 100 && head.status < 200 {
                    continue  // 100 Continue and other interim answers are not forwarded
                }
                if requestWasHead || head.status == 204 || head.status == 304 {
                    state = .done
                } else if head.chunked {
                    state = .chunked
                    chunks = ChunkedFraming()
                } else if let length = head.contentLength {
                    state = length == 0 ? .done : .fixed(remaining: length)
                } else {
                    state = .untilClose
                }
                if case .done = state { pendingEnd = true }
                return .head(head)
            case .fixed(let remaining):
                let n = min(remaining, buffer.readableBytes)
                bodyBytes += n
                state = remaining == n ? .done : .fixed(remaining: remaining - n)
                if case .done = state { pendingEnd = true }
                return .body(buffer.readSlice(length: n)!)
            case .untilClose:
                bodyBytes += buffer.readableBytes
                return .body(buffer.readSlice(length: buffer.readableBytes)!)
            case .chunked:
                let (bytes, data) = try chunks.scan(&buffer, decode: decodeChunks)
                bodyBytes += data
                if chunks.isDone {
                    state = .done
                    pendingEnd = true
                }
                if bytes.readableBytes > 0 { return .body(bytes) }
            case .done:
                throw HTTP1ParseError("upstream sent bytes after the end of its response", status: 502)
            }
        }
        if pendingEnd {
            pendingEnd = false
            return .end
        }
        return nil
    }

    /// Every event `buffer` completes, in order.
    public mutating func feed(_ buffer: inout ByteBuffer) throws(HTTP1ParseError) -> [Event] {
        var events: [Event] = []
        while let event = try next(&buffer) { events.append(event) }
        return events
    }

    /// The connection closed: true when that ends a body read until close (the caller delivers
    /// the end); anything else incomplete is an error.
    public mutating func connectionClosed() throws(HTTP1ParseError) -> Bool {
        switch state {
        case .untilClose:
            state = .done
            return true
        case .done: return false
        case .head where collector.isEmpty:
            throw HTTP1ParseError("upstream closed the connection before responding", status: 503)
        default: throw HTTP1ParseError("upstream closed the connection in the middle of its response", status: 503)
        }
    }

    static func parseHead(_ raw: ByteBuffer) throws(HTTP1ParseError) -> ResponseHead {
        var status = 0
        var minor = 1
        var fields: [HeaderField] = []
        fields.reserveCapacity(12)
        var contentLength: Int?
        var chunked = false
        var closes = false
        var keepAlive = false
        var statusLineEnd = 0
        let failure: String? = raw.withUnsafeReadableBytes { b -> String? in
            let n = b.count
            // "HTTP/1.x NNN reason\r\n"
            guard n >= 14, b[0] == 0x48, b[1] == 0x54, b[2] == 0x54, b[3] == 0x50, b[4] == 0x2f, b[5] == 0x31, b[6] == 0x2e
            else { return "upstream answered something other than HTTP/1.x" }
            guard b[7] == 0x30 || b[7] == 0x31, b[8] == 0x20 else { return "unsupported upstream HTTP version" }
            minor = Int(b[7] - 0x30)
            for i in 9..<12 {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return "malformed upstream status line" }
                status = status * 10 + Int(b[i] - 0x30)
            }
            guard status >= 100 else { return "malformed upstream status line" }
            var i = 12
            while i < n && b[i] != 10 { i += 1 }
            statusLineEnd = i + 1
            if let problem = HTTPBytes.parseFields(b, from: i + 1, into: &fields, who: "upstream") { return problem }
            for field in fields {
                let (s, e) = (field.lineStart, field.nameEnd)
                switch e - s {
                case 14 where HTTPBytes.equalsIgnoringCase(b, s, e, "content-length"):
                    guard let value = HTTPBytes.contentLength(b, field.valueStart, field.valueEnd) else {
                        return "malformed upstream content-length"
                    }
                    if let previous = contentLength, previous != value { return "conflicting upstream content-length" }
                    contentLength = value
                case 17 where HTTPBytes.equalsIgnoringCase(b, s, e, "transfer-encoding"):
                    // chunked must be the final coding; anything else is not forwardable.
                    let v = UnsafeRawBufferPointer(rebasing: b[field.valueStart..<field.valueEnd])
                    guard v.count >= 7, HTTPBytes.equalsIgnoringCase(v, v.count - 7, v.count, "chunked") else {
                        return "unsupported upstream transfer-encoding"
                    }
                    chunked = true
                case 10 where HTTPBytes.equalsIgnoringCase(b, s, e, "connection"):
                    let v = UnsafeRawBufferPointer(rebasing: b[field.valueStart..<field.valueEnd])
                    if HTTPBytes.containsToken(v, "close") { closes = true }
                    if HTTPBytes.containsToken(v, "keep-alive") { keepAlive = true }
                default: break
                }
            }
            return nil
        }
        if let failure { throw HTTP1ParseError(failure, status: 502) }
        if chunked && contentLength != nil {
            throw HTTP1ParseError("upstream sent both content-length and transfer-encoding", status: 502)
        }
        if minor == 0 && !keepAlive { closes = true }
        return ResponseHead(
            raw: raw, status: status, minorVersion: minor, fields: fields, contentLength: contentLength, chunked: chunked,
            closes: closes, statusLineEnd: statusLineEnd)
    }
}
