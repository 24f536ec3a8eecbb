import MeshModel
import MeshRouting

/// The mesh as a graph, as Kiali draws it: services with their subsets (versions), route rules
/// as weighted edges, mirrors, faults, breakers and ejection, services outside the mesh, and
/// (from proxies' metrics) the traffic each workload sent, with its rate and error rate.
struct ServiceGraph {
    struct Service {
        var fqdn: String
        var ports: [Int] = []
        var external = false
        var subsets: [String: [String: String]] = [:]
        /// `circuit breaker`, `outlier detection`, per subset name ("" for the whole service).
        var policies: [String: [String]] = [:]
    }

    struct Edge: Hashable {
        enum Kind: String { case route, mirror, traffic }
        var from: String
        var to: String
        var kind: Kind
        var label: String
    }

    var services: [String: Service] = [:]
    var edges: [Edge] = []
    /// Observed sources that are not services of the graph (an ingress gateway, a client).
    var workloads: Set<String> = []

    /// The graph of a rule set (the last definition of each resource counts).
    init(resources: [Resource]) {
        let resources = resources.effective
        for resource in resources {
            if let entry = resource.serviceEntry {
                for host in entry.hosts {
                    let fqdn = HostNames.fqdn(host.value, namespace: resource.namespace)
                    var service = services[fqdn] ?? Service(fqdn: fqdn)
                    service.ports = Array(Set(service.ports + entry.ports.compactMap { $0.number?.value })).sorted()
                    service.external = entry.location == "MESH_EXTERNAL"
                    services[fqdn] = service
                }
            } else if let rule = resource.destinationRule, let host = rule.host?.value {
                let fqdn = HostNames.fqdn(host, namespace: resource.namespace)
                var service = services[fqdn] ?? Service(fqdn: fqdn)
                for subset in rule.subsets {
                    guard let name = subset.name?.value else { continue }
                    service.subsets[name] = subset.labels
                    if let policy = subset.trafficPolicy { service.policies[name] = Self.policies(policy) }
                }
                if let policy = rule.trafficPolicy { service.policies[""] = Self.policies(policy) }
                services[fqdn] = service
            }
        }
        for resource in resources {
            guard let vs = resource.virtualService else { continue }
            for host in vs.hosts {
                let from = HostNames.fqdn(host.value, namespace: resource.namespace)
                if services[from] == nil { services[from] = Service(fqdn: from) }
                for (index, rule) in vs.http.enumerated() {
                    addRoutes(rule, index: index, from: from, namespace: resource.namespace)
                }
            }
        }
        edges = Array(Set(edges)).sorted {
            ($0.from, $0.to, $0.kind.rawValue, $0.label) < ($1.from, $1.to, $1.kind.rawValue, $1.label)
        }
    }

    static func policies(_ policy: TrafficPolicy) -> [String] {
        var names: [String] = []
        if let pool = policy.connectionPool {
            var limits: [String] = []
            if let n = pool.tcp?.maxConnections?.value { limits.append("maxConnections \(n)") }
            if let n = pool.http?.http1MaxPendingRequests?.value { limits.append("pending \(n)") }
            names.append("circuit breaker" + (limits.isEmpty ? "" : ": " + limits.joined(separator: ", ")))
        }
        if let outlier = policy.outlierDetection {
            names.append("outlier detection: \(outlier.consecutive5xxErrors?.value ?? 5) × 5xx")
        }
        return names
    }

    /// The node a destination points at: a subset's, or the service's.
    func node(_ fqdn: String, subset: String?) -> String {
        subset.map { "\(fqdn)|\($0)" } ?? fqdn
    }

