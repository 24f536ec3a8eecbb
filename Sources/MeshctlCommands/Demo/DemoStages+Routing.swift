import MeshDemo

/// Route rules, header routing, a weighted split and a dark launch.
extension DemoStage {
    static let routing = DemoStage(name: "routing", title: "route rules: every request to recommendation v1") { tour in
        let rules = tour.mesh.rules
        let routes = DemoRules.split([("v1", 100)])
        guard await tour.apply("VirtualService recommendation → subset version-v1", rules.ruleSet(routes)) else { return }
        await tour.curl()
        let before = tour.mesh.counts()
        let report = await tour.load(tour.requests)
        let delta = tour.delta(since: before)
        tour.say("\(report.sent) requests: \(tour.statuses(report)); recommendation \(tour.versions(delta))")
        tour.note("requests", report.sent)
        tour.note("ok", report.statuses[200] ?? 0)
        for version in ["v1", "v2", "v3"] { tour.note(version, delta[version] ?? 0) }
        tour.expect(
            report.statuses[200] == tour.requests && delta["v1"] == tour.requests && delta["v2"] == 0 && delta["v3"] == 0,
            "every request answered by v1", else: tour.versions(delta))
    }

    static let header = DemoStage(name: "header", title: "header routing: Safari users to v2, everyone else to v1") { tour in
        let routes = DemoRules.recommendation(
            """
            - name: safari
              match:
              - headers: {baggage-user-agent: {regex: .*Safari.*}}
              route:
              - destination: {host: recommendation, subset: version-v2}
            - route:
              - destination: {host: recommendation, subset: version-v1}
            """)
        guard
            await tour.apply(
                "VirtualService recommendation: baggage-user-agent ~ .*Safari.* → v2, else v1", tour.mesh.rules.ruleSet(routes))
        else { return }
        let safari = [("user-agent", "Mozilla/5.0 (Macintosh) Safari/605.1.15")]
        tour.say("(customer passes the user agent on as baggage-user-agent, as the tutorial's services do)")
        await tour.curl(safari)
        await tour.curl()
        let half = tour.requests / 2
        let before = tour.mesh.counts()
        let fromSafari = await tour.load(half, headers: safari)
        let middle = tour.mesh.counts()
        let others = await tour.load(tour.requests - half)
        let toV2 = (middle["v2"] ?? 0) - (before["v2"] ?? 0)
        let othersDelta = tour.delta(since: middle)
        tour.say(
            "\(fromSafari.sent) Safari requests: recommendation v2 \(toV2); \(others.sent) others: \(tour.versions(othersDelta))")
        tour.note("safari", fromSafari.sent)
        tour.note("safariToV2", toV2)
        tour.note("others", others.sent)
        tour.note("othersToV1", othersDelta["v1"] ?? 0)
        tour.expect(
            toV2 == half && othersDelta["v1"] == tour.requests - half && othersDelta["v2"] == 0,
            "Safari requests answered by v2, the others by v1", else: "Safari → v2 \(toV2), others \(tour.versions(othersDelta))")
    }

    static let split = DemoStage(name: "split", title: "a 90/10 split between v1 and v2") { tour in
        guard
            await tour.apply(
                "VirtualService recommendation: v1 weight 90, v2 weight 10",
                tour.mesh.rules.ruleSet(DemoRules.split([("v1", 90), ("v2", 10)])))
        else { return }
        let n = tour.requests * 5
        let before = tour.mesh.counts()
        let report = await tour.load(n)
        let delta = tour.delta(since: before)
        let v2 = delta["v2"] ?? 0
        tour.say(
            "\(report.sent) requests: \(tour.statuses(report)); recommendation \(tour.versions(delta)) (v2 \(String(format: "%.1f", 100 * Double(v2) / Double(max(n, 1))))%)"
        )
        tour.note("requests", report.sent)
        tour.note("v1", delta["v1"] ?? 0)
        tour.note("v2", v2)
        let tolerance = DemoTour.tolerance(n, 0.1)
        tour.expect(
            (delta["v1"] ?? 0) + v2 == n && abs(Double(v2) - Double(n) * 0.1) <= tolerance,
            "about 10% to v2 (within ±\(Int(tolerance)) of \(n / 10))", else: tour.versions(delta))
    }

    static let mirror = DemoStage(name: "mirror", title: "dark launch: answers from v1, a copy of every request to v2") { tour in
        let routes = DemoRules.recommendation(
            """
            - route:
              - destination: {host: recommendation, subset: version-v1}
              mirror: {host: recommendation, subset: version-v2}
              mirrorPercentage: {value: 100}
            """)
        guard await tour.apply("VirtualService recommendation → v1, mirror 100% to v2", tour.mesh.rules.ruleSet(routes)) else {
            return
        }
        await tour.curl()
        let before = tour.mesh.counts()
        let report = await tour.load(tour.requests)
        // Mirrored copies are fire-and-forget: give the last ones a moment to arrive.
        var delta = tour.delta(since: before)
        for _ in 0..<40 where (delta["v2"] ?? 0) < report.sent {
            try? await Task.sleep(nanoseconds: 50_000_000)
            delta = tour.delta(since: before)
        }
        tour.say("\(report.sent) requests: \(tour.statuses(report)); recommendation \(tour.versions(delta))")
        tour.say("v2 received a copy of each request, and none of its answers reached a caller")
        tour.note("requests", report.sent)
        tour.note("ok", report.statuses[200] ?? 0)
        tour.note("v1", delta["v1"] ?? 0)
        tour.note("v2Mirrored", delta["v2"] ?? 0)
        tour.expect(
            report.statuses[200] == report.sent && delta["v1"] == report.sent && delta["v2"] == report.sent,
            "every answer from v1, every request mirrored to v2", else: tour.versions(delta))
    }
}
