/// The verdict of the gates over one window, with every input it was made from.
public struct Evaluation: Sendable, Codable, Equatable {
    public enum Verdict: String, Sendable, Codable, Equatable {
        /// Every gate holds.
        case pass
        /// A gate does not hold.
        case fail
        /// Too few canary requests (below `minRequests`) for a verdict.
        case noData = "no-data"
        /// The metrics could not be read; nothing was decided.
        case error
    }

    public struct Gate: Sendable, Codable, Equatable {
        public var name: String
        public var condition: String
        /// The measured value (percent, ms or points); nil without data.
        public var value: Double?
        public var verdict: Verdict
        /// What the value was computed from, in words.
        public var inputs: String
    }

    public var verdict: Verdict
    public var gates: [Gate]
    public var observations: Observations?
    /// Why: the failing gates, the missing data, or the error.
    public var reason: String

    public init(verdict: Verdict, gates: [Gate], observations: Observations?, reason: String) {
        self.verdict = verdict
        self.gates = gates
        self.observations = observations
        self.reason = reason
    }

    /// A metrics source that could not be read.
    public static func error(_ reason: String) -> Evaluation {
        Evaluation(verdict: .error, gates: [], observations: nil, reason: reason)
    }

    /// Judges `observations` by `config`: no data below `minRequests` canary requests, else
    /// each gate on its own; one failing gate fails the window.
    public static func judge(_ observations: Observations, by config: GateConfig) -> Evaluation {
        let canary = observations.canary
        let stable = observations.stable
        var gates: [Gate] = []
        let enough = canary.requests >= Double(max(config.minRequests, 1))
        for metric in config.metrics {
            var value: Double?
            var inputs: String
            switch metric.kind {
            case .successRate:
                value = canary.successRate
                inputs =
                    "\(Format.number(canary.requests - canary.errors)) of \(Format.number(canary.requests)) canary answers not 5xx"
            case .latency:
                value = canary.latency(metric.quantile ?? 0.99)
                inputs = "p\(Format.number((metric.quantile ?? 0.99) * 100)) of \(Format.number(canary.requests)) canary requests"
            case .successRateVsStable:
                if let c = canary.successRate, let s = stable.successRate { value = s - c }
                inputs =
                    "stable \(stable.successRate.map { Format.number(($0 * 100).rounded() / 100) + "%" } ?? "-") of \(Format.number(stable.requests)), canary \(canary.successRate.map { Format.number(($0 * 100).rounded() / 100) + "%" } ?? "-") of \(Format.number(canary.requests))"
            }
            let verdict: Verdict
            if !enough || value == nil {
                verdict = .noData
            } else {
                let v = value!
                switch metric.kind {
                case .successRate: verdict = v >= metric.bound ? .pass : .fail
                case .latency, .successRateVsStable: verdict = v <= metric.bound ? .pass : .fail
                }
            }
            gates.append(Gate(name: metric.name, condition: metric.condition, value: value, verdict: verdict, inputs: inputs))
        }
        let failed = gates.filter { $0.verdict == .fail }
        if !failed.isEmpty {
            return Evaluation(
                verdict: .fail, gates: gates, observations: observations,
                reason: failed.map { "\($0.name) \(Self.show($0)) (wanted \($0.condition))" }.joined(separator: "; "))
        }
        if !enough {
            return Evaluation(
                verdict: .noData, gates: gates, observations: observations,
                reason:
                    "\(Format.number(canary.requests)) canary requests in the window, fewer than minRequests \(config.minRequests)"
            )
        }
        if let missing = gates.first(where: { $0.verdict == .noData }) {
            return Evaluation(
                verdict: .noData, gates: gates, observations: observations,
                reason: "\(missing.name) has no data (\(missing.inputs))")
        }
        return Evaluation(
            verdict: .pass, gates: gates, observations: observations,
            reason: gates.isEmpty ? "no gates" : gates.map { "\($0.name) \(Self.show($0))" }.joined(separator: ", "))
    }

    /// A gate's value with its unit.
    public static func show(_ gate: Gate) -> String {
        guard let value = gate.value else { return "-" }
        if gate.name.hasPrefix("latency") { return Format.milliseconds((value * 10).rounded() / 10) }
        if gate.name == "success-rate-vs-stable" { return Format.number((value * 100).rounded() / 100) + " points" }
        return Format.number((value * 100).rounded() / 100) + "%"
    }
}
