import NIOCore

/// Why bytes are not HTTP/1.x meshctl can forward, with the status a client is answered with.
public struct HTTP1ParseError: Error, Equatable, CustomStringConvertible {
    public var description: String
    /// 400 malformed, 431 headers too large, 501 a transfer coding meshctl does not forward.
    public var status: Int

    public init(_ description: String, status: Int = 400) {
        self.description = description
        self.status = status
    }
}

/// Walks chunked transfer coding (RFC 9112 §7.1), byte by byte across reads: chunk sizes,
/// extensions, data, the last chunk and trailers. A pure value shared by the request and
/// response parsers; bytes are handed on framed (for a proxy that forwards them unchanged) or
/// decoded.
struct ChunkedFraming: Sendable {
    enum State: Sendable {
        case size(value: Int, digits: Int)
        case sizeExtension(value: Int)
        case sizeLF(value: Int)
        case data(remaining: Int)
        case dataCR
        case dataLF
        /// At the start of a trailer line; `empty` while the line has no bytes yet.
        case trailer(empty: Bool)
        case trailerLF(empty: Bool)
        case done
    }

    private(set) var state = State.size(value: 0, digits: 0)

    var isDone: Bool { if case .done = state { true } else { false } }

    /// Consumes what `buffer` holds of the body (stopping at its end), returning those bytes:
    /// framed as they came, or only the data when `decode`; and how many data bytes they held.
    mutating func scan(_ buffer: inout ByteBuffer, decode: Bool) throws(HTTP1ParseError) -> (bytes: ByteBuffer, data: Int) {
        let start = buffer.readerIndex
        let count = buffer.readableBytes
        var consumed = 0
        var data = 0
        var ranges: [Range<Int>] = []
        var state = self.state
        let failure: String? = buffer.withUnsafeReadableBytes { bytes -> String? in
            var i = 0
            while i < count {
                let b = bytes[i]
                switch state {
                case .size(let value, let digits):
                    if let d = Self.hexValue(b) {
                        guard digits < 15 else { return "chunk size too large" }
                        state = .size(value: value << 4 | d, digits: digits + 1)
                    } else if digits == 0 {
                        return "malformed chunk size"
                    } else if b == UInt8(ascii: "\r") {
                        state = .sizeLF(value: value)
                    } else if b == UInt8(ascii: ";") || b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                        state = .sizeExtension(value: value)
                    } else {
                        return "malformed chunk size"
                    }
                    i += 1
                case .sizeExtension(let value):
                    if b == UInt8(ascii: "\r") {
                        state = .sizeLF(value: value)
                    } else if b == UInt8(ascii: "\n") || b == 0 {
                        return "malformed chunk extension"
                    }
                    i += 1
                case .sizeLF(let value):
                    guard b == UInt8(ascii: "\n") else { return "malformed chunk size line" }
                    state = value == 0 ? .trailer(empty: true) : .data(remaining: value)
                    i += 1
                case .data(let remaining):
                    let n = min(remaining, count - i)
                    if decode { ranges.append(i..<i + n) }
                    data += n
                    i += n
                    state = n == remaining ? .dataCR : .data(remaining: remaining - n)
                case .dataCR:
                    guard b == UInt8(ascii: "\r") else { return "chunk data longer than its size" }
                    state = .dataLF
                    i += 1
                case .dataLF:
                    guard b == UInt8(ascii: "\n") else { return "malformed chunk end" }
                    state = .size(value: 0, digits: 0)
                    i += 1
                case .trailer(let empty):
                    state = b == UInt8(ascii: "\r") ? .trailerLF(empty: empty) : .trailer(empty: false)
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
                case .done:
                    consumed = i
                    return nil
                }
            }
            consumed = i
            return nil
        }
        if let failure { throw HTTP1ParseError(failure) }
        self.state = state
        defer { buffer.moveReaderIndex(forwardBy: consumed) }
        if decode {
            var decoded = ByteBufferAllocator().buffer(capacity: data)
            for range in ranges {
                var part = buffer.getSlice(at: start + range.lowerBound, length: range.count)!
                decoded.writeBuffer(&part)
            }
            return (decoded, data)
        }
        return (buffer.getSlice(at: start, length: consumed)!, data)
    }

    @inline(__always) static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

/// Collects a message head (start line and header lines, through the empty line) across reads.
struct HeadCollector: Sendable {
    private var pending: ByteBuffer?
    let maxBytes: Int

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// Nothing of a head has arrived yet.
    var isEmpty: Bool { pending == nil }

    /// The complete head, taken off the front of what arrived; the rest stays in `buffer`. Nil
    /// while it is incomplete (what arrived is kept).
    mutating func take(_ buffer: inout ByteBuffer, tooLarge: String, status: Int) throws(HTTP1ParseError) -> ByteBuffer? {
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
            guard source.readableBytes <= maxBytes else { throw HTTP1ParseError(tooLarge, status: status) }
            pending = source
            return nil
        }
        guard end <= maxBytes else { throw HTTP1ParseError(tooLarge, status: status) }
        let head = source.readSlice(length: end)!
        buffer = source
        return head
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
}

/// Offsets of one header line in a head's bytes.
public struct HeaderField: Sendable {
    var lineStart: Int
    var nameEnd: Int
    var valueStart: Int
    var valueEnd: Int
    /// Past the line's CRLF.
    var lineEnd: Int
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

    /// Parses header lines from `i` to the empty line: name, `:`, optional spaces, value. Names
    /// must be tokens (no spaces before the colon); values must not hold control characters
    /// other than tab; folded lines are refused.
    static func parseFields(
        _ b: UnsafeRawBufferPointer, from start: Int, into fields: inout [HeaderField], who: String
    ) -> String? {
        var i = start
        let n = b.count
        while i < n {
            let lineStart = i
            if b[i] == 13 { return nil }  // the empty line
            if b[i] == 32 || b[i] == 9 { return "\(who) used obsolete header line folding" }
            var colon = -1
            while i < n && b[i] != 10 {
                let c = b[i]
                if colon < 0 {
                    if c == UInt8(ascii: ":") {
                        colon = i
                    } else if !isTokenByte(c) {
                        return "\(who) sent a malformed header name"
                    }
                } else if c < 32 && c != 9 && !(c == 13 && i + 1 < n && b[i + 1] == 10) {
                    return "\(who) sent a control character in a header value"
                } else if c == 127 {
                    return "\(who) sent a control character in a header value"
                }
                i += 1
            }
            guard colon > lineStart, i < n, b[i - 1] == 13 else { return "\(who) sent a malformed header line" }
            var valueStart = colon + 1
            var valueEnd = i - 1
            while valueStart < valueEnd && (b[valueStart] == 32 || b[valueStart] == 9) { valueStart += 1 }
            while valueEnd > valueStart && (b[valueEnd - 1] == 32 || b[valueEnd - 1] == 9) { valueEnd -= 1 }
            fields.append(
                HeaderField(lineStart: lineStart, nameEnd: colon, valueStart: valueStart, valueEnd: valueEnd, lineEnd: i + 1))
            i += 1
        }
        return nil
    }

    /// RFC 9110 token characters.
    @inline(__always) static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// A decimal content-length (at most 15 digits), or nil.
    static func contentLength(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int? {
        guard end > start, end - start <= 15 else { return nil }
        var value = 0
        for j in start..<end {
            guard b[j] >= 0x30 && b[j] <= 0x39 else { return nil }
            value = value * 10 + Int(b[j] - 0x30)
        }
        return value
    }
}
