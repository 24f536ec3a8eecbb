#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import MeshModel
import MeshYAML

/// The local rate limits of one inbound port: the `envoy.filters.http.local_ratelimit` filters
/// inserted into its connection manager (in order), each with the route's own configuration
/// when an `HTTP_ROUTE` patch gives one (which then replaces the filter's for the route).
public struct InboundRateLimit: Sendable {
    public let port: Int
    public let limiters: [LocalRateLimiter]
    /// Patches that matched this port but do not take effect, and why.
    public let notes: [String]
    /// The `value`s of the `HTTP_FILTER` patches that insert the filters, as written.
    public let filterPatches: [JSONValue]
    /// The `value`s of the `HTTP_ROUTE` patches merged into the port's inbound route, as written.
    public let routePatches: [JSONValue]

    /// Runs the request through each filter; the first that limits answers. `path`, `method`
    /// and `authority` are what descriptor actions read as `:path`, `:method` and `:authority`
    /// (they may also be given among `headers`).
    public func check(
        headers: [(name: String, value: String)], path: String? = nil, method: String? = nil, authority: String? = nil,
        remoteAddress: String? = nil, now: UInt64 = MonotonicClock.microseconds(), enabledDraw: Int = 0,
        enforcedDraw: Int = 0
    ) -> RateLimitDecision {
        var headers = headers
        for (name, value) in [(":path", path), (":method", method), (":authority", authority)] {
            if let value { headers.append((name: name, value: value)) }
        }
        var combined = RateLimitDecision(
            allowed: true, status: nil, responseHeaders: [], requestHeaders: [], counters: [], descriptor: nil)
        for limiter in limiters {
            let decision = limiter.check(
                headers: headers, remoteAddress: remoteAddress, now: now, enabledDraw: enabledDraw, enforcedDraw: enforcedDraw)
            combined.counters += decision.counters
            combined.requestHeaders += decision.requestHeaders
            if !decision.allowed {
                combined.allowed = false
                combined.status = decision.status
                combined.responseHeaders = decision.responseHeaders
                combined.descriptor = decision.descriptor
                return combined
            }
        }
        return combined
    }

    /// The inbound virtual host Istio names for a port (what `HTTP_ROUTE` patches match).
    public static func virtualHostName(port: Int) -> String { "inbound|http|\(port)" }

    /// Builds the limits of `port` from the EnvoyFilters that apply to `workload`: from the
    /// root namespace first, then the workload's, each by priority and age, as Istio applies them.
    public static func build(
        resources: [Resource], workload: WorkloadIdentity, port: Int, rootNamespace: String,
        now: UInt64 = MonotonicClock.microseconds()
    ) -> InboundRateLimit {
        let filters = resources.filter({ $0.envoyFilter != nil }).effective.filter { r in
            guard let ef = r.envoyFilter, r.namespace == workload.namespace || r.namespace == rootNamespace,
                ef.targetRefs.isEmpty
            else { return false }
            return (ef.workloadSelector?.labels ?? [:]).allSatisfy { workload.labels[$0.key] == $0.value }
        }.sorted { a, b in
            let (ra, rb) = (a.namespace == rootNamespace ? 0 : 1, b.namespace == rootNamespace ? 0 : 1)
            if ra != rb { return ra < rb }
            let (pa, pb) = (a.envoyFilter?.priority?.value ?? 0, b.envoyFilter?.priority?.value ?? 0)
            if pa != pb { return pa < pb }
            return a.creationTimestamp < b.creationTimestamp
        }
        var inserted: [(LocalRateLimitSettings, String)] = []
        var routeSettings: (LocalRateLimitSettings, String)?
        var rateLimits: [RouteRateLimit] = []
        var notes: [String] = []
        var filterPatches: [JSONValue] = []
        var routePatches: [JSONValue] = []
        for resource in filters {
            let name = "EnvoyFilter \(resource.namespace)/\(resource.name)"
            for patch in resource.envoyFilter?.configPatches ?? [] {
                switch patch.rateLimit {
                case .notApplied: continue
                case .filter(let settings):
                    if let listenerPort = patch.match?.listenerPort?.value, listenerPort != port { continue }
                    inserted.append((settings, name))
                    filterPatches.append(resource.file.jsonValue(patch.valueNode))
                case .route(let settings, let limits):
                    let match = patch.match
                    if let routePort = match?.routePort?.value, routePort != port { continue }
                    if let vhost = match?.vhostName?.value, vhost != virtualHostName(port: port) { continue }
                    if let route = match?.routeName?.value, route != "default" { continue }
                    if let action = match?.routeAction?.value, action != "ANY" && action != "ROUTE" { continue }
                    if let settings { routeSettings = (settings, name) }
                    rateLimits += limits
                    routePatches.append(resource.file.jsonValue(patch.valueNode))
                }
            }
        }
        if inserted.isEmpty, let (_, name) = routeSettings {
            notes.append(
                "\(name) configures the local rate limit for the route, but no HTTP_FILTER patch inserts the filter, so it does not run"
            )
        }
        let limiters = inserted.map { settings, name in
            if let (route, routeName) = routeSettings {
                return LocalRateLimiter(settings: route, rateLimits: rateLimits, source: routeName + " (per route)", now: now)
            }
            return LocalRateLimiter(settings: settings, rateLimits: rateLimits, source: name, now: now)
        }
        return InboundRateLimit(
            port: port, limiters: limiters, notes: notes, filterPatches: filterPatches, routePatches: routePatches)
    }
}

/// A monotonic clock in microseconds, for token buckets.
public enum MonotonicClock {
    public static func microseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000 &+ UInt64(ts.tv_nsec / 1000)
    }
}
