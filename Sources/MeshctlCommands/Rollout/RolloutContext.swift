import ArgumentParser
import Foundation
import MeshAnalysis
import MeshModel
import MeshRollout
import MeshValidation
import MeshYAML

/// `NAME` (or `NAMESPACE/NAME`) and `--state-dir`, for the commands that act on a started rollout.
struct RolloutSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("The rollout: NAME, or NAMESPACE/NAME.", valueName: "name"))
    var name: String

    @OptionGroup var state: StateOptions

    func validate() throws { _ = try RolloutName(name) }
}

/// Where journals live, and the deadline for the proxies and Prometheus.
struct StateOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Where rollout journals are kept (default: .meshctl in the current directory).", valueName: "dir"),
        completion: .directory)
    var stateDir: String?

    @OptionGroup var deadline: AdminDeadline

    var directory: String { stateDir ?? ".meshctl" }
}

/// A rollout's namespace and name.
struct RolloutName: CustomStringConvertible {
    var namespace: String
    var name: String

    init(_ text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw ValidationError("a rollout is NAME or NAMESPACE/NAME, got '\(text)'")
        }
        (namespace, name) = parts.count == 2 ? (parts[0], parts[1]) : ("default", parts[0])
        guard parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." } }) else {
            throw ValidationError("'\(text)' is not a rollout name (letters, digits, '-' and '.')")
        }
    }

    init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    var description: String { "\(namespace)/\(name)" }

    func journalPath(in directory: String) -> String { "\(directory)/rollouts/\(namespace)_\(name).journal" }
    func lockPath(in directory: String) -> String { "\(directory)/rollouts/\(namespace)_\(name).lock" }
}

/// Everything a rollout command works with: the rules (re-read from the files `start` was
/// given), the plan, the targets, the metrics source and the driver over the journal.
struct RolloutContext {
    let name: RolloutName
    let settings: RolloutSettings
    let rules: LoadedRules
    let rollout: Resource
    let virtualService: Resource
    let routes: [RolloutRoute]
    let plan: RolloutPlan
    let fingerprints: Fingerprints
    let driver: RolloutDriver
    let lock: RolloutLock
    let metricsDescription: String

    static var now: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Takes the lock and opens a started rollout's journal; settles an interrupted change and
    /// checks for conflicts (a changed spec: exit 3).
    /// `waitForLock` (in milliseconds) lets a command that runs for long (`run`, `status --watch`)
    /// wait its turn; each of its rounds gets the whole `--timeout` for the proxies' answers.
    static func open(_ selection: RolloutSelection, waitForLock: Int = 0) throws -> RolloutContext {
        let name = try RolloutName(selection.name)
        let directory = selection.state.directory
        let journal = Journal(path: name.journalPath(in: directory))
        guard journal.exists else {
            fail(
                "no rollout \(name) in \(directory)/rollouts; start one with `meshctl rollout start -f ...`\(selection.state.stateDir == nil ? " (or give --state-dir)" : "")"
            )
        }
        let lock = try lock(name, in: directory, waitMilliseconds: waitForLock)
        let contents = try mapped { try journal.read() }
        guard let settings = contents.start?.settings else {
            fail("\(journal.path) has no start record; it is not a rollout journal")
        }
        // The deadline counts from the command's start: a round of a long command gets it anew.
        var deadline = selection.state.deadline
        let elapsed = (AdminDeadline.now - AdminDeadline.start) / 1_000_000
        deadline.timeout = "\(elapsed + (MeshDuration(deadline.timeout)?.nanoseconds ?? 10_000_000_000) / 1_000_000)ms"
        let context = try make(name: name, settings: settings, journal: journal, lock: lock, deadline: deadline)
        if let conflict = context.driver.conflict(with: context.fingerprints) {
            Output.error("conflict: \(conflict)")
            throw ExitCode(3)
        }
        return context
    }

    static func lock(_ name: RolloutName, in directory: String, waitMilliseconds: Int = 0) throws -> RolloutLock {
        do {
            try FileManager.default.createDirectory(atPath: "\(directory)/rollouts", withIntermediateDirectories: true)
        } catch {
            fail("cannot create \(directory)/rollouts: \(error.localizedDescription)")
        }
        return try mapped { try RolloutLock(path: name.lockPath(in: directory), waitMilliseconds: waitMilliseconds) }
    }

