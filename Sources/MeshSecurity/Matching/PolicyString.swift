import MeshRouting

/// A string of an authorization rule as Istio reads it: `*` alone means present (not empty),
/// a leading `*` a suffix match, a trailing `*` a prefix match, anything else an exact match
/// (a `*` elsewhere is a literal character).
public enum PolicyString: Sendable, Hashable, CustomStringConvertible {
    case exact(String)
    case prefix(String)
    case suffix(String)
    case present

    public init(_ pattern: String) {
        if pattern == "*" {
            self = .present
        } else if pattern.hasPrefix("*") {
            self = .suffix(String(pattern.dropFirst()))
        } else if pattern.hasSuffix("*") {
            self = .prefix(String(pattern.dropLast()))
        } else {
            self = .exact(pattern)
        }
    }

    /// Compares bytes, as Envoy's string matchers do (no Unicode normalization).
    @inline(__always) public func matches(_ value: Substring) -> Bool {
        switch self {
        case .present: !value.isEmpty
        case .exact(let s): value.utf8.elementsEqual(s.utf8)
        case .prefix(let s): value.utf8.starts(with: s.utf8)
        case .suffix(let s): value.utf8.count >= s.utf8.count && value.utf8.reversed().starts(with: s.utf8.reversed())
        }
    }

    @inline(__always) public func matches(_ value: String) -> Bool { matches(value[...]) }

    /// The match with its text lowercased (for case-insensitive fields such as hosts).
    public var lowercased: PolicyString {
        switch self {
        case .present: .present
        case .exact(let s): .exact(s.lowercased())
        case .prefix(let s): .prefix(s.lowercased())
        case .suffix(let s): .suffix(s.lowercased())
        }
    }

    public var description: String {
        switch self {
        case .present: "*"
        case .exact(let s): s
        case .prefix(let s): s + "*"
        case .suffix(let s): "*" + s
        }
    }
}

/// A path of an authorization rule: a PolicyString, or a path template with `{*}` (one
/// segment) and `{**}` (any number of segments, including none), as Envoy's uri_template reads
/// them.
public enum PolicyPath: Sendable, Hashable {
    case string(PolicyString)
    case template([Piece])

    public enum Piece: Sendable, Hashable {
        case literal(String)
        case segment
        case anySegments
    }

    public init(_ pattern: String) {
        guard pattern.contains("{*}") || pattern.contains("{**}") else {
            self = .string(PolicyString(pattern))
            return
        }
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(pattern)
        while !rest.isEmpty {
            if rest.hasPrefix("{**}") {
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = ""
                pieces.append(.anySegments)
                rest = rest.dropFirst(4)
            } else if rest.hasPrefix("{*}") {
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = ""
                pieces.append(.segment)
                rest = rest.dropFirst(3)
            } else {
                literal.append(rest.removeFirst())
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self = .template(pieces)
    }

    public func matches(_ path: Substring) -> Bool {
        switch self {
        case .string(let s): return s.matches(path)
        case .template(let pieces): return Self.match(pieces[...], Array(path.utf8)[...])
        }
    }

    /// Backtracking over the pieces; paths are short and templates have a few pieces.
    static func match(_ pieces: ArraySlice<Piece>, _ path: ArraySlice<UInt8>) -> Bool {
        guard let first = pieces.first else { return path.isEmpty }
        let rest = pieces.dropFirst()
        switch first {
        case .literal(let text):
            let bytes = Array(text.utf8)
            guard path.starts(with: bytes) else { return false }
            return match(rest, path.dropFirst(bytes.count))
        case .segment:
            // One or more characters up to the next `/`.
            var end = path.startIndex
            while end < path.endIndex, path[end] != UInt8(ascii: "/") {
                end += 1
                if match(rest, path[end...]) { return true }
            }
            return false
        case .anySegments:
            var end = path.startIndex
            while true {
                if match(rest, path[end...]) { return true }
                guard end < path.endIndex else { return false }
                end += 1
            }
        }
    }
}

/// An address block of a rule (`10.0.0.0/8`, `2001:db8::/32`, or one address), parsed once.
public struct IPBlock: Sendable, Hashable {
    public let text: String
    let network: [UInt8]
    let bits: Int
    let isV4: Bool

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let maxBits = address.isV4 ? 32 : 128
        let bits: Int
        if parts.count == 2 {
            guard let b = Int(parts[1]), (0...maxBits).contains(b) else { return nil }
            bits = b
        } else {
            bits = maxBits
        }
        self.text = text
        self.network = address.bytes
        self.bits = (address.isV4 ? 96 : 0) + bits
        self.isV4 = address.isV4
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.isV4 == isV4 else { return false }
        let whole = bits / 8
        for i in 0..<whole where address.bytes[i] != network[i] { return false }
        let rest = bits % 8
        guard rest > 0 else { return true }
        let mask = UInt8(truncatingIfNeeded: 0xff << (8 - rest))
        return address.bytes[whole] & mask == network[whole] & mask
    }
}
