/// Somewhere the rollout's weights live: a running proxy, or the VirtualService's file.
public protocol WeightTarget: AnyObject {
    /// `127.0.0.1:15000`, or the file's path.
    var name: String { get }
    /// Sets the canary's weight (stable gets the rest); returns a note for the journal.
    func apply(canaryWeight: Int) throws(TargetFailure) -> String
    /// The canary weight this target runs, or nil when its routes are not as the rollout shapes
    /// them (the VirtualService is gone, or its routes disagree).
    func observe() throws(TargetFailure) -> Int?
}

/// Why a target could not be changed or read, in one line.
public struct TargetFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Where gate numbers come from: proxies' admin stats, or Prometheus.
public protocol MetricsSource {
    /// Counters now, where a window starts; nil for a source that measures windows by time.
    func snapshot(now: Int64) throws(TargetFailure) -> CounterSnapshot?
    /// The stable and canary traffic from the window's start until `now`.
    func observe(since snapshot: CounterSnapshot?, windowStart: Int64, now: Int64) throws(TargetFailure) -> Observations
}

/// Carries out the state machine's decisions: the journal's intent before a change, the change
/// on every target, its verification, then the commit, each record on disk before the next
/// move. A pending intent left by a crash is settled before anything else.
public final class RolloutDriver {
    public let journal: Journal
    public let targets: [WeightTarget]
    public let metrics: MetricsSource?
    let clock: () -> Int64
    public private(set) var machine: RolloutMachine
    public private(set) var contents: Journal.Contents
    /// Called at `after-intent` and `after-push`, for crash tests.
    public var faultPoint: ((String) -> Void)?

    /// What a command did, for the command to print and exit with.
    public struct Outcome: Sendable {
        public var exitCode: Int32
        public var lines: [String]
        public var status: RolloutStatus?
        public var evaluation: Evaluation?

        public init(exitCode: Int32, lines: [String], status: RolloutStatus?, evaluation: Evaluation?) {
            self.exitCode = exitCode
            self.lines = lines
            self.status = status
            self.evaluation = evaluation
        }
    }

    public init(
        plan: RolloutPlan, journal: Journal, targets: [WeightTarget], metrics: MetricsSource?,
        clock: @escaping () -> Int64
    ) throws(Journal.Failure) {
        self.journal = journal
        self.targets = targets
        self.metrics = metrics
        self.clock = clock
        let contents = try journal.read()
        self.contents = contents
        self.machine = RolloutMachine(plan: plan, status: contents.status)
    }

    public var plan: RolloutPlan { machine.plan }
    public var status: RolloutStatus? { machine.status }

    func append(_ record: JournalRecord) throws(Journal.Failure) {
        var record = record
        record.seq = contents.nextSeq
        try journal.append(record)
        contents.records.append(record)
        if record.kind != .intent, let status = record.status { machine.settle(status) }
    }

    // MARK: Recovery and drift

    /// Settles an intent left without its commit: commit, push again, or drift (exit 3).
    public func recover() throws(Journal.Failure) -> Outcome? {
        guard let intent = contents.pendingIntent, let to = intent.status, let weight = intent.to else { return nil }
        var observed: [(target: String, weight: Int?)] = []
        for target in targets {
            do throws(TargetFailure) {
                observed.append((target.name, try target.observe()))
            } catch {
                return Outcome(
                    exitCode: 1,
                    lines: ["error: cannot check the interrupted change (\(intent.action ?? "change") to \(weight)%): \(error)"],
                    status: status, evaluation: nil)
            }
        }
        let now = clock()
        switch Recovery.decide(from: intent.from, to: weight, observed: observed) {
        case .commit:
            try commit(intent, to: to, notes: observed.map { "\($0.target): \($0.weight ?? -1)% already live" }, now: now)
            return Outcome(
                exitCode: 0,
                lines: ["recovered: the interrupted \(intent.action ?? "change") to \(weight)% is live everywhere; committed"],
                status: status, evaluation: nil)
        case .reapply:
            let result = try push(intent, to: to, now: now)
            if result.exitCode != 0 { return result }
            return Outcome(
                exitCode: 0,
                lines: ["recovered: the interrupted \(intent.action ?? "change") to \(weight)% was pushed again"] + result.lines,
                status: status, evaluation: nil)
        case .drift(let reason):
            return try driftFound("after an interrupted \(intent.action ?? "change") to \(weight)%: \(reason)", now: now)
        }
    }

