import ArgumentParser
import Foundation
import MeshYAML

/// Colour on standard output: only on a terminal, never with `NO_COLOR` set (no-color.org) or
/// `TERM=dumb`, so pipes, files and scripts always get plain text.
enum Terminal {
    static let colour: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return isatty(STDOUT_FILENO) == 1 && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }()

    enum Colour: String {
        case red = "31", green = "32", yellow = "33"
    }

    static func paint(_ text: String, _ colour: Colour) -> String {
        Self.colour ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// A heading, in bold on a terminal.
    static func bold(_ text: String) -> String {
        Self.colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }

    /// A diff line coloured by its mark: `+` green, `-` red, `~` yellow.
    static func diff(_ mark: String, _ text: String) -> String {
        switch mark {
        case "+": paint(text, .green)
        case "-": paint(text, .red)
        default: paint(text, .yellow)
        }
    }

    /// A status word in a table, coloured after the table is laid out (escape codes would
    /// count as width): good words green, bad red, the rest yellow.
    static func status(_ word: String) -> String {
        switch word {
        case "SYNCED", "LIVE", "OK", "HEALTHY": paint(word, .green)
        case "UNREACHABLE", "FAILED", "UNHEALTHY", "REJECTED": paint(word, .red)
        case "-": word
        default: paint(word, .yellow)
        }
    }

    /// Colours the cells of the columns named `headers` in each row of a laid-out table.
    static func colourColumns(_ table: String, headers: [String]) -> String {
        guard colour else { return table }
        var lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first else { return table }
        // Right to left, so the escape codes added do not move the columns still to colour.
        let offsets = headers.compactMap { header in
            first.range(of: header).map { first.distance(from: first.startIndex, to: $0.lowerBound) }
        }
        for i in lines.indices.dropFirst() {
            for offset in offsets.sorted(by: >) where lines[i].count > offset {
                let line = lines[i]
                let start = line.index(line.startIndex, offsetBy: offset)
                let end = line[start...].firstIndex(of: " ") ?? line.endIndex
                lines[i] = String(line[..<start]) + status(String(line[start..<end])) + String(line[end...])
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// `-o text|json|yaml` for meshctl's own reports.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, yaml

    /// Prints a report document as JSON (two-space indent) or YAML.
    func print(_ document: JSONValue) {
        switch self {
        case .yaml: write(document.yaml())
        default: write(document.json(pretty: true) + "\n")
        }
    }
}
