import MeshModel

extension Check {
    /// Istio's EnvoyFilter checks meshctl can make without Envoy's protos (an applyTo, an
    /// operation, a value for every operation but REMOVE), Envoy's rules for the local rate
    /// limit it applies, and every patch it does not apply (MESH0108), so none is ignored
    /// silently.
    func envoyFilter(_ ef: EnvoyFilter) {
        workloadSelector(ef.workloadSelector)
        if ef.workloadSelector != nil && !ef.targetRefs.isEmpty {
            error("only one of targetRefs or workloadSelector can be set", at: ef.targetRefs[0].node)
        }
        if !ef.targetRefs.isEmpty {
            report(
                .notEnforced, "meshctl applies EnvoyFilters to workloads by workloadSelector, not by targetRefs",
                at: ef.targetRefs[0].node)
        }
        for patch in ef.configPatches {
            guard let applyTo = patch.applyTo, applyTo.value != "INVALID" else {
                error("Envoy filter: missing applyTo", at: patch.applyTo?.node ?? patch.node)
                continue
            }
            guard let operation = patch.operation, operation.value != "INVALID" else {
                error("Envoy filter: missing patch operation", at: patch.operation?.node ?? patch.node)
                continue
            }
            if operation.value != "REMOVE" && patch.valueNode < 0 {
                error("Envoy filter: missing patch value for non-remove operation", at: operation.node)
                continue
            }
            if let filterClass = patch.filterClass, filterClass.value != "UNSPECIFIED", applyTo.value != "HTTP_FILTER" {
                error("Envoy filter: filterClass is only allowed for HTTP_FILTER patches", at: filterClass.node)
            }
            switch patch.rateLimit {
            case .notApplied(let reason):
                report(.notEnforced, "this \(applyTo.value) patch is not applied by meshctl: \(reason)", at: patch.node)
            case .filter(let settings):
                localRateLimit(settings, perRoute: false)
            case .route(let settings, let rateLimits):
                if let settings { localRateLimit(settings, perRoute: true) }
                for limit in rateLimits {
                    for action in limit.unsupported {
                        report(
                            .notEnforced,
                            "rate limit action `\(action.value)` is not evaluated by meshctl: its descriptor is never produced",
                            at: action.node)
                    }
                }
            }
        }
    }

    /// Envoy's rules for `LocalRateLimit` (a token bucket with max_tokens > 0 and a fill
    /// interval of at least 50ms, required per route and per descriptor; descriptors unique)
    /// and the settings that make it do nothing.
    func localRateLimit(_ s: LocalRateLimitSettings, perRoute: Bool) {
        if s.statPrefix?.value.isEmpty ?? true {
            error("local rate limit needs a stat_prefix", at: s.statPrefix?.node ?? s.node)
        }
        if let bucket = s.tokenBucket {
            tokenBucket(bucket)
        } else if perRoute {
            error("a per-route local rate limit needs a token_bucket", at: s.node)
        }
        if s.tokenBucket != nil, s.filterEnabled?.perMillion ?? 0 == 0 {
            report(
                .policyNeverMatches,
                "filter_enabled is \(s.filterEnabled == nil ? "not set, and Envoy's default is 0%" : "0%"): this rate limit never applies",
                at: s.filterEnabled?.node ?? s.node)
        }
        if let status = s.status, status.value < 400 {
            warning("status \(status.value) is below 400: Envoy answers 429 instead", at: status.node)
        }
        var seen: [String: Int32] = [:]
        for descriptor in s.descriptors {
            if descriptor.entries.isEmpty { error("a descriptor needs at least one entry", at: descriptor.node) }
            let key = descriptor.entries.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            if seen[key] != nil { error("duplicate descriptor in the local rate descriptor: \(key)", at: descriptor.node) }
            seen[key] = descriptor.node
            if let bucket = descriptor.tokenBucket {
                tokenBucket(bucket)
            } else {
                error("a descriptor needs a token_bucket", at: descriptor.node)
            }
        }
        for field in s.unappliedFields {
            report(.notEnforced, "LocalRateLimit field `\(field.value)` is not applied by meshctl", at: field.node)
        }
    }

    func tokenBucket(_ bucket: LocalRateLimitSettings.TokenBucket) {
        if let max = bucket.maxTokens {
            if max.value == 0 { error("token_bucket.max_tokens must be greater than 0", at: max.node) }
        } else {
            error("token_bucket needs max_tokens", at: bucket.node)
        }
        if let fill = bucket.tokensPerFill, fill.value == 0 {
            error("token_bucket.tokens_per_fill must be greater than 0", at: fill.node)
        }
        if let interval = bucket.fillInterval {
            if interval.nanoseconds < 50_000_000 {
                error("token_bucket.fill_interval must be at least 50ms, got \(interval.text)", at: interval.node)
            }
        } else {
            error("token_bucket needs fill_interval", at: bucket.node)
        }
    }
}
