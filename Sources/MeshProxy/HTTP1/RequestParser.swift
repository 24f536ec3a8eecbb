import NIOCore

/// A client request's head as the bytes that arrived, with what the proxy needs of it found
/// once: method, target, version, framing, keep-alive. Header lines are later copied to the
/// upstream as they are, not decoded and re-encoded.
struct RawRequestHead: Sendable {
    /// Request line and header lines, up to and including the empty line.
    var raw: ByteBuffer
    var method: String
    var target: String
    var minorVersion: Int
    var fields: [HeaderField]
    var contentLength: Int?
    var chunked: Bool
    var keepAlive: Bool
    var expectsContinue: Bool
    /// Indices in `fields` of headers the proxy never forwards: hop-by-hop ones, those the
    /// `Connection` header names, `Host` and `Expect` (it writes its own).
    var dropped: FieldSet
    /// Index in `fields` of the Host header (a request has at most one).
    var host: Int?

    func value(_ field: Int) -> String {
        let f = fields[field]
        return raw.getString(at: raw.readerIndex + f.valueStart, length: f.valueEnd - f.valueStart) ?? ""
    }

    func name(_ field: Int) -> String {
        let f = fields[field]
        return raw.getString(at: raw.readerIndex + f.lineStart, length: f.nameEnd - f.lineStart) ?? ""
    }
}

/// A set of header field indices; those below 64 (all, in practice) cost no allocation.
struct FieldSet: Sendable {
    private var low: UInt64 = 0
    private var high: [Int] = []

    mutating func insert(_ i: Int) {
        if i < 64 { low |= 1 << UInt64(i) } else if !high.contains(i) { high.append(i) }
    }

    func contains(_ i: Int) -> Bool { i < 64 ? low & (1 << UInt64(i)) != 0 : high.contains(i) }

    var isEmpty: Bool { low == 0 && high.isEmpty }
}

/// An incremental HTTP/1.x request parser for one client connection: heads, then body bytes
/// (chunked bodies in their framing, so they are forwarded unchanged), then the end. Strict
/// where request smuggling lives: both Content-Length and Transfer-Encoding, conflicting
/// lengths, codings other than chunked, spaces before a colon, control characters and folded
/// lines are refused. A pure value, tested on its own.
struct RequestParser: Sendable {
    enum Event {
        case head(RawRequestHead)
        case body(ByteBuffer)
        case end
    }

    enum State: Sendable {
        case head
        case fixed(remaining: Int)
        case chunked
    }

    /// Envoy's default limit for request headers.
    static let maxHeadBytes = 60 * 1024
    private var state = State.head
    private var collector = HeadCollector(maxBytes: RequestParser.maxHeadBytes)
    private var chunks = ChunkedFraming()
    private var pendingEnd = false

    /// Between requests with nothing of the next one received.
    var isIdle: Bool {
        if case .head = state { return collector.isEmpty && !pendingEnd }
        return false
    }

    /// The next event from `buffer`, or nil when it needs more bytes. A read can hold several
    /// pipelined requests: the caller stops asking when it wants to hold later ones back.
    mutating func next(_ buffer: inout ByteBuffer) throws(HTTP1ParseError) -> Event? {
        if pendingEnd {
            pendingEnd = false
            return .end
        }
        while buffer.readableBytes > 0 {
            switch state {
            case .head:
                // Empty lines before a request line are allowed (RFC 9112 §2.2).
                if collector.isEmpty, let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
                    first == 13 || first == 10
                {
                    buffer.moveReaderIndex(forwardBy: 1)
                    continue
                }
                guard
                    let raw = try collector.take(
                        &buffer, tooLarge: "request headers exceed \(Self.maxHeadBytes / 1024) KiB", status: 431)
                else { return nil }
                let head = try Self.parseHead(raw)
                if head.chunked {
                    state = .chunked
                    chunks = ChunkedFraming()
                } else if let length = head.contentLength, length > 0 {
                    state = .fixed(remaining: length)
                } else {
                    pendingEnd = true
                }
                return .head(head)
            case .fixed(let remaining):
                let n = min(remaining, buffer.readableBytes)
                if n == remaining {
                    state = .head
                    pendingEnd = true
                } else {
                    state = .fixed(remaining: remaining - n)
                }
                return .body(buffer.readSlice(length: n)!)
            case .chunked:
                let (bytes, _) = try chunks.scan(&buffer, decode: false)
                if chunks.isDone {
                    state = .head
                    pendingEnd = true
                }
                if bytes.readableBytes > 0 { return .body(bytes) }
            }
        }
        if pendingEnd {
            pendingEnd = false
            return .end
        }
        return nil
    }

