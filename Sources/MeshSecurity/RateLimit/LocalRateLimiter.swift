import MeshModel
import MeshRegex

/// What the local rate limit decided for one request.
public struct RateLimitDecision: Sendable {
    /// Whether the request goes on (true also when limited but not enforced).
    public var allowed: Bool
    /// 429 (or the configured status) when limited and enforced.
    public var status: Int?
    /// Response headers of a limited, enforced request (`x-local-rate-limit: true` in Istio's task).
    public var responseHeaders: [(name: String, value: String)]
    /// Request headers to add when limited but not enforced.
    public var requestHeaders: [(name: String, value: String)]
    /// Counters to increment, full names: `http_local_rate_limiter.http_local_rate_limit.enabled`,
    /// `.enforced`, `.rate_limited`, `.ok`.
    public var counters: [String]
    /// The descriptor whose bucket decided (`path=/api`), nil for the default bucket.
    public var descriptor: String?

    /// The body Envoy's local rate limit filter answers with.
    public static let body = "local_rate_limited"
}

/// One `envoy.filters.http.local_ratelimit` configuration: a listener's, or a route's (which
/// then replaces the listener's for that route), with its buckets.
public final class LocalRateLimiter: Sendable {
    public let statPrefix: String
    public let source: String
    let defaultBucket: TokenBucket?
    /// Descriptors by entries, sorted by fill rate (the strictest first, as Envoy consumes them).
    let descriptors: [(entries: [DescriptorEntry], bucket: TokenBucket, text: String)]
    let actions: [[RouteRateLimit.Action]]
    /// `safe_regex_match` patterns of header_value_match actions, compiled once.
    let regexes: [String: RE2Regex]
    let enabledPerMillion: Int
    let enforcedPerMillion: Int
    let status: Int
    let responseHeaders: [(name: String, value: String)]
    let requestHeaders: [(name: String, value: String)]
    let alwaysConsumeDefault: Bool

    public struct DescriptorEntry: Sendable, Hashable {
        public var key: String
        public var value: String
    }

    /// - Parameters:
    ///   - settings: the filter's (or route's) LocalRateLimit.
    ///   - rateLimits: the route's `rate_limits` (descriptor actions).
    ///   - source: what configured it (`EnvoyFilter NS/NAME`), for explanations.
    ///   - now: the clock's reading, microseconds.
    public init(settings: LocalRateLimitSettings, rateLimits: [RouteRateLimit], source: String, now: UInt64) {
        statPrefix = settings.statPrefix?.value ?? "http_local_rate_limiter"
        self.source = source
        func bucket(_ spec: LocalRateLimitSettings.TokenBucket?) -> TokenBucket? {
            guard let spec, let max = spec.maxTokens?.value, max > 0, let interval = spec.fillInterval, interval.nanoseconds > 0
            else { return nil }
            return TokenBucket(
                maxTokens: max, tokensPerFill: spec.tokensPerFill?.value ?? 1, fillInterval: UInt64(interval.nanoseconds / 1000),
                now: now)
        }
        defaultBucket = bucket(settings.tokenBucket)
        descriptors = settings.descriptors.compactMap { d -> ([DescriptorEntry], TokenBucket, String)? in
            guard let b = bucket(d.tokenBucket) else { return nil }
            return (
                d.entries.map { DescriptorEntry(key: $0.key, value: $0.value) }, b,
                d.entries.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            )
        }.sorted { Self.perSecond($0.1) < Self.perSecond($1.1) }
        actions = rateLimits.map(\.actions)
        var regexes: [String: RE2Regex] = [:]
        for case .headerValueMatch(_, _, _, let conditions) in actions.joined() {
            for case .regex(let pattern) in conditions.map(\.kind) { regexes[pattern] = try? RE2Regex(pattern) }
        }
        self.regexes = regexes
        enabledPerMillion = settings.filterEnabled?.perMillion ?? 0
        enforcedPerMillion = settings.filterEnforced?.perMillion ?? 0
        status = (settings.status?.value).map { $0 >= 400 ? $0 : 429 } ?? 429
        responseHeaders = settings.responseHeadersToAdd.map { ($0.key.lowercased(), $0.value) }
        requestHeaders = settings.requestHeadersToAddWhenNotEnforced.map { ($0.key.lowercased(), $0.value) }
        alwaysConsumeDefault = settings.alwaysConsumeDefaultTokenBucket?.value ?? true
    }

    /// Tokens per second, whole, as Envoy sorts descriptors.
    static func perSecond(_ b: TokenBucket) -> UInt64 { b.tokensPerFill / max(1, b.fillInterval / 1_000_000) }

