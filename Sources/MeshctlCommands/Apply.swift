import ArgumentParser
import MeshModel
import MeshProxy
import MeshYAML

extension Meshctl {
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Merge rules into running proxies' rule sets and push them, as kubectl apply does.",
            discussion: """
                The files are validated first, with validate's diagnostics; with an error, no proxy \
                is contacted. For each --admin, meshctl reads the running rule set (GET /config), \
                merges the given resources into it by kind, namespace and name (created or \
                configured; resources it was not given are kept, unless --prune replaces the whole \
                set), checks the merged set as the proxy will, prints what changes in its routes \
                and clusters, and pushes it (PUT /config). A rule set the proxy already runs is not \
                pushed. --dry-run stops before the push. A proxy that cannot be reached or refuses \
                the rules is reported on its own and makes the exit status 1; the others keep what \
                they accepted.

                Examples:
                  meshctl apply -f samples/scenarios/canary-75-25.yaml --admin 127.0.0.1:15000 --dry-run
                  meshctl apply -f samples/scenarios/canary-75-25.yaml --admin 127.0.0.1:15000
                  meshctl apply -f samples/tutorial/ --prune --admin 127.0.0.1:15000 --admin 127.0.0.1:16000
                """)

        @OptionGroup var input: InputOptions
        @OptionGroup var admin: AdminOptions

        @Flag(help: "Replace the whole running rule set: resources not given are removed.")
        var prune = false

        @Flag(help: "Show what would change, and push nothing.")
        var dryRun = false

        @Option(name: [.short, .long], help: "Output format: text, json or yaml.")
        var output: ReportFormat = .text

        func validate() throws {
            try input.validate()
            if admin.admins.isEmpty {
                throw ValidationError("give the proxies to apply the rules to with --admin HOST:PORT (repeatable)")
            }
        }

        /// What happened at one proxy.
        struct Report {
            enum Result: String {
                case applied, unchanged, dryRun = "dry-run", invalid, rejected, failed
            }
            var admin: String
            var result: Result = .failed
            var before: String?
            var after: String?
            var actions: [(reference: String, action: String)] = []
            var config: ConfigDiff?
            var resources = 0
            var diagnostics: [Diagnostic] = []
            var error: String?
        }

        func run() throws {
            let given = try loadValidRules(input.paths)
            let warnings = given.diagnostics.filter { $0.level == .warning }
            if !warnings.isEmpty {
                Output.error(
                    DiagnosticRenderer.text(
                        Output.sorted(warnings, fileOrder: given.files.map(\.path)), files: given.files + given.unparsed))
            }
            let reports = admin.clients.map { apply(given.resources.effective, to: $0) }
            switch output {
            case .text: write(reports.map(text).filter { !$0.isEmpty }.joined(separator: "\n"))
            case .json, .yaml:
                output.print([
                    "dryRun": .bool(dryRun), "prune": .bool(prune), "proxies": .array(reports.map(json)),
                ])
            }
            for report in reports {
                if let error = report.error { Output.error("error: \(error)") }
                if !report.diagnostics.isEmpty {
                    Output.error(report.diagnostics.map(\.headline).joined(separator: "\n"))
                }
            }
            if reports.contains(where: { [.failed, .invalid, .rejected].contains($0.result) }) { throw ExitCode(1) }
        }

        func apply(_ given: [Resource], to client: AdminClient) -> Report {
            var report = Report(admin: client.address.text)
            let running: RunningRules
            switch client.runningRules() {
            case .success(let rules): running = rules
            case .failure(let failure):
                report.error = failure.description
                return report
            }
            report.before = running.version
            let merged = Self.merge(running.resources, given, prune: prune)
            report.resources = merged.count
            let diff = ResourceDiff(running: running.resources, wanted: merged)
            report.actions =
                given.map { resource in
                    let action =
                        diff.added.contains { $0 === resource }
                        ? "created" : diff.changed.contains { $0.resource === resource } ? "configured" : "unchanged"
                    return (resource.reference, action)
                } + diff.removed.map { ($0.reference, "pruned") }
            if diff.isEmpty {
                report.result = .unchanged
                return report
            }
            report.config = ConfigDiff(from: running.resources, to: merged)
            let body = Array(Self.yaml(merged).utf8)
            // The same loading and validation as the proxy's PUT /config, before anything is sent.
            if case .failure(let rejected) = ConfigStore.load(body, name: "\(client.address) merged rules") {
                report.result = .invalid
                report.diagnostics = rejected.diagnostics.filter { $0.level == .error }
                report.error = "the merged rule set for \(client.address) does not validate; nothing was pushed"
                return report
            }
            if dryRun {
                report.result = .dryRun
                return report
            }
            switch client.putConfig(body) {
            case .success(.accepted(let version)):
                report.result = .applied
                report.after = version
            case .success(.rejected(let diagnostics, _)):
                report.result = .rejected
                report.diagnostics = diagnostics
                report.error = "\(client.address) rejected the rules; config version \(running.version) keeps running"
            case .failure(let failure):
                report.error = failure.description
            }
            return report
        }

        /// `kubectl apply`'s merge: a given resource replaces the running one of the same kind,
        /// namespace and name, or is added after the running ones; with `prune`, the given set
        /// is the whole set.
        static func merge(_ running: [Resource], _ given: [Resource], prune: Bool) -> [Resource] {
            if prune { return given }
            var pending: [String: Resource] = [:]
            for resource in given { pending[resource.reference] = resource }
            var merged = running.effective.map { pending.removeValue(forKey: $0.reference) ?? $0 }
            merged += given.filter { pending[$0.reference] != nil }
            return merged
        }

        /// The rule set as the multi-document YAML `PUT /config` takes.
        static func yaml(_ resources: [Resource]) -> String {
            resources.map { $0.file.jsonValue($0.node).yaml() }.joined(separator: "---\n")
        }

        func text(_ report: Report) -> String {
            guard report.before != nil else { return "" }
            var lines = ["\(report.admin):"]
            for (reference, action) in report.actions { lines.append("  \(reference) \(action)") }
            if let config = report.config {
                lines += config.isEmpty ? ["  routes and clusters: no change"] : config.lines(indent: "  ")
            }
            let before = report.before ?? "?"
            switch report.result {
            case .applied:
                lines.append(
                    "  \(Terminal.paint("applied", .green)): config version \(before) → \(report.after ?? "?") (\(Output.plural(report.resources, "resource")))"
                )
            case .unchanged: lines.append("  unchanged: config version \(before) already runs these rules; nothing pushed")
            case .dryRun: lines.append("  dry run: nothing pushed; config version \(before) keeps running")
            case .invalid: lines.append("  \(Terminal.paint("invalid", .red)): the merged rules do not validate; nothing pushed")
            case .rejected: lines.append("  \(Terminal.paint("rejected", .red)): config version \(before) keeps running")
            case .failed: lines.append("  \(Terminal.paint("failed", .red)): the push did not complete")
            }
            return lines.joined(separator: "\n") + "\n"
        }

        func json(_ report: Report) -> JSONValue {
            [
                "admin": .string(report.admin), "result": .string(report.result.rawValue),
                "configVersion": [
                    "before": report.before.map { .string($0) } ?? .null, "after": report.after.map { .string($0) } ?? .null,
                ],
                "resources": .array(
                    report.actions.map { ["resource": .string($0.reference), "action": .string($0.action)] }),
                "routes": report.config?.json["routes"] ?? .array([]),
                "clusters": report.config?.json["clusters"] ?? .array([]),
                "diagnostics": .array(report.diagnostics.map(Self.json)),
                "error": report.error.map { .string($0) } ?? .null,
            ]
        }

        /// A finding as `validate -o json` writes it.
        static func json(_ d: Diagnostic) -> JSONValue {
            [
                "level": .string(d.level.rawValue), "code": .string(d.code), "message": .string(d.message),
                "file": .string(d.file), "line": .int(Int64(d.line)), "column": .int(Int64(d.column)),
                "resource": d.resource.map { .string($0) } ?? .null, "field": d.field.map { .string($0) } ?? .null,
            ]
        }
    }
}
