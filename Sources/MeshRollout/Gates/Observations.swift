/// What one subset's version did over a gate window.
public struct VersionTraffic: Sendable, Codable, Equatable {
    public var requests: Double
    /// Answers with a 5xx status.
    public var errors: Double
    /// Histogram bucket counts by upper bound in ms (cumulative, as Prometheus's `le`), from
    /// admin stats; empty when the quantiles came from Prometheus.
    public var buckets: [Bucket]
    /// Latency quantiles in ms computed elsewhere (PromQL's histogram_quantile), by quantile.
    public var quantiles: [Quantile]

    public struct Bucket: Sendable, Codable, Equatable {
        public var le: Double
        public var count: Double
        public init(le: Double, count: Double) {
            self.le = le
            self.count = count
        }
    }

    public struct Quantile: Sendable, Codable, Equatable {
        public var q: Double
        public var ms: Double?
        public init(q: Double, ms: Double?) {
            self.q = q
            self.ms = ms
        }
    }

    public init(requests: Double = 0, errors: Double = 0, buckets: [Bucket] = [], quantiles: [Quantile] = []) {
        self.requests = requests
        self.errors = errors
        self.buckets = buckets
        self.quantiles = quantiles
    }

    /// Percentage of non-5xx answers; nil without requests.
    public var successRate: Double? { requests > 0 ? 100 * (requests - errors) / requests : nil }

    /// The `q` latency quantile in ms: given, or interpolated in the buckets as Prometheus's
    /// `histogram_quantile` does (linearly within the bucket where the rank falls; the highest
    /// finite bound when it falls in `+Inf`).
    public func latency(_ q: Double) -> Double? {
        if let given = quantiles.first(where: { $0.q == q }) { return given.ms }
        let sorted = buckets.sorted { $0.le < $1.le }
        guard let total = sorted.last?.count, total > 0, sorted.last?.le == .infinity else { return nil }
        let rank = q * total
        var lower = 0.0
        var below = 0.0
        for (i, bucket) in sorted.enumerated() {
            if bucket.count >= rank {
                if bucket.le == .infinity { return i > 0 ? sorted[i - 1].le : nil }
                if bucket.count == below { return bucket.le }
                return lower + (bucket.le - lower) * (rank - below) / (bucket.count - below)
            }
            (lower, below) = (bucket.le, bucket.count)
        }
        return nil
    }
}

/// The stable and canary traffic over one gate window.
public struct Observations: Sendable, Codable, Equatable {
    public var stable: VersionTraffic
    public var canary: VersionTraffic
    /// The window's length.
    public var seconds: Double

    public init(stable: VersionTraffic, canary: VersionTraffic, seconds: Double) {
        self.stable = stable
        self.canary = canary
        self.seconds = seconds
    }

    /// The share of requests that reached the canary, in percent; nil without requests.
    public var observedCanaryPercent: Double? {
        let total = stable.requests + canary.requests
        return total > 0 ? 100 * canary.requests / total : nil
    }
}

/// Counter values read from proxies' `/stats/prometheus` at one moment: per proxy, the
/// rollout's series (`istio_requests_total` by version and status, and the duration
/// histogram's buckets by version and bound).
public struct CounterSnapshot: Sendable, Codable, Equatable {
    /// Milliseconds since 1970.
    public var time: Int64
    /// Proxy (`HOST:PORT`) → series key → value.
    public var proxies: [String: [String: Double]]

    public init(time: Int64, proxies: [String: [String: Double]] = [:]) {
        self.time = time
        self.proxies = proxies
    }

    /// The series key for a sample of the rollout's service, or nil for any other sample:
    /// `requests|VERSION|CODE` or `bucket|VERSION|LE`.
    public static func key(name: String, label: (String) -> String?, service: String, versions: Set<String>) -> String? {
        guard name == "istio_requests_total" || name == "istio_request_duration_milliseconds_bucket",
            label("reporter") == "source", label("destination_service") == service,
            let version = label("destination_version"), versions.contains(version)
        else { return nil }
        if name == "istio_requests_total" { return "requests|\(version)|\(label("response_code") ?? "")" }
        guard let le = label("le") else { return nil }
        return "bucket|\(version)|\(le)"
    }

    /// The traffic from `before` to `self`, summed over every proxy. A counter lower than
    /// before was reset (the proxy restarted, or `/reset_counters`): all of it came after.
    public func since(_ before: CounterSnapshot, stableVersion: String, canaryVersion: String) -> Observations {
        var traffic: [String: VersionTraffic] = [:]
        var buckets: [String: [Double: Double]] = [:]
        for (proxy, values) in proxies {
            let earlier = before.proxies[proxy] ?? [:]
            for (key, value) in values {
                let previous = earlier[key] ?? 0
                let increase = value >= previous ? value - previous : value
                let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3 else { continue }
                let version = parts[1]
                if parts[0] == "requests" {
                    traffic[version, default: VersionTraffic()].requests += increase
                    if parts[2].count == 3 && parts[2].hasPrefix("5") {
                        traffic[version, default: VersionTraffic()].errors += increase
                    }
                } else if let le = Self.bound(parts[2]) {
                    buckets[version, default: [:]][le, default: 0] += increase
                }
            }
        }
        for (version, bounds) in buckets {
            traffic[version, default: VersionTraffic()].buckets = bounds.sorted { $0.key < $1.key }.map {
                VersionTraffic.Bucket(le: $0.key, count: $0.value)
            }
        }
        return Observations(
            stable: traffic[stableVersion] ?? VersionTraffic(), canary: traffic[canaryVersion] ?? VersionTraffic(),
            seconds: max(0, Double(time - before.time) / 1000))
    }

    static func bound(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": .infinity
        default: Double(text)
        }
    }
}
