import MeshRollout
import Testing

@Suite struct GateJudgementTests {
    static let config = GateConfig(
        intervalMs: 1000, minRequests: 20, onNoData: .pause, failureLimit: 0,
        metrics: [
            .init(name: "success-rate", kind: .successRate, bound: 99),
            .init(name: "latency-p99", kind: .latency, bound: 500, quantile: 0.99),
            .init(name: "success-rate-vs-stable", kind: .successRateVsStable, bound: 1),
        ])

    static func traffic(_ requests: Double, errors: Double = 0, slowest: Double = 10) -> VersionTraffic {
        // Every request under `slowest` ms.
        VersionTraffic(
            requests: requests, errors: errors,
            buckets: [
                .init(le: slowest, count: requests), .init(le: 1000, count: requests), .init(le: .infinity, count: requests),
            ])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var stable: VersionTraffic
        var canary: VersionTraffic
        var verdict: Evaluation.Verdict
        var gateVerdicts: [Evaluation.Verdict]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "healthy", stable: traffic(900), canary: traffic(100), verdict: .pass, gateVerdicts: [.pass, .pass, .pass]),
        Case(
            label: "canary errors", stable: traffic(900), canary: traffic(100, errors: 40), verdict: .fail,
            gateVerdicts: [.fail, .pass, .fail]),
        Case(
            label: "canary slow", stable: traffic(900), canary: traffic(100, slowest: 900), verdict: .fail,
            gateVerdicts: [.pass, .fail, .pass]),
        Case(
            label: "worse than stable by more than a point", stable: traffic(1000), canary: traffic(100, errors: 0.5 + 1.5),
            verdict: .fail, gateVerdicts: [.fail, .pass, .fail]),
        Case(
            label: "too few canary requests", stable: traffic(900), canary: traffic(19), verdict: .noData,
            gateVerdicts: [.noData, .noData, .noData]),
        Case(
            label: "too few requests give no verdict, even failing ones", stable: traffic(900), canary: traffic(10, errors: 10),
            verdict: .noData,
            gateVerdicts: [.noData, .noData, .noData]),
        Case(
            label: "no stable traffic leaves the comparison without data", stable: traffic(0), canary: traffic(100),
            verdict: .noData, gateVerdicts: [.pass, .pass, .noData]),
    ]

    @Test(arguments: cases)
    func judge(_ c: Case) {
        let evaluation = Evaluation.judge(Observations(stable: c.stable, canary: c.canary, seconds: 10), by: Self.config)
        #expect(evaluation.verdict == c.verdict)
        #expect(evaluation.gates.map(\.verdict) == c.gateVerdicts)
    }

    @Test func observedSplitIsTheShareOfRequests() {
        let observations = Observations(stable: Self.traffic(750), canary: Self.traffic(250), seconds: 1)
        #expect(observations.observedCanaryPercent == 25)
        #expect(Observations(stable: .init(), canary: .init(), seconds: 1).observedCanaryPercent == nil)
    }

    @Test func latencyIsInterpolatedAsHistogramQuantileDoes() {
        // 100 requests: 50 under 10ms, 90 under 100ms, all under 1000ms.
        let traffic = VersionTraffic(
            requests: 100,
            buckets: [
                .init(le: 10, count: 50), .init(le: 100, count: 90), .init(le: 1000, count: 100),
                .init(le: .infinity, count: 100),
            ])
        #expect(traffic.latency(0.5) == 10)
        #expect(abs(traffic.latency(0.7)! - (10 + 90 * 20 / 40)) < 1e-9)
        #expect(abs(traffic.latency(0.99)! - (100 + 900 * 9 / 10)) < 1e-9)
        let overflow = VersionTraffic(requests: 10, buckets: [.init(le: 5, count: 0), .init(le: .infinity, count: 10)])
        #expect(overflow.latency(0.5) == 5)
    }
}

@Suite struct CounterSnapshotTests {
    static let service = "recommendation.default.svc.cluster.local"

    static func key(_ name: String, _ labels: [String: String]) -> String? {
        CounterSnapshot.key(name: name, label: { labels[$0] }, service: service, versions: ["v1", "v2"])
    }

    @Test func onlyTheRolloutsSeriesAreKept() {
        let base = [
            "reporter": "source", "destination_service": Self.service, "destination_version": "v2", "response_code": "503",
        ]
        #expect(Self.key("istio_requests_total", base) == "requests|v2|503")
        #expect(Self.key("istio_request_duration_milliseconds_bucket", base.merging(["le": "+Inf"]) { $1 }) == "bucket|v2|+Inf")
        #expect(Self.key("istio_requests_total", base.merging(["reporter": "destination"]) { $1 }) == nil)
        #expect(Self.key("istio_requests_total", base.merging(["destination_version": "v3"]) { $1 }) == nil)
        #expect(Self.key("istio_requests_total", base.merging(["destination_service": "other"]) { $1 }) == nil)
        #expect(Self.key("envoy_cluster_upstream_rq_total", base) == nil)
    }

    @Test func deltasAreSummedOverProxiesAndResetAware() {
        let before = CounterSnapshot(
            time: 1000,
            proxies: [
                "a": ["requests|v1|200": 100, "requests|v2|200": 10, "requests|v2|503": 1],
                "b": ["requests|v1|200": 500, "requests|v2|200": 50],
            ])
        let after = CounterSnapshot(
            time: 11_000,
            proxies: [
                "a": ["requests|v1|200": 190, "requests|v2|200": 20, "requests|v2|503": 3, "bucket|v2|+Inf": 12],
                // Proxy b restarted: its counters start again from zero.
                "b": ["requests|v1|200": 30, "requests|v2|200": 4],
            ])
        let observations = after.since(before, stableVersion: "v1", canaryVersion: "v2")
        #expect(observations.stable.requests == 90 + 30)
        #expect(observations.canary.requests == 10 + 2 + 4)
        #expect(observations.canary.errors == 2)
        #expect(observations.canary.buckets == [.init(le: .infinity, count: 12)])
        #expect(observations.seconds == 10)
    }
}

@Suite struct PromQLTests {
    @Test func queriesSelectTheServiceVersionAndWindow() {
        let q = PromQL(service: "recommendation.default.svc.cluster.local")
        #expect(
            q.requests("v2", window: 5000)
                == "sum(increase(istio_requests_total{reporter=\"source\",destination_service=\"recommendation.default.svc.cluster.local\",destination_version=\"v2\"}[5000ms]))"
        )
        #expect(q.errors("v2", window: 0).contains("response_code=~\"5..\"}[1ms]"))
        #expect(
            q.latency(0.99, "v2", window: 10).hasPrefix(
                "histogram_quantile(0.99, sum by (le) (increase(istio_request_duration_milliseconds_bucket{"))
        #expect(PromQL(service: "a\"b").requests("v1", window: 1).contains("destination_service=\"a\\\"b\""))
    }
}
