import MeshModel
import MeshSecurity
import MeshYAML

extension TypeURL {
    public static let downstreamTLSContext = prefix + "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"
}

/// A sidecar's inbound side as a running proxy serves it: the listener in front of the local
/// application, the application's address, and the security the proxy enforces there.
public struct InboundSide: Sendable {
    /// The inbound listener (Istio's `0.0.0.0:15006`; meshctl's `--inbound`).
    public var address: String
    public var port: Int
    /// The local application (`--app`); its port is the workload port Istio's chains match.
    public var appAddress: String
    public var appPort: Int
    /// The PeerAuthentication mode in force on the application's port.
    public var mutualTLS: PeerAuthentication.Mode
    /// Whether the proxy holds a workload certificate: without one it takes no TLS at all.
    public var acceptsTLS: Bool
    /// The security policies behind the listener (nil when the proxy's inbound gate is not
    /// built from policies: no filters are shown for it then).
    public var policy: InboundPolicy?

    public init(
        address: String, port: Int, appAddress: String, appPort: Int, mutualTLS: PeerAuthentication.Mode,
        acceptsTLS: Bool, policy: InboundPolicy?
    ) {
        self.address = address
        self.port = port
        self.appAddress = appAddress
        self.appPort = appPort
        self.mutualTLS = mutualTLS
        self.acceptsTLS = acceptsTLS
        self.policy = policy
    }

    /// Istio's cluster for a workload port: `inbound|PORT||`.
    public var clusterName: String { "inbound|\(appPort)||" }

    /// The stat prefix of the connection manager Istio puts on a workload port:
    /// `inbound_0.0.0.0_PORT` (the chain's bind address is always the wildcard, whatever
    /// address the inbound listener has).
    public static func statPrefix(appPort: Int) -> String { "inbound_0.0.0.0_\(appPort)" }
}

/// The inbound listener and cluster of an Istio sidecar, for one workload port: `virtualInbound`
/// with a filter chain per transport the port accepts, each ending in an HTTP connection
/// manager whose inline route sends everything to `inbound|PORT||`.
///
/// What is left out, because meshctl's inbound side has no equivalent: the passthrough chains
/// (`InboundPassthroughCluster`, for ports no service declares) and the blackhole chain for
/// the listener's own port (meshctl takes every connection on the inbound address as bound for
/// the application, as iptables redirection would present it), Istio's own extensions
/// (`istio.metadata_exchange`, `istio_authn`, `istio.stats`: meshctl counts Istio's metrics
/// itself), the fault and CORS filters (the inbound side routes nothing) and ext_authz
/// (CUSTOM policies are reported, not enforced). What is there is what the proxy does.
struct InboundRenderer {
    let side: InboundSide

    /// Istio's ALPN match for mutual TLS from a peer sidecar on a PERMISSIVE port.
    static let istioMutualTLSProtocols: JSONValue = [
        "istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2",
    ]

    func listener() -> JSONValue {
        var chains: [JSONValue] = []
        // The proxy answers TLS whenever it has a certificate, and plaintext unless STRICT.
        if side.acceptsTLS { chains.append(filterChain(tls: true)) }
        if side.mutualTLS != .strict { chains.append(filterChain(tls: false)) }
        if chains.isEmpty {
            // STRICT without a certificate takes nothing; Envoy wants a chain all the same.
            chains.append(
                ListenerRenderer.tcpProxyChain(
                    "BlackHoleCluster", name: "virtualInbound-blackhole", match: ["destination_port": .int(Int64(side.appPort))]
                ))
        }
        var listenerFilters: [JSONValue] = [
            ["name": "envoy.filters.listener.original_dst", "typed_config": ["@type": .string(TypeURL.originalDestination)]]
        ]
        if side.acceptsTLS {
            listenerFilters.append([
                "name": "envoy.filters.listener.tls_inspector", "typed_config": ["@type": .string(TypeURL.tlsInspector)],
            ])
        }
        return [
            "@type": .string(TypeURL.listener),
            "name": "virtualInbound",
            "address": Proto.socketAddress(side.address, side.port),
            "filter_chains": .array(chains),
            "listener_filters": .array(listenerFilters),
            "continue_on_listener_filters_timeout": true,
            "traffic_direction": "INBOUND",
        ]
    }

    /// Istio's chains for an HTTP workload port: under STRICT one TLS chain without an ALPN
    /// condition; under PERMISSIVE a TLS chain for Istio's ALPN values and a `raw_buffer` one;
    /// under DISABLE the `raw_buffer` one. (meshctl answers TLS under DISABLE too when it has a
    /// certificate, and the dump says so with the PERMISSIVE chain.)
    func filterChain(tls: Bool) -> JSONValue {
        var match: [(String, JSONValue)] = [
            ("destination_port", .int(Int64(side.appPort))), ("transport_protocol", tls ? "tls" : "raw_buffer"),
        ]
        if tls && side.mutualTLS != .strict { match.append(("application_protocols", Self.istioMutualTLSProtocols)) }
        var fields: [(String, JSONValue)] = [("filter_chain_match", .object(match)), ("filters", [httpConnectionManager()])]
        if tls { fields.append(("transport_socket", transportSocket())) }
        fields.append(("name", .string("0.0.0.0_\(side.appPort)")))
        return .object(fields)
    }

