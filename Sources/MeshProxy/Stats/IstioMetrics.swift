import MeshRouting
import Prometheus
import Synchronization

/// Istio's standard metrics (`istio_requests_total`, `istio_request_duration_milliseconds`),
/// labelled as an Istio sidecar labels them, through swift-prometheus.
///
/// A label combination is registered once; each worker keeps the handles it has used in a
/// table keyed by cluster, host and status, so the request path never builds label strings.
public final class IstioMetrics: Sendable {
    /// Envoy's default histogram buckets, in milliseconds.
    public static let durationBuckets: [Double] = [
        0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300_000, 600_000, 1_800_000, 3_600_000,
    ]

    public let registry = PrometheusCollectorRegistry()
    static var requestsTotal: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "istio_requests", unitName: "total", helpText: "Requests, by source and destination.")
    }
    static var requestDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "istio_request_duration", unitName: "milliseconds", helpText: "Request duration in milliseconds.")
    }
    let identity: ProxyIdentity
    let workload: String

    public init(identity: ProxyIdentity, workload: String) {
        self.identity = identity
        self.workload = workload
    }

    /// The handles for one combination of destination, status and flags.
    final class Handles: Sendable {
        let requests: Counter
        let duration: ValueHistogram
        init(requests: Counter, duration: ValueHistogram) {
            self.requests = requests
            self.duration = duration
        }
    }

    func handles(cluster: ClusterRuntime?, host: UpstreamHost?, status: Int, flags: ResponseFlags) -> Handles {
        let service = cluster?.service ?? "unknown"
        let version = host?.version ?? "unknown"
        let app = identity.labels["app"] ?? workload
        let labels: [(String, String)] = [
            ("reporter", "source"),
            ("source_workload", workload),
            ("source_workload_namespace", identity.namespace),
            ("source_principal", "unknown"),
            ("source_app", app),
            ("source_version", identity.labels["version"] ?? "unknown"),
            ("source_canonical_service", app),
            ("source_canonical_revision", identity.labels["version"] ?? "latest"),
            ("source_cluster", "Kubernetes"),
            ("destination_workload", host?.labels["app"].map { "\($0)-\(version)" } ?? "unknown"),
            ("destination_workload_namespace", cluster?.serviceNamespace ?? "unknown"),
            ("destination_principal", "unknown"),
            ("destination_app", host?.labels["app"] ?? "unknown"),
            ("destination_version", version),
            ("destination_service", service),
            ("destination_service_name", cluster?.serviceName ?? "unknown"),
            ("destination_service_namespace", cluster?.serviceNamespace ?? "unknown"),
            ("destination_canonical_service", host?.labels["app"] ?? cluster?.serviceName ?? "unknown"),
            ("destination_canonical_revision", host?.labels["version"] ?? "latest"),
            ("destination_cluster", "Kubernetes"),
            ("request_protocol", "http"),
            ("response_code", String(status)),
            ("grpc_response_status", ""),
            ("response_flags", flags.description),
            ("connection_security_policy", "unknown"),
        ]
        return Handles(
            requests: registry.makeCounter(descriptor: Self.requestsTotal, labels: labels),
            duration: registry.makeValueHistogram(descriptor: Self.requestDuration, labels: labels, buckets: Self.durationBuckets)
        )
    }
}

/// Envoy's response flags, as a set; printed comma-separated, `-` when empty.
public struct ResponseFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let noHealthyUpstream = ResponseFlags(rawValue: 1 << 0)  // UH
    public static let upstreamConnectionFailure = ResponseFlags(rawValue: 1 << 1)  // UF
    public static let upstreamOverflow = ResponseFlags(rawValue: 1 << 2)  // UO
    public static let noRoute = ResponseFlags(rawValue: 1 << 3)  // NR
    public static let upstreamRetryLimitExceeded = ResponseFlags(rawValue: 1 << 4)  // URX
    public static let upstreamConnectionTermination = ResponseFlags(rawValue: 1 << 5)  // UC
    public static let upstreamRequestTimeout = ResponseFlags(rawValue: 1 << 6)  // UT
    public static let delayInjected = ResponseFlags(rawValue: 1 << 7)  // DI
    public static let faultInjected = ResponseFlags(rawValue: 1 << 8)  // FI
    public static let upstreamProtocolError = ResponseFlags(rawValue: 1 << 9)  // UPE
    public static let downstreamConnectionTermination = ResponseFlags(rawValue: 1 << 10)  // DC
    public static let noClusterFound = ResponseFlags(rawValue: 1 << 11)  // NC
    public static let streamIdleTimeout = ResponseFlags(rawValue: 1 << 12)  // SI
    public static let downstreamProtocolError = ResponseFlags(rawValue: 1 << 13)  // DPE

    static let names: [(ResponseFlags, String)] = [
        (.downstreamConnectionTermination, "DC"), (.delayInjected, "DI"), (.faultInjected, "FI"), (.noClusterFound, "NC"),
        (.noRoute, "NR"), (.streamIdleTimeout, "SI"), (.upstreamConnectionTermination, "UC"),
        (.upstreamConnectionFailure, "UF"), (.noHealthyUpstream, "UH"), (.upstreamOverflow, "UO"),
        (.upstreamProtocolError, "UPE"), (.upstreamRequestTimeout, "UT"), (.upstreamRetryLimitExceeded, "URX"),
        (.downstreamProtocolError, "DPE"),
    ]

    /// The flag for a routing failure's short name (`UH`, `NC`, `NR`, `FI`).
    public init(name: String?) {
        let entry = name.flatMap { name in Self.names.first { $0.1 == name } }
        self.init(rawValue: entry?.0.rawValue ?? 0)
    }

    public var description: String {
        if isEmpty { return "-" }
        return Self.names.filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}
