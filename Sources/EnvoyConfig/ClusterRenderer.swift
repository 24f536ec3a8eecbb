import MeshModel
import MeshRouting
import MeshYAML

/// Clusters: one per registered service port, one per DestinationRule subset of it, and the
/// Passthrough and BlackHole clusters, named `outbound|PORT|SUBSET|FQDN` as Istio names them.
struct ClusterRenderer {
    let table: RouteTable

    /// Istio's circuit-breaker defaults: effectively unlimited.
    static let unlimited = 4_294_967_295

    /// DNS cache of the dynamic forward proxy (the cluster and the HTTP filter share it).
    static let dnsCacheConfig: JSONValue = ["name": "dynamic_forward_proxy_cache_config", "dns_lookup_family": "V4_ONLY"]

    func clusters() -> [JSONValue] {
        var rendered: [String: JSONValue] = [:]
        for target in table.definedClusters() {
            guard let service = target.service, let port = service.ports.first(where: { $0.number == target.port }) else {
                continue
            }
            rendered[target.cluster] = cluster(
                name: target.cluster, service: service, port: port, endpoints: target.endpoints, policy: target.policy,
                subset: target.subset, rule: target.destinationRule)
        }
        // Clusters routes refer to on ports the registry does not list, and for hosts it does not
        // list at all: those are EDS clusters, as Istio makes for a Kubernetes service.
        for (name, target) in table.targets where rendered[name] == nil {
            let port = Registry.Port(number: target.port, name: "port-\(target.port)", protocolName: "HTTP")
            let service =
                target.service
                ?? Registry.Service(
                    fqdn: target.host, namespace: Self.namespace(of: target.host), ports: [port], endpoints: [],
                    resolution: "EDS",
                    external: false, origin: "", resource: nil)
            rendered[name] = cluster(
                name: name, service: service, port: port, endpoints: target.endpoints, policy: target.policy,
                subset: target.subset,
                rule: target.destinationRule)
        }
        rendered["BlackHoleCluster"] = [
            "@type": .string(TypeURL.cluster), "name": "BlackHoleCluster", "type": "STATIC", "connect_timeout": "10s",
            "load_assignment": ["cluster_name": "BlackHoleCluster"],
        ]
        rendered["PassthroughCluster"] = [
            "@type": .string(TypeURL.cluster), "name": "PassthroughCluster", "type": "ORIGINAL_DST", "connect_timeout": "10s",
            "lb_policy": "CLUSTER_PROVIDED", "circuit_breakers": Self.circuitBreakers(nil),
        ]
        if table.outboundMode == .allowAnyDynamicDNS {
            // ALLOW_ANY_DYNAMIC_DNS: plaintext HTTP to unknown hosts is resolved per request.
            rendered["AllowAnyDynamicDNSCluster"] = [
                "@type": .string(TypeURL.cluster), "name": "AllowAnyDynamicDNSCluster", "connect_timeout": "10s",
                "lb_policy": "CLUSTER_PROVIDED",
                "cluster_type": [
                    "name": "envoy.clusters.dynamic_forward_proxy",
                    "typed_config": [
                        "@type": .string(TypeURL.dynamicForwardProxyCluster), "dns_cache_config": Self.dnsCacheConfig,
                    ],
                ],
                "circuit_breakers": Self.circuitBreakers(nil),
            ]
        }
        return rendered.keys.sorted().map { rendered[$0]! }
    }

    /// `reviews.prod.svc.cluster.local` → `prod`.
    static func namespace(of fqdn: String) -> String {
        let parts = fqdn.split(separator: ".")
        return fqdn.hasSuffix(".svc.cluster.local") && parts.count >= 2 ? String(parts[1]) : "default"
    }