    /// Reports drift when a target runs weights other than the journal's (exit 3).
    public func checkLive() throws(Journal.Failure) -> Outcome? {
        guard let status, status.phase == .progressing || status.phase == .paused else { return nil }
        for target in targets {
            let live: Int?
            do throws(TargetFailure) { live = try target.observe() } catch {
                return Outcome(exitCode: 1, lines: ["error: \(error)"], status: status, evaluation: nil)
            }
            if live != status.canaryWeight {
                let seen = live.map { "\($0)%" } ?? "routes not shaped by the rollout"
                return try driftFound(
                    "\(target.name) runs the canary at \(seen); the journal says \(status.canaryWeight)%", now: clock())
            }
        }
        return nil
    }

    func driftFound(_ reason: String, now: Int64) throws(Journal.Failure) -> Outcome {
        guard let drifted = machine.drift(reason, now: now) else {
            return Outcome(exitCode: 3, lines: ["drift: \(reason)"], status: nil, evaluation: nil)
        }
        var record = JournalRecord(time: now, kind: .state, action: "drift", status: drifted)
        record.message = reason
        try append(record)
        return Outcome(
            exitCode: 3,
            lines: [
                "drift: \(reason)",
                "the rollout is held; `meshctl rollout abort` puts stable back, `start --restart` starts over",
            ],
            status: drifted, evaluation: nil)
    }

    // MARK: Carrying out decisions

    /// Carries out `decision`, evaluating the gates when it asks for that.
    public func carry(_ decision: RolloutMachine.Decision) throws(Journal.Failure) -> Outcome {
        let now = clock()
        switch decision {
        case .refused(let reason):
            return Outcome(exitCode: 1, lines: ["error: \(reason)"], status: status, evaluation: nil)
        case .finished(let status):
            return Outcome(exitCode: status.exitCode, lines: [status.message], status: status, evaluation: nil)
        case .record(let to):
            if to != status { try append(JournalRecord(time: now, kind: .state, action: to.phase.rawValue, status: to)) }
            return Outcome(exitCode: to.exitCode, lines: [to.message], status: to, evaluation: nil)
        case .wait(let wait, let record):
            if let record {
                var entry = JournalRecord(time: now, kind: .state, action: "wait", status: record)
                if case .failed = wait { entry.snapshot = takeSnapshot(now: now) }
                try append(entry)
            }
            return Outcome(exitCode: Self.exitCode(wait), lines: [Self.describe(wait)], status: status, evaluation: nil)
        case .evaluate(let windowStart):
            let evaluation = evaluate(windowStart: windowStart, now: now)
            let next = machine.judge(evaluation, now: now)
            var record = JournalRecord(time: now, kind: .decision, action: evaluation.verdict.rawValue, status: status)
            record.evaluation = evaluation
            record.message = evaluation.reason
            if case .wait(_, let waiting?) = next {
                record.status = waiting
                if case .wait(.failed, _) = next { record.snapshot = takeSnapshot(now: now) }
            }
            try append(record)
            if case .wait(let wait, _) = next {
                var outcome = Outcome(
                    exitCode: Self.exitCode(wait), lines: [Self.describe(wait)], status: status, evaluation: evaluation)
                if case .metricsError = wait { outcome.exitCode = 1 }
                return outcome
            }
            var outcome = try carry(next)
            outcome.evaluation = evaluation
            return outcome
        case .apply(let transition):
            var intent = JournalRecord(time: now, kind: .intent, action: transition.action, status: transition.to)
            intent.from = transition.from?.canaryWeight ?? observedWeight()
            intent.to = transition.to.canaryWeight
            try append(intent)
            faultPoint?("after-intent")
            return try push(contents.records.last!, to: transition.to, now: now)
        }
    }

