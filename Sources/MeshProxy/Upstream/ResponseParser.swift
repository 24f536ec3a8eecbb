import NIOCore

/// An upstream response's head, kept as the bytes that arrived: the proxy rewrites it by
/// copying header lines, not by decoding and re-encoding every header.
public struct ResponseHead: Sendable {
    /// Offsets of one header line in `raw`.
    public struct Field: Sendable {
        var lineStart: Int
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
        /// Past the line's CRLF.
        var lineEnd: Int
    }
    /// Status line and header lines, up to and including the empty line.
    public var raw: ByteBuffer
    public var status: Int
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var fields: [Field]
    public var contentLength: Int?
    public var chunked: Bool
    /// The upstream will close the connection after this response.
    public var closes: Bool
    /// End of the status line (past its CRLF).
    var statusLineEnd: Int

    /// The value of the first header called `name` (lowercase ASCII), or nil.
    public func value(of name: String) -> String? {
        for field in fields where nameEquals(field, name) {
            return raw.getString(at: field.valueStart, length: field.valueEnd - field.valueStart)
        }
        return nil
    }

    func nameEquals(_ field: Field, _ lowercaseName: String) -> Bool {
        raw.withUnsafeReadableBytes { bytes in
            HTTPBytes.equalsIgnoringCase(bytes, field.lineStart, field.nameEnd, lowercaseName)
        }
    }

    /// Every header as (name, value) strings, for tests and the admin client.
    public var headers: [(name: String, value: String)] {
        fields.map { f in
            (
                raw.getString(at: f.lineStart, length: f.nameEnd - f.lineStart) ?? "",
                raw.getString(at: f.valueStart, length: f.valueEnd - f.valueStart) ?? ""
            )
        }
    }
}

enum HTTPBytes {
    /// `bytes[start..<end]` equals `lowercaseName`, ASCII case-insensitively.
    @inline(__always) static func equalsIgnoringCase(
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lowercaseName: String
    ) -> Bool {
        var name = lowercaseName
        return name.withUTF8 { n in
            guard n.count == end - start else { return false }
            for i in 0..<n.count {
                var b = bytes[start + i]
                if b >= 0x41 && b <= 0x5a { b |= 0x20 }
                if b != n[i] { return false }
            }
            return true
        }
    }
}

