import MeshYAML

/// How serious a finding is; ordered so that `error > warning > info`.
public enum Severity: String, Sendable, Comparable, CaseIterable, Codable {
    case info, warning, error

    var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One finding about the user's files, always with a place to jump to.
public struct Diagnostic: Sendable, Equatable {
    public var level: Severity
    public var code: String
    public var message: String
    public var file: String
    public var line: Int
    public var column: Int
    /// `Kind namespace/name`, or nil for a problem with the file itself.
    public var resource: String?
    /// The field path inside the resource, e.g. `spec.http[0].route[1].weight`.
    public var field: String?
    /// Lines of detail printed after the source excerpt.
    public var note: String?

    public init(
        level: Severity, code: String, message: String, file: String, line: Int, column: Int,
        resource: String? = nil, field: String? = nil, note: String? = nil
    ) {
        self.level = level
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.resource = resource
        self.field = field
        self.note = note
    }

    /// `FILE:LINE:COL: LEVEL: Kind ns/name: MESSAGE [CODE]`, the contract's one-line form.
    public var headline: String {
        var text = "\(file):\(line):\(column): \(level.rawValue): "
        if let resource { text += "\(resource): " }
        text += "\(message) [\(code)]"
        return text
    }
}

extension Diagnostic {
    /// Sort order for output: by file, then position, then code.
    public static func sourceOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return a.line < b.line }
        if a.column != b.column { return a.column < b.column }
        return a.code < b.code
    }
}
