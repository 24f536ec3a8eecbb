import MeshYAML

/// istioctl's `proxy-config` tables, written the way istioctl's writers write them: the same
/// columns, cells, order (Go's sort, ties included) and Go tabwriter layout. Rows come from the
/// dump alone, so rule files, `--file` and `--admin` give the same tables.
public enum ConfigTables {
    public struct ClusterFilter: Sendable {
        public var fqdn = "", port = 0, subset = "", direction = ""
        public init() {}
    }

    public struct ListenerFilter: Sendable {
        public var address = "", port = 0, type = "", verbose = true
        public init() {}
    }

    public struct RouteFilter: Sendable {
        public var name = "", verbose = true
        public init() {}
    }

    public struct EndpointFilter: Sendable {
        public var address = "", port = 0, cluster = "", status = ""
        public init() {}
        var isEmpty: Bool { address.isEmpty && port == 0 && cluster.isEmpty && status.isEmpty }
    }

    // MARK: Clusters

    /// `outbound|8080|v1|reviews.default.svc.cluster.local` → (direction, subset, host, port), as
    /// Istio's ParseSubsetKey reads it.
    static func parseSubsetKey(_ name: String) -> (direction: String, subset: String, host: String, port: Int) {
        let parts = name.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else { return (parts.count == 1 ? "" : "", "", "", 0) }
        let port = Int(parts[1]) ?? 0
        guard parts.count >= 3 else { return (parts[0], "", "", port) }
        guard parts.count == 4, !parts[3].contains("|") else { return (parts[0], parts[2], "", port) }
        return (parts[0], parts[2], parts[3], port)
    }

    static func isSubsetKey(_ name: String) -> Bool { name.split(separator: "|", omittingEmptySubsequences: false).count > 3 }

    /// istioctl's sort key: host (or the whole name), subset, port, direction.
    static func clusterOrder(_ a: String, _ b: String) -> Bool {
        func key(_ name: String) -> (String, String, String, Int) {
            guard isSubsetKey(name) else { return ("", "", name, 0) }
            let k = parseSubsetKey(name)
            return (k.direction, k.subset, k.host, k.port)
        }
        let (ad, asub, aname, aport) = key(a)
        let (bd, bsub, bname, bport) = key(b)
        if aname != bname { return less(aname, bname) }
        if asub != bsub { return less(asub, bsub) }
        if aport != bport { return aport < bport }
        return less(ad, bd)
    }

    /// Go's string comparison: by bytes.
    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    static func verify(_ cluster: JSONValue, _ filter: ClusterFilter) -> Bool {
        let name = cluster["name"]?.string ?? ""
        if !filter.fqdn.isEmpty && !name.contains(filter.fqdn) { return false }
        if !filter.direction.isEmpty && !name.contains(filter.direction) { return false }
        if !filter.subset.isEmpty && !name.contains(filter.subset) { return false }
        if filter.port != 0 && !name.contains("|\(filter.port)|") { return false }
        return true
    }

    /// The clusters istioctl lists, sorted, then filtered.
    public static func clusters(_ dump: ConfigDump, _ filter: ClusterFilter = ClusterFilter()) throws(ConfigDump.ReadError)
        -> [JSONValue]
    {
        var clusters = try dump.clusters()
        if clusters.isEmpty { throw ConfigDump.ReadError(description: "no clusters found") }
        GoSort.slice(&clusters) { clusterOrder($0["name"]?.string ?? "", $1["name"]?.string ?? "") }
        return clusters.filter { verify($0, filter) }
    }

