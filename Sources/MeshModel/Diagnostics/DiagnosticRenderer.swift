import Foundation
import MeshYAML

/// Prints findings the way compilers do, or as the contract's JSON document.
public enum DiagnosticRenderer {
    /// `FILE:LINE:COL: LEVEL: Kind ns/name: MESSAGE [CODE]`, then the source line and a caret
    /// under the column, then any note.
    public static func text(_ diagnostics: [Diagnostic], files: [YAMLFile]) -> String {
        var byPath: [String: YAMLFile] = [:]
        for file in files { byPath[file.path] = file }
        var out = ""
        for d in diagnostics {
            var shown = d
            shown.message = abbreviatingQuotes(d.message)
            out += shown.headline + "\n"
            if let file = byPath[d.file], let (line, caretColumn) = excerpt(file, line: d.line, column: d.column) {
                out += "  " + sanitize(line) + "\n"
                var indent = ""
                for (i, ch) in line.enumerated() where i < caretColumn - 1 { indent.append(ch == "\t" ? "\t" : " ") }
                out += "  " + indent + "^\n"
            }
            if let note = d.note { out += "  note: \(abbreviatingQuotes(note))\n" }
        }
        return out
    }

    /// Characters of a source line an excerpt shows.
    static let excerptWidth = 200

    /// The source line to quote and the column of the caret in it, or nil when there is nothing
    /// worth quoting. A line longer than `excerptWidth` shows a window around the column, marked
    /// with `…` where it is cut.
    static func excerpt(_ file: YAMLFile, line: Int, column: Int) -> (String, Int)? {
        guard let length = file.sourceLineLength(line), length > 0 else { return nil }
        // A UTF-8 character takes at most 4 bytes: a line this short may fit whole.
        if length <= 4 * excerptWidth, let text = file.sourceLine(line), text.count <= excerptWidth {
            guard isPrintable(text) else { return nil }
            return (text, max(1, min(column, text.count + 1)))
        }
        // The window starts at the line's start when the column is near it, else half a
        // window before the column.
        let half = excerptWidth / 2
        let first = column - 1 <= half ? 0 : column - 1 - half
        guard let (text, before, after) = file.sourceLine(line, characters: first..<first + excerptWidth), isPrintable(text)
        else { return nil }
        let shown = (before ? "…" : "") + text + (after ? "…" : "")
        let caret = column - first + (before ? 1 : 0)
        return (shown, max(1, min(caret, shown.count + 1)))
    }

    /// Quoted values (between backticks or double quotes) longer than this are shortened in
    /// messages: a multi-megabyte host is not worth printing, once or per finding.
    static let quotedValueLimit = 200

    /// The message with each over-long quoted value cut to its start, an ellipsis and its size.
    static func abbreviatingQuotes(_ message: String) -> String {
        guard message.utf8.count > quotedValueLimit else { return message }
        var out = ""
        var rest = Substring(message)
        while let open = rest.firstIndex(where: { $0 == "`" || $0 == "\"" }) {
            let quote = rest[open]
            out += rest[...open]
            let inside = rest[rest.index(after: open)...]
            let close = inside.firstIndex(of: quote) ?? inside.endIndex
            let value = inside[..<close]
            if value.utf8.count > quotedValueLimit {
                out += value.prefix(quotedValueLimit / 2) + "…"
                if close < inside.endIndex { out.append(quote) }
                out += " (\(value.utf8.count) bytes)"
            } else {
                out += value
                if close < inside.endIndex { out.append(quote) }
            }
            rest = close < inside.endIndex ? inside[inside.index(after: close)...] : inside[inside.endIndex...]
        }
        return out + rest
    }

    /// A line from a binary file is not worth quoting.
    static func isPrintable(_ line: String) -> Bool {
        !line.unicodeScalars.contains { $0 == "\u{FFFD}" || ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7f }
    }

    /// Control characters from a binary file would garble the terminal; show them escaped.
    static func sanitize(_ line: String) -> String {
        var out = ""
        for scalar in line.unicodeScalars {
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7f {
                out += "\\x" + String(scalar.value, radix: 16, uppercase: false)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public struct Document: Codable {
        public struct Entry: Codable {
            public var level: String
            public var code: String
            public var message: String
            public var file: String
            public var line: Int
            public var column: Int
            public var resource: String?
            public var field: String?

            enum CodingKeys: String, CodingKey { case level, code, message, file, line, column, resource, field }

            // Absent resource/field are written as null: every entry has every key.
            public func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(level, forKey: .level)
                try c.encode(code, forKey: .code)
                try c.encode(message, forKey: .message)
                try c.encode(file, forKey: .file)
                try c.encode(line, forKey: .line)
                try c.encode(column, forKey: .column)
                try c.encode(resource, forKey: .resource)
                try c.encode(field, forKey: .field)
            }
        }
        public var diagnostics: [Entry]
        public var files: Int
        public var resources: Int
    }

    public static func json(_ diagnostics: [Diagnostic], files: Int, resources: Int) -> String {
        let document = Document(
            diagnostics: diagnostics.map {
                .init(
                    level: $0.level.rawValue, code: $0.code, message: abbreviatingQuotes($0.message), file: $0.file,
                    line: $0.line,
                    column: $0.column, resource: $0.resource, field: $0.field)
            }, files: files, resources: resources)
        return encodeJSON(document)
    }

    /// Pretty, key-sorted JSON with `null` for absent optionals kept out.
    public static func encodeJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
