import MeshDemo
import MeshModel

/// Fault injection, a circuit breaker and pool ejection.
extension DemoStage {
    static let fault = DemoStage(name: "fault", title: "fault injection: a 503 abort for half the requests, then a delay") {
        tour in
        let abort = DemoRules.recommendation(
            """
            - fault:
                abort: {httpStatus: 503, percentage: {value: 50}}
              route:
              - destination: {host: recommendation, subset: version-v1}
            """)
        guard await tour.apply("VirtualService recommendation: abort 503 for 50%", tour.mesh.rules.ruleSet(abort)) else { return }
        for _ in 0..<20 {
            let answer = await tour.mesh.get()
            if answer.status == 503 {
                tour.say("$ curl -H 'Host: customer:8080' http://\(tour.ingress)/")
                tour.say(answer.body.trimmingCharacters(in: .newlines))
                break
            }
        }
        let abortsBefore = await tour.faultCounter("aborts_injected")
        let report = await tour.load(tour.requests)
        let aborts = await tour.faultCounter("aborts_injected") - abortsBefore
        let failed = report.statuses[503] ?? 0
        tour.say("\(report.sent) requests: \(tour.statuses(report)); preference's sidecar injected \(aborts) aborts")
        tour.note("requests", report.sent)
        tour.note("ok", report.statuses[200] ?? 0)
        tour.note("aborted", failed)
        tour.note("abortsInjected", aborts)
        let tolerance = DemoTour.tolerance(report.sent, 0.5)
        tour.expect(
            failed + (report.statuses[200] ?? 0) == report.sent && abs(Double(failed) - Double(report.sent) / 2) <= tolerance
                && aborts == failed,
            "about half answered 503 by the fault filter", else: tour.statuses(report))

        let delay = MeshDuration(nanoseconds: tour.faultDelayNanos)
        let delayed = DemoRules.recommendation(
            """
            - fault:
                delay: {fixedDelay: \(delay), percentage: {value: 50}}
              route:
              - destination: {host: recommendation, subset: version-v1}
            """)
        guard await tour.apply("VirtualService recommendation: delay \(delay) for 50%", tour.mesh.rules.ruleSet(delayed)) else {
            return
        }
        let slow = await tour.load(16, connections: 8)
        let threshold = UInt64(tour.faultDelayNanos / 1000 * 9 / 10)
        let waited = Int(slow.histogram.count(within: threshold...UInt64.max / 2))
        let p50 = slow.latencyMs(50) ?? 0
        let p90 = slow.latencyMs(90) ?? 0
        tour.say(
            "\(slow.sent) requests: \(tour.statuses(slow)); \(waited) waited \(delay) or more (p50 \(Self.ms(p50)), p90 \(Self.ms(p90)))"
        )
        tour.note("delayedRequests", slow.sent)
        tour.note("delayed", waited)
        tour.note("p90Ms", p90)
        tour.expect(
            slow.statuses[200] == slow.sent && waited > 0 && waited < slow.sent,
            "some requests delayed by \(delay), all answered", else: "\(waited) of \(slow.sent) delayed")
    }

    static func ms(_ value: Double) -> String {
        value >= 100 ? "\(Int(value.rounded()))ms" : String(format: "%.1fms", value)
    }