    func cluster(
        name: String, service: Registry.Service, port: Registry.Port, endpoints: [Registry.Endpoint], policy: TrafficPolicy?,
        subset: String?, rule: Resource?
    ) -> JSONValue {
        var fields: [(String, JSONValue)] = [("@type", .string(TypeURL.cluster)), ("name", .string(name))]
        let lb = loadBalancer(policy?.loadBalancer)
        let passthrough = service.resolution == "NONE" || lb == "CLUSTER_PROVIDED"
        let dns = service.resolution.hasPrefix("DNS")
        let eds = service.resolution == "EDS"
        let type = passthrough ? "ORIGINAL_DST" : dns ? "STRICT_DNS" : eds ? "EDS" : "STATIC"
        fields.append(("type", .string(type)))
        if eds {
            fields.append(
                (
                    "eds_cluster_config",
                    ["eds_config": ["ads": [:], "resource_api_version": "V3"], "service_name": .string(name)]
                ))
        }
        fields.append(("connect_timeout", policy?.connectionPool?.tcp?.connectTimeout.map(Proto.duration) ?? "10s"))
        fields.append(("lb_policy", .string(passthrough ? "CLUSTER_PROVIDED" : lb)))
        if let hash = policy?.loadBalancer?.consistentHash {
            if lb == "RING_HASH" {
                fields.append(("ring_hash_lb_config", ["minimum_ring_size": .string(String(hash.minimumRingSize ?? 1024))]))
            } else if lb == "MAGLEV", let size = hash.maglevTableSize {
                fields.append(("maglev_lb_config", ["table_size": .int(Int64(size))]))
            }
        }
        if dns { fields.append(("dns_lookup_family", "V4_ONLY")) }
        fields.append(("circuit_breakers", Self.circuitBreakers(policy?.connectionPool)))
        if let outlier = policy?.outlierDetection { fields.append(("outlier_detection", outlierDetection(outlier))) }
        if let minHealth = policy?.outlierDetection?.minHealthPercent?.value {
            fields.append(("common_lb_config", ["healthy_panic_threshold": ["value": .double(Double(minHealth))]]))
        }
        if let options = protocolOptions(policy?.connectionPool?.http) {
            fields.append(
                ("typed_extension_protocol_options", ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions": options]))
        }
        if !passthrough && !eds {
            var lbEndpoints: [JSONValue] = endpoints.map { endpoint in
                [
                    "endpoint": [
                        "address": [
                            "socket_address": [
                                "address": .string(endpoint.address), "port_value": .int(Int64(endpoint.targetPort(for: port))),
                            ]
                        ]
                    ],
                    "metadata": [
                        "filter_metadata": [
                            "istio": [
                                "labels": .object(endpoint.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                            ]
                        ]
                    ],
                    "load_balancing_weight": .int(Int64(max(endpoint.weight, 1))),
                ]
            }
            if dns && endpoints.isEmpty {
                lbEndpoints = [
                    [
                        "endpoint": [
                            "address": [
                                "socket_address": ["address": .string(service.fqdn), "port_value": .int(Int64(port.number))]
                            ]
                        ]
                    ]
                ]
            }
            fields.append(
                (
                    "load_assignment",
                    [
                        "cluster_name": .string(name),
                        "endpoints": lbEndpoints.isEmpty ? [] : [["lb_endpoints": .array(lbEndpoints)]],
                    ]
                ))
        }
        var istio: [(String, JSONValue)] = [
            (
                "services",
                [
                    [
                        "host": .string(service.fqdn), "name": .string(String(service.fqdn.split(separator: ".").first ?? "")),
                        "namespace": .string(service.namespace),
                    ]
                ]
            )
        ]
        if let subset { istio.append(("subset", .string(subset))) }
        if let rule { istio.append(("config", .string(Proto.configPath(rule)))) }
        fields.append(("metadata", ["filter_metadata": ["istio": .object(istio)]]))
        return .object(fields)
    }

    func loadBalancer(_ lb: LoadBalancerSettings?) -> String {
        if let hash = lb?.consistentHash { return hash.maglevTableSize != nil ? "MAGLEV" : "RING_HASH" }
        switch lb?.simple?.value {
        case "ROUND_ROBIN": return "ROUND_ROBIN"
        case "RANDOM": return "RANDOM"
        case "PASSTHROUGH": return "CLUSTER_PROVIDED"
        default: return "LEAST_REQUEST"
        }
    }

    static func circuitBreakers(_ pool: ConnectionPoolSettings?) -> JSONValue {
        func limit(_ value: Located<Int>?) -> JSONValue {
            .int(Int64(value.map { $0.value > 0 ? $0.value : Self.unlimited } ?? Self.unlimited))
        }
        return [
            "thresholds": [
                [
                    "max_connections": limit(pool?.tcp?.maxConnections),
                    "max_pending_requests": limit(pool?.http?.http1MaxPendingRequests),
                    "max_requests": limit(pool?.http?.http2MaxRequests),
                    "max_retries": limit(pool?.http?.maxRetries),
                    "track_remaining": true,
                ]
            ]
        ]
    }

    /// Istio's translation: consecutive5xxErrors → consecutive_5xx, consecutiveGatewayErrors
    /// (and the deprecated consecutiveErrors) → consecutive_gateway_failure; success-rate
    /// ejection off.
    func outlierDetection(_ o: OutlierDetection) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        let fiveXX = o.consecutive5xxErrors?.value
        let gateway = o.consecutiveGatewayErrors?.value ?? o.consecutiveErrors?.value
        if let fiveXX {
            fields.append(("consecutive_5xx", .int(Int64(fiveXX))))
            fields.append(("enforcing_consecutive_5xx", .int(fiveXX > 0 ? 100 : 0)))
        } else if gateway != nil {
            fields.append(("enforcing_consecutive_5xx", 0))
        }
        if let gateway, gateway > 0 {
            fields.append(("consecutive_gateway_failure", .int(Int64(gateway))))
            fields.append(("enforcing_consecutive_gateway_failure", 100))
        }
        if let interval = o.interval { fields.append(("interval", Proto.duration(interval))) }
        if let base = o.baseEjectionTime { fields.append(("base_ejection_time", Proto.duration(base))) }
        if let max = o.maxEjectionPercent { fields.append(("max_ejection_percent", .int(Int64(max.value)))) }
        fields.append(("enforcing_success_rate", 0))
        return .object(fields)
    }

    func protocolOptions(_ http: ConnectionPoolSettings.HTTP?) -> JSONValue? {
        guard let http, http.maxRequestsPerConnection != nil || http.idleTimeout != nil else { return nil }
        var common: [(String, JSONValue)] = []
        if let idle = http.idleTimeout { common.append(("idle_timeout", Proto.duration(idle))) }
        if let max = http.maxRequestsPerConnection, max.value > 0 {
            common.append(("max_requests_per_connection", .int(Int64(max.value))))
        }
        return [
            "@type": .string(TypeURL.httpProtocolOptions),
            "common_http_protocol_options": .object(common),
            "explicit_http_config": ["http_protocol_options": [:]],
        ]
    }
}
