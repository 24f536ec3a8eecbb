/// YAML's core-schema reading of plain scalars.
public enum Scalar {
    public static func isBool(_ text: String) -> Bool {
        switch text {
        case "true", "True", "TRUE", "false", "False", "FALSE": true
        default: false
        }
    }

    /// Written as an integer (optionally signed decimal, `0x` hex or `0o` octal), whether or
    /// not it fits in `Int`.
    public static func isIntegerSyntax(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.hasPrefix("-") || digits.hasPrefix("+") { digits = digits.dropFirst() }
        if digits.hasPrefix("0x") { return digits.count > 2 && digits.dropFirst(2).allSatisfy(\.isHexDigit) }
        if digits.hasPrefix("0o") { return digits.count > 2 && digits.dropFirst(2).allSatisfy { ("0"..."7").contains($0) } }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Decimal (optionally signed), `0x` hex or `0o` octal.
    public static func int(_ text: String) -> Int? {
        let utf8 = text.utf8
        guard let first = utf8.first else { return nil }
        // Most scalars are words: rule them out without building substrings.
        if first != UInt8(ascii: "-") && first != UInt8(ascii: "+") && (first < 0x30 || first > 0x39) { return nil }
        if first == UInt8(ascii: "0"), utf8.count > 2 {
            let second = utf8[utf8.index(after: utf8.startIndex)]
            if second == UInt8(ascii: "x") { return Int(text.dropFirst(2), radix: 16) }
            if second == UInt8(ascii: "o") { return Int(text.dropFirst(2), radix: 8) }
        }
        return first == UInt8(ascii: "+") ? Int(text.dropFirst()) : Int(text)
    }

    public static func double(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default:
            guard let first = text.utf8.first,
                first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                    || first == UInt8(ascii: ".") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
            else { return nil }
            return Double(text)
        }
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggest {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        // The distance is at least the difference in length: a word far longer than every
        // candidate can match none, and measuring it would cost its length times theirs.
        let closeInLength = candidates.contains {
            abs($0.lowercased().utf8.count - lower.utf8.count) <= max(2, min(word.count, $0.count) / 3)
        }
        guard closeInLength else { return nil }
        var best: (String, Int)?
        for candidate in candidates {
            // The distance is at least the difference in length. A word over three times longer
            // than a name is further from it than any suggestion can be, so the answer is the same
            // without measuring (which would cost the word's length times the name's).
            if lower.utf8.count > 3 * candidate.utf8.count + 6 { continue }
            let distance = editDistance(lower, candidate.lowercased())
            if best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best else { return nil }
        let limit = max(2, min(word.count, candidate.count) / 3)
        return distance <= limit ? candidate : nil
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions ("wieght" for "weight") each count one.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        var d = [Int](repeating: 0, count: (a.count + 1) * width)
        for i in 0...a.count { d[i * width] = i }
        for j in 0...b.count { d[j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1, d[(i - 1) * width + j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, d[(i - 2) * width + j - 2] + 1)
                }
                d[i * width + j] = value
            }
        }
        return d[a.count * width + b.count]
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces (only spaces: tabs and newlines stay).
    public func trimmingSpaces() -> String {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