    static let circuitBreaker = DemoStage(
        name: "circuit-breaker", title: "a circuit breaker on v2: one connection, one pending request"
    ) { tour in
        let policy = """
            connectionPool:
              tcp: {maxConnections: 1}
              http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
            """
        let rules = tour.mesh.rules
        let yaml = rules.ruleSet(DemoRules.split([("v2", 100)]), destinationRules: rules.destinationRules(v2Policy: policy))
        guard
            await tour.apply(
                "DestinationRule recommendation: subset version-v2 maxConnections 1, http1MaxPendingRequests 1", yaml)
        else { return }
        tour.say("(recommendation v2 now takes 100ms per answer; 10 connections send at once)")
        tour.mesh.backends[.recommendationV2]?.slowDown(nanos: 100_000_000)
        defer { tour.mesh.backends[.recommendationV2]?.slowDown(nanos: 0) }
        let cluster = "cluster.outbound|8080|version-v2|recommendation.default.svc.cluster.local"
        let overflowBefore = await tour.mesh.stat(.preference, "\(cluster).upstream_rq_pending_overflow")
        let n = max(tour.requests / 2, 20)
        let report = await tour.load(n, connections: 10)
        let overflow = await tour.mesh.stat(.preference, "\(cluster).upstream_rq_pending_overflow") - overflowBefore
        tour.say("\(report.sent) requests: \(tour.statuses(report))")
        tour.say("preference's sidecar: \(cluster.dropFirst(8)) upstream_rq_pending_overflow +\(overflow)")
        tour.note("requests", report.sent)
        tour.note("ok", report.statuses[200] ?? 0)
        tour.note("overflowed", report.statuses[503] ?? 0)
        tour.note("pendingOverflow", overflow)
        tour.expect(
            (report.statuses[200] ?? 0) > 0 && (report.statuses[503] ?? 0) > 0 && overflow >= (report.statuses[503] ?? 0),
            "the breaker let some through and answered the overflow 503", else: tour.statuses(report))
    }

    static let ejection = DemoStage(
        name: "ejection", title: "pool ejection: a second v2 instance fails, and is ejected"
    ) { tour in
        let rules = tour.mesh.rules
        let bad = tour.mesh.backends[.recommendationV2b]
        bad?.misbehave(true)
        defer { bad?.misbehave(false) }
        let routes = DemoRules.split([("v2", 100)])
        let badPort = tour.mesh.backendPorts[.recommendationV2b] ?? 0
        guard
            await tour.apply(
                "ServiceEntry recommendation: a second v2 endpoint (127.0.0.1:\(badPort), answering 503), every request to v2",
                rules.ruleSet(routes, secondV2: true))
        else { return }
        let without = await tour.load(20, connections: 1)
        tour.say("without outlier detection, \(without.sent) requests: \(tour.statuses(without))")
        let policy = """
            outlierDetection:
              consecutive5xxErrors: 1
              interval: 1s
              baseEjectionTime: 30s
              maxEjectionPercent: 100
            """
        guard
            await tour.apply(
                "DestinationRule recommendation: outlierDetection consecutive5xxErrors 1, baseEjectionTime 30s",
                rules.ruleSet(routes, destinationRules: rules.destinationRules(policy: policy), secondV2: true))
        else { return }
        let with = await tour.load(20, connections: 1)
        tour.say("with outlier detection, \(with.sent) requests: \(tour.statuses(with))")
        let clusters = await tour.mesh.admin(.preference, "/clusters") ?? ""
        let flag = clusters.split(separator: "\n").first {
            $0.contains("version-v2|") && $0.contains("::127.0.0.1:\(badPort)::health_flags::")
        }
        if let flag {
            tour.say("$ curl -s http://127.0.0.1:\(tour.mesh.admins[.preference] ?? 0)/clusters | grep \(badPort)::health_flags")
            tour.say(String(flag))
        }
        tour.note("failedWithout", without.statuses[503] ?? 0)
        tour.note("failedWith", with.statuses[503] ?? 0)
        tour.expect(
            (without.statuses[503] ?? 0) >= 5 && (with.statuses[503] ?? 0) <= 1 && flag?.contains("failed_outlier_check") == true,
            "the failing instance was ejected after its first 503",
            else: "503s \(without.statuses[503] ?? 0) then \(with.statuses[503] ?? 0)")
    }
}

extension DemoTour {
    /// The sum of a fault counter (`aborts_injected`, `delays_injected`) on preference's sidecar.
    func faultCounter(_ name: String) async -> Int {
        guard let text = await mesh.admin(.preference, "/stats") else { return 0 }
        return text.split(separator: "\n").filter { $0.contains(".fault.\(name): ") }.reduce(0) {
            $0 + (Int($1.split(separator: " ").last ?? "") ?? 0)
        }
    }
}