    /// The workload certificate, the client's required and checked against the mesh root. The
    /// secret names are Istio's (`default`, `ROOTCA`); meshctl loads them from its CA or files,
    /// not over SDS, and checks no SAN prefix (Istio: `spiffe://TRUST_DOMAIN/`).
    func transportSocket() -> JSONValue {
        let source: JSONValue = ["ads": [:], "resource_api_version": "V3"]
        return [
            "name": "envoy.transport_sockets.tls",
            "typed_config": [
                "@type": .string(TypeURL.downstreamTLSContext),
                "common_tls_context": [
                    "tls_params": ["tls_minimum_protocol_version": "TLSv1_2"],
                    "tls_certificate_sds_secret_configs": [["name": "default", "sds_config": source]],
                    "validation_context_sds_secret_config": ["name": "ROOTCA", "sds_config": source],
                ],
                "require_client_certificate": true,
            ],
        ]
    }

    func httpConnectionManager() -> JSONValue {
        var config: [(String, JSONValue)] = [
            ("@type", .string(TypeURL.httpConnectionManager)),
            ("stat_prefix", .string(InboundSide.statPrefix(appPort: side.appPort))),
            ("route_config", routeConfiguration()),
            ("http_filters", .array(httpFilters())),
            ("access_log", ListenerRenderer.accessLog),
            ("generate_request_id", true),
        ]
        if side.acceptsTLS {
            // The peer's identity replaces any x-forwarded-client-cert header (Istio appends to
            // it; a plaintext caller's header is passed on as sent).
            config.append(("forward_client_cert_details", "SANITIZE_SET"))
            config.append(("set_current_client_cert_details", ["uri": true]))
        }
        return ["name": "envoy.filters.network.http_connection_manager", "typed_config": .object(config)]
    }

    /// Authentication, authorization and rate limits in the order the proxy applies them
    /// (JWT 401, then RBAC 403, then the local rate limit 429), then the router.
    func httpFilters() -> [JSONValue] {
        var filters: [JSONValue] = []
        if let policy = side.policy {
            if !policy.authentication.isEmpty { filters.append(SecurityFilters.jwtAuthentication(policy.authentication)) }
            filters += SecurityFilters.rbac(policy.authorization.resources)
            // An HTTP_FILTER patch's value is the filter Istio inserts (Istio's example puts it
            // before the router, where it is here whatever the patch's operation).
            for patch in policy.rateLimit(port: side.appPort)?.filterPatches ?? [] {
                filters.append(
                    SecurityFilters.patchValue(
                        patch, type: "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter"))
            }
        }
        filters.append(["name": "envoy.filters.http.router", "typed_config": ["@type": .string(TypeURL.router)]])
        return filters
    }

    /// Istio's inline route for the port: every request to `inbound|PORT||`, no timeout;
    /// `HTTP_ROUTE` rate-limit patches merged into the route as Istio merges them.
    func routeConfiguration() -> JSONValue {
        var route: JSONValue = [
            "name": "default",
            "match": ["prefix": "/"],
            "route": ["cluster": .string(side.clusterName), "timeout": "0s"],
        ]
        if let limit = side.policy?.rateLimit(port: side.appPort) {
            for patch in limit.routePatches {
                route = SecurityFilters.merge(route, SecurityFilters.patchValue(patch, type: "envoy.config.route.v3.Route"))
            }
        }
        return [
            "name": .string(side.clusterName),
            "virtual_hosts": [
                [
                    "name": .string(InboundRateLimit.virtualHostName(port: side.appPort)), "domains": ["*"],
                    "routes": [route],
                ]
            ],
            "validate_clusters": false,
        ]
    }

    /// The application's cluster: STATIC at its address, as Istio builds it for a Sidecar
    /// ingress listener with a `defaultEndpoint` (for pods Istio uses ORIGINAL_DST instead).
    func cluster() -> JSONValue {
        [
            "@type": .string(TypeURL.cluster),
            "name": .string(side.clusterName),
            "type": "STATIC",
            "connect_timeout": "10s",
            "circuit_breakers": ClusterRenderer.circuitBreakers(nil),
            "load_assignment": [
                "cluster_name": .string(side.clusterName),
                "endpoints": [
                    ["lb_endpoints": [["endpoint": ["address": Proto.socketAddress(side.appAddress, side.appPort)]]]]
                ],
            ],
        ]
    }
}
