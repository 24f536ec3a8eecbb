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

    /// Expands directories into their rule files, in a stable (sorted) order (see
    /// `DirectoryWalk` for what a walk takes and skips).
    public static func expand(_ paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        for path in paths {
            if path == "-" {
                files.append(path)
                continue
            }
            switch InputFile.isDirectory(path) {
            case .failure(let problem):
                diagnostics.append(fileError(path, problem.description))
            case .success(false):
                files.append(path)
            case .success(true):
                let walk = DirectoryWalk(root: path, extensions: extensions)
                diagnostics += walk.problems.map { fileError($0.path, $0.description) }
                if walk.files.isEmpty && walk.problems.isEmpty {
                    diagnostics.append(fileError(path, "no .yaml, .yml or .json files under directory `\(path)`"))
                }
                files += walk.files
            }
        }
        return (files, diagnostics)
    }

    /// Reads, parses and decodes every input. `validate` runs per resource while its file's
    /// context is still open, so validation findings share the decoding pass.
    public static func load(
        _ paths: [String], readStdin: () -> [UInt8] = InputFile.readStandardInput,
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
                switch InputFile.read(path) {
                case .success(let contents): bytes = contents
                case .failure(let problem):
                    rules.diagnostics.append(fileError(path, problem.description))
                    continue
                }
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
        guard keepResources else {
            check(bytes, name: name, limits: limits, into: &rules, validate: validate)
            return
        }
        let file: YAMLFile
        do {
            file = try YAMLLoader.load(bytes, path: name, limits: limits, duplicateKeys: .record)
        } catch {
            rules.diagnostics.append(yamlDiagnostic(error, file: name))
            rules.unparsed.append(.unparsed(path: name, source: bytes))
            return
        }
        rules.files.append(file)
        // Documents with a repeated key are skipped by the decoder; the rest are still checked.
        rules.diagnostics += file.duplicateKeys.map { yamlDiagnostic($0.error, file: name) }
        if file.documents.isEmpty {
            rules.diagnostics.append(nothingToCheck(name))
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

    /// Decodes and validates one file's documents one at a time, keeping none of them: the
    /// findings are those `load` makes, while only one document's tree is held at once. A file
    /// that fails to parse part way reports only that, as `load` does (though `validate` has
    /// then already seen the documents before the failure).
    static func check(
        _ bytes: [UInt8], name: String, limits: YAMLLimits, into rules: inout LoadedRules,
        validate: ((Resource, DecodeContext) -> Void)?
    ) {
        var diagnostics: [Diagnostic] = []
        var resourceCount = 0
        var hasDocuments = false
        do {
            try YAMLLoader.forEachDocument(bytes, path: name, limits: limits, duplicateKeys: .record) { document in
                hasDocuments = true
                diagnostics += document.duplicateKeys.map { yamlDiagnostic($0.error, file: name) }
                let ctx = DecodeContext(file: document)
                ResourceDecoder.decode(ctx) { resource in
                    validate?(resource, ctx)
                    resourceCount += 1
                }
                diagnostics += ctx.diagnostics
            }
        } catch {
            rules.diagnostics.append(yamlDiagnostic(error, file: name))
            rules.unparsed.append(.unparsed(path: name, source: bytes))
            return
        }
        rules.files.append(.sourceOnly(path: name, source: bytes))
        if !hasDocuments {
            rules.diagnostics.append(nothingToCheck(name))
            return
        }
        rules.resourceCount += resourceCount
        rules.diagnostics += diagnostics
    }

    static func nothingToCheck(_ file: String) -> Diagnostic {
        Diagnostic(
            level: .info, code: DiagnosticCode.emptyInput.code, message: "nothing to check: the file holds no resources",
            file: file, line: 1, column: 1)
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
