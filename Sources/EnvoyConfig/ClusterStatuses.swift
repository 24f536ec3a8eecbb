import MeshYAML

/// Envoy's `/clusters?format=json` (`envoy.admin.v3.Clusters`): every cluster's hosts with their
/// health, which istioctl's `endpoint` command reads. From a config dump (a file or rules), the
/// same document is built from the clusters' load assignments and the EDS section.
public struct ClusterStatuses: Sendable {
    /// The document, snake_case.
    public var document: JSONValue

    public static let type = "envoy.admin.v3.Clusters"

    public init(_ document: JSONValue) {
        self.document = ProtoJSON.snakeCase(document, type: Self.type)
    }

    /// True for a `/clusters?format=json` document.
    public static func isClusters(_ document: JSONValue) -> Bool {
        document["cluster_statuses"] != nil || document["clusterStatuses"] != nil
    }

    /// What Envoy's `/clusters` would list for the dump: each cluster's endpoints, HEALTHY unless
    /// the dump says otherwise.
    public init(dump: ConfigDump) {
        var assignments: [String: JSONValue] = [:]
        for assignment in (try? dump.endpointConfigs()) ?? [] {
            if let name = assignment["cluster_name"]?.string { assignments[name] = assignment }
        }
        let statuses: [JSONValue] = ((try? dump.clusters()) ?? []).map { cluster in
            let name = cluster["name"]?.string ?? ""
            let serviceName = cluster["eds_cluster_config"]?["service_name"]?.string ?? name
            let assignment = cluster["load_assignment"] ?? assignments[serviceName] ?? assignments[name]
            var hosts: [JSONValue] = []
            for locality in assignment?["endpoints"]?.array ?? [] {
                for lb in locality["lb_endpoints"]?.array ?? [] {
                    let health = lb["health_status"]?.string ?? "HEALTHY"
                    hosts.append([
                        "address": lb["endpoint"]?["address"] ?? [:],
                        "health_status": ["eds_health_status": .string(health)],
                    ])
                }
            }
            return ["name": .string(name), "host_statuses": .array(hosts)]
        }
        document = ["cluster_statuses": .array(statuses)]
    }

    struct Host {
        var address: String
        var port: Int
        var cluster: String
        var status: String
        var failedOutlierCheck: Bool
    }

    static func address(_ host: JSONValue) -> (String, Int) {
        let address = host["address"]
        if let socket = address?["socket_address"] {
            return (socket["address"]?.string ?? "", Int(socket["port_value"]?.int ?? 0))
        }
        if let pipe = address?["pipe"] { return ("unix://" + (pipe["path"]?.string ?? ""), 0) }
        if let envoyInternal = address?["envoy_internal_address"], let listener = envoyInternal["server_listener_name"]?.string {
            return ("envoy://\(listener)/\(envoyInternal["endpoint_id"]?.string ?? "")", 0)
        }
        return ("unknown", 0)
    }

    func hosts(_ filter: ConfigTables.EndpointFilter) -> [Host] {
        var hosts: [Host] = []
        for cluster in document["cluster_statuses"]?.array ?? [] {
            let name = cluster["name"]?.string ?? ""
            for host in cluster["host_statuses"]?.array ?? [] {
                let (address, port) = Self.address(host)
                let status = host["health_status"]?["eds_health_status"]?.string ?? "UNKNOWN"
                guard
                    filter.isEmpty
                        || ConfigTables.verifyEndpoint(address: address, port: port, cluster: name, status: status, filter)
                else { continue }
                hosts.append(
                    Host(
                        address: address, port: port, cluster: name, status: status,
                        failedOutlierCheck: host["health_status"]?["failed_outlier_check"]?.bool == true))
            }
        }
        return hosts
    }

    /// The clusters istioctl prints for `-o json`: those with at least one host the filter keeps.
    public func clusters(_ filter: ConfigTables.EndpointFilter) -> [JSONValue] {
        (document["cluster_statuses"]?.array ?? []).filter { cluster in
            let one = ClusterStatuses(document: ["cluster_statuses": [cluster]])
            return !one.hosts(filter).isEmpty
        }
    }

    init(document: JSONValue) { self.document = document }
}
