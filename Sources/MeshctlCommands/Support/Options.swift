import ArgumentParser
import MeshModel

/// `-f PATH...`: files, directories (recursively) or `-` for standard input.
struct InputOptions: ParsableArguments {
    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: ArgumentHelp(
            "A rule file, a directory (read recursively: .yaml, .yml, .json) or - for stdin. Repeatable.", valueName: "path"),
        completion: .file(extensions: ["yaml", "yml", "json"]))
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one rule file or directory with -f PATH (or -f - for stdin)") }
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-f -) can be read only once") }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
