/// A canary rollout: which VirtualService routes shift traffic from a stable subset to a canary
/// subset, in which steps, gated by which metrics.
///
/// meshctl's own `meshctl.dev/v1alpha1` Rollout and Argo Rollouts' `argoproj.io/v1alpha1`
/// Rollout (canary strategy, Istio subset-level traffic routing) both decode into this; what an
/// Argo Rollout asks for that meshctl does not carry out is reported by name when it is read.
public struct Rollout: Sendable {
    public enum Origin: String, Sendable {
        case meshctl, argo
    }

    public enum Step: Sendable {
        /// The canary's share of the traffic, 0 to 100.
        case setWeight(Located<Int>)
        /// Waits for `duration`, or for `rollout promote` when it is nil (`pause: {}`).
        case pause(duration: MeshDuration?, node: Int32)

        public var node: Int32 {
            switch self {
            case .setWeight(let w): w.node
            case .pause(_, let node): node
            }
        }
    }

    /// One gate: a metric of the canary over the analysis window and its bound.
    public struct Metric: Sendable {
        public var node: Int32
        public var name: Located<String>?
        /// `success-rate`: the lowest acceptable percentage of non-5xx answers.
        public var min: Located<Double>?
        /// `latency-pNN`: the highest acceptable latency, in milliseconds (`500ms` or `500`).
        public var max: Located<Double>?
        /// `success-rate-vs-stable`: how many percentage points below stable the canary may be.
        public var maxDrop: Located<Double>?

        public init(node: Int32) { self.node = node }
    }

    public struct Analysis: Sendable {
        public var node: Int32
        public var interval: MeshDuration?
        public var minRequests: Located<Int>?
        public var onNoData: Located<String>?
        public var failureLimit: Located<Int>?
        public var metrics: [Metric] = []

        public init(node: Int32) { self.node = node }
    }

    public var node: Int32
    public var origin: Origin
    public var virtualService: Located<String>?
    /// Names of the VirtualService's HTTP routes to shift; empty: every route naming the subsets.
    public var routes: [Located<String>] = []
    public var stableSubset: Located<String>?
    public var canarySubset: Located<String>?
    public var steps: [Step] = []
    public var stepsNode: Int32 = -1
    /// `linear: N`: steps of N, 2N, ... up to 100.
    public var linear: Located<Int>?
    public var analysis: Analysis?

    public init(node: Int32, origin: Origin) {
        self.node = node
        self.origin = origin
    }

    public static let metricNames = [
        "success-rate", "success-rate-vs-stable", "latency-p50", "latency-p90", "latency-p95", "latency-p99",
    ]
    public static let onNoDataValues = ["pause", "fail", "pass"]
    public static let meshctlAPIVersion = "meshctl.dev/v1alpha1"
    public static let argoAPIVersion = "argoproj.io/v1alpha1"

    /// The weights the steps set, in order, with `linear` expanded.
    public var plannedSteps: [Step] {
        guard let linear, linear.value > 0 else { return steps }
        var weights: [Step] = []
        var weight = linear.value
        while weight < 100 {
            weights.append(.setWeight(Located(weight, node: linear.node)))
            weight += linear.value
        }
        weights.append(.setWeight(Located(100, node: linear.node)))
        return weights
    }
}

extension Rollout {
    static let fieldNames = ["virtualService", "routes", "stable", "canary", "steps", "linear", "analysis"]

    /// Decodes meshctl's own Rollout spec.
    public static func decode(_ n: Node) -> Rollout {
        var rollout = Rollout(node: n.index, origin: .meshctl)
        n.fields(fieldNames) { name, v in
            switch name {
            case "virtualService": rollout.virtualService = v.located { $0.string() }
            case "routes": rollout.routes = v.list { $0.located { $0.string() } }
            case "stable": rollout.stableSubset = v.subsetReference()
            case "canary": rollout.canarySubset = v.subsetReference()
            case "steps": (rollout.steps, rollout.stepsNode) = (v.list(Step.decode), v.index)
            case "linear": rollout.linear = v.located { $0.int() }
            case "analysis": rollout.analysis = Analysis.decode(v)
            default: return false
            }
            return true
        }
        return rollout
    }
}

