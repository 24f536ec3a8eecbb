import Foundation
import MeshModel

/// Writes reports to standard output and problems with the invocation to standard error.
enum Output {
    static func print(_ text: String) {
        Swift.print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }

    static func error(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Orders findings by the order the files were given, then by position.
    static func sorted(_ diagnostics: [Diagnostic], fileOrder: [String]) -> [Diagnostic] {
        var rank: [String: Int] = [:]
        for (i, f) in fileOrder.enumerated() where rank[f] == nil { rank[f] = i }
        return diagnostics.enumerated().sorted { a, b in
            let ra = rank[a.element.file] ?? -1
            let rb = rank[b.element.file] ?? -1
            if ra != rb { return ra < rb }
            if a.element.line != b.element.line { return a.element.line < b.element.line }
            if a.element.column != b.element.column { return a.element.column < b.element.column }
            return a.offset < b.offset
        }.map(\.element)
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
