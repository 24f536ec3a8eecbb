import Synchronization

/// Envoy's local rate limit token bucket (its atomic bucket, refilled by elapsed time rather
/// than a timer): `maxTokens` to start with and at most, `tokensPerFill` added per
/// `fillInterval`, continuously. A request takes one token with one compare-and-swap on one
/// 64-bit word, so any number of threads share it without a lock and never admit more than the
/// tokens there are.
///
/// The word holds the time at which the bucket would be empty, in units of 1/`scale`
/// microsecond, counted from the bucket's creation and wrapping (only differences matter). With
/// `rate = tokensPerFill / fillInterval` reduced to `scale / cost` tokens per microsecond, one
/// token is worth `cost` units: integer arithmetic, so the count is exact.
public final class TokenBucket: Sendable {
    public let maxTokens: UInt64
    public let tokensPerFill: UInt64
    /// Microseconds.
    public let fillInterval: UInt64
    /// Units per microsecond, and units per token.
    let scale: UInt64
    let cost: UInt64
    /// `maxTokens` tokens in units (saturated well below the wrap-around).
    let full: UInt64
    let emptyAt: Atomic<UInt64>

    /// - Parameters:
    ///   - fillInterval: microseconds (Envoy requires at least 50ms).
    ///   - now: the clock's reading at creation, microseconds.
    public init(maxTokens: Int, tokensPerFill: Int, fillInterval: UInt64, now: UInt64) {
        self.maxTokens = UInt64(max(maxTokens, 0))
        self.tokensPerFill = UInt64(max(tokensPerFill, 1))
        self.fillInterval = max(fillInterval, 1)
        var scale = self.tokensPerFill
        var cost = self.fillInterval
        let g = Self.gcd(scale, cost)
        scale /= g
        cost /= g
        // Bound the scale, so that a bucket idle for years cannot wrap: beyond 2^16 units per
        // microsecond, round the rate (relative error under 2^-16).
        if scale > 1 << 16 {
            cost = max(1, UInt64((Double(cost) * Double(1 << 16) / Double(scale)).rounded()))
            scale = 1 << 16
        }
        self.scale = scale
        self.cost = cost
        let (product, overflow) = self.maxTokens.multipliedReportingOverflow(by: cost)
        full = overflow || product > UInt64.max / 4 ? UInt64.max / 4 : product
        // Full at creation: empty `maxTokens` tokens ago.
        emptyAt = Atomic(now &* scale &- full)
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? a : gcd(b, a % b) }

    /// Takes a token if there is one. `now` in microseconds, from the same clock as creation.
    @inline(__always) public func consume(now: UInt64) -> Bool {
        let nowUnits = now &* scale
        var current = emptyAt.load(ordering: .relaxed)
        while true {
            var elapsed = nowUnits &- current
            // Another thread, whose clock read later, moved the empty time past ours: no tokens.
            if elapsed > UInt64.max / 2 { elapsed = 0 }
            let available = min(elapsed, full)
            guard available >= cost else { return false }
            let next = nowUnits &- (available - cost)
            let (exchanged, original) = emptyAt.weakCompareExchange(
                expected: current, desired: next, successOrdering: .relaxed, failureOrdering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// Whole tokens available at `now` (for stats and tests).
    public func tokens(now: UInt64) -> UInt64 {
        var elapsed = now &* scale &- emptyAt.load(ordering: .relaxed)
        if elapsed > UInt64.max / 2 { elapsed = 0 }
        return min(elapsed, full) / cost
    }
}
