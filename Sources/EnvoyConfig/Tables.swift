import MeshYAML

/// istioctl-style tables over a config dump. Rows come from the dump alone, so a dump rendered
/// from rule files and one read back with `--file` give the same tables.
public enum ConfigTables {
    public struct Filter: Sendable {
        public var fqdn: String?
        public var port: Int?
        public var subset: String?
        public var direction: String?
        public var name: String?
        public var address: String?
        public var cluster: String?
        public init() {}
    }

    public static func routes(_ dump: ConfigDump, _ filter: Filter = Filter()) -> [[String]] {
        var rows = [["NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"]]
        for config in dump.routeConfigs {
            let name = config["name"]?.string ?? ""
            if let wanted = filter.name, wanted != name { continue }
            for vhost in config["virtual_hosts"]?.array ?? [] {
                let vhostName = vhost["name"]?.string ?? ""
                let domains = (vhost["domains"]?.array ?? []).compactMap(\.string)
                let shownDomains =
                    domains.isEmpty ? "" : domains.count == 1 ? domains[0] : "\(shortest(domains)) +\(domains.count - 1) more"
                for route in vhost["routes"]?.array ?? [] {
                    rows.append([name, vhostName, shownDomains, describeMatch(route["match"]), virtualService(route)])
                }
            }
        }
        return rows
    }

    public static func clusters(_ dump: ConfigDump, _ filter: Filter = Filter()) -> [[String]] {
        [["SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE"]]
            + dump.clusters.compactMap { clusterRow($0, filter) }.sorted { sortKey($0) < sortKey($1) }
    }

    /// The cluster's table row, or nil when `filter` excludes it.
    public static func clusterRow(_ cluster: JSONValue, _ filter: Filter = Filter()) -> [String]? {
        let name = cluster["name"]?.string ?? ""
        let (fqdn, port, subset, direction) = parseClusterName(name)
        if let wanted = filter.fqdn, !fqdn.contains(wanted) { return nil }
        if let wanted = filter.port, port != String(wanted) { return nil }
        if let wanted = filter.subset, subset != wanted { return nil }
        if let wanted = filter.direction, direction != wanted { return nil }
        var type = cluster["type"]?.string ?? (cluster["cluster_type"] != nil ? "CUSTOM" : "EDS")
        if cluster["eds_cluster_config"] != nil { type = "EDS" }
        return [fqdn, port, subset, direction, type, configName(cluster["metadata"]) ?? "-"]
    }

    /// `outbound|8080|v1|reviews.default.svc.cluster.local` → (FQDN, port, subset, direction).
    static func parseClusterName(_ name: String) -> (String, String, String, String) {
        let parts = name.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        return parts.count == 4
            ? (parts[3].isEmpty ? "-" : parts[3], parts[1], parts[2].isEmpty ? "-" : parts[2], parts[0]) : (name, "-", "-", "-")
    }

    /// istioctl's order: FQDN, then port (numerically), then subset.
    static func sortKey(_ row: [String]) -> String {
        // Zero-padded to the widest Int, so ports sort as numbers whatever digits a dump holds.
        let port = Int(row[1]).map { String(repeating: "0", count: max(0, 20 - String($0).count)) + String($0) } ?? row[1]
        return row[0] + "\u{0}" + port + "\u{0}" + row[2]
    }

    public static func listeners(_ dump: ConfigDump, _ filter: Filter = Filter()) -> [[String]] {
        var rows = [["ADDRESSES", "PORT", "MATCH", "DESTINATION"]]
        for listener in dump.listeners {
            let socket = listener["address"]?["socket_address"]
            let address = socket?["address"]?.string ?? listener["address"]?["pipe"]?["path"]?.string ?? "-"
            let port = socket?["port_value"]?.int.map(String.init) ?? "-"
            if let wanted = filter.address, wanted != address { continue }
            if let wanted = filter.port, port != String(wanted) { continue }
            for chain in listener["filter_chains"]?.array ?? [] {
                rows.append([address, port, describeChainMatch(chain["filter_chain_match"]), destination(chain)])
            }
            if let fallback = listener["default_filter_chain"] {
                rows.append([address, port, "ALL (default)", destination(fallback)])
            }
        }
        return rows
    }

