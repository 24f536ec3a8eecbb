/// Where a rollout stands: the explicit status its state machine works on and its journal
/// records after every decision.
public struct RolloutStatus: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable, Equatable, CaseIterable {
        /// Steps are being carried out (possibly waiting on a pause, the interval or data).
        case progressing
        /// Paused by `rollout pause`; `resume` continues.
        case paused
        /// The canary takes all the traffic: done.
        case promoted
        /// Stable is back at 100%: `retry` starts over.
        case aborted
        /// The traffic is not where the journal says; nothing is done until it is resolved.
        case drift
    }

    public var phase: Phase
    /// Index of the current step in the plan.
    public var step: Int
    /// The canary weight configured on the targets (stable has the rest).
    public var canaryWeight: Int
    /// When the current step was applied (ms since 1970).
    public var stepStartedAt: Int64
    /// Where the gate window starts: the step's start, or the last failed evaluation.
    public var windowStart: Int64
    /// Failed evaluations at this step.
    public var failures: Int
    /// How many times the rollout was retried from the start.
    public var attempt: Int
    /// The last decision, in words.
    public var message: String

    public init(
        phase: Phase, step: Int, canaryWeight: Int, stepStartedAt: Int64, windowStart: Int64, failures: Int = 0,
        attempt: Int = 1, message: String = ""
    ) {
        self.phase = phase
        self.step = step
        self.canaryWeight = canaryWeight
        self.stepStartedAt = stepStartedAt
        self.windowStart = windowStart
        self.failures = failures
        self.attempt = attempt
        self.message = message
    }

    public var stableWeight: Int { 100 - canaryWeight }

    /// The exit status a command reports for this status: 0 promoted, 1 aborted, 2 in
    /// progress or paused, 3 drift.
    public var exitCode: Int32 {
        switch phase {
        case .promoted: 0
        case .aborted: 1
        case .progressing, .paused: 2
        case .drift: 3
        }
    }
}
