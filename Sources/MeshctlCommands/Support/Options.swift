import ArgumentParser
import MeshModel
import Synchronization

/// `-f PATH...`: files, directories (recursively) or `-` for standard input.
struct InputOptions: ParsableArguments {
    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: ArgumentHelp(
            "A rule file, a directory (read recursively: .yaml, .yml, .json) or - for stdin. Repeatable.", valueName: "path"),
        completion: .file(extensions: ["yaml", "yml", "json"]))
    var paths: [String] = []

    /// Whether `validate()` insists on `-f`; off only while `Meshctl.parse` looks for unknown options.
    static let requiresInput = Atomic<Bool>(true)
    static var missingInputIsAnError: Bool { requiresInput.load(ordering: .relaxed) }

    func validate() throws {
        if paths.isEmpty && Self.missingInputIsAnError {
            throw ValidationError("give at least one rule file or directory with -f PATH (or -f - for stdin)")
        }
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-f -) can be read only once") }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// A duration flag's value read as Go's syntax (`500ms`, `2s`, `1h30m`), or a usage error that
/// says what is wrong with it: not a duration, negative or zero, or beyond what a duration holds.
enum DurationArgument {
    static func nanoseconds(_ text: String, option: String, example: String, allowZero: Bool = false) throws -> Int64 {
        switch MeshDuration.parse(text) {
        case .success(let nanoseconds) where nanoseconds > 0 || (allowZero && nanoseconds == 0):
            return nanoseconds
        case .success:
            throw ValidationError("\(option) must be \(allowZero ? "zero or more" : "more than zero"), got '\(text)'")
        case .failure(.outOfRange):
            throw ValidationError("\(option) '\(text)' is too long: a duration is at most \(MeshDuration.longest)")
        case .failure:
            throw ValidationError("\(option) must be a duration such as \(example), got '\(text)'")
        }
    }
}
