import ArgumentParser
import MeshAnalysis
import MeshModel
import MeshValidation

extension Meshctl {
    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check rule files together, as istioctl analyze does, with a position on every finding.",
            discussion: """
                Runs every validation rule, then cross-resource analyzers: hosts, subsets and gateways \
                that do not exist, VirtualServices that claim the same host, unreachable rules and \
                matches, gateway host mismatches and conflicts, DestinationRule subsets that select \
                nothing, and meshctl's own checks. Kubernetes Services, Pods, Deployments, \
                StatefulSets, DaemonSets, ReplicaSets and Namespaces in the input form the registry \
                with ServiceEntries and WorkloadEntries.

                Exit status: 79 when a finding reaches --failure-threshold (in every output format), \
                0 otherwise; 1 when an input cannot be read; 64 for a usage error.

                Examples:
                  meshctl analyze -f samples/tutorial/
                  meshctl analyze -f k8s/ -f istio/ -o json --failure-threshold warning
                  meshctl analyze -f rules/ -S 'IST0130=VirtualService default/legacy'
                  meshctl analyze --list-analyzers
                """)

        @Option(
            name: [.customShort("f"), .customLong("filename")],
            help: ArgumentHelp(
                "A rule or Kubernetes file, a directory (recursively) or - for stdin. Repeatable.", valueName: "path"),
            completion: .file(extensions: ["yaml", "yml", "json"]))
        var paths: [String] = []

        @Option(name: [.short, .long], help: "Output format: text or json.")
        var output: OutputFormat = .text

        @Option(
            name: .customLong("failure-threshold"), help: "The lowest level that makes analyze exit 79: error, warning or info.")
        var failureThreshold: Severity = .error

        @Option(
            name: [.customShort("S"), .customLong("suppress")],
            help: ArgumentHelp(
                "Suppress findings: CODE=Kind namespace/name; '*' is a wildcard. Repeatable.", valueName: "suppression"))
        var suppress: [String] = []

        @OptionGroup var meshConfig: MeshConfigOption

        @Flag(name: .customLong("list-analyzers"), help: "List every code meshctl reports, with its level, and exit.")
        var listAnalyzers = false

        static let exitFindings: Int32 = 79

        func validate() throws {
            if listAnalyzers { return }
            if paths.isEmpty { throw ValidationError("give at least one file or directory with -f PATH (or -f - for stdin)") }
            for s in suppress where Suppression(s) == nil {
                throw ValidationError(
                    "malformed suppression '\(s)': write CODE=Kind namespace/name, e.g. IST0130=VirtualService default/legacy")
            }
        }

        func run() throws {
            if listAnalyzers {
                printAnalyzers()
                return
            }
            let validator = Validator()
            let rules = RuleLoader.load(paths, validate: validator.validate)
            let mesh = try meshConfig.load()
            var analysis = Analysis(resources: rules.resources, mesh: mesh)
            let findings = rules.diagnostics + analysis.run()
            let kept = Suppression.apply(suppress.compactMap(Suppression.init), to: findings, resources: rules.resources)
            let diagnostics = Output.sorted(kept, fileOrder: (rules.files + rules.unparsed).map(\.path))
            switch output {
            case .json:
                Output.print(DiagnosticRenderer.json(diagnostics, files: rules.fileCount, resources: rules.resources.count))
            case .text:
                let report = DiagnosticRenderer.text(diagnostics, files: rules.files + rules.unparsed)
                if !report.isEmpty { Output.print(report) }
                let scope = "\(Output.plural(rules.resources.count, "resource")) in \(Output.plural(rules.fileCount, "file"))"
                if diagnostics.isEmpty {
                    Output.print("✔ No validation issues found when analyzing \(scope).")
                } else {
                    let infos = diagnostics.filter { $0.level == .info }.count
                    var counts = Output.summary(diagnostics)
                    if infos > 0 { counts += (counts.isEmpty ? "" : ", ") + Output.plural(infos, "info") }
                    Output.print(
                        "\(diagnostics.contains { $0.level >= failureThreshold } ? "✘" : "✔") \(counts) when analyzing \(scope).")
                }
            }
            if rules.diagnostics.contains(where: { $0.code == DiagnosticCode.unreadableFile.code }) { throw ExitCode(1) }
            if diagnostics.contains(where: { $0.level >= failureThreshold }) { throw ExitCode(Self.exitFindings) }
        }

        func printAnalyzers() {
            let codes = DiagnosticCode.all.sorted { $0.code < $1.code }
            switch output {
            case .json:
                struct Entry: Encodable {
                    var code, level, name, description: String
                }
                Output.print(
                    DiagnosticRenderer.encodeJSON(
                        codes.map { Entry(code: $0.code, level: $0.level.rawValue, name: $0.name, description: $0.summary) }))
            case .text:
                let width = codes.map(\.name.count).max() ?? 0
                Output.print("CODE      LEVEL     NAME" + String(repeating: " ", count: width - 1) + "DESCRIPTION")
                for c in codes {
                    Output.print(
                        c.code + "  " + c.level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                            + c.name.padding(toLength: width + 3, withPad: " ", startingAt: 0) + c.summary)
                }
            }
        }
    }
}

extension Severity: ExpressibleByArgument {
    /// `error`, `warning`, `info`, in any case (istioctl spells them `Error`, `Warning`, `Info`).
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
