import Histogram

/// What a load run measured.
public struct LoadReport: Sendable {
    public var plan: LoadPlan
    public var elapsedNanos: Int64
    /// Requests written (each answered, failed or timed out).
    public var sent = 0
    /// Requests answered with a status.
    public var completed = 0
    /// Answers per status code.
    public var statuses: [Int: Int] = [:]
    /// Requests without an answer, per reason (`connection refused`, `timeout`, ...).
    public var errors: [String: Int] = [:]
    /// Latencies of answered requests, in microseconds.
    public var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

    public init(plan: LoadPlan, elapsedNanos: Int64) {
        self.plan = plan
        self.elapsedNanos = elapsedNanos
    }

    /// Adds another part of the same run (another event loop's measurements).
    public mutating func add(_ other: LoadReport) {
        histogram.add(other.histogram)
        sent += other.sent
        completed += other.completed
        for (code, count) in other.statuses { statuses[code, default: 0] += count }
        for (reason, count) in other.errors { errors[reason, default: 0] += count }
    }

    public var seconds: Double { Double(elapsedNanos) / 1e9 }
    /// Requests answered per second over the run.
    public var requestsPerSecond: Double { seconds > 0 ? Double(completed) / seconds : 0 }
    public var errorCount: Int { errors.values.reduce(0, +) }

    /// The percentiles every report shows.
    public static let percentiles: [Double] = [50, 75, 90, 99, 99.9]

    /// The latency at `percentile` (0–100), in milliseconds; nil without answers.
    public func latencyMs(_ percentile: Double) -> Double? {
        histogram.totalCount == 0 ? nil : Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    public var minMs: Double? { histogram.totalCount == 0 ? nil : Double(histogram.min) / 1000 }
    public var maxMs: Double? { histogram.totalCount == 0 ? nil : Double(histogram.max) / 1000 }
    public var meanMs: Double? { histogram.totalCount == 0 ? nil : histogram.mean / 1000 }

    /// Latency buckets for a text histogram: up to `rows` ranges (ms) between the fastest and
    /// slowest answers, on a logarithmic scale, with their counts.
    public func buckets(rows: Int = 10) -> [(lowerMs: Double, upperMs: Double, count: Int)] {
        guard histogram.totalCount > 0 else { return [] }
        let low = Double(max(histogram.min, 1))
        let high = Double(max(histogram.max, histogram.min + 1))
        let ratio = pow(high / low, 1 / Double(rows))
        var edges = (0...rows).map { low * pow(ratio, Double($0)) }
        edges[rows] = high
        var result: [(Double, Double, Int)] = []
        var lastUpper: UInt64 = 0
        for i in 0..<rows {
            let upper = i == rows - 1 ? UInt64(high) : UInt64(edges[i + 1])
            guard upper > lastUpper || i == 0 else { continue }
            let lower = i == 0 ? 0 : lastUpper + 1
            let count = Int(histogram.count(within: lower...max(upper, lower)))
            result.append((Double(i == 0 ? UInt64(low) : lower) / 1000, Double(upper) / 1000, count))
            lastUpper = upper
        }
        return result
    }
}

#if canImport(Glibc)
    import Glibc
#endif
