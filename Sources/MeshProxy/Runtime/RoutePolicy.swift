import MeshModel
import MeshRouting

/// What the data plane needs of one compiled route, worked out once per configuration:
/// retry conditions as bits, durations in nanoseconds, header operations as byte-ready pairs.
final class RoutePolicy: Sendable {
    struct RetryOn: OptionSet, Sendable {
        let rawValue: UInt32
        static let serverError = RetryOn(rawValue: 1 << 0)  // 5xx
        static let gatewayError = RetryOn(rawValue: 1 << 1)
        static let reset = RetryOn(rawValue: 1 << 2)
        static let connectFailure = RetryOn(rawValue: 1 << 3)
        static let retriable4xx = RetryOn(rawValue: 1 << 4)
        static let refusedStream = RetryOn(rawValue: 1 << 5)
        static let retriableStatusCodes = RetryOn(rawValue: 1 << 6)
        static let grpcCancelled = RetryOn(rawValue: 1 << 7)
        static let grpcDeadlineExceeded = RetryOn(rawValue: 1 << 8)
        static let grpcInternal = RetryOn(rawValue: 1 << 9)
        static let grpcResourceExhausted = RetryOn(rawValue: 1 << 10)
        static let grpcUnavailable = RetryOn(rawValue: 1 << 11)

        init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Conditions decided by the answer's `grpc-status` header.
        static let grpc: RetryOn = [
            .grpcCancelled, .grpcDeadlineExceeded, .grpcInternal, .grpcResourceExhausted, .grpcUnavailable,
        ]
        var readsGRPCStatus: Bool { !isDisjoint(with: .grpc) }

        init(_ text: String) {
            var bits = RetryOn()
            for item in text.split(separator: ",") {
                switch item.trimmingSpaces() {
                case "5xx": bits.insert(.serverError)
                case "gateway-error": bits.insert(.gatewayError)
                case "reset", "reset-before-request": bits.insert(.reset)
                case "connect-failure": bits.insert(.connectFailure)
                case "retriable-4xx": bits.insert(.retriable4xx)
                case "refused-stream": bits.insert(.refusedStream)
                case "retriable-status-codes": bits.insert(.retriableStatusCodes)
                case "cancelled": bits.insert(.grpcCancelled)
                case "deadline-exceeded": bits.insert(.grpcDeadlineExceeded)
                case "internal": bits.insert(.grpcInternal)
                case "resource-exhausted": bits.insert(.grpcResourceExhausted)
                case "unavailable": bits.insert(.grpcUnavailable)
                default: break
                }
            }
            self = bits
        }
    }

    /// Tries after the first; 0 disables retries.
    let retries: Int
    let retryOn: RetryOn
    let retriableStatusCodes: [Int]
    let perTryTimeoutNanos: Int64?
    let timeoutNanos: Int64?
    let delayNanos: Int64?
    let requestSet: [(name: String, value: String)]
    let requestAdd: [(name: String, value: String)]
    let requestRemove: [String]
    let responseSet: [(name: String, value: String)]
    let responseAdd: [(name: String, value: String)]
    let responseRemove: [String]
    /// Envoy's route name (the rule's `name`), for the access log.
    let name: String?
    /// The policy with each destination's own `headers` applied as well (in the order of the
    /// route's destinations; nil where a destination has none; empty when none has).
    let destinations: [RoutePolicy?]

    /// `retryOn` strings already read (most routes share Istio's default).
    convenience init(_ route: CompiledRoute, retryOnCache: inout [String: RetryOn]) {
        var destinations: [RoutePolicy?] = []
        for headers in route.destinationHeaders {
            destinations.append(headers.map { RoutePolicy(route, destination: $0, retryOnCache: &retryOnCache) })
        }
        self.init(route, destination: nil, retryOnCache: &retryOnCache, destinations: destinations)
    }