    /// The descriptors a request produces from the route's actions (each `rate_limits` entry
    /// one, unless an action cannot produce its entry).
    public func requestDescriptors(headers: [(name: String, value: String)], remoteAddress: String?) -> [[DescriptorEntry]] {
        actions.compactMap { actions in
            var entries: [DescriptorEntry] = []
            for action in actions {
                switch action {
                case .requestHeaders(let header, let key, let skip):
                    guard let value = headers.first(where: { $0.name == header })?.value else {
                        if skip { continue }
                        return nil
                    }
                    entries.append(DescriptorEntry(key: key, value: value))
                case .genericKey(let value, let key):
                    entries.append(DescriptorEntry(key: key, value: value))
                case .remoteAddress:
                    guard let remoteAddress else { return nil }
                    entries.append(DescriptorEntry(key: "remote_address", value: remoteAddress))
                case .headerValueMatch(let value, let key, let expect, let conditions):
                    let matched = conditions.allSatisfy { matches($0, headers) }
                    guard matched == expect else { return nil }
                    entries.append(DescriptorEntry(key: key, value: value))
                }
            }
            return entries.isEmpty ? nil : entries
        }
    }

    func matches(_ condition: RouteRateLimit.HeaderCondition, _ headers: [(name: String, value: String)]) -> Bool {
        let value = headers.first(where: { $0.name == condition.name })?.value
        let hit: Bool
        switch condition.kind {
        case .present(let want): hit = (value != nil) == want
        case .exact(let s): hit = value == s
        case .prefix(let s): hit = value?.hasPrefix(s) ?? false
        case .suffix(let s): hit = value?.hasSuffix(s) ?? false
        case .contains(let s): hit = value?.contains(s) ?? false
        case .regex(let pattern): hit = value.map { regexes[pattern]?.fullMatch($0) ?? false } ?? false
        }
        return hit != condition.invert
    }

    /// Decides one request: `enabled` and `enforced` are draws in [0, 1_000_000) against the
    /// filter_enabled and filter_enforced fractions (pass 0 for a 100% filter's certain answer).
    public func check(
        headers: [(name: String, value: String)], remoteAddress: String? = nil, now: UInt64, enabledDraw: Int = 0,
        enforcedDraw: Int = 0
    ) -> RateLimitDecision {
        var decision = RateLimitDecision(
            allowed: true, status: nil, responseHeaders: [], requestHeaders: [], counters: [], descriptor: nil)
        let prefix = statPrefix + ".http_local_rate_limit."
        guard enabledDraw < enabledPerMillion else { return decision }
        decision.counters.append(prefix + "enabled")
        var permitted = true
        let produced = descriptors.isEmpty ? [] : requestDescriptors(headers: headers, remoteAddress: remoteAddress)
        var matched = false
        for descriptor in descriptors where produced.contains(descriptor.entries) {
            matched = true
            if !descriptor.bucket.consume(now: now) {
                permitted = false
                decision.descriptor = descriptor.text
                break
            }
        }
        if permitted, !matched || alwaysConsumeDefault, let bucket = defaultBucket {
            permitted = bucket.consume(now: now)
        }
        if permitted {
            decision.counters.append(prefix + "ok")
            return decision
        }
        decision.counters.append(prefix + "rate_limited")
        if enforcedDraw < enforcedPerMillion {
            decision.counters.append(prefix + "enforced")
            decision.allowed = false
            decision.status = status
            decision.responseHeaders = responseHeaders
        } else {
            decision.requestHeaders = requestHeaders
        }
        return decision
    }

    /// Whether the filter never limits (0% enabled, or no bucket at all).
    public var isInert: Bool { enabledPerMillion == 0 || (defaultBucket == nil && descriptors.isEmpty) }

    /// A line describing the buckets, for explanations.
    public var summary: String {
        func text(_ b: TokenBucket) -> String {
            "\(b.maxTokens) tokens, \(b.tokensPerFill) per \(MeshDuration(nanoseconds: Int64(b.fillInterval) * 1000).text)"
        }
        var parts: [String] = []
        if let defaultBucket { parts.append(text(defaultBucket)) }
        for d in descriptors { parts.append("descriptor \(d.text): \(text(d.bucket))") }
        let enabled = Double(enabledPerMillion) / 10_000
        let enforced = Double(enforcedPerMillion) / 10_000
        return
            "\(parts.isEmpty ? "no token bucket" : parts.joined(separator: "; ")) (enabled \(Self.percent(enabled))%, enforced \(Self.percent(enforced))%) from \(source)"
    }

    static func percent(_ p: Double) -> String { p == p.rounded() ? String(Int(p)) : String(p) }
}
