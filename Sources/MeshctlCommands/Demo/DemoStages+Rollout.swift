import MeshDemo

/// Egress control and a canary rollout.
extension DemoStage {
    static let egress = DemoStage(
        name: "egress", title: "egress: an unregistered host is blocked (REGISTRY_ONLY), then registered"
    ) { tour in
        let rules = tour.mesh.rules
        guard
            await tour.apply(
                "the tutorial's rules (no ServiceEntry for worldclockapi.com)", rules.ruleSet(DemoRules.tutorialRoutes))
        else { return }
        let sidecar = "127.0.0.1:\(tour.mesh.listeners[.customer] ?? 0)"
        let path = "/api/json/cet/now"
        tour.say("$ curl -x http://\(sidecar) http://worldclockapi.com\(path)   # from customer, through its sidecar")
        let blocked = await tour.mesh.get(path, host: "worldclockapi.com", through: .customer)
        tour.say("HTTP \(blocked.status)\(blocked.body.isEmpty ? "" : ": " + blocked.body.trimmingCharacters(in: .newlines))")
        guard
            await tour.apply(
                "ServiceEntry worldclockapi-egress (MESH_EXTERNAL, port 80, endpoint 127.0.0.1:\(tour.mesh.backendPorts[.worldClock] ?? 0))",
                rules.ruleSet(DemoRules.tutorialRoutes, worldClock: true))
        else { return }
        tour.say("$ curl -x http://\(sidecar) http://worldclockapi.com\(path)")
        let allowed = await tour.mesh.get(path, host: "worldclockapi.com", through: .customer)
        tour.say("HTTP \(allowed.status): \(allowed.body.trimmingCharacters(in: .newlines))")
        tour.note("blocked", blocked.status)
        tour.note("allowed", allowed.status)
        tour.expect(
            blocked.status == 502 && allowed.status == 200 && allowed.body.hasPrefix("worldclockapi v1"),
            "502 before the ServiceEntry, 200 from worldclockapi.com after", else: "\(blocked.status) then \(allowed.status)")
    }

    /// The canary's steps: v1 and v2 weights.
    static let canarySteps: [(Int, Int)] = [(90, 10), (75, 25), (50, 50), (0, 100)]
    /// The highest share of v2's answers that may be errors for the rollout to go on.
    static let canaryMaxErrorRate = 0.01

    static let canary = DemoStage(
        name: "canary", title: "a canary rollout of v2: 10% → 25% → 50% → 100%, each step gated on v2's error rate"
    ) { tour in
        let rules = tour.mesh.rules
        tour.say(
            "gate: v2's 5xx share in istio_requests_total (preference's sidecar, /stats/prometheus) at most \(Int(canaryMaxErrorRate * 100))%"
        )
        for (step, (v1, v2)) in canarySteps.enumerated() {
            guard
                await tour.apply(
                    "step \(step + 1): v1 \(v1), v2 \(v2)", rules.ruleSet(DemoRules.split([("v1", v1), ("v2", v2)])))
            else { return }
            let before = await tour.scrape(.preference)
            let counts = tour.mesh.counts()
            let n = tour.requests
            let report = await tour.load(n)
            let after = await tour.scrape(.preference)
            let delta = tour.delta(since: counts)
            var v2Requests = 0.0
            var v2Errors = 0.0
            if let before, let after {
                let window = Window(admin: "preference-sidecar", before: before, after: after)
                for row in Row.collect([window], reporter: "source", services: ["recommendation"]) where row.version == "v2" {
                    v2Requests += row.requests
                    v2Errors += row.errors
                }
            }
            let rate = v2Requests > 0 ? v2Errors / v2Requests : 0
            tour.say(
                "\(report.sent) requests: recommendation \(tour.versions(delta)); v2 error rate \(String(format: "%.1f", rate * 100))% over \(Int(v2Requests)) requests"
            )
            tour.note("step\(step + 1)V1", delta["v1"] ?? 0)
            tour.note("step\(step + 1)V2", delta["v2"] ?? 0)
            tour.note("step\(step + 1)V2Metrics", Int(v2Requests))
            let share = Double(v2) / 100
            let expected = Double(n) * share
            tour.expect(
                abs(Double(delta["v2"] ?? 0) - expected) <= DemoTour.tolerance(n, share) && Int(v2Requests) == delta["v2"]
                    && rate <= canaryMaxErrorRate,
                step == canarySteps.count - 1 ? "gate passed: v2 takes all traffic" : "gate passed: on to the next step",
                else: "v2 \(delta["v2"] ?? 0) of \(n), \(Int(v2Requests)) in the metrics, error rate \(rate)")
        }
    }
}
