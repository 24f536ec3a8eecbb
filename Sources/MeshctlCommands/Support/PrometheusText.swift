/// One sample of Prometheus's text exposition format: `name{label="value",...} value`.
struct PrometheusSample {
    var name: String
    var labels: [(String, String)]
    var value: Double

    func label(_ key: String) -> String? { labels.first { $0.0 == key }?.1 }

    /// The series identity: the name and every label, in a stable order.
    var series: String {
        name + "{" + labels.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }
}

/// Reads Prometheus's text exposition format (version 0.0.4), as `/stats/prometheus` serves it.
enum PrometheusText {
    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    /// Every sample; comments (`# HELP`, `# TYPE`) and blank lines are skipped.
    static func parse(_ text: String) throws(ParseError) -> [PrometheusSample] {
        var samples: [PrometheusSample] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let sample = sample(Array(trimmed.utf8)) else {
                throw ParseError(line: number + 1, reason: "not a Prometheus sample: \(AdminClient.excerpt(String(trimmed)))")
            }
            samples.append(sample)
        }
        return samples
    }

    /// Whether a byte may appear in a metric or label name (not as its first byte when a digit).
    static func isNameByte(_ b: UInt8, first: Bool) -> Bool {
        (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b == 0x5f || b == 0x3a || (!first && b >= 0x30 && b <= 0x39)
    }

    static func sample(_ bytes: [UInt8]) -> PrometheusSample? {
        var i = 0
        while i < bytes.count, isNameByte(bytes[i], first: i == 0) { i += 1 }
        guard i > 0 else { return nil }
        let name = String(decoding: bytes[0..<i], as: UTF8.self)
        var labels: [(String, String)] = []
        if i < bytes.count, bytes[i] == UInt8(ascii: "{") {
            i += 1
            while true {
                while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: ",") { i += 1 }
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                let start = i
                while i < bytes.count, isNameByte(bytes[i], first: i == start) { i += 1 }
                guard i > start, i + 1 < bytes.count, bytes[i] == UInt8(ascii: "="), bytes[i + 1] == UInt8(ascii: "\"")
                else { return nil }
                let key = String(decoding: bytes[start..<i], as: UTF8.self)
                i += 2
                var value: [UInt8] = []
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        i += 1
                        value.append(bytes[i] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : bytes[i])
                    } else {
                        value.append(bytes[i])
                    }
                    i += 1
                }
                guard i < bytes.count else { return nil }
                i += 1
                labels.append((key, String(decoding: value, as: UTF8.self)))
            }
        }
        let rest = String(decoding: bytes[i...], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard (1...2).contains(rest.count), let value = number(rest[0]), rest.count == 1 || Int64(rest[1]) != nil else {
            return nil
        }
        return PrometheusSample(name: name, labels: labels, value: value)
    }

    /// A sample value: a float, `+Inf`, `-Inf` or `NaN`.
    static func number(_ text: Substring) -> Double? {
        switch text {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}
