import Foundation
import MeshModel

/// Writes reports to standard output and problems with the invocation to standard error.
enum Output {
    static func print(_ text: String) {
        Swift.print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }

    static func error(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Orders findings by the order the files were given, then by position.
    static func sorted(_ diagnostics: [Diagnostic], fileOrder: [String]) -> [Diagnostic] {
        var rank: [String: Int] = [:]
        for (i, f) in fileOrder.enumerated() where rank[f] == nil { rank[f] = i }
        // Sort positions by key, not the findings themselves: moving a finding copies its strings.
        let keys = diagnostics.map { (rank[$0.file] ?? -1, $0.line, $0.column) }
        let order = diagnostics.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : a < b }
        return order.map { diagnostics[$0] }
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func summary(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.level == .error }.count
        let warnings = diagnostics.filter { $0.level == .warning }.count
        var parts: [String] = []
        if errors > 0 { parts.append(plural(errors, "error")) }
        if warnings > 0 { parts.append(plural(warnings, "warning")) }
        return parts.joined(separator: ", ")
    }
}
