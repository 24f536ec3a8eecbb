import Foundation
import Testing

@testable import MeshProxy

/// Load balancers, the rest of outlier detection, retry budgets and compatibility defaults, on
/// live traffic.
@Suite struct BalancingAndEjectionTests {
    static func dr(_ policy: String) -> String { ResilienceThroughProxyTests.dr(policy) }
    static func vs(_ http: String) -> String { RoutingThroughProxyTests.vs(http) }

    /// Which backend (by its listening address) answered each of `count` requests.
    func hosts(_ proxy: ProxyHarness, _ count: Int, headers: [(String, String)] = []) async throws -> [String: Int] {
        var seen: [String: Int] = [:]
        for _ in 0..<count {
            let text = try await proxy.send("/", headers: headers).text
            seen[String(text.split(separator: "'").dropFirst().first ?? "?"), default: 0] += 1
        }
        return seen
    }

    @Test(arguments: ["ROUND_ROBIN", "RANDOM", "LEAST_REQUEST"])
    func everyBalancerUsesEveryHost(policy: String) async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v1"), .init("v1")], rules: { _ in Self.dr("    loadBalancer: {simple: \(policy)}") })
        defer { Task { await proxy.stop() } }
        let seen = try await hosts(proxy, 90)
        #expect(seen.count == 3, "\(policy): \(seen)")
        #expect(seen.values.allSatisfy { $0 >= 10 }, "\(policy) spreads the requests: \(seen)")
        if policy == "ROUND_ROBIN" { #expect(seen.values.allSatisfy { $0 == 30 }) }
    }

    @Test func cookieAndSourceAddressHashing() async throws {
        let byCookie = try await ProxyHarness.start(
            [.init("v1"), .init("v1"), .init("v1")],
            rules: { _ in Self.dr("    loadBalancer: {consistentHash: {httpCookie: {name: user, ttl: 0s}}}") })
        defer { Task { await byCookie.stop() } }
        for user in ["a", "b", "c", "d"] {
            #expect(try await hosts(byCookie, 6, headers: [("cookie", "theme=dark; user=\(user)")]).count == 1)
        }
        let bySource = try await ProxyHarness.start(
            [.init("v1"), .init("v1"), .init("v1")],
            rules: { _ in Self.dr("    loadBalancer: {consistentHash: {useSourceIp: true}}") })
        defer { Task { await bySource.stop() } }
        #expect(try await hosts(bySource, 12).count == 1, "every request comes from 127.0.0.1")
    }

    @Test func gatewayErrorsAndConnectFailuresEject() async throws {
        // consecutiveGatewayErrors counts 502/503/504 (and connect failures), not other 5xx.
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v1", status: 502), .init("v1", status: 500)],
            rules: { _ in
                Self.dr(
                    "    loadBalancer: {simple: ROUND_ROBIN}\n    outlierDetection: {consecutive5xxErrors: 0, consecutiveGatewayErrors: 2, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 100}"
                )
            })
        defer { Task { await proxy.stop() } }
        _ = try await hosts(proxy, 12)
        let clusters = try await proxy.admin("/clusters").text
        #expect(clusters.contains("127.0.0.1:\(proxy.ports[1])::health_flags::/failed_outlier_check"), "502s eject")
        #expect(clusters.contains("127.0.0.1:\(proxy.ports[2])::health_flags::healthy"), "500s are not gateway errors")
        #expect(
            try await proxy.stat(
                "cluster.outbound|80||svc.default.svc.cluster.local.outlier_detection.ejections_enforced_consecutive_gateway_failure"
            ) == 1)

        let refusing = try await ProxyHarness.start(
            [.init("v1"), .init("v1", closed: true)],
            rules: { _ in
                Self.dr(
                    "    loadBalancer: {simple: ROUND_ROBIN}\n    outlierDetection: {consecutive5xxErrors: 2, baseEjectionTime: 60s, maxEjectionPercent: 100}"
                )
            })
        defer { Task { await refusing.stop() } }
        _ = try await hosts(refusing, 10)
        #expect(
            try await refusing.admin("/clusters").text.contains(
                "127.0.0.1:\(refusing.ports[1])::health_flags::/failed_outlier_check"), "connect failures count as errors")
    }

    @Test func ejectedHostsReturnAfterTheirEjectionTime() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v1", status: 503)],
            rules: { _ in
                Self.dr(
                    "    loadBalancer: {simple: ROUND_ROBIN}\n    outlierDetection: {consecutive5xxErrors: 1, interval: 200ms, baseEjectionTime: 500ms, maxEjectionPercent: 100}"
                )
            })
        defer { Task { await proxy.stop() } }
        _ = try await hosts(proxy, 4)
        let ejected = "127.0.0.1:\(proxy.ports[1])::health_flags::/failed_outlier_check"
        // The host may already be back on a slow machine: the counter says it was ejected.
        #expect(
            try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.outlier_detection.ejections_enforced_total")
                >= 1)
        var back = false
        for _ in 0..<100 where !back {
            try await Task.sleep(for: .milliseconds(100))
            back = !(try await proxy.admin("/clusters").text.contains(ejected))
        }
        #expect(back, "the sweep after 500 ms returns the host")
    }

    @Test func retriesStopAtTheClustersRetryBudget() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1", status: 503, delay: .milliseconds(200))], concurrency: 1,
            rules: { _ in
                Self.dr("    connectionPool: {http: {maxRetries: 1}}")
                    + Self.vs("  - route: [{destination: {host: svc}}]\n    retries: {attempts: 3, retryOn: 5xx}")
            })
        defer { Task { await proxy.stop() } }
        _ = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await proxy.send("/").status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_retry_overflow") > 0)
    }

    @Test func anOlderIstioRetries503ByDefault() async throws {
        let current = try await ProxyHarness.start([.init("v1", status: 503)])
        defer { Task { await current.stop() } }
        _ = try await current.send("/")
        #expect(current.backends[0].requestCount == 1, "since 1.24 no status code is retried by default")
        let older = try await ProxyHarness.start([.init("v1", status: 503)], configure: { $0.compatibilityVersion = (1, 23) })
        defer { Task { await older.stop() } }
        _ = try await older.send("/")
        #expect(older.backends[0].requestCount == 3, "1.23 retried 503 twice")
    }
}
