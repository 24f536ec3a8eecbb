import Foundation
import MeshModel
import MeshRouting

/// A rollout ready to carry out: its steps with exact weights, the subsets and the metric labels
/// that tell them apart, and its gates. Built from a decoded `Rollout` and the rules it acts on.
public struct RolloutPlan: Sendable, Codable, Equatable {
    public enum Step: Sendable, Codable, Equatable {
        case setWeight(Int)
        /// Milliseconds; nil waits for `promote`.
        case pause(milliseconds: Int64?)
    }

    public var name: String
    public var namespace: String
    /// Every step, ending with the canary at 100% (added when the written steps stop short).
    public var steps: [Step]
    /// How many of `steps` were written (the rest were added).
    public var writtenSteps: Int
    public var stableSubset: String
    public var canarySubset: String
    /// The `version` label of each subset: what `destination_version` says in the metrics.
    public var stableVersion: String?
    public var canaryVersion: String?
    /// The destination service's FQDN (`destination_service`).
    public var service: String
    public var gates: GateConfig

    public init(
        name: String, namespace: String, steps: [Step], stableSubset: String, canarySubset: String, stableVersion: String?,
        canaryVersion: String?, service: String, gates: GateConfig
    ) {
        self.name = name
        self.namespace = namespace
        self.writtenSteps = steps.count
        var all = steps
        if all.last != .setWeight(100) { all.append(.setWeight(100)) }
        self.steps = all
        self.stableSubset = stableSubset
        self.canarySubset = canarySubset
        self.stableVersion = stableVersion
        self.canaryVersion = canaryVersion
        self.service = service
        self.gates = gates
    }

    /// The canary's weight once step `index` is applied: the last `setWeight` up to it (0 before any).
    public func canaryWeight(at index: Int) -> Int {
        guard index >= 0 else { return 0 }
        for i in stride(from: min(index, steps.count - 1), through: 0, by: -1) {
            if case .setWeight(let w) = steps[i] { return w }
        }
        return 0
    }

    public var lastStep: Int { steps.count - 1 }

    /// `namespace/name`.
    public var reference: String { "\(namespace)/\(name)" }
}

/// What the gates check, and how a missing or failed verdict is handled.
public struct GateConfig: Sendable, Codable, Equatable {
    public enum OnNoData: String, Sendable, Codable, Equatable {
        case pause, fail, pass
    }

    public struct Metric: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable, Equatable {
            case successRate = "success-rate"
            case successRateVsStable = "success-rate-vs-stable"
            case latency
        }
        public var name: String
        public var kind: Kind
        /// success-rate: min %; latency: max ms; vs-stable: max drop in points.
        public var bound: Double
        /// latency: the quantile (0.99 for latency-p99).
        public var quantile: Double?

        public init(name: String, kind: Kind, bound: Double, quantile: Double? = nil) {
            self.name = name
            self.kind = kind
            self.bound = bound
            self.quantile = quantile
        }

        /// `success-rate ≥ 99%`, `latency-p99 ≤ 500ms`, `success-rate-vs-stable drop ≤ 1 point`.
        public var condition: String {
            switch kind {
            case .successRate: "\(name) ≥ \(Format.number(bound))%"
            case .latency: "\(name) ≤ \(Format.milliseconds(bound))"
            case .successRateVsStable: "\(name): at most \(Format.number(bound)) point\(bound == 1 ? "" : "s") below stable"
            }
        }
    }

    /// Milliseconds a step runs before its gates are evaluated.
    public var intervalMs: Int64
    public var minRequests: Int
    public var onNoData: OnNoData
    public var failureLimit: Int
    public var metrics: [Metric]

    public init(
        intervalMs: Int64 = 60_000, minRequests: Int = 1, onNoData: OnNoData = .pause, failureLimit: Int = 0,
        metrics: [Metric] = []
    ) {
        self.intervalMs = intervalMs
        self.minRequests = minRequests
        self.onNoData = onNoData
        self.failureLimit = failureLimit
        self.metrics = metrics
    }

    public var isEmpty: Bool { metrics.isEmpty }
}

