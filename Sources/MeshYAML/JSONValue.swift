/// A JSON document with object keys kept in order, so rendered output is deterministic and
/// follows the order it was built in (Envoy's proto field order).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    // MARK: Reading

    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// An integer, also from a string (protobuf JSON writes 64-bit integers as strings).
    public var int: Int64? {
        switch self {
        case .int(let i): i
        case .double(let d): Int64(exactly: d)
        case .string(let s): Int64(s)
        default: nil
        }
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var object: [(String, JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    // MARK: Writing

    /// JSON text; `pretty` indents by two spaces as Envoy's admin does.
    public func json(pretty: Bool = true) -> String {
        var out = ""
        writeJSON(&out, indent: pretty ? 0 : -1)
        return out
    }

    private func writeJSON(_ out: inout String, indent: Int) {
        let pretty = indent >= 0
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONValue.format(d)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                item.writeJSON(&out, indent: pretty ? indent + 2 : -1)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                JSONValue.quote(key, into: &out)
                out += pretty ? ": " : ":"
                value.writeJSON(&out, indent: pretty ? indent + 2 : -1)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "}"
        }
    }

    static func format(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return "null" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Block-style YAML, as `kubectl` and `istioctl -o yaml` print.
    public func yaml() -> String {
        var out = ""
        writeYAML(&out, indent: 0, inList: false)
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    private func writeYAML(_ out: inout String, indent: Int, inList: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .array(let items) where !items.isEmpty:
            for (i, item) in items.enumerated() {
                if i > 0 || !inList { out += pad }
                out += "- "
                item.writeYAMLInline(&out, indent: indent + 2)
            }
        case .object(let fields) where !fields.isEmpty:
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 || !inList { out += pad }
                out += JSONValue.yamlScalar(key) + ":"
                switch value {
                case .object(let f) where !f.isEmpty:
                    out += "\n"
                    value.writeYAML(&out, indent: indent + 2, inList: false)
                case .array(let a) where !a.isEmpty:
                    out += "\n"
                    value.writeYAML(&out, indent: indent, inList: false)
                default:
                    out += " "
                    value.writeYAMLInline(&out, indent: indent + 2)
                }
            }
        default:
            writeYAMLInline(&out, indent: indent)
        }
    }

    /// Writes a value that starts on the current line (after `- ` or `key: `).
    private func writeYAMLInline(_ out: inout String, indent: Int) {
        switch self {
        case .null: out += "null\n"
        case .bool(let b): out += (b ? "true" : "false") + "\n"
        case .int(let i): out += String(i) + "\n"
        case .double(let d): out += JSONValue.format(d) + "\n"
        case .string(let s): out += JSONValue.yamlScalar(s) + "\n"
        case .array(let items): if items.isEmpty { out += "[]\n" } else { writeYAML(&out, indent: indent, inList: true) }
        case .object(let fields): if fields.isEmpty { out += "{}\n" } else { writeYAML(&out, indent: indent, inList: true) }
        }
    }

    /// A string as a YAML scalar: plain when that reads back as the same string, else quoted.
    static func yamlScalar(_ s: String) -> String {
        let reserved: Set<String> = [
            "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "no", "on", "off", "y",
            "n", "Yes", "No", "On", "Off",
        ]
        let first = s.unicodeScalars.first
        let risky =
            reserved.contains(s) || Double(s) != nil || Int(s) != nil || s.hasPrefix(" ") || s.hasSuffix(" ")
            || "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first!) || s.contains(": ") || s.contains(" #")
            || s.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{7f}" } || s.hasSuffix(":")
        guard risky else { return s }
        var out = ""
        quote(s, into: &out)
        return out
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(Int64(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}

extension YAMLFile {
    /// The value of a node as JSON: plain scalars become numbers, bools and null as YAML's core
    /// schema reads them; quoted scalars stay strings.
    public func jsonValue(_ index: Int32) -> JSONValue {
        let node = self[index]
        switch node.kind {
        case .mapping:
            return .object(pairs(index).map { (string($0.key), jsonValue($0.value)) })
        case .sequence:
            return .array(children(index).map { jsonValue($0) })
        case .scalar:
            let text = string(index)
            if isQuotedOrTaggedString(index) { return .string(text) }
            if isNull(index) { return .null }
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let i = Int64(text) { return .int(i) }
            if let first = text.utf8.first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39), let d = Double(text) {
                return .double(d)
            }
            return .string(text)
        }
    }
}