    /// Loads the rules, finds the rollout, plans it and builds the targets.
    static func make(
        name: RolloutName, settings: RolloutSettings, journal: Journal, lock: RolloutLock, deadline: AdminDeadline
    ) throws -> RolloutContext {
        let rules = try loadValidRules(settings.files)
        let rollout = try find(name, in: rules)
        let made: (plan: RolloutPlan, routes: [RolloutRoute], virtualService: Resource)
        switch RolloutPlan.make(rollout, resources: rules.resources) {
        case .success(let value): made = value
        case .failure(let problem): fail("\(rollout.reference): \(problem)")
        }
        var targets: [WeightTarget] = settings.admins.compactMap { try? AdminAddress($0) }.map {
            AdminTarget(
                client: AdminClient(address: $0, deadline: deadline), virtualService: made.virtualService,
                rollout: rollout, routes: made.routes, deadline: deadline)
        }
        if settings.write { targets.append(FileTarget(path: made.virtualService.file.path, rollout: rollout)) }
        let metrics: MetricsSource?
        let description: String
        if let url = settings.prometheus {
            metrics = try PrometheusSource(url: url, plan: made.plan, deadline: deadline)
            description = "Prometheus at \(url)"
        } else if !settings.admins.isEmpty {
            metrics = AdminStatsSource(
                clients: settings.admins.compactMap { try? AdminAddress($0) }.map {
                    AdminClient(address: $0, deadline: deadline)
                },
                plan: made.plan)
            description =
                "the admin stats of " + (settings.admins.count == 1 ? "1 proxy" : "\(settings.admins.count) proxies")
        } else {
            metrics = nil
            description = "no metrics source"
        }
        let driver = try mapped {
            try RolloutDriver(plan: made.plan, journal: journal, targets: targets, metrics: metrics, clock: { now })
        }
        driver.faultPoint = faultPoint
        return RolloutContext(
            name: name, settings: settings, rules: rules, rollout: rollout, virtualService: made.virtualService,
            routes: made.routes, plan: made.plan,
            fingerprints: Fingerprint.of(rollout: rollout, virtualService: made.virtualService, routes: made.routes),
            driver: driver, lock: lock, metricsDescription: description)
    }

    /// The rollout `name` among the rules; with no name, the only one.
    static func find(_ name: RolloutName?, in rules: LoadedRules) throws -> Resource {
        let rollouts = rules.resources.effective.filter { $0.rollout != nil }
        if let name {
            guard let found = rollouts.first(where: { $0.name == name.name && $0.namespace == name.namespace }) else {
                let known = rollouts.map { "\($0.namespace)/\($0.name)" }
                fail(
                    "no Rollout \(name) in the files given\(known.isEmpty ? "" : " (they hold \(known.joined(separator: ", ")))")"
                )
            }
            return found
        }
        guard rollouts.count == 1, let only = rollouts.first else {
            if rollouts.isEmpty { fail("the files given hold no Rollout (meshctl.dev/v1alpha1 or argoproj.io/v1alpha1)") }
            fail(
                "the files hold \(rollouts.count) Rollouts (\(rollouts.map { "\($0.namespace)/\($0.name)" }.joined(separator: ", "))); name one"
            )
        }
        return only
    }

    /// The analyzer's findings on the rollout (its VirtualService routes and subsets); errors end
    /// the command, since such a rollout could never finish.
    static func checkRollout(_ rollout: Resource, rules: LoadedRules) throws -> [Diagnostic] {
        var analysis = Analysis(resources: rules.resources)
        let findings = analysis.run().filter {
            $0.resource == rollout.reference && ["IST0101"].contains($0.code) || $0.code.hasPrefix("MESH02")
        }
        let files = rules.files + rules.unparsed
        if !findings.isEmpty {
            Output.error(DiagnosticRenderer.text(Output.sorted(findings, fileOrder: files.map(\.path)), files: files))
        }
        let errors = findings.filter { $0.level == .error }
        if !errors.isEmpty {
            Output.error("✘ \(rollout.reference) cannot be carried out: \(Output.plural(errors.count, "error"))")
            throw ExitCode(1)
        }
        return findings
    }

    /// Crash tests set MESHCTL_ROLLOUT_KILL_AT=after-intent|after-push: the process kills
    /// itself (SIGKILL) there, as a crash would.
    static var faultPoint: (@Sendable (String) -> Void)? {
        guard let point = ProcessInfo.processInfo.environment["MESHCTL_ROLLOUT_KILL_AT"], !point.isEmpty else { return nil }
        return { reached in
            if reached == point { kill(getpid(), SIGKILL) }
        }
    }
}

/// Runs a journal operation; its failure ends the command with its one line.
func mapped<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as Journal.Failure {
        fail(failure.description)
    }
}

extension RolloutDriver.Outcome {
    /// Prints the outcome's lines (errors to standard error) and exits with its status.
    func finish(_ exit: Int32? = nil) throws -> Never {
        for line in lines {
            if line.hasPrefix("error:") || line.hasPrefix("drift:") || line.hasPrefix("conflict:") {
                Output.error(line)
            } else {
                Output.print(line)
            }
        }
        throw ExitCode(exit ?? exitCode)
    }
}

extension RolloutContext {
    /// Settles an interrupted change (printing what was done) and checks that every target runs
    /// the journal's weights; ends the command on drift (exit 3) or an unreachable target.
    func settle(checkLive: Bool = true) throws {
        if let outcome = try mapped({ try driver.recover() }) {
            if outcome.exitCode != 0 { try outcome.finish() }
            for line in outcome.lines { Output.error(line) }
        }
        if checkLive, let outcome = try mapped({ try driver.checkLive() }) { try outcome.finish() }
    }

    /// Opens the rollout, settles it, carries out the machine's decision and exits with the
    /// outcome's status (or `exit` instead of 2, "in progress").
    static func act(
        _ selection: RolloutSelection, success exit: Int32? = nil, _ decide: (RolloutMachine, Int64) -> RolloutMachine.Decision
    ) throws -> Never {
        let context = try open(selection)
        try context.settle()
        let outcome = try mapped { try context.driver.carry(decide(context.driver.machine, now)) }
        // pause and resume leave a rollout in progress (2), which is their success.
        try outcome.finish(outcome.exitCode == 2 ? exit : nil)
    }
}
