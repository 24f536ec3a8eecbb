import MeshModel
import MeshRouting
import MeshYAML

extension TypeURL {
    public static let tcpProxy = prefix + "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"
    public static let tlsInspector = prefix + "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"
    public static let httpInspector = prefix + "envoy.extensions.filters.listener.http_inspector.v3.HttpInspector"
    public static let originalDestination = prefix + "envoy.extensions.filters.listener.original_dst.v3.OriginalDst"
    public static let dynamicForwardProxyFilter = prefix + "envoy.extensions.filters.http.dynamic_forward_proxy.v3.FilterConfig"
    public static let dynamicForwardProxyCluster = prefix + "envoy.extensions.clusters.dynamic_forward_proxy.v3.ClusterConfig"
}

/// The listeners of an Istio proxy: for a sidecar, `virtualOutbound` at the proxy's listen
/// address, an outbound `0.0.0.0_PORT` listener per HTTP port (its routes by RDS, named by
/// the port) and a listener per TCP/TLS service port (`VIP_PORT`, or `0.0.0.0_PORT` without a
/// virtual IP) with `tcp_proxy` filter chains matched by destination subnet and SNI; for a
/// gateway, one listener per server port.
struct ListenerRenderer {
    let table: RouteTable
    let listenAddress: String
    let listenPort: Int

    /// Istio's access log on every connection manager: Envoy's file logger to standard output.
    static let accessLog: JSONValue = [
        [
            "name": "envoy.access_loggers.file",
            "typed_config": ["@type": .string(TypeURL.fileAccessLog), "path": "/dev/stdout"],
        ]
    ]

    /// The cluster connections nothing else takes go to.
    var fallthroughCluster: String { table.outboundMode.allowsUnknown ? "PassthroughCluster" : "BlackHoleCluster" }

    func listeners() -> [JSONValue] {
        var out: [JSONValue] = []
        if !table.isGateway { out.append(virtualOutbound()) }
        var rendered = Set<String>()
        for config in table.routeConfigurations {
            let name = "0.0.0.0_\(config.port)"
            rendered.insert(name)
            // A port without a declared protocol also carries TCP: its chains share the listener.
            let tcp = table.tcpListeners.first { $0.name == name }
            out.append(httpListener(config, tcp: tcp))
        }
        for listener in table.tcpListeners where !rendered.contains(listener.name) {
            out.append(tcpListener(listener))
        }
        return out
    }

    static func tcpProxyChain(_ cluster: String, name: String? = nil, match: JSONValue? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if let match { fields.append(("filter_chain_match", match)) }
        fields.append(
            (
                "filters",
                [
                    [
                        "name": "envoy.filters.network.tcp_proxy",
                        "typed_config": [
                            "@type": .string(TypeURL.tcpProxy), "stat_prefix": .string(cluster), "cluster": .string(cluster),
                        ],
                    ]
                ]
            ))
        if let name { fields.append(("name", .string(name))) }
        return .object(fields)
    }

    /// Istio's `virtualOutbound`: every outbound connection arrives here and is handed to the
    /// listener for its original destination; what no listener takes passes through (or is
    /// blackholed under REGISTRY_ONLY).
    func virtualOutbound() -> JSONValue {
        [
            "@type": .string(TypeURL.listener),
            "name": "virtualOutbound",
            "address": Proto.socketAddress(listenAddress, listenPort),
            "filter_chains": [
                Self.tcpProxyChain(
                    "BlackHoleCluster", name: "virtualOutbound-blackhole",
                    match: ["destination_port": .int(Int64(listenPort))]),
                Self.tcpProxyChain(fallthroughCluster, name: "virtualOutbound-catchall-tcp"),
            ],
            "use_original_dst": true,
            "traffic_direction": "OUTBOUND",
        ]
    }

    func httpConnectionManager(_ config: RouteTable.RouteConfiguration, statPrefix: String) -> JSONValue {
        var filters: [JSONValue] = [["name": "envoy.filters.http.fault", "typed_config": ["@type": .string(TypeURL.fault)]]]
        if case .allowAny(let cluster) = config.catchAll, cluster == "AllowAnyDynamicDNSCluster" {
            filters.append([
                "name": "envoy.filters.http.dynamic_forward_proxy",
                "typed_config": [
                    "@type": .string(TypeURL.dynamicForwardProxyFilter),
                    "dns_cache_config": ClusterRenderer.dnsCacheConfig,
                ],
            ])
        }
        filters.append(["name": "envoy.filters.http.router", "typed_config": ["@type": .string(TypeURL.router)]])
        return [
            "name": "envoy.filters.network.http_connection_manager",
            "typed_config": [
                "@type": .string(TypeURL.httpConnectionManager),
                "stat_prefix": .string(statPrefix),
                "rds": [
                    "config_source": ["ads": [:], "resource_api_version": "V3"],
                    "route_config_name": .string(config.name),
                ],
                "http_filters": .array(filters),
                "access_log": Self.accessLog,
                "generate_request_id": true,
            ],
        ]
    }

