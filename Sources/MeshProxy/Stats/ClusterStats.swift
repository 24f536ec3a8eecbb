import Synchronization

/// A cluster's stats under Envoy's names (`cluster.NAME.upstream_rq_total`, ...), resolved once
/// per cluster. Per-status counters (`upstream_rq_503`) are made on first use.
public final class ClusterStats: Sendable {
    public let prefix: String
    public let name: String
    let store: StatStore
    let rqTotal: Stat
    let rqCompleted: Stat
    let rq2xx: Stat
    let rq3xx: Stat
    let rq4xx: Stat
    let rq5xx: Stat
    let rqActive: Stat
    let rqRetry: Stat
    let rqRetrySuccess: Stat
    let rqRetryOverflow: Stat
    let rqPendingOverflow: Stat
    let rqPendingTotal: Stat
    let rqPendingActive: Stat
    let rqTimeout: Stat
    let rqPerTryTimeout: Stat
    let cxTotal: Stat
    let cxActive: Stat
    let cxConnectFail: Stat
    let cxOverflow: Stat
    let cxDestroy: Stat
    let membershipTotal: Stat
    let membershipHealthy: Stat
    let ejectionsEnforcedTotal: Stat
    let ejectionsActive: Stat
    let ejectionsConsecutive5xx: Stat
    let ejectionsConsecutiveGateway: Stat
    let ejectionsOverflow: Stat
    let ejectionsDetectedConsecutive5xx: Stat
    let ejectionsDetectedConsecutiveGateway: Stat
    private let byStatus = Mutex<[Int: Stat]>([:])
    /// `upstream_rq_200`, the most common, at hand.
    let rq200: Stat

    init(cluster: String, store: StatStore) {
        let p = "cluster.\(cluster)."
        prefix = p
        name = cluster
        self.store = store
        rq200 = store.counter(
            p + "upstream_rq_200",
            prometheus: ("envoy_cluster_upstream_rq", [("response_code", "200"), ("cluster_name", cluster)]))
        rqTotal = store.counter(p + "upstream_rq_total", prometheus: Self.tagged("upstream_rq_total", cluster))
        rqCompleted = store.counter(p + "upstream_rq_completed", prometheus: Self.tagged("upstream_rq_completed", cluster))
        rq2xx = store.counter(p + "upstream_rq_2xx", prometheus: Self.tagged("upstream_rq_2xx", cluster))
        rq3xx = store.counter(p + "upstream_rq_3xx", prometheus: Self.tagged("upstream_rq_3xx", cluster))
        rq4xx = store.counter(p + "upstream_rq_4xx", prometheus: Self.tagged("upstream_rq_4xx", cluster))
        rq5xx = store.counter(p + "upstream_rq_5xx", prometheus: Self.tagged("upstream_rq_5xx", cluster))
        rqActive = store.gauge(p + "upstream_rq_active", prometheus: Self.tagged("upstream_rq_active", cluster))
        rqRetry = store.counter(p + "upstream_rq_retry", prometheus: Self.tagged("upstream_rq_retry", cluster))
        rqRetrySuccess = store.counter(
            p + "upstream_rq_retry_success", prometheus: Self.tagged("upstream_rq_retry_success", cluster))
        rqRetryOverflow = store.counter(
            p + "upstream_rq_retry_overflow", prometheus: Self.tagged("upstream_rq_retry_overflow", cluster))
        rqPendingOverflow = store.counter(
            p + "upstream_rq_pending_overflow", prometheus: Self.tagged("upstream_rq_pending_overflow", cluster))
        rqPendingTotal = store.counter(
            p + "upstream_rq_pending_total", prometheus: Self.tagged("upstream_rq_pending_total", cluster))
        rqPendingActive = store.gauge(
            p + "upstream_rq_pending_active", prometheus: Self.tagged("upstream_rq_pending_active", cluster))
        rqTimeout = store.counter(p + "upstream_rq_timeout", prometheus: Self.tagged("upstream_rq_timeout", cluster))
        rqPerTryTimeout = store.counter(
            p + "upstream_rq_per_try_timeout", prometheus: Self.tagged("upstream_rq_per_try_timeout", cluster))
        cxTotal = store.counter(p + "upstream_cx_total", prometheus: Self.tagged("upstream_cx_total", cluster))
        cxActive = store.gauge(p + "upstream_cx_active", prometheus: Self.tagged("upstream_cx_active", cluster))
        cxConnectFail = store.counter(
            p + "upstream_cx_connect_fail", prometheus: Self.tagged("upstream_cx_connect_fail", cluster))
        cxOverflow = store.counter(p + "upstream_cx_overflow", prometheus: Self.tagged("upstream_cx_overflow", cluster))
        cxDestroy = store.counter(p + "upstream_cx_destroy", prometheus: Self.tagged("upstream_cx_destroy", cluster))
        membershipTotal = store.gauge(p + "membership_total", prometheus: Self.tagged("membership_total", cluster))
        membershipHealthy = store.gauge(p + "membership_healthy", prometheus: Self.tagged("membership_healthy", cluster))
        ejectionsEnforcedTotal = store.counter(
            p + "outlier_detection.ejections_enforced_total",
            prometheus: Self.tagged("outlier_detection.ejections_enforced_total", cluster))
        ejectionsActive = store.gauge(
            p + "outlier_detection.ejections_active", prometheus: Self.tagged("outlier_detection.ejections_active", cluster))
        ejectionsConsecutive5xx = store.counter(
            p + "outlier_detection.ejections_enforced_consecutive_5xx",
            prometheus: Self.tagged("outlier_detection.ejections_enforced_consecutive_5xx", cluster))
        ejectionsConsecutiveGateway = store.counter(
            p + "outlier_detection.ejections_enforced_consecutive_gateway_failure",
            prometheus: Self.tagged("outlier_detection.ejections_enforced_consecutive_gateway_failure", cluster))
        ejectionsOverflow = store.counter(
            p + "outlier_detection.ejections_overflow", prometheus: Self.tagged("outlier_detection.ejections_overflow", cluster))
        ejectionsDetectedConsecutive5xx = store.counter(
            p + "outlier_detection.ejections_detected_consecutive_5xx",
            prometheus: Self.tagged("outlier_detection.ejections_detected_consecutive_5xx", cluster))
        ejectionsDetectedConsecutiveGateway = store.counter(
            p + "outlier_detection.ejections_detected_consecutive_gateway_failure",
            prometheus: Self.tagged("outlier_detection.ejections_detected_consecutive_gateway_failure", cluster))
    }