    public static func clusterSummary(_ dump: ConfigDump, _ filter: ClusterFilter = ClusterFilter(), named: Bool = false)
        throws(ConfigDump.ReadError) -> String
    {
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 5)
        let header = ["SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE"]
        w.writeRow(named ? ["NAME"] + header : header)
        for cluster in try clusters(dump, filter) {
            var name = cluster["name"]?.string ?? ""
            let type = cluster["type"]?.string ?? "STATIC"
            let rule = describeManagement(cluster["metadata"])
            if named { name = "cluster/" + name }
            if isSubsetKey(cluster["name"]?.string ?? "") {
                let key = parseSubsetKey(cluster["name"]?.string ?? "")
                let cells = [key.host, String(key.port), key.subset.isEmpty ? "-" : key.subset, key.direction, type, rule]
                w.writeRow(named ? [name] + cells : cells)
            } else {
                let cells = [name, "-", "-", "-", type, rule]
                w.writeRow(named ? [name] + cells : cells)
            }
        }
        return w.finish()
    }

    /// `name.namespace` of the Istio config in metadata (`<unknown>` for a path istioctl does not read).
    static func describeManagement(_ metadata: JSONValue?) -> String {
        guard let path = metadata?["filter_metadata"]?["istio"]?["config"] else { return "" }
        let text = path.string ?? ""
        guard text.hasPrefix("/apis/networking.istio.io/v1alpha3/namespaces/") else { return "<unknown>" }
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        return pieces.count == 8 ? "\(pieces[7]).\(pieces[5])" : ""
    }

    // MARK: Listeners

    static func address(_ listener: JSONValue) -> String {
        let address = listener["address"]
        if let socket = address?["socket_address"] { return socket["address"]?.string ?? "" }
        return ""
    }

    static func additionalAddresses(_ listener: JSONValue) -> [String] {
        (listener["additional_addresses"]?.array ?? []).map { $0["address"]?["socket_address"]?["address"]?.string ?? "" }
    }

    static func port(_ listener: JSONValue) -> Int { Int(listener["address"]?["socket_address"]?["port_value"]?.int ?? 0) }

    static func filterChains(_ listener: JSONValue) -> [JSONValue] {
        (listener["filter_chains"]?.array ?? []) + (listener["default_filter_chain"].map { [$0] } ?? [])
    }

    /// True when the filter's serialized config would contain the BlackHoleCluster name.
    static func mentionsBlackHole(_ value: JSONValue?) -> Bool {
        switch value {
        case .string(let s): s.contains("BlackHoleCluster")
        case .array(let items): items.contains { mentionsBlackHole($0) }
        case .object(let fields): fields.contains { $0.0 != "@type" && mentionsBlackHole($0.1) }
        default: false
        }
    }

    static let httpConnectionManager = "envoy.filters.network.http_connection_manager"
    static let tcpProxy = "envoy.filters.network.tcp_proxy"

    static func listenerType(_ listener: JSONValue) -> String {
        var (http, tcp) = (0, 0)
        for chain in filterChains(listener) {
            for filter in chain["filters"]?.array ?? [] {
                let name = filter["name"]?.string
                if name == httpConnectionManager {
                    http += 1
                } else if name == tcpProxy && !mentionsBlackHole(filter["typed_config"]) {
                    tcp += 1
                }
            }
        }
        if http > 0 { return tcp == 0 ? "HTTP" : "HTTP+TCP" }
        return tcp > 0 ? "TCP" : "UNKNOWN"
    }

    static func verify(_ listener: JSONValue, _ filter: ListenerFilter) -> Bool {
        if !filter.address.isEmpty {
            let addresses = additionalAddresses(listener) + [address(listener)]
            if !addresses.contains(where: { $0.lowercased() == filter.address.lowercased() }) { return false }
        }
        if filter.port != 0 && port(listener) != filter.port { return false }
        if !filter.type.isEmpty && listenerType(listener).lowercased() != filter.type.lowercased() { return false }
        return true
    }

    public static func listeners(_ dump: ConfigDump, _ filter: ListenerFilter = ListenerFilter()) throws(ConfigDump.ReadError)
        -> [JSONValue]
    {
        let listeners = try dump.listeners()
        if listeners.isEmpty { throw ConfigDump.ReadError(description: "no listeners found") }
        return listeners.filter { verify($0, filter) }
    }

    public static func listenerSummary(_ dump: ConfigDump, _ filter: ListenerFilter = ListenerFilter(), named: Bool = false)
        throws(ConfigDump.ReadError) -> String
    {
        var listeners = try listeners(dump, filter)
        GoSort.slice(&listeners) { a, b in
            if port(a) != port(b) { return port(a) < port(b) }
            if address(a) != address(b) { return less(address(a), address(b)) }
            return less(listenerType(a), listenerType(b))
        }
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 1)
        var header = ["ADDRESSES", "PORT"] + (filter.verbose ? ["MATCH", "DESTINATION"] : ["TYPE"])
        if named { header.insert("NAME", at: 0) }
        w.writeRow(header)
        for listener in listeners {
            let addresses = ([address(listener)] + additionalAddresses(listener)).joined(separator: ",")
            let lead = (named ? ["listener/" + (listener["name"]?.string ?? "")] : []) + [addresses, String(port(listener))]
            if filter.verbose {
                var matches = filterChains(listener).map {
                    (match: describeChainMatch($0["filter_chain_match"]), destination: destination($0))
                }
                GoSort.slice(&matches) { less($1.destination, $0.destination) }
                for match in matches { w.writeRow(lead + [match.match, match.destination]) }
            } else {
                w.writeRow(lead + [listenerType(listener)])
            }
        }
        return w.finish()
    }

    static let applicationProtocols: [(String, [String])] = [
        ("App: HTTP TLS", ["http/1.0", "http/1.1", "h2c", "istio-http/1.0", "istio-http/1.1", "istio-h2"]),
        ("App: Istio HTTP Plain", ["istio", "istio-http/1.0", "istio-http/1.1", "istio-h2"]),
        ("App: TCP TLS", ["istio-peer-exchange", "istio"]),
        ("App: HTTP", ["http/1.0", "http/1.1", "h2c"]),
    ]

    static func describeChainMatch(_ match: JSONValue?) -> String {
        var descriptions: [String] = []
        let names = (match?["server_names"]?.array ?? []).compactMap(\.string)
        if !names.isEmpty { descriptions.append("SNI: " + names.joined(separator: ",")) }
        if let transport = match?["transport_protocol"]?.string, !transport.isEmpty { descriptions.append("Trans: \(transport)") }
        let protocols = (match?["application_protocols"]?.array ?? []).compactMap(\.string)
        if !protocols.isEmpty {
            descriptions.append(
                applicationProtocols.first { $0.1 == protocols }?.0 ?? "App: " + protocols.joined(separator: ","))
        }
        let port = match?["destination_port"].map { ":\($0.int ?? 0)" } ?? ""
        let ranges = match?["prefix_ranges"]?.array ?? []
        if !ranges.isEmpty {
            let prefixes = ranges.map { "\($0["address_prefix"]?.string ?? "")/\($0["prefix_len"]?.int ?? 0)" }
            descriptions.append("Addr: " + prefixes.joined(separator: ",") + port)
        } else if !port.isEmpty {
            descriptions.append("Addr: *" + port)
        }
        return descriptions.isEmpty ? "ALL" : descriptions.joined(separator: "; ")
    }

    static func destination(_ chain: JSONValue) -> String {
        for filter in chain["filters"]?.array ?? [] {
            let name = filter["name"]?.string
            let config = filter["typed_config"]
            if name == httpConnectionManager {
                if let inline = config?["route_config"] { return describeRouteConfig(inline) }
                if let rds = config?["rds"]?["route_config_name"]?.string, !rds.isEmpty { return "Route: \(rds)" }
                return "HTTP"
            } else if name == tcpProxy && !mentionsBlackHole(config) {
                let cluster = config?["cluster"]?.string ?? ""
                return cluster.contains("Cluster") ? cluster : "Cluster: \(cluster)"
            }
        }
        return "Non-HTTP/Non-TCP"
    }

    static func describeRouteConfig(_ config: JSONValue) -> String {
        let hosts = config["virtual_hosts"]?.array ?? []
        if hosts.count == 1, let host = hosts.first, (host["domains"]?.array ?? []) == ["*"],
            let routes = host["routes"]?.array, routes.count == 1, routes[0]["match"]?["prefix"]?.string == "/",
            let cluster = routes[0]["route"]?["cluster"]?.string
        {
            return cluster.contains("Cluster") ? cluster : "Cluster: \(cluster)"
        }
        let described = hosts.map { host -> String in
            let domains = (host["domains"]?.array ?? []).compactMap(\.string)
            let routes = (host["routes"]?.array ?? []).map { describeMatch($0["match"]) }.joined(separator: ", ")
            return domains == ["*"] ? routes : domains.joined(separator: "/") + " " + routes
        }
        return "Inline Route: " + described.joined(separator: "; ")
    }

    static func describeMatch(_ match: JSONValue?) -> String {
        var conditions: [String] = []
        if let prefix = match?["prefix"]?.string, !prefix.isEmpty { conditions.append(prefix + "*") }
        if let prefix = match?["path_separated_prefix"]?.string, !prefix.isEmpty { conditions.append("PathPrefix:" + prefix) }
        if let path = match?["path"]?.string, !path.isEmpty { conditions.append(path) }
        if let regex = match?["safe_regex"] { conditions.append("regex " + (regex["regex"]?.string ?? "")) }
        return conditions.joined(separator: " ")
    }

    // MARK: Routes

    public static func routes(_ dump: ConfigDump, _ filter: RouteFilter = RouteFilter()) throws(ConfigDump.ReadError)
        -> [JSONValue]
    {
        var routes = try dump.routeConfigs()
        if routes.isEmpty { throw ConfigDump.ReadError(description: "no routes found") }
        GoSort.slice(&routes) { a, b in
            guard let i = Int(a["name"]?.string ?? ""), let j = Int(b["name"]?.string ?? "") else { return false }
            return i < j
        }
        return routes.filter { filter.name.isEmpty || $0["name"]?.string == filter.name }
    }

    public static func routeSummary(_ dump: ConfigDump, _ filter: RouteFilter = RouteFilter(), named: Bool = false)
        throws(ConfigDump.ReadError) -> String
    {
        let routes = try routes(dump, filter)
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 5)
        w.writeRow(filter.verbose ? ["NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"] : ["NAME", "VIRTUAL HOSTS"])
        for route in routes {
            let name = (named ? "route/" : "") + (route["name"]?.string ?? "")
            let hosts = route["virtual_hosts"]?.array ?? []
            guard filter.verbose else {
                w.writeRow([name, String(hosts.count)])
                continue
            }
            for host in hosts {
                let hostName = host["name"]?.string ?? ""
                let domains = describeRouteDomains((host["domains"]?.array ?? []).compactMap(\.string))
                let entries = host["routes"]?.array ?? []
                for entry in entries where entry["route"]?["cluster"]?.string != "PassthroughCluster" {
                    w.writeRow([name, hostName, domains, describeMatch(entry["match"]), describeManagement(entry["metadata"])])
                }
                if entries.isEmpty { w.writeRow([name, hostName, domains, "/*", "404"]) }
            }
        }
        return w.finish()
    }

    /// The first two domains without a port (full service names dropped when their short form is
    /// there), then `+ N more...`.
    static func describeRouteDomains(_ domains: [String]) -> String {
        if domains.isEmpty { return "" }
        if domains.count == 1 { return domains[0] }
        var withoutPort: [String] = []
        for d in domains {
            if !d.contains(":") {
                withoutPort.append(d)
            } else if d.filter({ $0 == ":" }).count > 2 && d.hasSuffix("]") {
                withoutPort.append(d)
            }
        }
        let unique = Set(withoutPort)
        var deleted: Set<String> = []
        for h in withoutPort {
            for suffix in [".svc.cluster.local", ".svc"] where h.hasSuffix(suffix) {
                if unique.contains(String(h.dropLast(suffix.count))) { deleted.insert(h) }
            }
        }
        let kept = withoutPort.filter { !deleted.contains($0) }
        if kept.count > 2 { return kept.prefix(2).joined(separator: ", ") + " + \(kept.count - 2) more..." }
        return kept.joined(separator: ", ")
    }

    // MARK: EDS

    static func endpointAddress(_ lb: JSONValue) -> String {
        let address = lb["endpoint"]?["address"]
        if let socket = address?["socket_address"] {
            return "\(socket["address"]?.string ?? ""):\(socket["port_value"]?.int ?? 0)"
        }
        if let pipe = address?["pipe"] { return pipe["path"]?.string ?? "" }
        if let envoyInternal = address?["envoy_internal_address"], let listener = envoyInternal["server_listener_name"]?.string {
            return "envoy://\(listener)/\(envoyInternal["endpoint_id"]?.string ?? "")"
        }
        return "unknown"
    }

    static func locality(_ value: JSONValue?) -> String {
        guard let value else { return "" }
        var text = value["region"]?.string ?? ""
        guard let zone = value["zone"]?.string, !zone.isEmpty else { return text }
        text += "/" + zone
        guard let subZone = value["sub_zone"]?.string, !subZone.isEmpty else { return text }
        return text + "/" + subZone
    }

    /// The load assignments istioctl's `eds` lists: sorted like clusters, each keeping only the
    /// endpoints the filter accepts, and left out when none remain.
    public static func edsAssignments(_ dump: ConfigDump, _ filter: EndpointFilter = EndpointFilter())
        throws(ConfigDump.ReadError) -> [JSONValue]
    {
        var kept: [JSONValue] = []
        for assignment in try dump.endpointConfigs() {
            guard case .object(var fields) = assignment.unpacked else { continue }
            let cluster = assignment["cluster_name"]?.string ?? ""
            var count = 0
            let localities: [JSONValue] = (assignment["endpoints"]?.array ?? []).map { locality in
                guard case .object(var localityFields) = locality else { return locality }
                let endpoints = (locality["lb_endpoints"]?.array ?? []).filter { lb in
                    filter.isEmpty
                        || verifyEndpoint(
                            address: endpointAddress(lb),
                            port: Int(lb["endpoint"]?["address"]?["socket_address"]?["port_value"]?.int ?? 0), cluster: cluster,
                            status: lb["health_status"]?.string ?? "UNKNOWN", filter)
                }
                count += endpoints.count
                if let i = localityFields.firstIndex(where: { $0.0 == "lb_endpoints" }) {
                    localityFields[i].1 = .array(endpoints)
                }
                return .object(localityFields)
            }
            guard count > 0 else { continue }
            if let i = fields.firstIndex(where: { $0.0 == "endpoints" }) { fields[i].1 = .array(localities) }
            kept.append(.object(fields))
        }
        GoSort.slice(&kept) { clusterOrder($0["cluster_name"]?.string ?? "", $1["cluster_name"]?.string ?? "") }
        return kept
    }

    static func verifyEndpoint(address: String, port: Int, cluster: String, status: String, _ filter: EndpointFilter) -> Bool {
        if !filter.address.isEmpty && address.lowercased() != filter.address.lowercased() { return false }
        if filter.port != 0 && port != filter.port { return false }
        if !filter.cluster.isEmpty && cluster.lowercased() != filter.cluster.lowercased() { return false }
        if !filter.status.isEmpty && status.lowercased() != filter.status.lowercased() { return false }
        return true
    }

    public static func edsSummary(_ dump: ConfigDump, _ filter: EndpointFilter = EndpointFilter(), named: Bool = false)
        throws(ConfigDump.ReadError) -> String
    {
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 5)
        w.writeRow([named ? "NAME" : "ENDPOINT", "STATUS", "LOCALITY", "CLUSTER"])
        for assignment in try edsAssignments(dump, filter) {
            for locality in assignment["endpoints"]?.array ?? [] {
                for lb in locality["lb_endpoints"]?.array ?? [] {
                    w.writeRow([
                        (named ? "endpoint/" : "") + endpointAddress(lb), lb["health_status"]?.string ?? "UNKNOWN",
                        Self.locality(locality["locality"]), assignment["cluster_name"]?.string ?? "",
                    ])
                }
            }
        }
        return w.finish()
    }

    // MARK: Endpoints (/clusters)

    public static func hostEndpointSummary(_ statuses: ClusterStatuses, _ filter: EndpointFilter = EndpointFilter()) -> String {
        var rows = statuses.hosts(filter)
        GoSort.slice(&rows) { a, b in
            if a.address != b.address { return less(a.address, b.address) }
            if a.port != b.port { return a.port < b.port }
            return less(a.cluster, b.cluster)
        }
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 5)
        w.writeRow(["ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER"])
        for row in rows {
            let endpoint = row.port != 0 ? "\(row.address):\(row.port)" : row.address
            w.writeRow([endpoint, row.status, row.failedOutlierCheck ? "FAILED" : "OK", row.cluster])
        }
        return w.finish()
    }

    // MARK: Bootstrap, secrets, extension configs

    public static func bootstrapSummary(_ dump: ConfigDump) throws(ConfigDump.ReadError) -> String {
        let node = try dump.section(TypeURL.bootstrapDump)["bootstrap"]?["node"]
        let metadata = node?["metadata"]
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 1)
        if let version = metadata?["ISTIO_VERSION"]?.string, !version.isEmpty { w.write("Istio Version:\t\(version)\n") }
        if var sha = metadata?["ISTIO_PROXY_SHA"]?.string, !sha.isEmpty {
            let parts = sha.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count > 1 { sha = String(parts[1]) }
            if !sha.isEmpty { w.write("Istio Proxy Version:\t\(sha)\n") }
        }
        let build = node?["user_agent_build_version"]
        let version = build?["version"]
        var envoy = "\(version?["major_number"]?.int ?? 0).\(version?["minor_number"]?.int ?? 0).\(version?["patch"]?.int ?? 0)"
        let buildMetadata = build?["metadata"]
        if let label = buildMetadata?["build.label"] { envoy += "-" + (label.string ?? "") }
        for key in ["revision.status", "build.type", "ssl.version"] {
            if let value = buildMetadata?[key] { envoy += "/" + (value.string ?? "") }
        }
        w.write("Envoy Version:\t\(envoy)\n")
        return w.finish()
    }

    public static func secretSummary(_ dump: ConfigDump, named: Bool = false, now: String = UTCClock.now())
        throws(ConfigDump.ReadError) -> String
    {
        let section = try dump.section(TypeURL.secretsDump)
        let warming = section["dynamic_warming_secrets"]?.array ?? []
        let active = section["dynamic_active_secrets"]?.array ?? []
        if warming.isEmpty && active.isEmpty { return "No active or warming secrets found.\n" }
        var w = TabWriter(minWidth: 0, tabWidth: 5, padding: 5)
        w.writeRow(["RESOURCE NAME", "TYPE", "STATUS", "VALID CERT", "SERIAL NUMBER", "NOT AFTER", "NOT BEFORE"])
        for (state, secrets) in [("WARMING", warming), ("ACTIVE", active)] {
            for secret in secrets {
                let name = (named ? "secret/" : "") + (secret["name"]?.string ?? "")
                let tls = secret["secret"]
                let chain = tls?["tls_certificate"]?["certificate_chain"]?["inline_bytes"]?.string ?? ""
                let ca = tls?["validation_context"]?["trusted_ca"]?["inline_bytes"]?.string ?? ""
                let pem = Base64.decode(chain.isEmpty ? ca : chain) ?? []
                if let cert = pem.isEmpty ? nil : Certificate(pem: pem) {
                    let valid = cert.notBefore < now && now < cert.notAfter
                    w.writeRow([
                        name, cert.isCA ? "CA" : "Cert Chain", state, String(valid), cert.serialHex, cert.notAfter,
                        cert.notBefore,
                    ])
                } else {
                    w.writeRow([name, "", state, "false"])
                }
            }
        }
        return w.finish()
    }

    public static func ecdsConfigs(_ dump: ConfigDump) throws(ConfigDump.ReadError) -> [JSONValue] {
        var configs = (try dump.section(TypeURL.ecdsDump)["ecds_filters"]?.array ?? []).compactMap { $0["ecds_filter"] }
        GoSort.slice(&configs) { a, b in
            let (ta, tb) = (a["typed_config"]?["@type"]?.string ?? "", b["typed_config"]?["@type"]?.string ?? "")
            if ta == tb { return less(a["name"]?.string ?? "", b["name"]?.string ?? "") }
            return less(ta, tb)
        }
        return configs
    }

    public static func ecdsSummary(_ dump: ConfigDump) throws(ConfigDump.ReadError) -> String {
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 5)
        w.writeRow(["ECDS NAME", "TYPE"])
        for config in try ecdsConfigs(dump) {
            var type = config["typed_config"]?["@type"]?.string ?? ""
            if type.hasPrefix(TypeURL.prefix) { type.removeFirst(TypeURL.prefix.count) }
            w.writeRow([config["name"]?.string ?? "", type])
        }
        return w.finish()
    }
}
