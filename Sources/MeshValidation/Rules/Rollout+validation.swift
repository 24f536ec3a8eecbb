import MeshModel

extension Check {
    /// A Rollout on its own: what to shift (a VirtualService, two different subsets), steps that
    /// only ever increase the canary's weight within 0–100, and gates that can be evaluated.
    func rollout(_ r: Rollout) {
        let argo = r.origin == .argo
        if r.virtualService == nil {
            error(
                argo
                    ? "trafficRouting.istio.virtualService.name is required: the VirtualService whose weights are shifted"
                    : "spec.virtualService is required: the VirtualService whose weights are shifted", at: r.node)
        }
        if r.stableSubset == nil {
            error(argo ? "destinationRule.stableSubsetName is required" : "spec.stable.subset is required", at: r.node)
        }
        if r.canarySubset == nil {
            error(argo ? "destinationRule.canarySubsetName is required" : "spec.canary.subset is required", at: r.node)
        }
        if let stable = r.stableSubset, let canary = r.canarySubset, stable.value == canary.value {
            error(
                "the stable and canary subsets are both `\(stable.value)`; a rollout moves traffic between two subsets",
                at: canary.node)
        }
        var seenRoutes: Set<String> = []
        for route in r.routes where !seenRoutes.insert(route.value).inserted {
            error("route `\(route.value)` is listed twice", at: route.node)
        }
        if let linear = r.linear {
            if !r.steps.isEmpty { error("give either steps or linear, not both", at: linear.node) }
            if !(1...100).contains(linear.value) {
                error("linear must be between 1 and 100, got \(linear.value)", at: linear.node)
            }
        } else if r.steps.isEmpty {
            error("a rollout needs steps (setWeight and pause) or `linear: N`", at: r.stepsNode >= 0 ? r.stepsNode : r.node)
        }
        var previous: Located<Int>?
        for step in r.steps {
            switch step {
            case .setWeight(let weight):
                if !(0...100).contains(weight.value) {
                    error("setWeight must be between 0 and 100, got \(weight.value)", at: weight.node)
                } else if let previous, weight.value <= previous.value {
                    error(
                        "setWeight \(weight.value) does not increase the canary's weight (the step before sets \(previous.value)); weights must increase",
                        at: weight.node)
                }
                previous = weight
            case .pause(let duration, _):
                if let duration, duration.nanoseconds < 0 {
                    error("a pause cannot be negative, got \(duration.text)", at: duration.node)
                }
            }
        }
        if let analysis = r.analysis { rolloutAnalysis(analysis) }
    }

    func rolloutAnalysis(_ a: Rollout.Analysis) {
        if let interval = a.interval, interval.nanoseconds < 1_000_000 {
            error("analysis.interval must be at least 1ms, got \(interval.text)", at: interval.node)
        }
        if let minRequests = a.minRequests, minRequests.value < 0 {
            error("minRequests cannot be negative, got \(minRequests.value)", at: minRequests.node)
        }
        if let failureLimit = a.failureLimit, failureLimit.value < 0 {
            error("failureLimit cannot be negative, got \(failureLimit.value)", at: failureLimit.node)
        }
        var seen: Set<String> = []
        for metric in a.metrics {
            guard let name = metric.name else {
                error("a metric needs a name (\(Rollout.metricNames.joined(separator: ", ")))", at: metric.node)
                continue
            }
            if !seen.insert(name.value).inserted { error("metric `\(name.value)` is listed twice", at: name.node) }
            let given: [(String, Int32?)] = [
                ("min", metric.min?.node), ("max", metric.max?.node), ("maxDrop", metric.maxDrop?.node),
            ]
            let wanted =
                switch name.value {
                case "success-rate": "min"
                case "success-rate-vs-stable": "maxDrop"
                default: "max"
                }
            for (field, node) in given where field != wanted {
                if let node { error("\(name.value) takes `\(wanted)`, not `\(field)`", at: node) }
            }
            switch wanted {
            case "min":
                if let min = metric.min {
                    if !(0...100).contains(min.value) {
                        error("success-rate min is a percentage from 0 to 100, got \(min.value)", at: min.node)
                    }
                } else {
                    error("success-rate needs `min`, the lowest acceptable percentage of non-5xx answers", at: metric.node)
                }
            case "maxDrop":
                if let drop = metric.maxDrop {
                    if !(0...100).contains(drop.value) {
                        error("maxDrop is in percentage points from 0 to 100, got \(drop.value)", at: drop.node)
                    }
                } else {
                    error("success-rate-vs-stable needs `maxDrop`, in percentage points below stable", at: metric.node)
                }
            default:
                if let max = metric.max {
                    if max.value <= 0 { error("\(name.value) max must be positive", at: max.node) }
                } else {
                    error("\(name.value) needs `max`, the highest acceptable latency (e.g. 500ms)", at: metric.node)
                }
            }
        }
    }
}
