import ArgumentParser
import Foundation
import MeshAnalysis
import MeshModel
import MeshValidation
import MeshYAML

extension Meshctl {
    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "analyze",
            abstract: "Check rule files together, as istioctl analyze does, with a position on every finding.",
            discussion: """
                Runs every validation rule, then istioctl's networking analyzers and meshctl's own: \
                hosts, ports, subsets, gateways, selectors and credentials that do not exist or are \
                not exported to the referring namespace, VirtualServices and Gateways that claim the \
                same host, unreachable rules and matches, gateway host and port mismatches, gateway \
                certificates that are invalid or shared, TLS without CA certificates, ServiceEntry \
                addresses and protocols, JWT claim routes without a RequestAuthentication, and \
                DestinationRule subsets that select nothing. Kubernetes Services, Pods, Deployments, \
                StatefulSets, DaemonSets, ReplicaSets, Namespaces and Secrets in the input form the \
                registry with ServiceEntries and WorkloadEntries; as istioctl does for files, Istio's \
                default ingress gateway (istio-system) is assumed unless the mesh config turns \
                ingressControllerMode OFF.

                Exit status: 79 when a finding reaches --failure-threshold (in every output format), \
                0 otherwise; 1 when an input cannot be read; 64 for a usage error.

                Examples:
                  meshctl analyze -f samples/tutorial/
                  meshctl analyze -f k8s/ -f istio/ -o json --failure-threshold warning
                  meshctl analyze -f rules/ -S 'IST0130=VirtualService default/legacy'
                  meshctl analyze -f rules/ -n shop --output-threshold warning
                  meshctl analyze --list-analyzers
                """)

        @Option(
            name: [.customShort("f"), .customLong("filename")],
            help: ArgumentHelp(
                "A rule or Kubernetes file, a directory (recursively) or - for stdin. Repeatable.", valueName: "path"),
            completion: .file(extensions: ["yaml", "yml", "json"]))
        var paths: [String] = []

        @Flag(
            name: [.customShort("R"), .long],
            help: "Read directories recursively: always done, accepted as istioctl has it.")
        var recursive = false

        @Option(name: [.short, .long], help: "Output format: text, json or yaml.")
        var output: Format = .text

        @Option(
            name: .customLong("failure-threshold"), help: "The lowest level that makes analyze exit 79: error, warning or info.")
        var failureThreshold: Severity = .error

        @Option(
            name: .customLong("output-threshold"),
            help: "The lowest level of finding to print: info (all), warning or error. The exit status counts every finding.")
        var outputThreshold: Severity = .info

        @Option(
            name: [.customShort("S"), .customLong("suppress")],
            help: ArgumentHelp(
                "Suppress findings: CODE=Kind namespace/name (or istioctl's CODE=Kind name.namespace); '*' is a wildcard. Repeatable.",
                valueName: "suppression"))
        var suppress: [String] = []

        @Option(
            name: [.short, .long],
            help: "Report only findings on resources in this namespace; every resource is still analyzed.")
        var namespace: String?

        @Flag(
            name: [.customShort("A"), .customLong("all-namespaces")], help: "Report findings in every namespace (the default).")
        var allNamespaces = false

        @Option(
            help: ArgumentHelp(
                "Colour levels in text output: auto (on a terminal, unless NO_COLOR is set), always or never.",
                valueName: "when"))
        var color: ColorChoice = .auto

        @OptionGroup var meshConfig: MeshConfigOption

        @Flag(name: .customLong("list-analyzers"), help: "List every code meshctl reports, with its level, and exit.")
        var listAnalyzers = false

        static let exitFindings: Int32 = 79

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, yaml
        }

        func validate() throws {
            if listAnalyzers { return }
            if paths.isEmpty && InputOptions.missingInputIsAnError {
                throw ValidationError("give at least one file or directory with -f PATH (or -f - for stdin)")
            }
            for s in suppress {
                guard let suppression = Suppression(s) else {
                    throw ValidationError(
                        "malformed suppression '\(s)': write CODE=Kind namespace/name, e.g. IST0130=VirtualService default/legacy"
                    )
                }
                guard suppression.codeIsKnown else {
                    throw ValidationError(
                        "unknown code '\(suppression.code)' in suppression '\(s)'; meshctl analyze --list-analyzers lists every code"
                    )
                }
            }
            if namespace != nil && allNamespaces {
                throw ValidationError("give either --namespace or --all-namespaces, not both")
            }
            if namespace?.isEmpty == true { throw ValidationError("--namespace needs a namespace name") }
        }

        func run() throws {
            if listAnalyzers {
                printAnalyzers()
                return
            }
            let validator = Validator()
            let progress = Progress("analyzing…")
            let rules = RuleLoader.load(paths, validate: validator.validate)
            let mesh = try meshConfig.load()
            var analysis = Analysis(resources: rules.resources, mesh: mesh)
            let findings = rules.diagnostics + analysis.run()
            progress.finish()
            var kept = Suppression.apply(suppress.compactMap(Suppression.init), to: findings, resources: rules.resources)
            // Findings about a file itself (no resource) belong to every namespace.
            if let namespace { kept = kept.filter { ($0.namespace ?? namespace) == namespace } }
            let diagnostics = Output.sorted(kept, fileOrder: (rules.files + rules.unparsed).map(\.path))
            let shown = diagnostics.filter { $0.level >= outputThreshold }
            switch output {
            case .json:
                Output.print(DiagnosticRenderer.json(shown, files: rules.fileCount, resources: rules.resources.count))
            case .yaml:
                Output.print(Self.yaml(shown, files: rules.fileCount, resources: rules.resources.count))
            case .text:
                let files = rules.files + rules.unparsed
                let report =
                    color.isOn(for: STDOUT_FILENO)
                    ? Self.colored(shown, files: files) : DiagnosticRenderer.text(shown, files: files)
                if !report.isEmpty { Output.print(report) }
                Output.print(summary(all: diagnostics, shown: shown, rules: rules))
            }
            if rules.diagnostics.contains(where: { $0.code == DiagnosticCode.unreadableFile.code }) { throw ExitCode(1) }
            if diagnostics.contains(where: { $0.level >= failureThreshold }) { throw ExitCode(Self.exitFindings) }
        }

        /// `✔ 1 warning when analyzing 8 resources in 3 files.`, saying what the filters left out.
        func summary(all: [Diagnostic], shown: [Diagnostic], rules: LoadedRules) -> String {
            var scope = "\(Output.plural(rules.resources.count, "resource")) in \(Output.plural(rules.fileCount, "file"))"
            if let namespace { scope += " (findings in namespace \(namespace))" }
            let mark = all.contains { $0.level >= failureThreshold } ? "✘" : "✔"
            var line: String
            if all.isEmpty {
                line = "✔ No validation issues found when analyzing \(scope)"
            } else if shown.isEmpty {
                line = "\(mark) No validation issues at level \(outputThreshold.rawValue) or above when analyzing \(scope)"
            } else {
                var counts = Output.summary(shown)
                let infos = shown.filter { $0.level == .info }.count
                if infos > 0 { counts += (counts.isEmpty ? "" : ", ") + Output.plural(infos, "info") }
                line = "\(mark) \(counts) when analyzing \(scope)"
            }
            let hidden = all.count - shown.count
            if hidden > 0 {
                line += "; \(Output.plural(hidden, "finding")) below --output-threshold \(outputThreshold.rawValue) not shown"
            }
            return line + "."
        }

        /// The text report with each finding's level in colour.
        static func colored(_ diagnostics: [Diagnostic], files: [YAMLFile]) -> String {
            var byPath: [String: YAMLFile] = [:]
            for file in files { byPath[file.path] = file }
            var out = ""
            for d in diagnostics {
                var block = DiagnosticRenderer.text([d], files: byPath[d.file].map { [$0] } ?? [])
                let location = "\(d.file):\(d.line):\(d.column): "
                if block.hasPrefix(location + d.level.rawValue + ":") {
                    let start = block.index(block.startIndex, offsetBy: location.count)
                    let end = block.index(start, offsetBy: d.level.rawValue.count)
                    block.replaceSubrange(start..<end, with: ColorChoice.paint(d.level.rawValue, d.level))
                }
                out += block
            }
            return out
        }

        /// The JSON document's content as YAML, keys in the same order.
        static func yaml(_ diagnostics: [Diagnostic], files: Int, resources: Int) -> String {
            func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            let entries: [JSONValue] = diagnostics.map { d in
                [
                    "code": .string(d.code), "column": .int(Int64(d.column)), "field": optional(d.field), "file": .string(d.file),
                    "level": .string(d.level.rawValue), "line": .int(Int64(d.line)), "message": .string(d.message),
                    "resource": optional(d.resource),
                ]
            }
            let document: JSONValue = [
                "diagnostics": .array(entries), "files": .int(Int64(files)), "resources": .int(Int64(resources)),
            ]
            return document.yaml()
        }

        func printAnalyzers() {
            let codes = DiagnosticCode.all.sorted { $0.code < $1.code }
            // What reports each code: analyzers by name; validation and loading for the rest.
            func reporters(_ code: DiagnosticCode) -> [String] {
                var names = Analysis.analyzers(reporting: code.code)
                if code.code.hasPrefix("IST") && names.isEmpty || [DiagnosticCode.deprecated, .schemaWarning].contains(code) {
                    names.insert("validation", at: 0)
                } else if names.isEmpty {
                    names = [code == .invalidMeshConfig ? "mesh config" : "loader"]
                }
                return names
            }
            switch output {
            case .json, .yaml:
                let entries: [JSONValue] = codes.map {
                    [
                        "code": .string($0.code), "description": .string($0.summary), "level": .string($0.level.rawValue),
                        "name": .string($0.name), "reportedBy": .array(reporters($0).map { .string($0) }),
                    ]
                }
                if output == .yaml {
                    Output.print(JSONValue.array(entries).yaml())
                } else {
                    struct Entry: Encodable {
                        var code, level, name, description: String
                        var reportedBy: [String]
                    }
                    Output.print(
                        DiagnosticRenderer.encodeJSON(
                            codes.map {
                                Entry(
                                    code: $0.code, level: $0.level.rawValue, name: $0.name, description: $0.summary,
                                    reportedBy: reporters($0))
                            }))
                }
            case .text:
                let rows =
                    [["CODE", "LEVEL", "NAME", "DESCRIPTION"]] + codes.map { [$0.code, $0.level.rawValue, $0.name, $0.summary] }
                printTable(rows)
                // Then what reports them: each analyzer with its codes.
                var byReporter: [(String, [String])] = []
                for code in codes {
                    for reporter in reporters(code) {
                        if let i = byReporter.firstIndex(where: { $0.0 == reporter }) {
                            byReporter[i].1.append(code.code)
                        } else {
                            byReporter.append((reporter, [code.code]))
                        }
                    }
                }
                Output.print("")
                printTable([["ANALYZER", "CODES"]] + byReporter.map { [$0.0, $0.1.joined(separator: ", ")] })
            }
        }
    }
}

