import MeshYAML

/// Envoy's `/clusters` output: its text lines (`cluster::host::stat::value`) and its JSON.
enum ClustersFormat {
    /// Every cluster the configuration defines, as `/config_dump` lists them, the inbound one
    /// among them; then BlackHoleCluster and PassthroughCluster.
    static func sorted(_ snapshot: ProxySnapshot) -> [ClusterRuntime] {
        (Array(snapshot.clusters.values) + (snapshot.inboundCluster.map { [$0] } ?? [])).sorted { $0.name < $1.name }
            + [snapshot.blackHole, snapshot.passthrough]
    }

    static func text(_ snapshot: ProxySnapshot) -> String {
        var out = ""
        for cluster in sorted(snapshot) {
            let name = cluster.name
            let s = cluster.settings
            out += "\(name)::observability_name::\(name)\n"
            for (priority, limits) in [
                ("default_priority", [s.maxConnections, s.maxPendingRequests, s.maxRequests, s.maxRetries]),
                ("high_priority", [1024, 1024, 1024, 3]),
            ] {
                for (field, value) in zip(["max_connections", "max_pending_requests", "max_requests", "max_retries"], limits) {
                    out += "\(name)::\(priority)::\(field)::\(value)\n"
                }
            }
            out += "\(name)::added_via_api::true\n"
            for host in cluster.hosts {
                let prefix = "\(name)::\(host.key)::"
                for (stat, value, _) in host.statValues { out += "\(prefix)\(stat)::\(value)\n" }
                out += "\(prefix)hostname::\(host.socketAddress == nil ? host.address : "")\n"
                out += "\(prefix)health_flags::\(host.isEjected ? "/failed_outlier_check" : "healthy")\n"
                out += "\(prefix)weight::1\n"
                out += "\(prefix)region::\n\(prefix)zone::\n\(prefix)sub_zone::\n"
                out += "\(prefix)canary::false\n\(prefix)priority::0\n"
                out += "\(prefix)success_rate::-1\n\(prefix)local_origin_success_rate::-1\n"
            }
        }
        return out
    }

    static func json(_ snapshot: ProxySnapshot) -> JSONValue {
        let statuses: [JSONValue] = sorted(snapshot).map { cluster in
            let s = cluster.settings
            func thresholds(_ values: [Int], high: Bool) -> JSONValue {
                var fields: [(String, JSONValue)] = high ? [("priority", "HIGH")] : []
                for (field, value) in zip(["max_connections", "max_pending_requests", "max_requests", "max_retries"], values) {
                    fields.append((field, .int(Int64(value))))
                }
                return .object(fields)
            }
            let hosts: [JSONValue] = cluster.hosts.map { host in
                // Protobuf JSON leaves zero values out, as Envoy's does.
                let stats: [JSONValue] = host.statValues.map { name, value, gauge in
                    var fields: [(String, JSONValue)] = [("name", .string(name))]
                    if value != 0 { fields.append(("value", .string(String(value)))) }
                    if gauge { fields.append(("type", "GAUGE")) }
                    return .object(fields)
                }
                var health: [(String, JSONValue)] = [("eds_health_status", "HEALTHY")]
                if host.isEjected { health.append(("failed_outlier_check", true)) }
                var fields: [(String, JSONValue)] = [
                    (
                        "address",
                        ["socket_address": ["address": .string(host.address), "port_value": .int(Int64(host.port))]]
                    ),
                    ("stats", .array(stats)),
                    ("health_status", .object(health)),
                    ("weight", 1),
                    ("locality", [:]),
                ]
                if host.socketAddress == nil { fields.append(("hostname", .string(host.address))) }
                return .object(fields)
            }
            return [
                "name": .string(cluster.name),
                "observability_name": .string(cluster.name),
                "added_via_api": true,
                "circuit_breakers": [
                    "thresholds": [
                        thresholds([s.maxConnections, s.maxPendingRequests, s.maxRequests, s.maxRetries], high: false),
                        thresholds([1024, 1024, 1024, 3], high: true),
                    ]
                ],
                "host_statuses": .array(hosts),
            ]
        }
        return .object([("cluster_statuses", .array(statuses))])
    }
}