extension RolloutPlan {
    /// Why a plan cannot be made.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The plan for `rollout` (a decoded, valid Rollout resource) over `resources`.
    public static func make(_ rollout: Resource, resources: [Resource]) -> Result<
        (plan: RolloutPlan, routes: [RolloutRoute], virtualService: Resource), Problem
    > {
        guard let spec = rollout.rollout, let vsName = spec.virtualService?.value, let stable = spec.stableSubset?.value,
            let canary = spec.canarySubset?.value
        else { return .failure(Problem("\(rollout.reference) names no VirtualService and subsets")) }
        guard
            let vs = resources.effective.first(where: {
                $0.virtualService != nil && $0.name == vsName && $0.namespace == rollout.namespace
            })
        else {
            return .failure(Problem("VirtualService \(rollout.namespace)/\(vsName) is not in the files given"))
        }
        let routes: [RolloutRoute]
        switch spec.bind(vs.virtualService!) {
        case .success(let bound): routes = bound
        case .failure(let problem): return .failure(Problem(problem.message))
        }
        let service = HostNames.fqdn(routes[0].host, namespace: vs.namespace)
        if let other = routes.first(where: { HostNames.fqdn($0.host, namespace: vs.namespace) != service }) {
            return .failure(
                Problem(
                    "the routes send traffic to \(service) and \(HostNames.fqdn(other.host, namespace: vs.namespace)); a rollout shifts one service"
                ))
        }
        let subsets = resources.effective.compactMap { r -> (String, [Subset])? in
            guard let dr = r.destinationRule, let host = dr.host?.value else { return nil }
            return (HostNames.fqdn(host, namespace: r.namespace), dr.subsets)
        }.filter { $0.0 == service }.flatMap(\.1)
        func version(_ subset: String) -> String? { subsets.first { $0.name?.value == subset }?.labels["version"] }
        let steps: [Step] = spec.plannedSteps.map {
            switch $0 {
            case .setWeight(let w): .setWeight(w.value)
            case .pause(let d, _): .pause(milliseconds: d.map { $0.nanoseconds / 1_000_000 })
            }
        }
        let plan = RolloutPlan(
            name: rollout.name, namespace: rollout.namespace, steps: steps, stableSubset: stable, canarySubset: canary,
            stableVersion: version(stable), canaryVersion: version(canary), service: service,
            gates: GateConfig(spec.analysis))
        return .success((plan, routes, vs))
    }
}

extension GateConfig {
    init(_ analysis: Rollout.Analysis?) {
        guard let analysis else {
            self.init(intervalMs: 0)
            return
        }
        self.init(
            intervalMs: analysis.interval.map { $0.nanoseconds / 1_000_000 } ?? 60_000,
            minRequests: analysis.minRequests?.value ?? 1,
            onNoData: analysis.onNoData.flatMap { OnNoData(rawValue: $0.value) } ?? .pause,
            failureLimit: analysis.failureLimit?.value ?? 0,
            metrics: analysis.metrics.compactMap { metric in
                guard let name = metric.name?.value else { return nil }
                switch name {
                case "success-rate": return metric.min.map { Metric(name: name, kind: .successRate, bound: $0.value) }
                case "success-rate-vs-stable":
                    return metric.maxDrop.map { Metric(name: name, kind: .successRateVsStable, bound: $0.value) }
                default:
                    guard let q = Double(name.dropFirst("latency-p".count)) else { return nil }
                    return metric.max.map { Metric(name: name, kind: .latency, bound: $0.value, quantile: q / 100) }
                }
            })
    }
}

/// Numbers and durations as meshctl's reports print them.
public enum Format {
    /// `99`, `99.5`, `0.25`: no trailing zeros, at most 3 decimals.
    public static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `250ms`, `1.5s`, `2m30s`, `1h`.
    public static func milliseconds(_ ms: Double) -> String {
        if ms < 1000 { return number(ms) + "ms" }
        let seconds = ms / 1000
        if seconds < 60 { return number((seconds * 10).rounded() / 10) + "s" }
        let whole = Int(seconds.rounded())
        let (h, m, s) = (whole / 3600, whole % 3600 / 60, whole % 60)
        return (h > 0 ? "\(h)h" : "") + (m > 0 ? "\(m)m" : "") + (s > 0 ? "\(s)s" : "")
    }
}
