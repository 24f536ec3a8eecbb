/// The canary rollout as a pure state machine over an explicit `RolloutStatus`.
///
/// Each command asks the machine what to do, given the time; the machine answers with a
/// decision (push these weights, evaluate the gates, wait, record a new status) and never
/// touches a proxy, a file or a clock. The driver carries the decision out, journals it, and
/// hands back the status that holds afterwards.
public struct RolloutMachine: Sendable {
    public let plan: RolloutPlan
    public private(set) var status: RolloutStatus?

    public init(plan: RolloutPlan, status: RolloutStatus? = nil) {
        self.plan = plan
        self.status = status
    }

    /// Why nothing changes yet.
    public enum Wait: Sendable, Equatable {
        /// A timed pause step with this many ms left.
        case pause(remainingMs: Int64)
        /// A `pause: {}` step: only `promote` moves on.
        case promote
        /// The analysis interval has this many ms left before the gates are evaluated.
        case interval(remainingMs: Int64)
        /// Too few canary requests for a verdict (`onNoData: pause`).
        case noData(String)
        /// A failed evaluation within `failureLimit`: a fresh window starts.
        case failed(String, failures: Int)
        /// Paused by `rollout pause`.
        case paused
        /// The metrics could not be read; nothing was decided.
        case metricsError(String)
    }

    /// A change of the targets' weights (possibly to the same weights) and the status that
    /// holds once it is committed.
    public struct Transition: Sendable, Equatable {
        public var action: String
        public var from: RolloutStatus?
        public var to: RolloutStatus
    }

    public enum Decision: Sendable, Equatable {
        /// Push `to.canaryWeight` to every target, verify, then commit.
        case apply(Transition)
        /// Evaluate the gates over the window from `windowStart`, then call `judge`.
        case evaluate(windowStart: Int64)
        /// Nothing changes; `record` is a new status to journal (a fresh window, a message).
        case wait(Wait, record: RolloutStatus?)
        /// A new status without a change of weights (pause, resume).
        case record(RolloutStatus)
        /// The rollout is promoted, aborted or in drift: nothing to do.
        case finished(RolloutStatus)
        /// The command does not apply in this state.
        case refused(String)
    }

    // MARK: Commands

    /// `rollout start`: applies step 0.
    public func start(now: Int64) -> Decision {
        if let status {
            return .refused(
                "the rollout is already started (\(status.phase.rawValue), step \(status.step + 1) of \(plan.steps.count)); give --restart to start over"
            )
        }
        return .apply(Transition(action: "start", from: nil, to: entering(0, now: now, attempt: 1, because: "started")))
    }

    /// `rollout step`: moves on when the current step's wait is over and the gates pass.
    public func step(now: Int64) -> Decision {
        guard let status else { return .refused("the rollout is not started; run `meshctl rollout start` first") }
        switch status.phase {
        case .promoted, .aborted, .drift: return .finished(status)
        case .paused: return .wait(.paused, record: nil)
        case .progressing: break
        }
        if case .pause(let duration) = plan.steps[status.step] {
            guard let duration else { return .wait(.promote, record: nil) }
            let left = status.stepStartedAt + duration - now
            if left > 0 { return .wait(.pause(remainingMs: left), record: nil) }
        }
        if plan.gates.isEmpty { return advance(status, now: now, because: "no gates") }
        let left = status.windowStart + plan.gates.intervalMs - now
        if left > 0 { return .wait(.interval(remainingMs: left), record: nil) }
        return .evaluate(windowStart: status.windowStart)
    }

    /// What follows an evaluation of the gates.
    public func judge(_ evaluation: Evaluation, now: Int64) -> Decision {
        guard let status, status.phase == .progressing else {
            return status.map { .finished($0) } ?? .refused("the rollout is not started")
        }
        var verdict = evaluation.verdict
        if verdict == .noData {
            switch plan.gates.onNoData {
            case .pause:
                var waiting = status
                waiting.message = "no verdict yet: \(evaluation.reason)"
                return .wait(.noData(evaluation.reason), record: waiting)
            case .pass: verdict = .pass
            case .fail: verdict = .fail
            }
        }
        switch verdict {
        case .pass:
            return advance(status, now: now, because: "gates passed: \(evaluation.reason)")
        case .fail:
            let failures = status.failures + 1
            if failures > plan.gates.failureLimit {
                var to = status
                (to.phase, to.canaryWeight, to.failures) = (.aborted, 0, failures)
                (to.stepStartedAt, to.windowStart) = (now, now)
                to.message = "aborted: \(evaluation.reason) (failure \(failures), failureLimit \(plan.gates.failureLimit))"
                return .apply(Transition(action: "abort", from: status, to: to))
            }
            var retrying = status
            (retrying.failures, retrying.windowStart) = (failures, now)
            retrying.message =
                "gates failed: \(evaluation.reason) (failure \(failures) of at most \(plan.gates.failureLimit)); a fresh window starts"
            return .wait(.failed(evaluation.reason, failures: failures), record: retrying)
        case .error, .noData:
            return .wait(.metricsError(evaluation.reason), record: nil)
        }
    }