    func httpListener(_ config: RouteTable.RouteConfiguration, tcp: TCPListener?) -> JSONValue {
        let name = "0.0.0.0_\(config.port)"
        let hcm = httpConnectionManager(config, statPrefix: "outbound_\(name)")
        if table.isGateway {
            return [
                "@type": .string(TypeURL.listener),
                "name": .string(name),
                "address": Proto.socketAddress("0.0.0.0", config.port),
                "filter_chains": [["filters": [hcm]]],
                "traffic_direction": "OUTBOUND",
            ]
        }
        var chains: [JSONValue] = [
            [
                "filter_chain_match": ["transport_protocol": "raw_buffer", "application_protocols": ["http/1.1", "h2c"]],
                "filters": [hcm],
            ]
        ]
        if let tcp { chains += filterChains(tcp) }
        return [
            "@type": .string(TypeURL.listener),
            "name": .string(name),
            "address": Proto.socketAddress("0.0.0.0", config.port),
            "filter_chains": .array(chains),
            "default_filter_chain": Self.tcpProxyChain(fallthroughCluster, name: "PassthroughFilterChain"),
            "listener_filters": [
                ["name": "envoy.filters.listener.tls_inspector", "typed_config": ["@type": .string(TypeURL.tlsInspector)]],
                ["name": "envoy.filters.listener.http_inspector", "typed_config": ["@type": .string(TypeURL.httpInspector)]],
            ],
            "traffic_direction": "OUTBOUND",
            "bind_to_port": false,
        ]
    }

    func tcpListener(_ listener: TCPListener) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("@type", .string(TypeURL.listener)),
            ("name", .string(listener.name)),
            ("address", Proto.socketAddress(listener.address, listener.port)),
            ("filter_chains", .array(filterChains(listener))),
        ]
        // What no chain takes falls through (a chain without conditions already takes everything).
        let catchesAll = listener.chains.contains { $0.serverNames.isEmpty && $0.destinationSubnets.isEmpty }
        if !table.isGateway && !catchesAll {
            fields.append(("default_filter_chain", Self.tcpProxyChain(fallthroughCluster, name: "PassthroughFilterChain")))
        }
        if listener.isTLS || listener.chains.contains(where: { !$0.serverNames.isEmpty }) {
            fields.append(
                (
                    "listener_filters",
                    [["name": "envoy.filters.listener.tls_inspector", "typed_config": ["@type": .string(TypeURL.tlsInspector)]]]
                ))
        }
        fields.append(("traffic_direction", "OUTBOUND"))
        if !table.isGateway { fields.append(("bind_to_port", false)) }
        return .object(fields)
    }

    /// One chain per filter chain of the listener; a chain whose match repeats an earlier one
    /// is left out (Envoy refuses duplicates; the earlier one is Istio's choice too).
    func filterChains(_ listener: TCPListener) -> [JSONValue] {
        var seen = Set<String>()
        var out: [JSONValue] = []
        for chain in listener.chains {
            let key = chain.serverNames.joined(separator: ",") + "|" + chain.destinationSubnets.joined(separator: ",")
            guard seen.insert(key).inserted else { continue }
            var match: [(String, JSONValue)] = []
            if !chain.destinationSubnets.isEmpty {
                match.append(("prefix_ranges", .array(chain.destinationSubnets.map(Self.cidrRange))))
            }
            if !chain.serverNames.isEmpty { match.append(("server_names", .array(chain.serverNames.map { .string($0) }))) }
            var proxy: [(String, JSONValue)] = [("@type", .string(TypeURL.tcpProxy))]
            if chain.targets.count == 1 {
                proxy.append(("stat_prefix", .string(chain.targets[0].cluster)))
                proxy.append(("cluster", .string(chain.targets[0].cluster)))
            } else {
                proxy.append(("stat_prefix", .string(listener.name)))
                proxy.append(
                    (
                        "weighted_clusters",
                        [
                            "clusters": .array(
                                chain.targets.map { ["name": .string($0.cluster), "weight": .int(Int64($0.weight))] })
                        ]
                    ))
            }
            var fields: [(String, JSONValue)] = []
            if !match.isEmpty { fields.append(("filter_chain_match", .object(match))) }
            fields.append(("filters", [["name": "envoy.filters.network.tcp_proxy", "typed_config": .object(proxy)]]))
            if let vs = chain.virtualService {
                fields.append(("metadata", ["filter_metadata": ["istio": ["config": .string(Proto.configPath(vs))]]]))
            }
            out.append(.object(fields))
        }
        return out
    }

    /// `10.0.0.0/8` → Envoy's CidrRange; a bare address is a /32 (or /128).
    static func cidrRange(_ cidr: String) -> JSONValue {
        let parts = cidr.split(separator: "/", maxSplits: 1).map(String.init)
        let length = parts.count == 2 ? Int(parts[1]) ?? 0 : (parts[0].contains(":") ? 128 : 32)
        return ["address_prefix": .string(parts[0]), "prefix_len": .int(Int64(length))]
    }
}