    static func parseHead(_ raw: ByteBuffer) throws(HTTP1ParseError) -> RawRequestHead {
        var head = RawRequestHead(
            raw: raw, method: "", target: "", minorVersion: 1, fields: [], contentLength: nil, chunked: false,
            keepAlive: true, expectsContinue: false, dropped: FieldSet(), host: nil)
        head.fields.reserveCapacity(16)
        let failure: HTTP1ParseError? = raw.withUnsafeReadableBytes { b -> HTTP1ParseError? in
            let n = b.count
            // METHOD SP request-target SP HTTP/1.x CRLF
            var i = 0
            while i < n && isTokenMethodByte(b[i]) { i += 1 }
            guard i > 0, i < n, b[i] == 32 else { return HTTP1ParseError("malformed request line") }
            let methodEnd = i
            i += 1
            let targetStart = i
            while i < n && b[i] > 32 && b[i] != 127 { i += 1 }
            guard i > targetStart, i + 10 <= n, b[i] == 32 else { return HTTP1ParseError("malformed request target") }
            let targetEnd = i
            i += 1
            guard b[i] == 0x48, b[i + 1] == 0x54, b[i + 2] == 0x54, b[i + 3] == 0x50, b[i + 4] == 0x2f, b[i + 6] == 0x2e
            else { return HTTP1ParseError("malformed request line") }
            guard b[i + 5] == 0x31, b[i + 7] == 0x30 || b[i + 7] == 0x31 else {
                return HTTP1ParseError("unsupported HTTP version", status: 505)
            }
            head.minorVersion = Int(b[i + 7] - 0x30)
            guard b[i + 8] == 13, b[i + 9] == 10 else { return HTTP1ParseError("malformed request line") }
            head.method = String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<methodEnd]), as: UTF8.self)
            head.target = String(decoding: UnsafeRawBufferPointer(rebasing: b[targetStart..<targetEnd]), as: UTF8.self)
            if let problem = HTTPBytes.parseFields(b, from: i + 10, into: &head.fields, who: "client") {
                return HTTP1ParseError(problem)
            }
            var close = head.minorVersion == 0
            var connectionNames: [Range<Int>] = []
            for (index, field) in head.fields.enumerated() {
                let (s, e) = (field.lineStart, field.nameEnd)
                let value = UnsafeRawBufferPointer(rebasing: b[field.valueStart..<field.valueEnd])
                switch e - s {
                case 4 where HTTPBytes.equalsIgnoringCase(b, s, e, "host"):
                    // RFC 9112 §3.2: a request with more than one Host line is refused.
                    guard head.host == nil else { return HTTP1ParseError("more than one Host header") }
                    head.host = index
                    head.dropped.insert(index)
                case 14 where HTTPBytes.equalsIgnoringCase(b, s, e, "content-length"):
                    guard let length = HTTPBytes.contentLength(b, field.valueStart, field.valueEnd) else {
                        return HTTP1ParseError("malformed content-length")
                    }
                    if let previous = head.contentLength, previous != length {
                        return HTTP1ParseError("conflicting content-length headers")
                    }
                    head.contentLength = length
                case 17 where HTTPBytes.equalsIgnoringCase(b, s, e, "transfer-encoding"):
                    guard HTTPBytes.equalsIgnoringCase(value, 0, value.count, "chunked") else {
                        return HTTP1ParseError("transfer-encoding other than chunked is not supported", status: 501)
                    }
                    head.chunked = true
                case 6 where HTTPBytes.equalsIgnoringCase(b, s, e, "expect"):
                    if HTTPBytes.equalsIgnoringCase(value, 0, value.count, "100-continue") { head.expectsContinue = true }
                    head.dropped.insert(index)
                case 10 where HTTPBytes.equalsIgnoringCase(b, s, e, "connection"):
                    if HTTPBytes.containsToken(value, "close") { close = true }
                    if HTTPBytes.containsToken(value, "keep-alive") { close = false }
                    connectionNames.append(field.valueStart..<field.valueEnd)
                    head.dropped.insert(index)
                case 10 where HTTPBytes.equalsIgnoringCase(b, s, e, "keep-alive"),
                    16 where HTTPBytes.equalsIgnoringCase(b, s, e, "proxy-connection"),
                    2 where HTTPBytes.equalsIgnoringCase(b, s, e, "te"),
                    7 where HTTPBytes.equalsIgnoringCase(b, s, e, "upgrade"):
                    head.dropped.insert(index)
                default: break
                }
            }
            if head.chunked && head.contentLength != nil {
                return HTTP1ParseError("both content-length and transfer-encoding")
            }
            // Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
            for range in connectionNames {
                let value = UnsafeRawBufferPointer(rebasing: b[range])
                for (index, field) in head.fields.enumerated() where !head.dropped.contains(index) {
                    let name = String(
                        decoding: UnsafeRawBufferPointer(rebasing: b[field.lineStart..<field.nameEnd]), as: UTF8.self
                    )
                    .lowercased()
                    if name != "close" && name != "keep-alive" && HTTPBytes.containsToken(value, name) {
                        head.dropped.insert(index)
                    }
                }
            }
            head.keepAlive = !close
            return nil
        }
        if let failure { throw failure }
        return head
    }

    @inline(__always) static func isTokenMethodByte(_ c: UInt8) -> Bool { HTTPBytes.isTokenByte(c) }
}
