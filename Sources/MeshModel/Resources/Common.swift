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
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes == [UInt8(ascii: "0")] {
            self.nanoseconds = 0
            self.text = text
            self.node = node
            return
        }
        func isNumberByte(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") }
        var total: Double = 0
        var i = 0
        while i < bytes.count {
            let numberStart = i
            while i < bytes.count && isNumberByte(bytes[i]) { i += 1 }
            guard i > numberStart, let value = Double(String(decoding: bytes[numberStart..<i], as: UTF8.self)) else { return nil }
            let unitStart = i
            while i < bytes.count && !isNumberByte(bytes[i]) { i += 1 }
            let scale: Double
            switch String(decoding: bytes[unitStart..<i], as: UTF8.self) {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return nil
            }
            total += value * scale
        }
        guard total < 9.2e18 else { return nil }
        self.nanoseconds = Int64(total.rounded())
        self.text = text
        self.node = node
    }

    /// Two durations are equal when they last as long, whatever their spelling or position.
    public static func == (a: MeshDuration, b: MeshDuration) -> Bool { a.nanoseconds == b.nanoseconds }
    public func hash(into hasher: inout Hasher) { hasher.combine(nanoseconds) }

    public var milliseconds: Double { Double(nanoseconds) / 1e6 }
    public var seconds: Double { Double(nanoseconds) / 1e9 }
    public var description: String { text }

    /// Protobuf JSON's form, as Envoy prints durations: `1.500s`, `0.100s`, `30s`.
    public var protobufJSON: String {
        let seconds = nanoseconds / 1_000_000_000
        let fraction = nanoseconds % 1_000_000_000
        if fraction == 0 { return "\(seconds)s" }
        if fraction % 1_000_000 == 0 { return "\(seconds).\(pad(fraction / 1_000_000, 3))s" }
        if fraction % 1000 == 0 { return "\(seconds).\(pad(fraction / 1000, 6))s" }
        return "\(seconds).\(pad(fraction, 9))s"
    }

    static func format(_ nanoseconds: Int64) -> String {
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        return "\(Double(nanoseconds) / 1e9)s"
    }

    private func pad(_ value: Int64, _ width: Int) -> String {
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
