import MeshYAML

/// JSON text as Go's `json.MarshalIndent(v, "", indent)` writes it: `"key": value`, empty
/// objects and arrays as `{}` and `[]`, and strings escaped as encoding/json escapes them
/// (`<`, `>`, `&`, U+2028 and U+2029 as `\u` sequences).
public enum GoJSON {
    public static func indented(_ value: JSONValue, indent: String = "    ") -> String {
        var out = ""
        write(value, depth: 0, indent: indent, jsonpb: false, into: &out)
        return out
    }

    /// As Go's protobuf `jsonpb.Marshaler{Indent: indent}` writes a message: the same layout,
    /// except that an empty message is `{`, a blank line and `}`.
    public static func jsonpbIndented(_ value: JSONValue, indent: String = "    ") -> String {
        var out = ""
        write(value, depth: 0, indent: indent, jsonpb: true, into: &out)
        return out
    }

    static func write(_ value: JSONValue, depth: Int, indent: String, jsonpb: Bool, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += GoFloat.json(d)
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                out += i == 0 ? "\n" : ",\n"
                out += String(repeating: indent, count: depth + 1)
                write(item, depth: depth + 1, indent: indent, jsonpb: jsonpb, into: &out)
            }
            out += "\n" + String(repeating: indent, count: depth) + "]"
        case .object(let fields):
            if fields.isEmpty {
                out += jsonpb ? "{\n\n" + String(repeating: indent, count: depth) + "}" : "{}"
                return
            }
            out += "{"
            for (i, (key, item)) in fields.enumerated() {
                out += i == 0 ? "\n" : ",\n"
                out += String(repeating: indent, count: depth + 1)
                quote(key, into: &out)
                out += ": "
                write(item, depth: depth + 1, indent: indent, jsonpb: jsonpb, into: &out)
            }
            out += "\n" + String(repeating: indent, count: depth) + "}"
        }
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
            case "\u{8}": out += "\\b"
            case "\u{c}": out += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            default:
                if scalar.value < 0x20 { out += "\\u" + hex4(scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        out += "\""
    }

    static func hex4(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Go's float formatting (`strconv.FormatFloat` with the shortest precision).
enum GoFloat {
    /// The shortest decimal digits of `d` (no leading or trailing zeros) and the decimal point's
    /// position: |d| = 0.DIGITS × 10^point.
    static func decimal(_ d: Double) -> (digits: String, point: Int) {
        let text = "\(abs(d))"
        let parts = text.split(separator: "e")
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0]
        let dot = mantissa.firstIndex(of: ".")
        let integer = dot.map { mantissa[..<$0] } ?? mantissa[...]
        let fraction = dot.map { mantissa[mantissa.index(after: $0)...] } ?? ""
        var digits = String(integer) + String(fraction)
        var point = integer.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        if digits == "0" { point = 1 }
        return (digits, point)
    }

    static func fixed(_ d: Double) -> String {
        let (digits, point) = decimal(d)
        let sign = d < 0 ? "-" : ""
        if digits == "0" { return sign + "0" }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<split] + "." + digits[split...]
    }

    static func exponent(_ d: Double) -> String {
        let (digits, point) = decimal(d)
        let sign = d < 0 ? "-" : ""
        let exp = digits == "0" ? 0 : point - 1
        let mantissa = digits.count > 1 ? "\(digits.first!).\(digits.dropFirst())" : digits
        let expDigits = String(abs(exp))
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (expDigits.count < 2 ? "0" : "") + expDigits
    }

    /// encoding/json's number text for a float64.
    static func json(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return "null" }
        let magnitude = abs(d)
        if magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21) {
            var text = exponent(d)
            // encoding/json writes e-7, not e-07.
            if let range = text.range(of: "e-0") { text.replaceSubrange(range, with: "e-") }
            return text
        }
        return fixed(d)
    }

    /// `strconv.FormatFloat(d, 'g', -1, 64)`, as Go's YAML encoder writes floats.
    static func shortestG(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        let (digits, point) = decimal(d)
        let exp = digits == "0" ? 0 : point - 1
        return exp < -4 || exp >= 6 ? exponent(d) : fixed(d)
    }
}
