import MeshYAML

/// YAML as istioctl prints it: its JSON converted by `sigs.k8s.io/yaml.JSONToYAML`, which reads
/// the JSON as YAML and writes it back with go-yaml v2. So mapping keys are sorted (go-yaml's
/// order: letters by code point, digit runs by value), sequences sit at their key's
/// indentation, a string that would read back as another type is double-quoted, one with YAML
/// indicators single-quoted, a multi-line one is a literal block, and long lines fold at
/// spaces past column 80.
public enum GoYAML {
    public static func document(_ value: JSONValue) -> String {
        var emitter = Emitter()
        emitter.node(value, indent: 0, top: true)
        return emitter.out
    }

    /// go-yaml v2's key order.
    static func keyLess(_ a: String, _ b: String) -> Bool {
        let ar = Array(a.unicodeScalars)
        let br = Array(b.unicodeScalars)
        var i = 0
        while i < ar.count && i < br.count {
            defer { i += 1 }
            if ar[i] == br[i] { continue }
            let al = isLetter(ar[i])
            let bl = isLetter(br[i])
            if al && bl { return ar[i].value < br[i].value }
            if al || bl { return bl }
            var an: Int64 = 0
            var bn: Int64 = 0
            if ar[i] == "0" || br[i] == "0" {
                var j = i - 1
                while j >= 0 && isDigit(ar[j]) {
                    if ar[j] != "0" {
                        an = 1
                        bn = 1
                        break
                    }
                    j -= 1
                }
            }
            var ai = i
            while ai < ar.count && isDigit(ar[ai]) {
                an = an &* 10 &+ Int64(ar[ai].value - 48)
                ai += 1
            }
            var bi = i
            while bi < br.count && isDigit(br[bi]) {
                bn = bn &* 10 &+ Int64(br[bi].value - 48)
                bi += 1
            }
            if an != bn { return an < bn }
            if ai != bi { return ai < bi }
            return ar[i].value < br[i].value
        }
        return ar.count < br.count
    }

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }
    static func isDigit(_ s: Unicode.Scalar) -> Bool { s.properties.generalCategory == .decimalNumber }

    // MARK: How a string is written

    enum Style { case plain, single, double, literal }

    /// True when go-yaml would read `s`, unquoted, as something other than a string.
    static func resolvesToNonString(_ s: String) -> Bool {
        let special: Set<String> = [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO", "false",
            "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf",
            ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
        ]
        if special.contains(s) { return true }
        guard let first = s.unicodeScalars.first else { return true }
        if first == "." { return Double(s) != nil && !s.contains("x") && !s.lowercased().contains("n") }
        guard first == "+" || first == "-" || ("0"..."9").contains(first) else { return false }
        if isTimestamp(s) { return true }
        let plain = s.replacingOccurrences(of: "_", with: "")
        if goParseInt(plain) { return true }
        if isYAMLFloat(plain) { return true }
        return false
    }

    /// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint` succeeding.
    static func goParseInt(_ text: String) -> Bool {
        var s = Substring(text)
        var negative = false
        if s.hasPrefix("+") || s.hasPrefix("-") {
            negative = s.hasPrefix("-")
            s = s.dropFirst()
        }
        var radix = 10
        let lower = s.lowercased()
        if lower.hasPrefix("0x") {
            radix = 16
            s = s.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8
            s = s.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2
            s = s.dropFirst(2)
        } else if s.hasPrefix("0") && s.count > 1 {
            radix = 8
            s = s.dropFirst()
        }
        guard !s.isEmpty, let magnitude = UInt64(s, radix: radix) else { return false }
        return negative ? magnitude <= UInt64(Int64.max) + 1 : true
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
    static func isYAMLFloat(_ s: String) -> Bool {
        var chars = Array(s.unicodeScalars)[...]
        func digits() -> Int {
            var n = 0
            while let c = chars.first, ("0"..."9").contains(c) {
                chars = chars.dropFirst()
                n += 1
            }
            return n
        }
        if chars.first == "+" || chars.first == "-" { chars = chars.dropFirst() }
        if chars.first == "." {
            chars = chars.dropFirst()
            if digits() == 0 { return false }
        } else {
            if digits() == 0 { return false }
            if chars.first == "." {
                chars = chars.dropFirst()
                _ = digits()
            }
        }
        if chars.first == "e" || chars.first == "E" {
            chars = chars.dropFirst()
            if chars.first == "+" || chars.first == "-" { chars = chars.dropFirst() }
            if digits() == 0 { return false }
        }
        return chars.isEmpty
    }

    /// The timestamps go-yaml v2 resolves: `YYYY-M-D`, with `T`/`t` and a time and zone, or a
    /// space and a time without zone.
    static func isTimestamp(_ s: String) -> Bool {
        let c = Array(s.unicodeScalars)
        var i = 0
        func number(_ min: Int, _ max: Int) -> Bool {
            var n = 0
            while i < c.count, ("0"..."9").contains(c[i]), n < max {
                i += 1
                n += 1
            }
            return n >= min
        }
        func char(_ x: Unicode.Scalar) -> Bool {
            guard i < c.count, c[i] == x else { return false }
            i += 1
            return true
        }
        guard number(4, 4), char("-"), number(1, 2), char("-"), number(1, 2) else { return false }
        if i == c.count { return true }
        let separator = c[i]
        guard separator == "T" || separator == "t" || separator == " " else { return false }
        i += 1
        guard number(1, 2), char(":"), number(1, 2), char(":"), number(1, 2) else { return false }
        if char(".") { guard number(1, 9) else { return false } }
        if separator == " " { return i == c.count }
        if char("Z") { return i == c.count }
        guard i < c.count, c[i] == "+" || c[i] == "-" else { return false }
        i += 1
        return number(2, 2) && char(":") && number(2, 2) && i == c.count
    }

    static func isBase60Float(_ s: String) -> Bool {
        // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
        let c = Array(s.unicodeScalars)
        var i = 0
        if i < c.count, c[i] == "+" || c[i] == "-" { i += 1 }
        guard i < c.count, ("0"..."9").contains(c[i]) else { return false }
        while i < c.count, ("0"..."9").contains(c[i]) || c[i] == "_" { i += 1 }
        var groups = 0
        while i < c.count, c[i] == ":" {
            i += 1
            var n = 0
            while i < c.count, ("0"..."9").contains(c[i]), n < 2 {
                i += 1
                n += 1
            }
            guard n >= 1 else { return false }
            if n == 2, !("0"..."5").contains(c[i - 2]) { return false }
            groups += 1
        }
        guard groups > 0 else { return false }
        if i < c.count, c[i] == "." {
            i += 1
            while i < c.count, ("0"..."9").contains(c[i]) || c[i] == "_" { i += 1 }
        }
        return i == c.count
    }

    static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v == 0x0A || (0x20...0x7E).contains(v) || (0xA0...0xD7FF).contains(v)
            || ((0xE000...0xFFFD).contains(v) && v != 0xFEFF)
    }

    static func isBreak(_ s: Unicode.Scalar) -> Bool {
        s == "\r" || s == "\n" || s == "\u{85}" || s == "\u{2028}" || s == "\u{2029}"
    }
    static func isBlank(_ s: Unicode.Scalar?) -> Bool { s == nil || s == " " || s == "\t" || isBreak(s!) }

    /// libyaml's scalar analysis, as go-yaml ports it: which styles can carry `s`.
    struct Analysis {
        var multiline = false
        var blockPlainAllowed = true
        var singleQuotedAllowed = true
        var blockAllowed = true

        init(_ s: String) {
            let c = Array(s.unicodeScalars)
            if c.isEmpty {
                blockAllowed = false
                return
            }
            var flowIndicators = false
            var blockIndicators = false
            if s.hasPrefix("---") || s.hasPrefix("...") {
                flowIndicators = true
                blockIndicators = true
            }
            var (lineBreaks, special) = (false, false)
            var (leadingSpace, leadingBreak, trailingSpace, trailingBreak) = (false, false, false, false)
            var (breakSpace, spaceBreak, previousSpace, previousBreak) = (false, false, false, false)
            var precededByWhitespace = true
            for (i, ch) in c.enumerated() {
                let followedByWhitespace = GoYAML.isBlank(i + 1 < c.count ? c[i + 1] : nil)
                if i == 0 {
                    if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(ch) {
                        flowIndicators = true
                        blockIndicators = true
                    }
                    if ch == "?" || ch == ":" {
                        flowIndicators = true
                        if followedByWhitespace { blockIndicators = true }
                    }
                    if ch == "-" && followedByWhitespace {
                        flowIndicators = true
                        blockIndicators = true
                    }
                } else {
                    if ",?[]{}".unicodeScalars.contains(ch) { flowIndicators = true }
                    if ch == ":" {
                        flowIndicators = true
                        if followedByWhitespace { blockIndicators = true }
                    }
                    if ch == "#" && precededByWhitespace {
                        flowIndicators = true
                        blockIndicators = true
                    }
                }
                if !GoYAML.isPrintable(ch) { special = true }
                if GoYAML.isBreak(ch) { lineBreaks = true }
                if ch == " " {
                    if i == 0 { leadingSpace = true }
                    if i == c.count - 1 { trailingSpace = true }
                    if previousBreak { breakSpace = true }
                    (previousSpace, previousBreak) = (true, false)
                } else if GoYAML.isBreak(ch) {
                    if i == 0 { leadingBreak = true }
                    if i == c.count - 1 { trailingBreak = true }
                    if previousSpace { spaceBreak = true }
                    (previousSpace, previousBreak) = (false, true)
                } else {
                    (previousSpace, previousBreak) = (false, false)
                }
                precededByWhitespace = GoYAML.isBlank(ch)
            }
            multiline = lineBreaks
            if leadingSpace || leadingBreak || trailingSpace || trailingBreak { blockPlainAllowed = false }
            if trailingSpace { blockAllowed = false }
            if breakSpace {
                blockPlainAllowed = false
                singleQuotedAllowed = false
            }
            if spaceBreak || special {
                blockPlainAllowed = false
                singleQuotedAllowed = false
                blockAllowed = false
            }
            if lineBreaks { blockPlainAllowed = false }
            if blockIndicators { blockPlainAllowed = false }
            _ = flowIndicators
        }
    }

    static func style(_ s: String, isKey: Bool) -> Style {
        var style: Style
        if s.contains("\n") {
            style = .literal
        } else if resolvesToNonString(s) || isBase60Float(s) {
            style = .double
        } else {
            style = .plain
        }
        let analysis = Analysis(s)
        if isKey && analysis.multiline { style = .double }
        if style == .plain && (!analysis.blockPlainAllowed || (s.isEmpty && isKey)) { style = .single }
        if style == .single && !analysis.singleQuotedAllowed { style = .double }
        if style == .literal && (!analysis.blockAllowed || isKey) { style = .double }
        return style
    }

    struct Emitter {
        var out = ""
        var column = 0
        let bestWidth = 80

        mutating func put(_ s: String) {
            out += s
            if let newline = s.lastIndex(of: "\n") {
                column = s.unicodeScalars[s.index(after: newline)...].count
            } else {
                column += s.unicodeScalars.count
            }
        }

        mutating func newline(indent: Int) {
            put("\n" + String(repeating: " ", count: indent))
        }

        /// Writes `value` starting at the current position; continuation lines at `indent`.
        mutating func node(_ value: JSONValue, indent: Int, top: Bool = false) {
            switch value {
            case .object(let fields) where !fields.isEmpty:
                let sorted = fields.sorted { GoYAML.keyLess($0.0, $1.0) }
                for (i, (key, item)) in sorted.enumerated() {
                    if i > 0 { put(String(repeating: " ", count: indent)) }
                    scalar(key, indent: indent + 2, isKey: true)
                    put(":")
                    switch item {
                    case .object(let f) where !f.isEmpty:
                        newline(indent: indent + 2)
                        node(item, indent: indent + 2)
                    case .array(let a) where !a.isEmpty:
                        newline(indent: indent)
                        node(item, indent: indent)
                    default:
                        inline(item, indent: indent + 2)
                    }
                }
            case .array(let items) where !items.isEmpty:
                for (i, item) in items.enumerated() {
                    if i > 0 { put(String(repeating: " ", count: indent)) }
                    put("-")
                    switch item {
                    case .object(let f) where !f.isEmpty:
                        put(" ")
                        node(item, indent: indent + 2)
                    case .array(let a) where !a.isEmpty:
                        put(" ")
                        node(item, indent: indent + 2)
                    default:
                        inline(item, indent: indent + 2)
                    }
                }
            default:
                if top {
                    // A lone scalar: written as after a space, without the space.
                    var scalarOut = Emitter()
                    scalarOut.inline(value, indent: 2)
                    put(String(scalarOut.out.dropFirst()))
                } else {
                    inline(value, indent: indent)
                }
            }
        }

        /// A scalar (or empty collection) after `key:` or `-`, then the end of its line.
        mutating func inline(_ value: JSONValue, indent: Int) {
            switch value {
            case .null: put(" null\n")
            case .bool(let b): put(b ? " true\n" : " false\n")
            case .int(let i): put(" \(i)\n")
            case .double(let d): put(" " + GoFloat.shortestG(d) + "\n")
            case .array: put(" []\n")
            case .object: put(" {}\n")
            case .string(let s):
                put(" ")
                let ended = scalar(s, indent: indent, isKey: false)
                if !ended { put("\n") }
            }
        }

        /// Writes a string in its style; true when the text ended its own line (literal blocks).
        @discardableResult
        mutating func scalar(_ s: String, indent: Int, isKey: Bool) -> Bool {
            let chars = Array(s.unicodeScalars)
            let allowBreaks = !isKey
            switch GoYAML.style(s, isKey: isKey) {
            case .plain:
                var spaces = false
                for (i, ch) in chars.enumerated() {
                    if ch == " " {
                        let nextIsSpace = i + 1 < chars.count && chars[i + 1] == " "
                        if allowBreaks && !spaces && column > bestWidth && !nextIsSpace {
                            newline(indent: indent)
                        } else {
                            put(String(ch))
                        }
                        spaces = true
                    } else {
                        put(String(ch))
                        spaces = false
                    }
                }
                return false
            case .single:
                put("'")
                var spaces = false
                for (i, ch) in chars.enumerated() {
                    if ch == " " {
                        let nextIsSpace = i + 1 < chars.count && chars[i + 1] == " "
                        if allowBreaks && !spaces && column > bestWidth && i != 0 && i != chars.count - 1 && !nextIsSpace {
                            newline(indent: indent)
                        } else {
                            put(" ")
                        }
                        spaces = true
                    } else {
                        put(ch == "'" ? "''" : String(ch))
                        spaces = false
                    }
                }
                put("'")
                return false
            case .double:
                put("\"")
                var spaces = false
                for (i, ch) in chars.enumerated() {
                    if !GoYAML.isPrintable(ch) || ch == "\u{FEFF}" || GoYAML.isBreak(ch) || ch == "\"" || ch == "\\" {
                        put("\\" + Self.escape(ch))
                        spaces = false
                    } else if ch == " " {
                        if allowBreaks && !spaces && column > bestWidth && i != 0 && i != chars.count - 1 {
                            newline(indent: indent)
                            if i + 1 < chars.count && chars[i + 1] == " " { put("\\") }
                        } else {
                            put(" ")
                        }
                        spaces = true
                    } else {
                        put(String(ch))
                        spaces = false
                    }
                }
                put("\"")
                return false
            case .literal:
                put("|")
                if let first = chars.first, first == " " || GoYAML.isBreak(first) { put("2") }
                let trailingBreaks = chars.reversed().prefix { GoYAML.isBreak($0) }.count
                if trailingBreaks == 0 {
                    put("-")
                } else if trailingBreaks >= 2 || trailingBreaks == chars.count {
                    put("+")
                }
                put("\n")
                var atLineStart = true
                for ch in chars {
                    if GoYAML.isBreak(ch) {
                        put("\n")
                        atLineStart = true
                    } else {
                        if atLineStart { put(String(repeating: " ", count: indent)) }
                        put(String(ch))
                        atLineStart = false
                    }
                }
                if trailingBreaks == 0 {
                    put("\n")
                }
                return true
            }
        }

        static func escape(_ ch: Unicode.Scalar) -> String {
            switch ch.value {
            case 0x00: return "0"
            case 0x07: return "a"
            case 0x08: return "b"
            case 0x09: return "t"
            case 0x0A: return "n"
            case 0x0B: return "v"
            case 0x0C: return "f"
            case 0x0D: return "r"
            case 0x1B: return "e"
            case 0x22: return "\""
            case 0x5C: return "\\"
            case 0x85: return "N"
            case 0xA0: return "_"
            case 0x2028: return "L"
            case 0x2029: return "P"
            default:
                let (prefix, width) = ch.value <= 0xFF ? ("x", 2) : ch.value <= 0xFFFF ? ("u", 4) : ("U", 8)
                let digits = String(ch.value, radix: 16, uppercase: true)
                return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
        }
    }
}