    /// Istio's Prometheus form of a cluster stat: `envoy_cluster_STAT{cluster_name="..."}`.
    static func tagged(_ stat: String, _ cluster: String) -> (name: String, labels: [(String, String)]) {
        istioTagged(stat, family: "envoy_cluster_", scope: ("cluster_name", cluster))
    }

    /// Istio's Prometheus form of an Envoy stat, as the `stats_tags` of its sidecar bootstrap
    /// make it: `family` and the stat with `_` for `.`, labelled by its scope (`cluster_name`,
    /// `http_conn_manager_prefix`). A response-class counter (`upstream_rq_5xx`,
    /// `downstream_rq_2xx`) loses its class to the `response_code_class` label:
    /// `envoy_cluster_upstream_rq{response_code_class="5xx",cluster_name="..."}`, beside the
    /// per-code series of the same name.
    static func istioTagged(_ stat: String, family: String, scope: (String, String)) -> (
        name: String, labels: [(String, String)]
    ) {
        let flat = stat.replacingOccurrences(of: ".", with: "_")
        let utf8 = Array(flat.utf8)
        // Istio's regex for the class: `_rq(_(\dxx))$`.
        if utf8.count > 7, flat.hasSuffix("xx"), utf8[utf8.count - 4] == UInt8(ascii: "_"),
            (0x30...0x39).contains(utf8[utf8.count - 3]), flat.dropLast(4).hasSuffix("_rq")
        {
            return (family + flat.dropLast(4), [("response_code_class", String(flat.suffix(3))), scope])
        }
        return (family + flat, [scope])
    }

    /// `upstream_rq_<code>`; callers cache it per worker so the lock is taken once per code.
    func status(_ code: Int) -> Stat {
        byStatus.withLock { map in
            if let stat = map[code] { return stat }
            let stat = store.counter(
                prefix + "upstream_rq_\(code)",
                prometheus: ("envoy_cluster_upstream_rq", [("response_code", String(code)), ("cluster_name", name)]))
            map[code] = stat
            return stat
        }
    }

    /// The class counter (`upstream_rq_5xx`) for a status.
    @inline(__always) func statusClass(_ code: Int) -> Stat? {
        switch code / 100 {
        case 2: rq2xx
        case 3: rq3xx
        case 4: rq4xx
        case 5: rq5xx
        default: nil
        }
    }
}

/// The HTTP connection manager's stats for a listener (`http.PREFIX.`), with the fault
/// filter's under it, as Envoy names them.
public final class ListenerStats: Sendable {
    public let prefix: String
    let rqTotal: Stat
    let rq2xx: Stat
    let rq3xx: Stat
    let rq4xx: Stat
    let rq5xx: Stat
    let rqActive: Stat
    let cxTotal: Stat
    let cxActive: Stat
    let cxProtocolError: Stat
    let rqTimeout: Stat
    let faultAbortsInjected: Stat
    let faultDelaysInjected: Stat
    let noRoute: Stat
    let noCluster: Stat
    let rqRedirect: Stat
    let rqDirectResponse: Stat
    // The inbound side's filters.
    let rbacAllowed: Stat
    let rbacDenied: Stat
    let jwtDenied: Stat
    let rateLimited: Stat
    let plaintextRefused: Stat

