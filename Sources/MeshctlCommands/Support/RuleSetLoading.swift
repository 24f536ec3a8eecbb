import ArgumentParser
import MeshModel
import MeshValidation
import MeshYAML

/// `--mesh-config FILE`: Istio's MeshConfig, plain or as the `istio` ConfigMap.
struct MeshConfigOption: ParsableArguments {
    @Option(
        name: .customLong("mesh-config"),
        help: ArgumentHelp(
            "Istio mesh config (MeshConfig YAML, or the istio ConfigMap): outboundTrafficPolicy, defaultHttpRetryPolicy, default*ExportTo, rootNamespace.",
            valueName: "file"),
        completion: .file(extensions: ["yaml", "yml"]))
    var path: String?

    /// The mesh config, or the default (ALLOW_ANY); problems are printed and end the command.
    func load() throws -> MeshConfig {
        guard let path else { return MeshConfig() }
        let (config, diagnostics, file) = MeshConfig.load(path: path)
        if diagnostics.contains(where: { $0.level == .error }) {
            Output.error(DiagnosticRenderer.text(diagnostics, files: file.map { [$0] } ?? []))
            throw ExitCode(1)
        }
        // Fields meshctl does not implement: a warning each, saying what it does instead.
        if !config.notices.isEmpty { Output.error(DiagnosticRenderer.text(config.notices, files: file.map { [$0] } ?? [])) }
        return config
    }
}

/// Loads and validates rules for a command that acts on them (simulate, proxy-config, ...).
/// Invalid rules are printed to standard error and end the command with exit 1: nothing is
/// simulated or rendered from a rule set that Istio would reject.
func loadValidRules(_ paths: [String]) throws -> LoadedRules {
    let validator = Validator()
    let rules = RuleLoader.load(paths, validate: validator.validate)
    if rules.hasErrors {
        let errors = Output.sorted(
            rules.diagnostics.filter { $0.level == .error }, fileOrder: (rules.files + rules.unparsed).map(\.path))
        Output.error(DiagnosticRenderer.text(errors, files: rules.files + rules.unparsed))
        Output.error("✘ the rules have \(Output.plural(errors.count, "error")); fix them first (meshctl validate -f ...)")
        throw ExitCode(1)
    }
    return rules
}
