import Foundation
import MeshYAML

/// What `-f` paths held: the parsed files, their resources, and everything found on the way.
public struct LoadedRules: Sendable {
    public var files: [YAMLFile] = []
    public var resources: [Resource] = []
    public var diagnostics: [Diagnostic] = []
    /// Paths read, including ones that failed to parse.
    public var fileCount = 0
    /// Files that failed to parse, kept for quoting their error's source line.
    public var unparsed: [YAMLFile] = []

    public init() {}

    /// Resources decoded, including ones not kept (see `RuleLoader.load(keepResources:)`).
    public var resourceCount = 0

    public var hasErrors: Bool { diagnostics.contains { $0.level == .error } }

    /// The parsed file named `path`, for quoting source lines.
    public func file(named path: String) -> YAMLFile? { files.first { $0.path == path } }
}

/// Reads `-f` inputs: files, directories (recursively: .yaml, .yml, .json) and `-` for stdin.
public enum RuleLoader {
    public static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Expands directories into their rule files, in a stable (sorted) order.
    public static func expand(_ paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        let fm = FileManager.default
        for path in paths {
            if path == "-" {
                files.append(path)
                continue
            }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                diagnostics.append(fileError(path, "cannot read `\(path)`: no such file or directory"))
                continue
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            var found: [String] = []
            if let walker = fm.enumerator(atPath: path) {
                while let relative = walker.nextObject() as? String {
                    let ext = (relative as NSString).pathExtension.lowercased()
                    guard extensions.contains(ext) else { continue }
                    let full = (path as NSString).appendingPathComponent(relative)
                    var sub: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue { found.append(full) }
                }
            }
            if found.isEmpty {
                diagnostics.append(fileError(path, "no .yaml, .yml or .json files under directory `\(path)`"))
            }
            files.append(contentsOf: found.sorted())
        }
        return (files, diagnostics)
    }

    /// Reads, parses and decodes every input. `validate` runs per resource while its file's
    /// context is still open, so validation findings share the decoding pass.
    public static func load(
        _ paths: [String], readStdin: () -> [UInt8] = { Array(FileHandle.standardInput.readDataToEndOfFile()) },
        limits: YAMLLimits = .default, keepResources: Bool = true, validate: ((Resource, DecodeContext) -> Void)? = nil
    ) -> LoadedRules {
        var rules = LoadedRules()
        let (files, problems) = expand(paths)
        rules.diagnostics += problems
        for path in files {
            rules.fileCount += 1
            let name = path == "-" ? "<stdin>" : path
            let bytes: [UInt8]
            if path == "-" {
                bytes = readStdin()
            } else {
                guard let contents = readFile(path) else {
                    rules.diagnostics.append(fileError(path, "cannot read `\(path)`: permission denied or not a regular file"))
                    continue
                }
                bytes = contents
            }
            load(bytes, name: name, limits: limits, into: &rules, keepResources: keepResources, validate: validate)
        }
        return rules
    }

    /// Parses one file's bytes into `rules`.
    public static func load(
        _ bytes: [UInt8], name: String, limits: YAMLLimits = .default, into rules: inout LoadedRules,
        keepResources: Bool = true, validate: ((Resource, DecodeContext) -> Void)? = nil
    ) {
        let file: YAMLFile
        do {
            file = try YAMLLoader.load(bytes, path: name, limits: limits)
        } catch {
            rules.diagnostics.append(yamlDiagnostic(error, file: name))
            rules.unparsed.append(.unparsed(path: name, source: bytes))
            return
        }
        rules.files.append(file)
        if file.documents.isEmpty {
            rules.diagnostics.append(
                Diagnostic(
                    level: .info, code: DiagnosticCode.emptyInput.code, message: "nothing to check: the file holds no resources",
                    file: name, line: 1, column: 1))
            return
        }
        let ctx = DecodeContext(file: file)
        ResourceDecoder.decode(ctx) { resource in
            validate?(resource, ctx)
            rules.resourceCount += 1
            if keepResources { rules.resources.append(resource) }
        }
        rules.diagnostics += ctx.diagnostics
    }

    /// Reads a whole file straight into one byte array (no intermediate `Data` copy).
    static func readFile(_ path: String) -> [UInt8]? {
        guard let handle = fopen(path, "rb") else { return nil }
        defer { fclose(handle) }
        guard fseek(handle, 0, SEEK_END) == 0 else { return nil }
        let size = ftell(handle)
        guard size >= 0, fseek(handle, 0, SEEK_SET) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, handle) }
        guard read == size else { return nil }
        return bytes
    }

    static func fileError(_ path: String, _ message: String) -> Diagnostic {
        Diagnostic(level: .error, code: DiagnosticCode.unreadableFile.code, message: message, file: path, line: 1, column: 1)
    }

    public static func yamlDiagnostic(_ error: YAMLError, file: String) -> Diagnostic {
        let code: DiagnosticCode =
            switch error.reason {
            case .syntax: .yamlSyntax
            case .limit: .yamlLimit
            case .duplicateKey: .duplicateKey
            }
        return Diagnostic(
            level: .error, code: code.code, message: error.message, file: file, line: error.mark.line,
            column: error.mark.column, note: error.note)
    }
}
