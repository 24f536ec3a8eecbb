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
            out += d.headline + "\n"
            if let file = byPath[d.file], let line = file.sourceLine(d.line), !line.isEmpty, isPrintable(line) {
                let shown = line.count > 200 ? String(line.prefix(200)) + "…" : line
                out += "  " + sanitize(shown) + "\n"
                let caretColumn = max(1, min(d.column, shown.count + 1))
                var indent = ""
                for (i, ch) in shown.enumerated() where i < caretColumn - 1 { indent.append(ch == "\t" ? "\t" : " ") }
                out += "  " + indent + "^\n"
            }
            if let note = d.note { out += "  note: \(note)\n" }
        }
        return out
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
                    level: $0.level.rawValue, code: $0.code, message: $0.message, file: $0.file, line: $0.line,
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
