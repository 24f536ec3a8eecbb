import Foundation
import Testing

@testable import MeshProxy

/// Retries, timeouts, faults, mirrors, circuit breakers and pool ejection, on live traffic.
@Suite struct ResilienceThroughProxyTests {
    static func vs(_ http: String) -> String { RoutingThroughProxyTests.vs(http) }

    static func dr(_ policy: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: svc}
        spec:
          host: svc
          trafficPolicy:
        \(policy)
          subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
        ---

        """
    }

    @Test func retriesOnTheConditionsTheRouteNames() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1", status: 503)],
            rules: { _ in
                Self.vs(
                    """
                      - match: [{uri: {prefix: /retried}}]
                        route: [{destination: {host: svc}}]
                        retries: {attempts: 2, retryOn: 5xx}
                      - route: [{destination: {host: svc}}]
                    """)
            })
        defer { Task { await proxy.stop() } }
        let retried = try await proxy.send("/retried")
        #expect(retried.status == 503)
        #expect(proxy.backends[0].requestCount == 3, "one try and two retries")
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_retry") == 2)
        // Istio's default policy (since 1.24) does not retry a 503.
        _ = try await proxy.send("/")
        #expect(proxy.backends[0].requestCount == 4)
    }

    @Test func connectFailuresAreRetriedOnAnotherHostThenAnsweredUF() async throws {
        let proxy = try await ProxyHarness.start([.init("v1", closed: true), .init("v1")])
        defer { Task { await proxy.stop() } }
        // Istio's default retries connect failures, avoiding the host that failed.
        for _ in 0..<10 {
            #expect(try await proxy.send("/").status == 200)
        }
        let down = try await ProxyHarness.start([.init("v1", closed: true)])
        defer { Task { await down.stop() } }
        let failed = try await down.send("/")
        #expect(failed.status == 503)
        #expect(failed.text.contains("connection refused"), "\(failed.text)")
        #expect(try await down.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_cx_connect_fail") == 3)
    }

    @Test func routeTimeoutAnswers504() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1", delay: .seconds(20))],
            rules: { _ in Self.vs("  - route: [{destination: {host: svc}}]\n    timeout: 200ms") })
        defer { Task { await proxy.stop() } }
        let start = ContinuousClock.now
        let answer = try await proxy.send("/")
        let elapsed = ContinuousClock.now - start
        #expect(answer.status == 504)
        #expect(answer.text == "upstream request timeout")
        #expect(elapsed < .seconds(10), "answered by the timeout, not by the backend 20 seconds later")
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_timeout") == 1)
    }

    @Test func perTryTimeoutRetriesThenGivesUp() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1", delay: .seconds(3))],
            rules: { _ in
                Self.vs("  - route: [{destination: {host: svc}}]\n    retries: {attempts: 2, perTryTimeout: 100ms, retryOn: 5xx}")
            })
        defer { Task { await proxy.stop() } }
        let answer = try await proxy.send("/")
        #expect(answer.status == 504)
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_per_try_timeout") == 3)
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_retry") == 2)
    }

    @Test func faultsActAheadOfTheRouter() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1")],
            rules: { _ in
                Self.vs(
                    """
                      - match: [{uri: {prefix: /abort}}]
                        fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                        route: [{destination: {host: svc}}]
                        retries: {attempts: 3, retryOn: 5xx}
                      - match: [{uri: {prefix: /delay}}]
                        fault: {delay: {fixedDelay: 300ms, percentage: {value: 100}}}
                        route: [{destination: {host: svc}}]
                        timeout: 200ms
                    """)
            })
        defer { Task { await proxy.stop() } }
        let aborted = try await proxy.send("/abort")
        #expect(aborted.status == 503)
        #expect(aborted.text == "fault filter abort")
        #expect(proxy.backends[0].requestCount == 0, "an injected abort never reaches the upstream, nor is retried")
        let start = ContinuousClock.now
        let delayed = try await proxy.send("/delay")
        #expect(ContinuousClock.now - start >= .milliseconds(290))
        #expect(delayed.status == 200, "the route timeout starts after the injected delay")
        #expect(try await proxy.stat("http.outbound_127.0.0.1_0.fault.aborts_injected") == 1)
        #expect(try await proxy.stat("http.outbound_127.0.0.1_0.fault.delays_injected") == 1)
    }

    @Test func mirrorsCopyTrafficWithoutAnsweringIt() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v2", delay: .seconds(60))],
            rules: { _ in
                Self.vs(
                    "  - route: [{destination: {host: svc, subset: v1}}]\n    mirror: {host: svc, subset: v2}\n    mirrorPercentage: {value: 100}"
                )
            })
        defer { Task { await proxy.stop() } }
        let start = ContinuousClock.now
        let seen = try await proxy.versions(5)
        #expect(seen == ["v1": 5], "answers come from v1")
        // v2 holds each copy for 60 s (longer than a mirror may take): the main requests never wait for it.
        #expect(ContinuousClock.now - start < .seconds(30), "a slow mirror never delays the main request")
        #expect(proxy.backends[1].requestCount == 0, "no copy has been answered yet")
        for _ in 0..<300 where proxy.backends[1].requestsArrived < 5 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(proxy.backends[1].requestsArrived == 5, "v2 saw a copy of each request")
    }

    @Test func mirrorsKeepTheHostUnlessAnOlderIstioIsAskedFor() async throws {
        for (compatibility, expected) in [((1, 27), "svc-shadow"), ((1, 28), "svc")] {
            let proxy = try await ProxyHarness.start(
                [.init("v1"), .init("v2")],
                rules: { _ in Self.vs("  - route: [{destination: {host: svc, subset: v1}}]\n    mirror: {host: svc, subset: v2}")
                },
                configure: { $0.compatibilityVersion = compatibility })
            defer { Task { await proxy.stop() } }
            let answer = try await proxy.send("/")
            #expect(answer.header("x-seen-host") == "svc", "the main request keeps its Host")
            for _ in 0..<100 where proxy.backends[1].lastHost == nil { try await Task.sleep(for: .milliseconds(20)) }
            #expect(proxy.backends[1].lastHost == expected, "compatibility \(compatibility)")
        }
    }

    @Test func circuitBreakerOverflowsWithUO() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1", delay: .milliseconds(400))], concurrency: 2,
            rules: { _ in
                Self.dr(
                    "    connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}}"
                )
            })
        defer { Task { await proxy.stop() } }
        let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let r = try await proxy.send("/")
                    return (r.status, r.header("x-envoy-overloaded"))
                }
            }
            return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
        }
        let overflowed = statuses.filter { $0.0 == 503 }
        #expect(!overflowed.isEmpty, "\(statuses)")
        #expect(overflowed.allSatisfy { $0.1 == "true" })
        #expect(statuses.contains { $0.0 == 200 })
        #expect(
            try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_pending_overflow")
                == overflowed.count)
    }

    @Test func failingHostsAreEjectedAndShownInClusters() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v1", status: 503)],
            rules: { _ in
                Self.dr(
                    "    loadBalancer: {simple: ROUND_ROBIN}\n    outlierDetection: {consecutive5xxErrors: 2, interval: 1s, baseEjectionTime: 30s, maxEjectionPercent: 100}"
                )
            })
        defer { Task { await proxy.stop() } }
        var statuses: [Int] = []
        for _ in 0..<12 { statuses.append(try await proxy.send("/").status) }
        #expect(statuses.filter { $0 == 503 }.count == 2, "two 503s eject the failing host: \(statuses)")
        #expect(statuses.suffix(6).allSatisfy { $0 == 200 })
        let clusters = try await proxy.admin("/clusters").text
        #expect(clusters.contains("127.0.0.1:\(proxy.ports[1])::health_flags::/failed_outlier_check"))
        #expect(clusters.contains("127.0.0.1:\(proxy.ports[0])::health_flags::healthy"))
        #expect(
            try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.outlier_detection.ejections_enforced_total")
                == 1)
        #expect(
            try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.outlier_detection.ejections_active") == 1)
    }

    @Test func ejectionsSurviveAConfigurationPush() async throws {
        let policy = "    outlierDetection: {consecutive5xxErrors: 1, baseEjectionTime: 60s, maxEjectionPercent: 100}"
        let proxy = try await ProxyHarness.start([.init("v1"), .init("v1", status: 500)], rules: { _ in Self.dr(policy) })
        defer { Task { await proxy.stop() } }
        for _ in 0..<6 { _ = try await proxy.send("/") }
        #expect(
            try await proxy.admin("/clusters").text.contains("127.0.0.1:\(proxy.ports[1])::health_flags::/failed_outlier_check"))
        let same = ProxyHarness.registry(["v1", "v1"], proxy.ports) + Self.dr(policy)
        #expect(try await proxy.admin("/config", method: "PUT", body: same).status == 200)
        #expect(
            try await proxy.admin("/clusters").text.contains("127.0.0.1:\(proxy.ports[1])::health_flags::/failed_outlier_check"))
        #expect(try await proxy.versions(6) == ["v1": 6])
    }

    @Test func noHealthyUpstreamWhenEveryHostIsEjected() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1", status: 500)],
            rules: { _ in Self.dr("    outlierDetection: {consecutive5xxErrors: 1, maxEjectionPercent: 100}") })
        defer { Task { await proxy.stop() } }
        #expect(try await proxy.send("/").status == 500)
        let none = try await proxy.send("/")
        #expect(none.status == 503)
        #expect(none.text == "no healthy upstream")
    }

    @Test func maxRequestsPerConnectionOneMeansNoKeepAlive() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1")], concurrency: 1, rules: { _ in Self.dr("    connectionPool: {http: {maxRequestsPerConnection: 1}}") })
        defer { Task { await proxy.stop() } }
        for _ in 0..<5 { #expect(try await proxy.send("/").status == 200) }
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_cx_total") == 5)
        let pooled = try await ProxyHarness.start([.init("v1")], concurrency: 1)
        defer { Task { await pooled.stop() } }
        for _ in 0..<5 { #expect(try await pooled.send("/").status == 200) }
        #expect(try await pooled.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_cx_total") == 1)
    }
}
