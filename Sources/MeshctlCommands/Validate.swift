import ArgumentParser
import MeshModel
import MeshValidation

extension Meshctl {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check rule files against Istio's schema and validation rules.",
            discussion: """
                Each finding is printed as FILE:LINE:COL: LEVEL: Kind namespace/name: MESSAGE [CODE], \
                followed by the source line and a caret. Exit status: 0 when there are no errors \
                (warnings allowed), 1 when there are errors, 64 for a usage error.

                Examples:
                  meshctl validate -f samples/
                  meshctl validate -f rules.yaml -o json
                  cat rules.yaml | meshctl validate -f -
                """)

        @OptionGroup var input: InputOptions

        @Option(name: [.short, .long], help: "Output format: text or json.")
        var output: OutputFormat = .text

        func run() throws {
            let validator = Validator()
            let rules = Progress.during("validating…") {
                RuleLoader.load(input.paths, keepResources: false, validate: validator.validate)
            }
            let diagnostics = Output.sorted(rules.diagnostics, fileOrder: (rules.files + rules.unparsed).map(\.path))
            switch output {
            case .json:
                Output.print(DiagnosticRenderer.json(diagnostics, files: rules.fileCount, resources: rules.resourceCount))
            case .text:
                let report = DiagnosticRenderer.text(diagnostics, files: rules.files + rules.unparsed)
                if !report.isEmpty { Output.print(report.dropLast() + "") }
                Output.print(summaryLine(rules, diagnostics))
            }
            if rules.hasErrors { throw ExitCode(1) }
        }

        func summaryLine(_ rules: LoadedRules, _ diagnostics: [Diagnostic]) -> String {
            let scope = "\(Output.plural(rules.resourceCount, "resource")) in \(Output.plural(rules.fileCount, "file"))"
            let counts = Output.summary(diagnostics)
            if rules.hasErrors { return "✘ \(counts) in \(scope)" }
            if rules.resourceCount == 0 && rules.fileCount > 0 {
                return "nothing to check: \(scope)" + (counts.isEmpty ? "" : ", \(counts)")
            }
            return counts.isEmpty ? "✔ \(scope) valid" : "✔ \(scope) valid, with \(counts)"
        }
    }
}
