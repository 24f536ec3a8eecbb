import MeshRollout
import Testing

/// A plan: 10%, pause 30s, 25%, pause until promote, 50%, 100%; gates every 10s.
func samplePlan(failureLimit: Int = 1, onNoData: GateConfig.OnNoData = .pause, gated: Bool = true) -> RolloutPlan {
    RolloutPlan(
        name: "recommendation", namespace: "default",
        steps: [
            .setWeight(10), .pause(milliseconds: 30_000), .setWeight(25), .pause(milliseconds: nil), .setWeight(50),
            .setWeight(100),
        ],
        stableSubset: "version-v1", canarySubset: "version-v2", stableVersion: "v1", canaryVersion: "v2",
        service: "recommendation.default.svc.cluster.local",
        gates: gated
            ? GateConfig(
                intervalMs: 10_000, minRequests: 20, onNoData: onNoData, failureLimit: failureLimit,
                metrics: [GateConfig.Metric(name: "success-rate", kind: .successRate, bound: 99)]) : GateConfig(intervalMs: 0))
}

func status(_ phase: RolloutStatus.Phase = .progressing, step: Int, weight: Int, at t: Int64 = 0, failures: Int = 0)
    -> RolloutStatus
{
    RolloutStatus(phase: phase, step: step, canaryWeight: weight, stepStartedAt: t, windowStart: t, failures: failures)
}

/// The decision's kind and the weight or wait it carries, for comparing in tables.
func summary(_ decision: RolloutMachine.Decision) -> String {
    switch decision {
    case .apply(let t): "apply \(t.action) → step \(t.to.step) \(t.to.canaryWeight)% \(t.to.phase.rawValue)"
    case .evaluate(let start): "evaluate from \(start)"
    case .wait(let wait, let record):
        "wait \(RolloutDriver.describe(wait))\(record.map { " (record \($0.failures) failures, window \($0.windowStart))" } ?? "")"
    case .record(let s): "record \(s.phase.rawValue)"
    case .finished(let s): "finished \(s.phase.rawValue)"
    case .refused: "refused"
    }
}