    /// The route's policy, with `destination`'s header operations as Envoy applies a weighted
    /// cluster's: before the route's, so the route's own operations win where both name a header.
    private init(
        _ route: CompiledRoute, destination: Headers?, retryOnCache: inout [String: RetryOn], destinations: [RoutePolicy?] = []
    ) {
        self.destinations = destinations
        retries = max(route.retries.attempts, 0)
        if let known = retryOnCache[route.retries.retryOn] {
            retryOn = known
        } else {
            retryOn = RetryOn(route.retries.retryOn)
            retryOnCache[route.retries.retryOn] = retryOn
        }
        retriableStatusCodes = route.retries.retriableStatusCodes
        perTryTimeoutNanos = route.retries.perTryTimeout.flatMap { $0.nanoseconds > 0 ? $0.nanoseconds : nil }
        timeoutNanos = route.timeout?.nanoseconds
        delayNanos = route.fault?.delay.map { max($0.nanoseconds, 0) }
        func pairs(_ entries: [MapEntry<String>]?) -> [(name: String, value: String)] {
            (entries ?? []).map { (name: $0.key.lowercased(), value: $0.value) }
        }
        func removes(_ ops: Headers.Operations?) -> [String] { (ops?.remove ?? []).map { $0.value.lowercased() } }
        (requestSet, requestAdd, requestRemove) = Self.merge(
            (pairs(route.headers?.request?.set), pairs(route.headers?.request?.add), removes(route.headers?.request)),
            over: (pairs(destination?.request?.set), pairs(destination?.request?.add), removes(destination?.request)))
        (responseSet, responseAdd, responseRemove) = Self.merge(
            (pairs(route.headers?.response?.set), pairs(route.headers?.response?.add), removes(route.headers?.response)),
            over: (pairs(destination?.response?.set), pairs(destination?.response?.add), removes(destination?.response)))
        name = route.name
    }

    typealias Operations = (set: [(name: String, value: String)], add: [(name: String, value: String)], remove: [String])

    /// One list of operations with the same effect as `first`'s, then `route`'s, in Envoy's
    /// order (each removes, then adds): what the route removes or sets replaces what `first`
    /// did to that header.
    static func merge(_ route: Operations, over first: Operations) -> Operations {
        guard !first.set.isEmpty || !first.add.isEmpty || !first.remove.isEmpty else { return route }
        let replaced = Set(route.remove + route.set.map(\.name))
        let set = route.set + first.set.filter { !replaced.contains($0.name) }
        let add = first.add.filter { !replaced.contains($0.name) } + route.add
        let remove = route.remove + first.remove.filter { !route.remove.contains($0) }
        return (set, add, remove)
    }

    /// Whether a response with `status` (and gRPC status, if any) is retried.
    func retries(status: Int, grpcStatus: Int?) -> Bool {
        if retryOn.contains(.serverError) && status >= 500 && status < 600 { return true }
        if retryOn.contains(.gatewayError) && (status == 502 || status == 503 || status == 504) { return true }
        if retryOn.contains(.retriable4xx) && status == 409 { return true }
        if retryOn.contains(.retriableStatusCodes) && retriableStatusCodes.contains(status) { return true }
        if let grpc = grpcStatus {
            if retryOn.contains(.grpcCancelled) && grpc == 1 { return true }
            if retryOn.contains(.grpcDeadlineExceeded) && grpc == 4 { return true }
            if retryOn.contains(.grpcResourceExhausted) && grpc == 8 { return true }
            if retryOn.contains(.grpcInternal) && grpc == 13 { return true }
            if retryOn.contains(.grpcUnavailable) && grpc == 14 { return true }
        }
        return false
    }

    /// Whether a failure before any response is retried: a connection that could not be made,
    /// or one reset (or timed out per try) after the request was sent.
    func retries(connectFailure: Bool) -> Bool {
        if retryOn.contains(.serverError) || retryOn.contains(.gatewayError) || retryOn.contains(.reset) { return true }
        return connectFailure && retryOn.contains(.connectFailure)
    }

    /// Envoy's fully jittered exponential back-off: uniform in [0, (2^n − 1) × 25 ms], capped
    /// at 250 ms, for retry `n` (1-based).
    static func backoffNanos<R: RandomNumberGenerator>(retry n: Int, random: inout R) -> Int64 {
        let base: Int64 = 25_000_000
        let cap: Int64 = 250_000_000
        let factor = (Int64(1) << Int64(min(max(n, 1), 20))) - 1
        let ceiling = min(base * factor, cap)
        return Int64(random.next() % UInt64(ceiling))
    }
}
