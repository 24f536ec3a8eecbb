import ArgumentParser
import Foundation
import MeshModel
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Start a rollout: apply its first step to the proxies and/or the VirtualService's file.",
            discussion: """
                --admin (repeatable) pushes the VirtualService with the step's weights to each \
                running proxy, as `meshctl apply` does; --write edits the weights in the \
                VirtualService's file in place (nothing else in the file changes) and replaces it \
                atomically. Both may be given. Gate numbers come from the proxies' \
                /stats/prometheus, or with --prometheus from Prometheus's HTTP API. These settings \
                and the files are remembered in the journal, so later commands need only the \
                rollout's name. A rollout already in progress is started over only with --restart.

                Examples:
                  meshctl rollout start -f rollout.yaml -f rules/ --admin 127.0.0.1:15000
                  meshctl rollout start -f rollout.yaml -f rules/ --write
                  meshctl rollout start -f rollout.yaml -f rules/ --admin 127.0.0.1:15000 --prometheus http://127.0.0.1:9090
                """)

        @Argument(help: ArgumentHelp("The rollout (NAME or NAMESPACE/NAME) when the files hold several.", valueName: "name"))
        var name: String?

        @OptionGroup var input: InputOptions

        @Option(
            name: .customLong("admin"),
            help: ArgumentHelp("A proxy to push the weights to, HOST:PORT (repeatable).", valueName: "host:port"))
        var admins: [String] = []

        @Flag(help: "Edit the weights in the VirtualService's file in place.")
        var write = false

        @Option(help: ArgumentHelp("Compute the gates by PromQL from this Prometheus (http://HOST:PORT).", valueName: "url"))
        var prometheus: String?

        @Flag(help: "Start over even when the rollout is in progress (or its spec changed).")
        var restart = false

        @OptionGroup var state: StateOptions

        func validate() throws {
            try input.validate()
            if input.paths.contains("-") {
                throw ValidationError("a rollout re-reads its files at every command; give files, not -f -")
            }
            if let name { _ = try RolloutName(name) }
            for admin in admins { _ = try AdminAddress(admin) }
            if Set(admins).count < admins.count { throw ValidationError("--admin lists the same proxy twice") }
            if admins.isEmpty && !write {
                throw ValidationError("give where the weights go: --admin HOST:PORT (repeatable), --write, or both")
            }
            if let prometheus { _ = try PrometheusSource.parse(prometheus) }
            try state.deadline.validate()
        }

        func run() throws {
            let files = input.paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let rules = try loadValidRules(files)
            let rollout = try RolloutContext.find(try name.map(RolloutName.init), in: rules)
            _ = try RolloutContext.checkRollout(rollout, rules: rules)
            if rollout.rollout?.analysis?.metrics.isEmpty == false && admins.isEmpty && prometheus == nil {
                fail("\(rollout.reference) has gates; give --admin (the proxies' stats) or --prometheus for their numbers")
            }
            let rolloutName = RolloutName(namespace: rollout.namespace, name: rollout.name)
            let lock = try RolloutContext.lock(rolloutName, in: state.directory)
            let settings = RolloutSettings(files: files, admins: admins, prometheus: prometheus, write: write)
            let journal = Journal(path: rolloutName.journalPath(in: state.directory))
            let context = try RolloutContext.make(
                name: rolloutName, settings: settings, journal: journal, lock: lock, deadline: state.deadline)
            let driver = context.driver
            if let status = driver.status, !restart,
                status.phase == .progressing || status.phase == .paused || status.phase == .drift
            {
                fail(
                    "rollout \(rolloutName) is \(status.phase.rawValue) at \(RolloutReport.position(status, context.plan)); `meshctl rollout status \(rolloutName.name)` shows it, --restart starts it over"
                )
            }
            if driver.contents.pendingIntent != nil && !restart {
                if let outcome = try mapped({ try driver.recover() }), outcome.exitCode != 0 { try outcome.finish() }
            }
            try mapped { try driver.begin(settings: settings, fingerprints: context.fingerprints) }
            let outcome = try mapped { try driver.carry(driver.machine.start(now: RolloutContext.now)) }
            var lines = outcome.lines
            if outcome.exitCode == 0, let status = outcome.status {
                lines.insert(
                    "rollout \(context.plan.reference) started: \(RolloutReport.position(status, context.plan)), canary \(status.canaryWeight)%",
                    at: 0)
                lines.removeAll { $0 == status.message }
            }
            try RolloutDriver.Outcome(exitCode: outcome.exitCode, lines: lines, status: outcome.status, evaluation: nil).finish(
                outcome.exitCode == 0 ? 0 : 1)
        }
    }
}
