/// The PromQL queries that measure a rollout's window over Prometheus's HTTP API, from Istio's
/// standard metrics as the proxies report them (`reporter="source"`).
public struct PromQL: Sendable {
    public var service: String

    public init(service: String) { self.service = service }

    /// `[5000ms]`: a window as a range selector (at least 1ms).
    static func range(_ milliseconds: Int64) -> String { "[\(max(milliseconds, 1))ms]" }

    func selector(_ version: String, extra: String = "") -> String {
        "{reporter=\"source\",destination_service=\"\(Self.escape(service))\",destination_version=\"\(Self.escape(version))\"\(extra)}"
    }

    /// Requests to `version` over the window.
    public func requests(_ version: String, window: Int64) -> String {
        "sum(increase(istio_requests_total\(selector(version))\(Self.range(window))))"
    }

    /// 5xx answers from `version` over the window.
    public func errors(_ version: String, window: Int64) -> String {
        "sum(increase(istio_requests_total\(selector(version, extra: ",response_code=~\"5..\""))\(Self.range(window))))"
    }

    /// The `q` latency quantile of `version` in ms over the window.
    public func latency(_ q: Double, _ version: String, window: Int64) -> String {
        "histogram_quantile(\(Format.number(q)), sum by (le) (increase(istio_request_duration_milliseconds_bucket\(selector(version))\(Self.range(window)))))"
    }

    /// The queries one gate reads, in the order they are sent.
    public func queries(for metric: GateConfig.Metric, plan: RolloutPlan, window: Int64) -> [String] {
        let canary = plan.canaryVersion ?? plan.canarySubset
        let stable = plan.stableVersion ?? plan.stableSubset
        switch metric.kind {
        case .successRate: return [requests(canary, window: window), errors(canary, window: window)]
        case .latency: return [latency(metric.quantile ?? 0.99, canary, window: window)]
        case .successRateVsStable:
            return [
                requests(canary, window: window), errors(canary, window: window), requests(stable, window: window),
                errors(stable, window: window),
            ]
        }
    }

    static func escape(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
    }
}