    /// `rollout promote`: past the current step without its wait or gates; `full` goes
    /// straight to 100%.
    public func promote(full: Bool, now: Int64) -> Decision {
        guard let status else { return .refused("the rollout is not started") }
        switch status.phase {
        case .promoted: return .finished(status)
        case .aborted: return .refused("the rollout was aborted; `meshctl rollout retry` starts it over")
        case .drift: return .refused("the traffic drifted from the journal; resolve it (abort, or start --restart) first")
        case .progressing, .paused: break
        }
        if full {
            var to = entering(plan.lastStep, now: now, attempt: status.attempt, because: "promoted in full by hand")
            to.failures = 0
            return .apply(Transition(action: "promote", from: status, to: to))
        }
        return advance(status, now: now, because: "promoted by hand", action: "promote")
    }

    /// `rollout pause`.
    public func pause(now: Int64) -> Decision {
        guard let status else { return .refused("the rollout is not started") }
        switch status.phase {
        case .progressing:
            var to = status
            to.phase = .paused
            to.message = "paused by hand"
            return .record(to)
        case .paused: return .record(status)
        case .promoted, .aborted, .drift: return .finished(status)
        }
    }

    /// `rollout resume`.
    public func resume(now: Int64) -> Decision {
        guard let status else { return .refused("the rollout is not started") }
        switch status.phase {
        case .paused:
            var to = status
            to.phase = .progressing
            to.message = "resumed"
            return .record(to)
        case .progressing: return .record(status)
        case .drift:
            return .refused(
                "the traffic drifted from the journal; `resume` cannot tell which weights are right: abort, or start --restart")
        case .promoted, .aborted: return .finished(status)
        }
    }

    /// `rollout abort`: stable back to 100% in one change.
    public func abort(now: Int64, reason: String = "aborted by hand") -> Decision {
        guard let status else { return .refused("the rollout is not started") }
        switch status.phase {
        case .aborted: return .finished(status)
        case .promoted:
            return .refused("the rollout is promoted; the canary is the release now (start a new rollout to move back)")
        case .progressing, .paused, .drift:
            var to = status
            (to.phase, to.canaryWeight, to.stepStartedAt, to.windowStart) = (.aborted, 0, now, now)
            to.message = reason
            return .apply(Transition(action: "abort", from: status, to: to))
        }
    }

    /// `rollout retry`: the same revision from step 0, after an abort or drift.
    public func retry(now: Int64) -> Decision {
        guard let status else { return .refused("the rollout is not started") }
        switch status.phase {
        case .aborted, .drift:
            return .apply(
                Transition(
                    action: "retry", from: status,
                    to: entering(0, now: now, attempt: status.attempt + 1, because: "retried from the start")))
        case .progressing, .paused: return .refused("the rollout is in progress; only an aborted rollout is retried")
        case .promoted: return .finished(status)
        }
    }

    /// The status once live weights are found to differ from the journal's.
    public func drift(_ reason: String, now: Int64) -> RolloutStatus? {
        guard var to = status else { return nil }
        to.phase = .drift
        to.message = "drift: \(reason)"
        return to
    }

    // MARK: Results

    /// Records the status that holds after a committed transition or a recorded decision.
    public mutating func settle(_ status: RolloutStatus) { self.status = status }

    // MARK: Helpers

    func entering(_ index: Int, now: Int64, attempt: Int, because reason: String) -> RolloutStatus {
        let weight = plan.canaryWeight(at: index)
        let last = index >= plan.lastStep
        return RolloutStatus(
            phase: last ? .promoted : .progressing, step: min(index, plan.lastStep), canaryWeight: weight, stepStartedAt: now,
            windowStart: now, failures: 0, attempt: attempt,
            message: last ? "promoted: the canary takes 100% (\(reason))" : "step \(index + 1) of \(plan.steps.count) (\(reason))"
        )
    }

    func advance(_ status: RolloutStatus, now: Int64, because reason: String, action: String = "step") -> Decision {
        .apply(
            Transition(
                action: action, from: status, to: entering(status.step + 1, now: now, attempt: status.attempt, because: reason)))
    }
}