    public static func endpoints(_ dump: ConfigDump, _ filter: Filter = Filter()) -> [[String]] {
        var rows = [["ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER"]]
        var assignments: [(String, JSONValue)] = dump.clusters.compactMap { c in
            guard let name = c["name"]?.string, let assignment = c["load_assignment"] else { return nil }
            return (name, assignment)
        }
        for config in dump.endpointConfigs { assignments.append((config["cluster_name"]?.string ?? "", config)) }
        func key(_ cluster: String) -> String {
            let (fqdn, port, subset, _) = parseClusterName(cluster)
            return sortKey([fqdn, port, subset])
        }
        for (cluster, assignment) in assignments.sorted(by: { key($0.0) < key($1.0) }) {
            if let wanted = filter.cluster, !cluster.contains(wanted) { continue }
            for locality in assignment["endpoints"]?.array ?? [] {
                for lb in locality["lb_endpoints"]?.array ?? [] {
                    let socket = lb["endpoint"]?["address"]?["socket_address"]
                    let endpoint = "\(socket?["address"]?.string ?? "?"):\(socket?["port_value"]?.int.map(String.init) ?? "?")"
                    let status = lb["health_status"]?.string ?? "HEALTHY"
                    let outlier = lb["meshctl_outlier_check"]?.string ?? "OK"
                    rows.append([endpoint, status, outlier, cluster])
                }
            }
        }
        return rows
    }

    /// Columns padded to their widest cell, two spaces apart, like istioctl's tables.
    public static func format(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 3)
            }.joined()
        }.joined(separator: "\n")
    }

    // MARK: Cells

    static func shortest(_ domains: [String]) -> String { domains.min { ($0.count, $0) < ($1.count, $1) } ?? "" }

    /// `name.namespace` of the Istio config named in metadata, as istioctl prints it.
    static func configName(_ metadata: JSONValue?) -> String? {
        guard let path = metadata?["filter_metadata"]?["istio"]?["config"]?.string else { return nil }
        let parts = path.split(separator: "/")
        guard parts.count >= 2 else { return path }
        return "\(parts[parts.count - 1]).\(parts.count >= 5 ? String(parts[parts.count - 3]) : "")"
    }

    static func virtualService(_ route: JSONValue) -> String {
        if let name = configName(route["metadata"]) { return name }
        if route["direct_response"]?["status"]?.int == 404 { return "404" }
        return "-"
    }

    static func describeMatch(_ match: JSONValue?) -> String {
        guard let match else { return "-" }
        var text: String
        if let path = match["path"]?.string {
            text = path
        } else if let prefix = match["prefix"]?.string {
            text = prefix.hasSuffix("/") ? prefix + "*" : prefix + "*"
        } else if let regex = match["safe_regex"]?["regex"]?.string {
            text = "regex \(regex)"
        } else if let separated = match["path_separated_prefix"]?.string {
            text = separated + "/*"
        } else {
            text = "/*"
        }
        if match["case_sensitive"]?.bool == false { text += " (any case)" }
        for header in match["headers"]?.array ?? [] {
            let name = header["name"]?.string ?? "?"
            let invert = header["invert_match"]?.bool == true
            var condition: String
            if header["present_match"]?.bool == true {
                condition = name
            } else if let s = header["string_match"] ?? header["safe_regex_match"].map({ JSONValue.object([("safe_regex", $0)]) })
            {
                if let exact = s["exact"]?.string ?? header["exact_match"]?.string {
                    condition = "\(name)=\(exact)"
                } else if let prefix = s["prefix"]?.string {
                    condition = "\(name)^=\(prefix)"
                } else if let regex = s["safe_regex"]?["regex"]?.string {
                    condition = "\(name)~=\(regex)"
                } else {
                    condition = name
                }
            } else if let exact = header["exact_match"]?.string {
                condition = "\(name)=\(exact)"
            } else {
                condition = name
            }
            text += " " + (invert ? "!" : "") + condition
        }
        for query in match["query_parameters"]?.array ?? [] {
            text += " ?\(query["name"]?.string ?? "?")"
        }
        return text
    }

    static func describeChainMatch(_ match: JSONValue?) -> String {
        guard let match, case .object(let fields) = match, !fields.isEmpty else { return "ALL" }
        var parts: [String] = []
        if let port = match["destination_port"]?.int { parts.append("port=\(port)") }
        if let names = match["server_names"]?.array { parts.append("SNI: " + names.compactMap(\.string).joined(separator: ",")) }
        if let transport = match["transport_protocol"]?.string { parts.append("Trans: \(transport)") }
        if let protocols = match["application_protocols"]?.array {
            parts.append("App: " + protocols.compactMap(\.string).joined(separator: ","))
        }
        return parts.isEmpty ? "ALL" : parts.joined(separator: "; ")
    }

    static func destination(_ chain: JSONValue) -> String {
        for filter in chain["filters"]?.array ?? [] {
            let config = filter["typed_config"]
            if let rds = config?["rds"]?["route_config_name"]?.string { return "Route: \(rds)" }
            if let inline = config?["route_config"]?["name"]?.string { return "Inline Route: \(inline)" }
            if let cluster = config?["cluster"]?.string { return "Cluster: \(cluster)" }
            if let weighted = config?["weighted_clusters"]?["clusters"]?.array {
                return "Clusters: " + weighted.compactMap { $0["name"]?.string }.joined(separator: ",")
            }
        }
        return "-"
    }
}