@Suite struct MachineTransitionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var status: RolloutStatus?
        var command: String
        var now: Int64
        var expected: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "start applies step 0", status: nil, command: "start", now: 5, expected: "apply start → step 0 10% progressing"
        ),
        Case(label: "start twice is refused", status: status(step: 0, weight: 10), command: "start", now: 5, expected: "refused"),
        Case(label: "step before start is refused", status: nil, command: "step", now: 5, expected: "refused"),
        Case(
            label: "step waits for the interval", status: status(step: 0, weight: 10), command: "step", now: 4_000,
            expected: "wait waiting: the gates are evaluated in 6s"),
        Case(
            label: "step evaluates once the interval is over", status: status(step: 0, weight: 10, at: 100), command: "step",
            now: 10_100, expected: "evaluate from 100"),
        Case(
            label: "a timed pause waits", status: status(step: 1, weight: 10), command: "step", now: 12_000,
            expected: "wait pausing: 18s left"),
        Case(
            label: "a timed pause over evaluates the gates", status: status(step: 1, weight: 10), command: "step", now: 30_000,
            expected: "evaluate from 0"),
        Case(
            label: "an open pause waits for promote", status: status(step: 3, weight: 25), command: "step", now: 99_000,
            expected: "wait paused until `meshctl rollout promote`"),
        Case(
            label: "paused by hand waits", status: status(.paused, step: 0, weight: 10), command: "step", now: 99_000,
            expected: "wait paused by hand; `meshctl rollout resume` continues"),
        Case(
            label: "promoted is finished", status: status(.promoted, step: 5, weight: 100), command: "step", now: 1,
            expected: "finished promoted"),
        Case(
            label: "aborted is finished", status: status(.aborted, step: 2, weight: 0), command: "step", now: 1,
            expected: "finished aborted"),
        Case(
            label: "drift is finished", status: status(.drift, step: 2, weight: 25), command: "step", now: 1,
            expected: "finished drift"),
        Case(
            label: "promote moves past an open pause", status: status(step: 3, weight: 25), command: "promote", now: 7,
            expected: "apply promote → step 4 50% progressing"),
        Case(
            label: "promote --full goes to 100%", status: status(step: 0, weight: 10), command: "promote-full", now: 7,
            expected: "apply promote → step 5 100% promoted"),
        Case(
            label: "promote after abort is refused", status: status(.aborted, step: 2, weight: 0), command: "promote", now: 7,
            expected: "refused"),
        Case(
            label: "promote into the last step promotes", status: status(step: 4, weight: 50), command: "promote", now: 7,
            expected: "apply promote → step 5 100% promoted"),
        Case(label: "pause holds", status: status(step: 0, weight: 10), command: "pause", now: 7, expected: "record paused"),
        Case(
            label: "resume continues", status: status(.paused, step: 0, weight: 10), command: "resume", now: 7,
            expected: "record progressing"),
        Case(
            label: "resume in drift is refused", status: status(.drift, step: 0, weight: 10), command: "resume", now: 7,
            expected: "refused"),
        Case(
            label: "abort puts stable back", status: status(step: 2, weight: 25), command: "abort", now: 7,
            expected: "apply abort → step 2 0% aborted"),
        Case(
            label: "abort resolves drift", status: status(.drift, step: 2, weight: 25), command: "abort", now: 7,
            expected: "apply abort → step 2 0% aborted"),
        Case(
            label: "abort of a promoted rollout is refused", status: status(.promoted, step: 5, weight: 100), command: "abort",
            now: 7, expected: "refused"),
        Case(
            label: "abort twice is finished", status: status(.aborted, step: 2, weight: 0), command: "abort", now: 7,
            expected: "finished aborted"),
        Case(
            label: "retry starts over", status: status(.aborted, step: 2, weight: 0), command: "retry", now: 7,
            expected: "apply retry → step 0 10% progressing"),
        Case(
            label: "retry in progress is refused", status: status(step: 2, weight: 25), command: "retry", now: 7,
            expected: "refused"),
    ]

    @Test(arguments: cases)
    func transition(_ c: Case) {
        let machine = RolloutMachine(plan: samplePlan(), status: c.status)
        let decision: RolloutMachine.Decision =
            switch c.command {
            case "start": machine.start(now: c.now)
            case "step": machine.step(now: c.now)
            case "promote": machine.promote(full: false, now: c.now)
            case "promote-full": machine.promote(full: true, now: c.now)
            case "pause": machine.pause(now: c.now)
            case "resume": machine.resume(now: c.now)
            case "abort": machine.abort(now: c.now)
            default: machine.retry(now: c.now)
            }
        #expect(summary(decision) == c.expected)
    }

    @Test func enteringAStepStartsItsWindowAndClearsFailures() {
        let machine = RolloutMachine(plan: samplePlan(), status: status(step: 0, weight: 10, at: 0, failures: 1))
        guard case .apply(let t) = machine.promote(full: false, now: 42_000) else {
            Issue.record("promote did not apply")
            return
        }
        #expect(t.to.stepStartedAt == 42_000 && t.to.windowStart == 42_000 && t.to.failures == 0)
        #expect(t.from?.failures == 1)
    }

    @Test func withoutGatesAStepMovesOnAtOnce() {
        let machine = RolloutMachine(plan: samplePlan(gated: false), status: status(step: 0, weight: 10))
        #expect(summary(machine.step(now: 1)) == "apply step → step 1 10% progressing")
    }

    @Test func writtenStepsStoppingShortEndAt100() {
        let plan = RolloutPlan(
            name: "r", namespace: "default", steps: [.setWeight(20), .setWeight(40)], stableSubset: "a", canarySubset: "b",
            stableVersion: nil, canaryVersion: nil, service: "s", gates: GateConfig())
        #expect(plan.steps == [.setWeight(20), .setWeight(40), .setWeight(100)])
        #expect(plan.writtenSteps == 2)
        #expect(plan.canaryWeight(at: 1) == 40 && plan.canaryWeight(at: 2) == 100)
    }

    @Test(arguments: [RolloutStatus.Phase.promoted, .aborted, .progressing, .paused, .drift])
    func exitCodes(_ phase: RolloutStatus.Phase) {
        let expected: Int32 =
            switch phase {
            case .promoted: 0
            case .aborted: 1
            case .progressing, .paused: 2
            case .drift: 3
            }
        #expect(status(phase, step: 0, weight: 10).exitCode == expected)
    }
}

