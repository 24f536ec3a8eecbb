#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few facts of an X.509 certificate that istioctl's secret table shows: serial number,
/// validity and whether it is a CA. Read from the first PEM block, as Go's `pem.Decode` does.
struct Certificate {
    var serialHex: String
    /// RFC 3339, UTC (`2033-05-02T03:41:33Z`), so strings compare as times.
    var notBefore: String
    var notAfter: String
    var isCA: Bool

    init?(pem: [UInt8]) {
        let text = String(decoding: pem, as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN "),
            let headerEnd = text[begin.upperBound...].range(of: "-----\n")
                ?? text[begin.upperBound...].range(of: "-----\r\n"),
            let end = text[headerEnd.upperBound...].range(of: "-----END ")
        else { return nil }
        let body = text[headerEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let der = Base64.decode(String(body)) else { return nil }
        var reader = DER(der[...])
        guard var certificate = reader.sequence(), var tbs = certificate.sequence() else { return nil }
        if tbs.peekTag == 0xA0 { _ = tbs.element() }
        guard let serial = tbs.element(tag: 0x02), tbs.element() != nil, tbs.element() != nil, var validity = tbs.sequence(),
            let notBefore = validity.time(), let notAfter = validity.time()
        else { return nil }
        var digits = serial.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst() }
        serialHex = digits
        self.notBefore = notBefore
        self.notAfter = notAfter
        isCA = false
        _ = tbs.element()  // subject
        _ = tbs.element()  // subject public key info
        while let tag = tbs.peekTag {
            guard let content = tbs.element() else { break }
            guard tag == 0xA3 else { continue }
            var outer = DER(content)
            guard var extensions = outer.sequence() else { break }
            while var ext = extensions.sequence() {
                let oid = ext.element(tag: 0x06)
                if ext.peekTag == 0x01 { _ = ext.element() }
                guard oid.map(Array.init) == [0x55, 0x1D, 0x13], let value = ext.element(tag: 0x04) else { continue }
                var octets = DER(value)
                if var constraints = octets.sequence(), constraints.peekTag == 0x01, let flag = constraints.element() {
                    isCA = flag.first.map { $0 != 0 } ?? false
                }
            }
        }
    }
}

/// A minimal DER reader: tag, length, contents.
struct DER {
    var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var peekTag: UInt8? { bytes.first }

    mutating func element(tag wanted: UInt8? = nil) -> ArraySlice<UInt8>? {
        guard let tag = bytes.first, wanted == nil || wanted == tag, bytes.count >= 2 else { return nil }
        var index = bytes.startIndex + 1
        var length = Int(bytes[index])
        index += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count <= 4, index + count <= bytes.endIndex else { return nil }
            length = 0
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard length >= 0, index + length <= bytes.endIndex else { return nil }
        let content = bytes[index..<index + length]
        bytes = bytes[(index + length)...]
        return content
    }

    mutating func sequence() -> DER? { element(tag: 0x30).map { DER($0) } }

    /// UTCTime or GeneralizedTime as RFC 3339.
    mutating func time() -> String? {
        guard let tag = peekTag, tag == 0x17 || tag == 0x18, let content = element() else { return nil }
        var text = String(decoding: content, as: UTF8.self)
        guard text.hasSuffix("Z") else { return nil }
        text.removeLast()
        if tag == 0x17 {
            guard let year = Int(text.prefix(2)) else { return nil }
            text = (year < 50 ? "20" : "19") + text
        }
        let digits = Array(text)
        guard digits.count >= 14, digits.allSatisfy(\.isNumber) else { return nil }
        func part(_ from: Int, _ count: Int) -> String { String(digits[from..<from + count]) }
        return "\(part(0, 4))-\(part(4, 2))-\(part(6, 2))T\(part(8, 2)):\(part(10, 2)):\(part(12, 2))Z"
    }
}

enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for scalar in text.unicodeScalars {
            let value: UInt32
            switch scalar {
            case "A"..."Z": value = scalar.value - 65
            case "a"..."z": value = scalar.value - 97 + 26
            case "0"..."9": value = scalar.value - 48 + 52
            case "+", "-": value = 62
            case "/", "_": value = 63
            case "=", "\n", "\r", " ": continue
            default: return nil
            }
            buffer = buffer << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

public enum UTCClock {
    /// The current time as RFC 3339, UTC.
    public static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