extension Node {
    /// `{subset: NAME}`.
    func subsetReference() -> Located<String>? {
        var subset: Located<String>?
        fields(["subset"]) { name, v in
            guard name == "subset" else { return false }
            subset = v.located { $0.string() }
            return true
        }
        return subset
    }

    /// A latency bound: a duration (`500ms`, `1.5s`) or a number of milliseconds.
    func milliseconds() -> Located<Double>? {
        guard raw.kind == .scalar, !isNull else {
            typeError("a duration such as `500ms`")
            return nil
        }
        let text = file.string(index)
        if !file.isQuotedOrTaggedString(index), let number = Scalar.double(text) { return Located(number, node: index) }
        return duration().map { Located($0.milliseconds, node: index) }
    }
}

extension Rollout.Step {
    static func decode(_ n: Node) -> Self? {
        var found: [Self] = []
        n.fields(["setWeight", "pause"]) { name, v in
            switch name {
            case "setWeight": if let w = v.located({ $0.int() }) { found.append(.setWeight(w)) }
            case "pause": found.append(.pause(duration: v.pauseDuration(seconds: false), node: v.index))
            default: return false
            }
            return true
        }
        return n.oneStep(found)
    }
}

extension Node {
    /// `{duration: 30s}` or `{}`; Argo also takes a whole number of seconds.
    func pauseDuration(seconds: Bool) -> MeshDuration? {
        var duration: MeshDuration?
        fields(["duration"]) { name, v in
            guard name == "duration" else { return false }
            if seconds, !file.isQuotedOrTaggedString(v.index), let whole = Scalar.int(file.string(v.index)) {
                duration = MeshDuration(nanoseconds: Int64(whole) * 1_000_000_000, node: v.index)
            } else {
                duration = v.duration()
            }
            return true
        }
        return duration
    }

    /// The one step a steps entry holds; none or several is reported.
    func oneStep(_ found: [Rollout.Step]) -> Rollout.Step? {
        guard raw.kind == .mapping, raw.count > 0 else {
            // A scalar or list was reported by `fields`; an empty entry is reported here.
            if isNull || raw.kind == .mapping {
                ctx.report(.schemaError, "\(path) is empty; a step is `setWeight: N` or `pause: {...}`", at: index)
            }
            return nil
        }
        if found.count > 1 {
            ctx.report(.schemaError, "\(path) sets both setWeight and pause; write them as two steps", at: index)
            return nil
        }
        return found.first
    }
}

extension Rollout.Analysis {
    static func decode(_ n: Node) -> Self? {
        var analysis = Self(node: n.index)
        n.fields(["interval", "minRequests", "onNoData", "failureLimit", "metrics"]) { name, v in
            switch name {
            case "interval": analysis.interval = v.duration()
            case "minRequests": analysis.minRequests = v.located { $0.int() }
            case "onNoData": analysis.onNoData = v.located { $0.enumValue(Rollout.onNoDataValues) }
            case "failureLimit": analysis.failureLimit = v.located { $0.int() }
            case "metrics": analysis.metrics = v.list(Rollout.Metric.decode)
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? analysis : nil
    }
}

extension Rollout.Metric {
    static func decode(_ n: Node) -> Self? {
        var metric = Self(node: n.index)
        n.fields(["name", "min", "max", "maxDrop"]) { name, v in
            switch name {
            case "name": metric.name = v.located { $0.enumValue(Rollout.metricNames) }
            case "min": metric.min = v.located { $0.double() }
            case "max": metric.max = v.milliseconds()
            case "maxDrop": metric.maxDrop = v.located { $0.double() }
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? metric : nil
    }
}