    private mutating func addRoutes(_ rule: HTTPRoute, index: Int, from: String, namespace: String) {
        let name = rule.name ?? (rule.match.isEmpty ? nil : "rule \(index)")
        var notes: [String] = []
        if let abort = rule.fault?.abort, let status = abort.httpStatus?.value {
            notes.append("abort \(status) \(Self.percent(abort.percentage?.value ?? 0))")
        }
        if let delay = rule.fault?.delay, let fixed = delay.fixedDelay {
            notes.append("delay \(fixed) \(Self.percent(delay.percentage?.value ?? 0))")
        }
        let total = rule.route.reduce(0) { $0 + max($1.weight?.value ?? 0, 0) }
        for destination in rule.route {
            guard let host = destination.destination?.host?.value else { continue }
            let to = HostNames.fqdn(host, namespace: namespace)
            let subset = destination.destination?.subset?.value
            if services[to] == nil { services[to] = Service(fqdn: to) }
            let weight = destination.weight?.value
            if rule.route.count > 1 && (weight ?? 0) == 0 { continue }
            if to == from && subset == nil && name == nil && notes.isEmpty { continue }
            var parts: [String] = []
            if let name { parts.append(name) }
            if rule.route.count > 1, let weight, total > 0 { parts.append(Self.percent(100 * Double(weight) / Double(total))) }
            parts += notes
            edges.append(Edge(from: from, to: node(to, subset: subset), kind: .route, label: parts.joined(separator: " ")))
        }
        for mirror in [rule.mirror].compactMap({ $0 }) + rule.mirrors.compactMap(\.destination) {
            guard let host = mirror.host?.value else { continue }
            let to = HostNames.fqdn(host, namespace: namespace)
            if services[to] == nil { services[to] = Service(fqdn: to) }
            let percent =
                rule.mirrors.first { $0.destination?.host?.value == host }?.percentage?.value
                ?? rule.mirrorPercentage?.value ?? 100
            edges.append(
                Edge(
                    from: from, to: node(to, subset: mirror.subset?.value), kind: .mirror,
                    label: "mirror \(Self.percent(percent))"))
        }
    }

    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }

    /// Adds the traffic one window of Istio metrics shows: an edge from each source workload to
    /// the destination version, labelled with its request rate and error rate.
    mutating func addTraffic(_ windows: [Window]) {
        struct Key: Hashable {
            var source: String
            var service: String
            var version: String
        }
        var totals: [Key: (requests: Double, errors: Double, rate: Double)] = [:]
        for window in windows {
            for (sample, increase) in window.increases
            where sample.name == "istio_requests_total" && sample.label("reporter") == "source" {
                let source = sample.label("source_canonical_service") ?? sample.label("source_workload") ?? "unknown"
                let key = Key(
                    source: source, service: sample.label("destination_service") ?? "unknown",
                    version: sample.label("destination_version") ?? "unknown")
                var total = totals[key] ?? (0, 0, 0)
                total.requests += increase
                total.rate += increase / window.seconds
                let code = sample.label("response_code") ?? ""
                if code.hasPrefix("5") || code.hasPrefix("4") { total.errors += increase }
                totals[key] = total
            }
        }
        for (key, total) in totals where total.requests > 0 {
            let from = services.keys.first { Self.shortName($0) == key.source } ?? key.source
            if services[from] == nil { workloads.insert(from) }
            if services[key.service] == nil && key.service != "unknown" { services[key.service] = Service(fqdn: key.service) }
            let subset = services[key.service]?.subsets.sorted { $0.key < $1.key }.first { $0.value["version"] == key.version }?
                .key
            let errors = 100 * total.errors / total.requests
            edges.append(
                Edge(
                    from: from, to: node(key.service, subset: subset), kind: .traffic,
                    label: String(format: "%.1f rps, %.1f%% errors", total.rate, errors)))
        }
        edges.sort { ($0.from, $0.to, $0.kind.rawValue, $0.label) < ($1.from, $1.to, $1.kind.rawValue, $1.label) }
    }

    /// `recommendation` for `recommendation.default.svc.cluster.local`, other hosts as they are.
    static func shortName(_ fqdn: String) -> String {
        let suffix = ".default." + HostNames.clusterDomain
        return fqdn.hasSuffix(suffix) ? String(fqdn.dropLast(suffix.count)) : fqdn
    }

    /// The graph in Graphviz's DOT language, in a stable order.
    var dot: String {
        func quote(_ s: String) -> String {
            let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"" + escaped.replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var out =
            "digraph mesh {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\"];\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=10];\n"
        for fqdn in services.keys.sorted() {
            let service = services[fqdn]!
            let name = Self.shortName(fqdn)
            var label = name + (service.ports.isEmpty ? "" : "\n:" + service.ports.map(String.init).joined(separator: ","))
            if service.external { label += "\noutside the mesh" }
            for policy in service.policies[""] ?? [] { label += "\n" + policy }
            let style = service.external ? ", style=\"rounded,dashed\"" : ""
            if service.subsets.isEmpty {
                out += "  \(quote(fqdn)) [label=\(quote(label))\(style)];\n"
                continue
            }
            out += "  subgraph \(quote("cluster_" + fqdn)) {\n    label=\(quote(name));\n    style=rounded;\n"
            out += "    \(quote(fqdn)) [label=\(quote(label))\(style)];\n"
            for subset in service.subsets.keys.sorted() {
                let version = service.subsets[subset]?["version"].map { "\($0) " } ?? ""
                var subsetLabel = "\(version)(\(subset))"
                for policy in service.policies[subset] ?? [] { subsetLabel += "\n" + policy }
                out += "    \(quote(node(fqdn, subset: subset))) [label=\(quote(subsetLabel)), shape=ellipse];\n"
            }
            out += "  }\n"
        }
        for workload in workloads.sorted() {
            out += "  \(quote(workload)) [shape=ellipse, style=filled, fillcolor=\"#eeeeee\"];\n"
        }
        for edge in edges {
            var attributes = edge.label.isEmpty ? [] : ["label=\(quote(edge.label))"]
            switch edge.kind {
            case .route: break
            case .mirror: attributes.append("style=dashed")
            case .traffic:
                attributes.append("color=\(edge.label.hasSuffix(" 0.0% errors") ? "\"#2e7d32\"" : "\"#c62828\"")")
                attributes.append("penwidth=2")
            }
            out +=
                "  \(quote(edge.from)) -> \(quote(edge.to))\(attributes.isEmpty ? "" : " [" + attributes.joined(separator: ", ") + "]");\n"
        }
        return out + "}\n"
    }
}