@Suite struct GateOutcomeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var verdict: Evaluation.Verdict
        var onNoData: GateConfig.OnNoData
        var failures: Int
        var failureLimit: Int
        var expected: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "pass advances", verdict: .pass, onNoData: .pause, failures: 0, failureLimit: 0,
            expected: "apply step → step 1 10% progressing"),
        Case(
            label: "a failure beyond the limit aborts", verdict: .fail, onNoData: .pause, failures: 0, failureLimit: 0,
            expected: "apply abort → step 0 0% aborted"),
        Case(
            label: "a failure within the limit waits with a fresh window", verdict: .fail, onNoData: .pause, failures: 0,
            failureLimit: 1,
            expected:
                "wait gates failed (1): success-rate 50% (wanted success-rate ≥ 99%); a fresh window starts (record 1 failures, window 50000)"
        ),
        Case(
            label: "the second failure with limit 1 aborts", verdict: .fail, onNoData: .pause, failures: 1, failureLimit: 1,
            expected: "apply abort → step 0 0% aborted"),
        Case(
            label: "no data pauses", verdict: .noData, onNoData: .pause, failures: 0, failureLimit: 0,
            expected:
                "wait no verdict yet: 3 canary requests in the window, fewer than minRequests 20 (record 0 failures, window 0)"),
        Case(
            label: "no data fails when asked", verdict: .noData, onNoData: .fail, failures: 0, failureLimit: 0,
            expected: "apply abort → step 0 0% aborted"),
        Case(
            label: "no data passes when asked", verdict: .noData, onNoData: .pass, failures: 0, failureLimit: 0,
            expected: "apply step → step 1 10% progressing"),
        Case(
            label: "a metrics error changes nothing", verdict: .error, onNoData: .fail, failures: 0, failureLimit: 0,
            expected: "wait error: the metrics could not be read"),
    ]

    static func evaluation(_ verdict: Evaluation.Verdict) -> Evaluation {
        switch verdict {
        case .pass: Evaluation(verdict: .pass, gates: [], observations: nil, reason: "success-rate 100%")
        case .fail:
            Evaluation(verdict: .fail, gates: [], observations: nil, reason: "success-rate 50% (wanted success-rate ≥ 99%)")
        case .noData:
            Evaluation(
                verdict: .noData, gates: [], observations: nil,
                reason: "3 canary requests in the window, fewer than minRequests 20")
        case .error: .error("the metrics could not be read")
        }
    }

    @Test(arguments: cases)
    func outcome(_ c: Case) {
        let machine = RolloutMachine(
            plan: samplePlan(failureLimit: c.failureLimit, onNoData: c.onNoData),
            status: status(step: 0, weight: 10, failures: c.failures))
        #expect(summary(machine.judge(Self.evaluation(c.verdict), now: 50_000)) == c.expected)
    }
}

@Suite struct RecoveryTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var from: Int?
        var to: Int
        var observed: [Int?]
        var expected: Recovery
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "target live everywhere: commit", from: 10, to: 25, observed: [25, 25], expected: .commit),
        Case(label: "still at the previous state: re-apply", from: 10, to: 25, observed: [10, 10], expected: .reapply),
        Case(label: "half pushed: re-apply", from: 10, to: 25, observed: [25, 10], expected: .reapply),
        Case(
            label: "anything else: drift", from: 10, to: 25, observed: [25, 40],
            expected: .drift("p1 runs the canary at 40%, neither the intended 25% nor the previous 10%")),
        Case(
            label: "routes gone: drift", from: 10, to: 25, observed: [nil],
            expected: .drift("p0: the routes are not as the rollout left them")),
        Case(label: "first push to a proxy without the routes: re-apply", from: nil, to: 10, observed: [nil], expected: .reapply),
        Case(label: "a change to the same weights: commit", from: 25, to: 25, observed: [25], expected: .commit),
    ]

    @Test(arguments: cases)
    func decide(_ c: Case) {
        let observed = c.observed.enumerated().map { (target: "p\($0.offset)", weight: $0.element) }
        #expect(Recovery.decide(from: c.from, to: c.to, observed: observed) == c.expected)
    }
}