    /// Pushes an intent's weights to every target, verifies them, and commits.
    func push(_ intent: JournalRecord, to: RolloutStatus, now: Int64) throws(Journal.Failure) -> Outcome {
        var notes: [String] = []
        var failures: [String] = []
        for target in targets {
            do throws(TargetFailure) {
                notes.append("\(target.name): \(try target.apply(canaryWeight: to.canaryWeight))")
            } catch {
                failures.append("\(target.name): \(error)")
            }
        }
        faultPoint?("after-push")
        for target in targets where !failures.contains(where: { $0.hasPrefix(target.name + ":") }) {
            do throws(TargetFailure) {
                let live = try target.observe()
                if live != to.canaryWeight {
                    failures.append(
                        "\(target.name): runs \(live.map { "\($0)%" } ?? "other routes") after the push, not \(to.canaryWeight)%")
                }
            } catch {
                failures.append("\(target.name): \(error)")
            }
        }
        if !failures.isEmpty {
            // The intent stays uncommitted: the next command checks the targets and settles it.
            return Outcome(
                exitCode: 1,
                lines: failures.map { "error: \($0)" } + [
                    "the change to \(to.canaryWeight)% is not committed; the next rollout command checks every target and settles it"
                ], status: status, evaluation: nil)
        }
        try commit(intent, to: to, notes: notes, now: now)
        return Outcome(
            exitCode: to.phase == .promoted ? 0 : to.phase == .aborted ? 1 : 0, lines: [to.message] + notes.map { "  \($0)" },
            status: to, evaluation: nil)
    }

    func commit(_ intent: JournalRecord, to: RolloutStatus, notes: [String], now: Int64) throws(Journal.Failure) {
        var record = JournalRecord(time: clock(), kind: .commit, action: intent.action, status: to)
        record.intent = intent.seq
        record.targets = notes
        record.snapshot = takeSnapshot(now: now)
        try append(record)
    }

    func takeSnapshot(now: Int64) -> CounterSnapshot? {
        guard let metrics else { return nil }
        return try? metrics.snapshot(now: clock())
    }

    /// The canary weight the first target runs, for an intent's `from` when there is no status.
    func observedWeight() -> Int? {
        guard let first = targets.first else { return nil }
        return (try? first.observe()) ?? nil
    }

    /// The gates over the window from `windowStart`: pass, fail, no data, or error.
    public func evaluate(windowStart: Int64, now: Int64) -> Evaluation {
        guard let metrics else {
            return Evaluation.judge(Observations(stable: .init(), canary: .init(), seconds: 0), by: plan.gates)
        }
        let snapshot = contents.windowSnapshot
        if let snapshot, snapshot.time + 1000 < windowStart {
            return .error("no counters were read when the window started; a fresh window starts with the next step")
        }
        do throws(TargetFailure) {
            let observations = try metrics.observe(since: snapshot, windowStart: windowStart, now: now)
            return Evaluation.judge(observations, by: plan.gates)
        } catch {
            return .error("the metrics could not be read: \(error)")
        }
    }

    static func exitCode(_ wait: RolloutMachine.Wait) -> Int32 {
        if case .metricsError = wait { return 1 }
        return 2
    }

    public static func describe(_ wait: RolloutMachine.Wait) -> String {
        switch wait {
        case .pause(let left): "pausing: \(Format.milliseconds(Double(left))) left"
        case .promote: "paused until `meshctl rollout promote`"
        case .interval(let left): "waiting: the gates are evaluated in \(Format.milliseconds(Double(left)))"
        case .noData(let reason): "no verdict yet: \(reason)"
        case .failed(let reason, let failures): "gates failed (\(failures)): \(reason); a fresh window starts"
        case .paused: "paused by hand; `meshctl rollout resume` continues"
        case .metricsError(let reason): "error: \(reason)"
        }
    }

    /// Whether the rollout's spec or its VirtualService changed since `start`.
    public func conflict(with current: Fingerprints) -> String? {
        guard let recorded = contents.start?.fingerprints else { return nil }
        if recorded.rollout != current.rollout {
            return
                "the Rollout's spec changed since the rollout started (fingerprint \(recorded.rollout) → \(current.rollout)); `meshctl rollout start --restart` starts over with it"
        }
        if recorded.virtualService != current.virtualService {
            return
                "the VirtualService changed beyond its weights since the rollout started (fingerprint \(recorded.virtualService) → \(current.virtualService)); `meshctl rollout start --restart` starts over with it"
        }
        return nil
    }

    /// Writes the start record (a new journal, or a restart).
    public func begin(settings: RolloutSettings, fingerprints: Fingerprints) throws(Journal.Failure) {
        var record = JournalRecord(time: clock(), kind: .start, action: contents.records.isEmpty ? "start" : "restart")
        record.settings = settings
        record.fingerprints = fingerprints
        record.plan = plan
        try append(record)
        machine = RolloutMachine(plan: plan, status: nil)
    }
}