/// Why an upstream's bytes are not an HTTP/1.1 response meshctl can forward.
public struct ResponseParseError: Error, Equatable, CustomStringConvertible {
    public var description: String
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
        case chunkSize(value: Int, digits: Int)
        case chunkExtension(value: Int)
        case chunkSizeLF(value: Int)
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        /// At the start of a trailer line; `empty` while the line has no bytes yet.
        case trailer(empty: Bool)
        case trailerLF(empty: Bool)
        case untilClose
        case done
    }

    public static let maxHeadBytes = 60 * 1024
    var state = State.head
    var pending: ByteBuffer?
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
    public var isAtHead: Bool { if case .head = state { pending == nil } else { false } }
    /// A body that ends when the connection closes.
    public var readsUntilClose: Bool { if case .untilClose = state { true } else { false } }

    /// The next event from `buffer`, or nil when it needs more bytes. Call it until nil: a
    /// read can hold a head, body bytes and the end. Bytes after the end of the response are
    /// an error (the proxy never pipelines upstream requests).
    public mutating func next(_ buffer: inout ByteBuffer) throws(ResponseParseError) -> Event? {
        if pendingEnd {
            pendingEnd = false
            return .end
        }
        while buffer.readableBytes > 0 {
            switch state {
            case .head:
                guard let head = try takeHead(&buffer) else { return nil }
                if head.status >= 100 && head.status < 200 {
                    continue  // 100 Continue and other interim answers are not forwarded
                }
                if requestWasHead || head.status == 204 || head.status == 304 {
                    state = .done
                } else if head.chunked {
                    state = .chunkSize(value: 0, digits: 0)
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
            case .done:
                throw ResponseParseError(description: "upstream sent bytes after the end of its response")
            default:
                let slice = try scanChunked(&buffer)
                if case .done = state { pendingEnd = true }
                if slice.readableBytes > 0 { return .body(slice) }
                if pendingEnd {
                    pendingEnd = false
                    return .end
                }
            }
        }
        if pendingEnd {
            pendingEnd = false
            return .end
        }
        return nil
    }

    /// Every event `buffer` completes, in order.
    public mutating func feed(_ buffer: inout ByteBuffer) throws(ResponseParseError) -> [Event] {
        var events: [Event] = []
        while let event = try next(&buffer) { events.append(event) }
        return events
    }

    /// The connection closed: true when that ends a body read until close (the caller delivers
    /// the end); anything else incomplete is an error.
    public mutating func connectionClosed() throws(ResponseParseError) -> Bool {
        switch state {
        case .untilClose:
            state = .done
            return true
        case .done: return false
        case .head where pending == nil: throw ResponseParseError(description: "upstream closed the connection before responding")
        default: throw ResponseParseError(description: "upstream closed the connection in the middle of its response")
        }
    }

    /// Walks chunk framing, returning the bytes it walked over (framing included).
    mutating func scanChunked(_ buffer: inout ByteBuffer) throws(ResponseParseError) -> ByteBuffer {
        let start = buffer.readerIndex
        var consumed = 0
        let count = buffer.readableBytes
        var state = self.state
        var data = 0
        var dataRanges: [Range<Int>] = []
        let decode = decodeChunks
        let failure: String? = buffer.withUnsafeReadableBytes { bytes -> String? in
            var i = 0
            while i < count {
                let b = bytes[i]
                switch state {
                case .chunkSize(let value, let digits):
                    if let d = Self.hexValue(b) {
                        guard digits < 15 else { return "chunk size too large" }
                        state = .chunkSize(value: value << 4 | d, digits: digits + 1)
                    } else if digits == 0 {
                        return "malformed chunk size"
                    } else if b == UInt8(ascii: "\r") {
                        state = .chunkSizeLF(value: value)
                    } else if b == UInt8(ascii: ";") || b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                        state = .chunkExtension(value: value)
                    } else {
                        return "malformed chunk size"
                    }
                    i += 1
                case .chunkExtension(let value):
                    if b == UInt8(ascii: "\r") { state = .chunkSizeLF(value: value) }
                    i += 1
                case .chunkSizeLF(let value):
                    guard b == UInt8(ascii: "\n") else { return "malformed chunk size line" }
                    state = value == 0 ? .trailer(empty: true) : .chunkData(remaining: value)
                    i += 1
                case .chunkData(let remaining):
                    let n = min(remaining, count - i)
                    if decode { dataRanges.append(i..<i + n) }
                    data += n
                    i += n
                    state = n == remaining ? .chunkDataCR : .chunkData(remaining: remaining - n)
                case .chunkDataCR:
                    guard b == UInt8(ascii: "\r") else { return "chunk data longer than its size" }
                    state = .chunkDataLF
                    i += 1
                case .chunkDataLF:
                    guard b == UInt8(ascii: "\n") else { return "malformed chunk end" }
                    state = .chunkSize(value: 0, digits: 0)
                    i += 1
                case .trailer(let empty):
                    if b == UInt8(ascii: "\r") {
                        state = .trailerLF(empty: empty)
                    } else {
                        state = .trailer(empty: false)
                    }
                    i += 1
                case .trailerLF(let empty):
                    guard b == UInt8(ascii: "\n") else { return "malformed trailer" }
                    i += 1
                    if empty {
                        state = .done
                        consumed = i
                        return nil
                    }
                    state = .trailer(empty: true)
                default:
                    return "unexpected parser state"
                }
            }
            consumed = i
            return nil
        }
        if let failure { throw ResponseParseError(description: failure) }
        self.state = state
        bodyBytes += data
        defer { buffer.moveReaderIndex(forwardBy: consumed) }
        if decode {
            var decoded = ByteBufferAllocator().buffer(capacity: data)
            for range in dataRanges {
                var part = buffer.getSlice(at: start + range.lowerBound, length: range.count)!
                decoded.writeBuffer(&part)
            }
            return decoded
        }
        return buffer.getSlice(at: start, length: consumed)!
    }

    @inline(__always) static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Takes a complete head off `buffer`, or keeps what arrived and returns nil.
    mutating func takeHead(_ buffer: inout ByteBuffer) throws(ResponseParseError) -> ResponseHead? {
        var source: ByteBuffer
        if var saved = pending {
            saved.writeBuffer(&buffer)
            source = saved
            pending = nil
        } else {
            source = buffer
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        }
        guard let end = Self.headEnd(source) else {
            guard source.readableBytes <= Self.maxHeadBytes else {
                throw ResponseParseError(description: "upstream response headers exceed \(Self.maxHeadBytes / 1024) KiB")
            }
            pending = source
            return nil
        }
        let raw = source.readSlice(length: end)!
        // What follows the head goes back to the caller as body bytes.
        buffer = source
        return try Self.parseHead(raw)
    }

    /// The length of the head (through CRLFCRLF) at the start of `buffer`, if complete.
    static func headEnd(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard bytes.count >= 4 else { return nil }
            var i = 3
            while i < bytes.count {
                let b = bytes[i]
                if b == 10 {
                    if bytes[i - 1] == 13 && bytes[i - 2] == 10 && bytes[i - 3] == 13 { return i + 1 }
                    i += 1
                } else if b == 13 {
                    i += 1
                } else {
                    i += 4
                }
            }
            return nil
        }
    }

    static func parseHead(_ raw: ByteBuffer) throws(ResponseParseError) -> ResponseHead {
        var status = 0
        var minor = 1
        var fields: [ResponseHead.Field] = []
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
            i += 1
            while i < n {
                let lineStart = i
                if b[i] == 13 { break }  // the empty line
                if b[i] == 32 || b[i] == 9 { return "upstream used obsolete header line folding" }
                var colon = -1
                while i < n && b[i] != 10 {
                    if colon < 0 && b[i] == UInt8(ascii: ":") { colon = i }
                    i += 1
                }
                guard colon > lineStart, i < n, b[i - 1] == 13 else { return "malformed upstream header line" }
                var valueStart = colon + 1
                var valueEnd = i - 1
                while valueStart < valueEnd && (b[valueStart] == 32 || b[valueStart] == 9) { valueStart += 1 }
                while valueEnd > valueStart && (b[valueEnd - 1] == 32 || b[valueEnd - 1] == 9) { valueEnd -= 1 }
                let field = ResponseHead.Field(
                    lineStart: lineStart, nameEnd: colon, valueStart: valueStart, valueEnd: valueEnd, lineEnd: i + 1)
                fields.append(field)
                let nameLength = colon - lineStart
                if nameLength == 14 && HTTPBytes.equalsIgnoringCase(b, lineStart, colon, "content-length") {
                    var value = 0
                    guard valueEnd > valueStart, valueEnd - valueStart <= 15 else { return "malformed upstream content-length" }
                    for j in valueStart..<valueEnd {
                        guard b[j] >= 0x30 && b[j] <= 0x39 else { return "malformed upstream content-length" }
                        value = value * 10 + Int(b[j] - 0x30)
                    }
                    if let previous = contentLength, previous != value { return "conflicting upstream content-length" }
                    contentLength = value
                } else if nameLength == 17 && HTTPBytes.equalsIgnoringCase(b, lineStart, colon, "transfer-encoding") {
                    // chunked must be the final coding; anything else is not forwardable.
                    let v = UnsafeRawBufferPointer(rebasing: b[valueStart..<valueEnd])
                    guard v.count >= 7, HTTPBytes.equalsIgnoringCase(v, v.count - 7, v.count, "chunked") else {
                        return "unsupported upstream transfer-encoding"
                    }
                    chunked = true
                } else if nameLength == 10 && HTTPBytes.equalsIgnoringCase(b, lineStart, colon, "connection") {
                    let v = UnsafeRawBufferPointer(rebasing: b[valueStart..<valueEnd])
                    if HTTPBytes.containsToken(v, "close") { closes = true }
                    if HTTPBytes.containsToken(v, "keep-alive") { keepAlive = true }
                }
                i += 1
            }
            return nil
        }
        if let failure { throw ResponseParseError(description: failure) }
        if chunked && contentLength != nil {
            throw ResponseParseError(description: "upstream sent both content-length and transfer-encoding")
        }
        if minor == 0 && !keepAlive { closes = true }
        return ResponseHead(
            raw: raw, status: status, minorVersion: minor, fields: fields, contentLength: contentLength, chunked: chunked,
            closes: closes, statusLineEnd: statusLineEnd)
    }
}

extension HTTPBytes {
    /// A comma-separated header value holds `token` (lowercase), ignoring case and spaces.
    static func containsToken(_ value: UnsafeRawBufferPointer, _ token: String) -> Bool {
        var start = 0
        while start < value.count {
            var end = start
            while end < value.count && value[end] != UInt8(ascii: ",") { end += 1 }
            var s = start
            var e = end
            while s < e && (value[s] == 32 || value[s] == 9) { s += 1 }
            while e > s && (value[e - 1] == 32 || value[e - 1] == 9) { e -= 1 }
            if equalsIgnoringCase(value, s, e, token) { return true }
            start = end + 1
        }
        return false
    }
}