/// Prints rows as columns padded to their widest cell; the last column is not padded.
private func printTable(_ rows: [[String]]) {
    guard let columns = rows.first?.count, columns > 0 else { return }
    let widths = (0..<columns - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        let padded = (0..<columns - 1).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
        Output.print((padded + [row[columns - 1]]).joined(separator: "  "))
    }
}

/// When to colour text output.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    /// Also istioctl's `--color=true` and `--color=false`.
    init?(argument: String) {
        switch argument.lowercased() {
        case "true": self = .always
        case "false": self = .never
        default: self.init(rawValue: argument.lowercased())
        }
    }

    /// Whether to colour what goes to `descriptor`: `auto` colours a terminal, unless `NO_COLOR` is
    /// set (to anything but the empty string) or `TERM` is `dumb`.
    func isOn(for descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            return environment["TERM"] != "dumb" && isatty(descriptor) == 1
        }
    }

    /// `text` in the colour of `level`: errors red, warnings yellow, infos cyan (bold).
    static func paint(_ text: String, _ level: Severity) -> String {
        let code =
            switch level {
            case .error: "31"
            case .warning: "33"
            case .info: "36"
            }
        return "\u{1B}[1;\(code)m\(text)\u{1B}[0m"
    }
}

extension Severity: ExpressibleByArgument {
    /// `error`, `warning`, `info`, in any case (istioctl spells them `Error`, `Warning`, `Info`).
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
