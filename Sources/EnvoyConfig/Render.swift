import MeshModel
import MeshRouting
import MeshYAML

/// Renders a compiled route table as Envoy's `/config_dump`: a Bootstrap, Clusters, Listeners
/// and Routes dump, with Envoy's snake_case field names and `@type` on every Any.
///
/// Clusters are self-contained (`STATIC`/`STRICT_DNS` with their `load_assignment`) so they can
/// be handed to a real Envoy; the listener reaches its routes through RDS, as an Istio sidecar's
/// does, and the route configuration is in the Routes dump.
public struct ConfigDumpRenderer {
    public let table: RouteTable
    public let listenAddress: String
    public let listenPort: Int
    public let adminAddress: String
    public let adminPort: Int
    /// `version_info` on every dynamic resource.
    public var version = "meshctl"

    public init(table: RouteTable, listen: (String, Int) = ("127.0.0.1", 15001), admin: (String, Int) = ("127.0.0.1", 15000)) {
        self.table = table
        (listenAddress, listenPort) = listen
        (adminAddress, adminPort) = admin
    }

    public var routeConfigName: String { String(listenPort) }

    public func render() -> JSONValue {
        .object([
            ("configs", .array([bootstrapDump(), clustersDump(), listenersDump(), routesDump()]))
        ])
    }

    func socketAddress(_ address: String, _ port: Int) -> JSONValue {
        ["socket_address": ["address": .string(address), "port_value": .int(Int64(port))]]
    }

    func bootstrapDump() -> JSONValue {
        [
            "@type": .string(TypeURL.bootstrapDump),
            "bootstrap": [
                "node": [
                    "id": .string(
                        "sidecar~\(listenAddress)~meshctl.\(table.identity.namespace)~\(table.identity.namespace).svc.cluster.local"
                    ),
                    "cluster": "meshctl",
                    "metadata": ["NAMESPACE": .string(table.identity.namespace), "MESHCTL": "true"],
                ],
                "admin": ["address": socketAddress(adminAddress, adminPort)],
                "dynamic_resources": [
                    "lds_config": ["ads": [:], "resource_api_version": "V3"],
                    "cds_config": ["ads": [:], "resource_api_version": "V3"],
                ],
            ],
        ]
    }

    func clustersDump() -> JSONValue {
        let clusters = ClusterRenderer(table: table).clusters()
        return [
            "@type": .string(TypeURL.clustersDump),
            "version_info": .string(version),
            "dynamic_active_clusters": .array(clusters.map { ["version_info": .string(version), "cluster": $0] }),
        ]
    }

    func listenersDump() -> JSONValue {
        let name = "\(listenAddress)_\(listenPort)"
        let listener: JSONValue = [
            "@type": .string(TypeURL.listener),
            "name": .string(name),
            "address": socketAddress(listenAddress, listenPort),
            "filter_chains": [
                [
                    "filters": [
                        [
                            "name": "envoy.filters.network.http_connection_manager",
                            "typed_config": [
                                "@type": .string(TypeURL.httpConnectionManager),
                                "stat_prefix": .string("outbound_\(listenAddress)_\(listenPort)"),
                                "rds": [
                                    "config_source": ["ads": [:], "resource_api_version": "V3"],
                                    "route_config_name": .string(routeConfigName),
                                ],
                                "http_filters": [
                                    ["name": "envoy.filters.http.fault", "typed_config": ["@type": .string(TypeURL.fault)]],
                                    ["name": "envoy.filters.http.router", "typed_config": ["@type": .string(TypeURL.router)]],
                                ],
                                "access_log": [
                                    [
                                        "name": "envoy.access_loggers.file",
                                        "typed_config": ["@type": .string(TypeURL.fileAccessLog), "path": "/dev/stdout"],
                                    ]
                                ],
                                "generate_request_id": true,
                                "strip_any_host_port": true,
                            ],
                        ]
                    ]
                ]
            ],
            "traffic_direction": "OUTBOUND",
        ]
        return [
            "@type": .string(TypeURL.listenersDump),
            "version_info": .string(version),
            "dynamic_listeners": [
                [
                    "name": .string(name),
                    "active_state": ["version_info": .string(version), "listener": listener],
                ]
            ],
        ]
    }

    func routesDump() -> JSONValue {
        let config = RouteRenderer(table: table).routeConfiguration(name: routeConfigName)
        return [
            "@type": .string(TypeURL.routesDump),
            "dynamic_route_configs": [["version_info": .string(version), "route_config": config]],
        ]
    }
}

/// Protobuf JSON helpers shared by the renderers.
enum Proto {
    static func duration(_ d: MeshDuration) -> JSONValue { .string(d.protobufJSON) }

    /// Istio's translation of a percentage: a FractionalPercent out of a million. Clamped to
    /// 0...100% (validation refuses anything else), so no value can overflow the conversion.
    static func fractionalPercent(_ percent: Double) -> JSONValue {
        let clamped = percent.isNaN ? 0 : min(max(percent, 0), 100)
        return ["numerator": .int(Int64((clamped * 10_000).rounded())), "denominator": "MILLION"]
    }

    static func uint32(_ value: Int) -> JSONValue { .int(Int64(value)) }

    /// `/apis/networking.istio.io/v1alpha3/namespaces/NS/kind/NAME`, the path Istio stores in
    /// metadata (always with Istio's internal version, v1alpha3, whatever the file's apiVersion)
    /// and istioctl reads back for its tables.
    static func configPath(_ resource: Resource) -> String {
        let kind: String =
            switch resource.kind {
            case "VirtualService": "virtual-service"
            case "DestinationRule": "destination-rule"
            case "ServiceEntry": "service-entry"
            default: resource.kind.lowercased()
            }
        return "/apis/networking.istio.io/v1alpha3/namespaces/\(resource.namespace)/\(kind)/\(resource.name)"
    }
}
