import MeshModel
import MeshRouting
import MeshSecurity
import MeshYAML

/// Renders a compiled route table as Envoy's `/config_dump`: a Bootstrap, Clusters, Listeners
/// and Routes dump, with Envoy's snake_case field names and `@type` on every Any.
///
/// Clusters are self-contained (`STATIC`/`STRICT_DNS` with their `load_assignment`) so they can
/// be handed to a real Envoy. Listeners and routes have an Istio sidecar's shape: `virtualOutbound`
/// at the listen address, a `0.0.0.0_PORT` listener per HTTP port reaching its route
/// configuration (named by the port) through RDS, and TCP/TLS listeners with `tcp_proxy` chains.
/// A running proxy with an inbound side adds `virtualInbound` and its `inbound|PORT||` cluster.
public struct ConfigDumpRenderer {
    public let table: RouteTable
    public let listenAddress: String
    public let listenPort: Int
    public let adminAddress: String
    public let adminPort: Int
    /// `version_info` on every dynamic resource.
    public var version = "meshctl"
    /// The inbound listener and the application behind it, when the proxy has them.
    public var inbound: InboundSide?
    /// Adds the EDS section (`EndpointsConfigDump`), as Envoy does for `/config_dump?include_eds`.
    public var includeEndpoints = false

    public init(table: RouteTable, listen: (String, Int) = ("127.0.0.1", 15001), admin: (String, Int) = ("127.0.0.1", 15000)) {
        self.table = table
        (listenAddress, listenPort) = listen
        (adminAddress, adminPort) = admin
    }

    public func render() -> JSONValue {
        let clusters = renderedClusters()
        // Envoy's order: bootstrap, clusters, endpoints, listeners, routes.
        var configs = [bootstrapDump(), clustersDump(clusters)]
        if includeEndpoints { configs.append(ConfigDump.endpointsSection(clusters: clusters)) }
        configs += [listenersDump(), routesDump()]
        return .object([("configs", .array(configs))])
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
                "admin": ["address": Proto.socketAddress(adminAddress, adminPort)],
                "dynamic_resources": [
                    "lds_config": ["ads": [:], "resource_api_version": "V3"],
                    "cds_config": ["ads": [:], "resource_api_version": "V3"],
                ],
            ],
        ]
    }

    func renderedClusters() -> [JSONValue] {
        var clusters = ClusterRenderer(table: table).clusters()
        if let inbound {
            clusters.append(InboundRenderer(side: inbound).cluster())
            clusters.sort { ($0["name"]?.string ?? "") < ($1["name"]?.string ?? "") }
        }
        return clusters
    }

    func clustersDump(_ clusters: [JSONValue]) -> JSONValue {
        [
            "@type": .string(TypeURL.clustersDump),
            "version_info": .string(version),
            "dynamic_active_clusters": .array(clusters.map { ["version_info": .string(version), "cluster": $0] }),
        ]
    }

    func listenersDump() -> JSONValue {
        var listeners = ListenerRenderer(table: table, listenAddress: listenAddress, listenPort: listenPort).listeners()
        if let inbound {
            // After virtualOutbound, as Istio lists a sidecar's listeners.
            listeners.insert(InboundRenderer(side: inbound).listener(), at: table.isGateway ? 0 : 1)
        }
        return [
            "@type": .string(TypeURL.listenersDump),
            "version_info": .string(version),
            "dynamic_listeners": .array(
                listeners.map { listener in
                    [
                        "name": listener["name"] ?? "",
                        "active_state": ["version_info": .string(version), "listener": listener],
                    ]
                }),
        ]
    }

    func routesDump() -> JSONValue {
        let configs = RouteRenderer(table: table).routeConfigurations()
        return [
            "@type": .string(TypeURL.routesDump),
            "dynamic_route_configs": .array(configs.map { ["version_info": .string(version), "route_config": $0] }),
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

    /// An Address holding a SocketAddress.
    static func socketAddress(_ address: String, _ port: Int) -> JSONValue {
        ["socket_address": ["address": .string(address), "port_value": .int(Int64(port))]]
    }

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
