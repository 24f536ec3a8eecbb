/// A duration as Istio writes it: Go's form (`1h30m`, `1.5s`, `100ms`) which covers protobuf's
/// (`15.000s`).
public struct MeshDuration: Sendable, Hashable, CustomStringConvertible {
    public var nanoseconds: Int64
    public var text: String
    /// The scalar it was read from (-1 when built in code).
    public var node: Int32

    public init(nanoseconds: Int64, node: Int32 = -1) {
        self.nanoseconds = nanoseconds
        self.text = MeshDuration.format(nanoseconds)
        self.node = node
    }

    public init?(_ text: String, node: Int32 = -1) {
        guard case .success(let nanoseconds) = MeshDuration.parse(text) else { return nil }
        self.nanoseconds = nanoseconds
        self.text = text
        self.node = node
    }

    /// Why a text is not a duration.
    public enum ParseError: Error, Sendable, Equatable {
        /// Not Go's duration syntax (a number is missing, or a unit).
        case malformed
        case unknownUnit(String)
        /// Longer than `MeshDuration.longest` (or shorter than its negation, less 1ns).
        case outOfRange
    }

    /// The longest duration Go (and so Istio) accepts: 2^63−1 nanoseconds.
    public static let longest = "2562047h47m16.854775807s"

    /// Reads Go's `time.ParseDuration` syntax as Go does: an optional sign, then one or more
    /// decimal numbers each with a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), such as `300ms`,
    /// `-1.5h` or `2h45m`; `0` needs no unit. Integer arithmetic throughout, so the whole range
    /// (±2562047h47m16.854775807s) is exact and nothing beyond it wraps or traps (where Go's own
    /// sum of two parts of 2^63 wraps to 0, this says out of range).
    public static func parse(_ text: String) -> Result<Int64, ParseError> {
        let bytes = Array(text.utf8)
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        if bytes.count - i == 1 && bytes[i] == UInt8(ascii: "0") { return .success(0) }
        guard i < bytes.count else { return .failure(.malformed) }
        let limit: UInt64 = 1 << 63
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        var total: UInt64 = 0
        while i < bytes.count {
            // The integer part; beyond 2^63 it can only be out of range.
            var whole: UInt64 = 0
            let wholeStart = i
            while i < bytes.count, isDigit(bytes[i]) {
                guard whole <= limit / 10 else { return .failure(.outOfRange) }
                whole = whole * 10 + UInt64(bytes[i] - 0x30)
                guard whole <= limit else { return .failure(.outOfRange) }
                i += 1
            }
            let hasWhole = i > wholeStart
            // The fraction: digits past what 63 bits can scale are dropped, as Go drops them.
            var fraction: UInt64 = 0
            var scale: Double = 1
            var hasFraction = false
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                var dropping = false
                let fractionStart = i
                while i < bytes.count, isDigit(bytes[i]) {
                    defer { i += 1 }
                    if dropping { continue }
                    let next = fraction.multipliedReportingOverflow(by: 10)
                    guard !next.overflow, next.partialValue + UInt64(bytes[i] - 0x30) <= limit else {
                        dropping = true
                        continue
                    }
                    fraction = next.partialValue + UInt64(bytes[i] - 0x30)
                    scale *= 10
                }
                hasFraction = i > fractionStart
            }
            guard hasWhole || hasFraction else { return .failure(.malformed) }
            let unitStart = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "."), !isDigit(bytes[i]) { i += 1 }
            guard i > unitStart else { return .failure(.malformed) }
            let unitText = String(decoding: bytes[unitStart..<i], as: UTF8.self)
            let unit: UInt64
            switch unitText {
            case "ns": unit = 1
            case "us", "µs", "μs": unit = 1_000
            case "ms": unit = 1_000_000
            case "s": unit = 1_000_000_000
            case "m": unit = 60_000_000_000
            case "h": unit = 3_600_000_000_000
            default: return .failure(.unknownUnit(unitText))
            }
            guard whole <= limit / unit else { return .failure(.outOfRange) }
            var value = whole * unit
            if fraction > 0 {
                // fraction < scale, so this is below one `unit` (at most an hour in ns).
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                guard value <= limit else { return .failure(.outOfRange) }
            }
            // Both are at most 2^63, so their sum can reach 2^64: compare before adding.
            guard value <= limit - total else { return .failure(.outOfRange) }
            total += value
        }
        if negative { return .success(Int64(bitPattern: 0 &- total)) }
        guard total < limit else { return .failure(.outOfRange) }
        return .success(Int64(total))
    }

    /// Two durations are equal when they last as long, whatever their spelling or position.
    public static func == (a: MeshDuration, b: MeshDuration) -> Bool { a.nanoseconds == b.nanoseconds }
    public func hash(into hasher: inout Hasher) { hasher.combine(nanoseconds) }

    public var milliseconds: Double { Double(nanoseconds) / 1e6 }
    public var seconds: Double { Double(nanoseconds) / 1e9 }
    public var description: String { text }

    /// Protobuf JSON's form, as Envoy prints durations: `1.500s`, `0.100s`, `30s`.
    public var protobufJSON: String {
        // On the magnitude, so a negative duration (even the most negative) prints as `-1.500s`.
        let sign = nanoseconds < 0 ? "-" : ""
        let seconds = nanoseconds.magnitude / 1_000_000_000
        let fraction = nanoseconds.magnitude % 1_000_000_000
        if fraction == 0 { return "\(sign)\(seconds)s" }
        if fraction % 1_000_000 == 0 { return "\(sign)\(seconds).\(pad(fraction / 1_000_000, 3))s" }
        if fraction % 1000 == 0 { return "\(sign)\(seconds).\(pad(fraction / 1000, 6))s" }
        return "\(sign)\(seconds).\(pad(fraction, 9))s"
    }

    static func format(_ nanoseconds: Int64) -> String {
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        return "\(Double(nanoseconds) / 1e9)s"
    }

    private func pad(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Istio's StringMatch: exactly one of exact, prefix, regex. An empty one (`{}`) means "present".
public enum StringMatch: Sendable, Hashable {
    case exact(String)
    case prefix(String)
    case regex(String)
    case present

    public var kindName: String {
        switch self {
        case .exact: "exact"
        case .prefix: "prefix"
        case .regex: "regex"
        case .present: "present"
        }
    }

    public var value: String {
        switch self {
        case .exact(let v), .prefix(let v), .regex(let v): v
        case .present: ""
        }
    }

    public var description: String {
        switch self {
        case .present: "present"
        default: "\(kindName) \"\(value)\""
        }
    }
}

/// A StringMatch as written, with where.
public struct StringMatchField: Sendable, Hashable {
    public var match: StringMatch
    public var node: Int32
    /// The scalar holding the value (for pointing at a bad regex).
    public var valueNode: Int32
}

extension Node {
    /// Decodes a StringMatch, reporting one with several or unknown kinds.
    public func stringMatch() -> StringMatchField? {
        var found: [(String, String, Int32)] = []
        fields(["exact", "prefix", "regex"]) { name, value in
            switch name {
            case "exact", "prefix", "regex":
                if let text = value.isNull ? "" : value.string() { found.append((name, text, value.index)) }
                return true
            default: return false
            }
        }
        guard raw.kind == .mapping || isNull else { return nil }
        if found.count > 1 {
            ctx.report(
                .schemaError,
                "\(path) sets \(found.map { "`\($0.0)`" }.joined(separator: " and ")); a StringMatch takes exactly one of exact, prefix, regex",
                at: index)
            return nil
        }
        guard let (kind, text, valueNode) = found.first else {
            return StringMatchField(match: .present, node: index, valueNode: index)
        }
        let match: StringMatch =
            switch kind {
            case "exact": .exact(text)
            case "prefix": .prefix(text)
            default: .regex(text)
            }
        return StringMatchField(match: match, node: index, valueNode: valueNode)
    }

    /// `{value: 12.5}`: Istio's Percent message.
    public func percent() -> Percent? {
        var value: Double?
        var valueNode = index
        fields(["value"]) { name, node in
            guard name == "value" else { return false }
            value = node.double()
            valueNode = node.index
            return true
        }
        guard raw.kind == .mapping else { return nil }
        return Percent(value: value ?? 0, node: valueNode)
    }

    /// `{number: 80}`: Istio's PortSelector.
    public func portSelector() -> PortNumber? {
        var number: Int?
        var numberNode = index
        fields(["number"]) { name, node in
            guard name == "number" else { return false }
            number = node.uint32()
            numberNode = node.index
            return true
        }
        guard let number else { return nil }
        return PortNumber(number: number, node: numberNode)
    }
}

public struct Percent: Sendable, Hashable {
    public var value: Double
    public var node: Int32
    public init(value: Double, node: Int32 = -1) {
        self.value = value
        self.node = node
    }
}

public struct PortNumber: Sendable, Hashable {
    public var number: Int
    public var node: Int32
    public init(number: Int, node: Int32 = -1) {
        self.number = number
        self.node = node
    }
}

/// A scalar value together with the node it was read from.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var node: Int32
    public init(_ value: Value, node: Int32) {
        self.value = value
        self.node = node
    }
}

extension Node {
    public func located<T>(_ read: (Node) -> T?) -> Located<T>? {
        read(self).map { Located($0, node: index) }
    }
}
