import ArgumentParser
import EnvoyConfig
import MeshModel
import MeshYAML

extension Meshctl {
    struct ProxyStatus: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "proxy-status",
            abstract: "One row per running proxy: its state, config version, uptime, and whether it runs the given rules.",
            discussion: """
                Columns: NAME (the node's POD.NAMESPACE, as istioctl names proxies), ADDRESS (the \
                admin API), STATE (LIVE, DRAINING, ...), CONFIG VERSION (meshctl's, bumped by each \
                new rule set), UPTIME, and SYNCED: with --rules, SYNCED when the proxy runs exactly \
                those resources (kind, namespace, name and content), STALE when it does not (-v shows \
                what differs), UNKNOWN when the proxy cannot show its rules (an Envoy); UNREACHABLE \
                when no admin API answered; - without --rules.

                Exit status: 0 when every proxy answered and, with --rules, is SYNCED; 1 otherwise.

                Examples:
                  meshctl proxy-status --admin 127.0.0.1:15000
                  meshctl proxy-status --admin 127.0.0.1:15000 --admin 127.0.0.1:16000 --rules samples/tutorial/ -v
                  meshctl proxy-status --admin 127.0.0.1:15000 --rules samples/tutorial/ -o json
                """,
            aliases: ["ps"])

        @OptionGroup var admin: AdminOptions

        @Option(
            name: [.customShort("f"), .customLong("rules")],
            help: ArgumentHelp("Rule files or directories the proxies should run (repeatable).", valueName: "path"),
            completion: .file(extensions: ["yaml", "yml", "json"]))
        var rules: [String] = []

        @Flag(name: [.short, .long], help: "Show what differs from the rules: resources added, removed and changed.")
        var verbose = false

        @Option(name: [.short, .long], help: "Output format: text, json or yaml.")
        var output: ReportFormat = .text

        struct Status {
            var admin: String
            var info: ServerInfo?
            var synced: String
            var diff: ResourceDiff?
            var runningVersion: String?
            var error: String?
        }

        func run() throws {
            let wanted = rules.isEmpty ? nil : try loadValidRules(rules).resources
            let statuses = admin.clients.map { status(of: $0, wanted: wanted) }
            switch output {
            case .text:
                write(table(statuses))
                if verbose { write(details(statuses)) }
            case .json, .yaml:
                output.print(["proxies": .array(statuses.map(json))])
            }
            for status in statuses { if let error = status.error { Output.error("error: \(error)") } }
            if statuses.contains(where: { $0.synced == "UNREACHABLE" || (wanted != nil && $0.synced != "SYNCED") }) {
                throw ExitCode(1)
            }
        }

        func status(of client: AdminClient, wanted: [Resource]?) -> Status {
            var status = Status(admin: client.address.text, synced: wanted == nil ? "-" : "UNKNOWN")
            switch client.serverInfo() {
            case .failure(let failure):
                status.synced = "UNREACHABLE"
                status.error = failure.description
                return status
            case .success(let info): status.info = info
            }
            guard let wanted else { return status }
            switch client.runningRules() {
            case .success(let running):
                let diff = ResourceDiff(running: running.resources, wanted: wanted)
                status.diff = diff
                status.runningVersion = running.version
                status.synced = diff.isEmpty ? "SYNCED" : "STALE"
            case .failure(let failure):
                status.error = failure.description
            }
            return status
        }

        func table(_ statuses: [Status]) -> String {
            var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 3)
            w.writeRow(["NAME", "ADDRESS", "STATE", "CONFIG VERSION", "UPTIME", "SYNCED"])
            for s in statuses {
                w.writeRow([
                    s.info?.name ?? "-", s.admin, s.info?.state ?? "-", s.runningVersion ?? s.info?.configVersion ?? "-",
                    s.info?.uptimeSeconds.map(Self.age) ?? "-", s.synced,
                ])
            }
            return Terminal.colourColumns(w.finish(), headers: ["STATE", "SYNCED"])
        }

        /// What differs, per STALE proxy: `+` in the files only, `-` running only, `~` changed.
        func details(_ statuses: [Status]) -> String {
            var out = ""
            for s in statuses {
                guard let diff = s.diff, !diff.isEmpty else { continue }
                out += "\n\(s.admin) runs config version \(s.runningVersion ?? "?"), which differs from the rules:\n"
                for r in diff.added { out += Terminal.diff("+", "  + \(r.reference) (in the rules, not running)") + "\n" }
                for r in diff.removed { out += Terminal.diff("-", "  - \(r.reference) (running, not in the rules)") + "\n" }
                for (r, changes) in diff.changed {
                    out += Terminal.diff("~", "  ~ \(r.reference)") + "\n"
                    for change in changes.prefix(10) { out += "      \(change.line)\n" }
                    if changes.count > 10 { out += "      … and \(changes.count - 10) more\n" }
                }
            }
            return out
        }

        func json(_ s: Status) -> JSONValue {
            [
                "name": s.info.map { .string($0.name) } ?? .null, "admin": .string(s.admin),
                "state": s.info.map { .string($0.state) } ?? .null,
                "configVersion": (s.runningVersion ?? s.info?.configVersion).map { .string($0) } ?? .null,
                "uptimeSeconds": s.info?.uptimeSeconds.map { .int(Int64($0)) } ?? .null,
                "synced": s.synced == "-" ? .null : .string(s.synced),
                "diff": s.diff?.json ?? .null, "error": s.error.map { .string($0) } ?? .null,
            ]
        }

        /// An age as kubectl prints one: `45s`, `3m12s`, `2h5m`, `3d4h`.
        static func age(_ seconds: Int) -> String {
            switch seconds {
            case ..<60: "\(seconds)s"
            case ..<3600: "\(seconds / 60)m\(seconds % 60)s"
            case ..<86400: "\(seconds / 3600)h\(seconds % 3600 / 60)m"
            default: "\(seconds / 86400)d\(seconds % 86400 / 3600)h"
            }
        }
    }
}