    init(statPrefix: String, store: StatStore) {
        let p = "http.\(statPrefix)."
        prefix = p
        rqTotal = store.counter(
            p + "downstream_rq_total",
            prometheus: (
                "envoy_http_" + "downstream_rq_total".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
        rq2xx = store.counter(
            p + "downstream_rq_2xx",
            prometheus: ClusterStats.istioTagged(
                "downstream_rq_2xx", family: "envoy_http_", scope: ("http_conn_manager_prefix", statPrefix)))
        rq3xx = store.counter(
            p + "downstream_rq_3xx",
            prometheus: ClusterStats.istioTagged(
                "downstream_rq_3xx", family: "envoy_http_", scope: ("http_conn_manager_prefix", statPrefix)))
        rq4xx = store.counter(
            p + "downstream_rq_4xx",
            prometheus: ClusterStats.istioTagged(
                "downstream_rq_4xx", family: "envoy_http_", scope: ("http_conn_manager_prefix", statPrefix)))
        rq5xx = store.counter(
            p + "downstream_rq_5xx",
            prometheus: ClusterStats.istioTagged(
                "downstream_rq_5xx", family: "envoy_http_", scope: ("http_conn_manager_prefix", statPrefix)))
        rqActive = store.gauge(
            p + "downstream_rq_active",
            prometheus: (
                "envoy_http_" + "downstream_rq_active".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
        cxTotal = store.counter(
            p + "downstream_cx_total",
            prometheus: (
                "envoy_http_" + "downstream_cx_total".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
        cxActive = store.gauge(
            p + "downstream_cx_active",
            prometheus: (
                "envoy_http_" + "downstream_cx_active".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
        cxProtocolError = store.counter(
            p + "downstream_cx_protocol_error",
            prometheus: (
                "envoy_http_" + "downstream_cx_protocol_error".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
        rqTimeout = store.counter(
            p + "downstream_rq_timeout",
            prometheus: (
                "envoy_http_" + "downstream_rq_timeout".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
        faultAbortsInjected = store.counter(
            p + "fault.aborts_injected",
            prometheus: (
                "envoy_http_" + "fault.aborts_injected".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
        faultDelaysInjected = store.counter(
            p + "fault.delays_injected",
            prometheus: (
                "envoy_http_" + "fault.delays_injected".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
        noRoute = store.counter(
            p + "no_route",
            prometheus: (
                "envoy_http_" + "no_route".replacingOccurrences(of: ".", with: "_"), [("http_conn_manager_prefix", statPrefix)]
            ))
        noCluster = store.counter(
            p + "no_cluster",
            prometheus: (
                "envoy_http_" + "no_cluster".replacingOccurrences(of: ".", with: "_"), [("http_conn_manager_prefix", statPrefix)]
            ))
        rqRedirect = store.counter(
            p + "rq_redirect",
            prometheus: (
                "envoy_http_" + "rq_redirect".replacingOccurrences(of: ".", with: "_"), [("http_conn_manager_prefix", statPrefix)]
            ))
        rbacAllowed = store.counter(
            p + "rbac.allowed", prometheus: ("envoy_http_rbac_allowed", [("http_conn_manager_prefix", statPrefix)]))
        rbacDenied = store.counter(
            p + "rbac.denied", prometheus: ("envoy_http_rbac_denied", [("http_conn_manager_prefix", statPrefix)]))
        jwtDenied = store.counter(
            p + "jwt_authn.denied", prometheus: ("envoy_http_jwt_authn_denied", [("http_conn_manager_prefix", statPrefix)]))
        rateLimited = store.counter(
            p + "local_rate_limit.rate_limited",
            prometheus: ("envoy_http_local_rate_limit_rate_limited", [("http_conn_manager_prefix", statPrefix)]))
        plaintextRefused = store.counter(
            p + "meshctl.plaintext_refused",
            prometheus: ("envoy_http_meshctl_plaintext_refused", [("http_conn_manager_prefix", statPrefix)]))
        rqDirectResponse = store.counter(
            p + "rq_direct_response",
            prometheus: (
                "envoy_http_" + "rq_direct_response".replacingOccurrences(of: ".", with: "_"),
                [("http_conn_manager_prefix", statPrefix)]
            ))
    }

    @inline(__always) func statusClass(_ code: Int) -> Stat? {
        switch code / 100 {
        case 2: rq2xx
        case 3: rq3xx
        case 4: rq4xx
        case 5: rq5xx
        default: nil
        }
    }
}
