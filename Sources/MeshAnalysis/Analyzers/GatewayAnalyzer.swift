import MeshModel
import MeshRouting

/// IST0101: a VirtualService names a Gateway that does not exist.
/// IST0132: a VirtualService host no server of its Gateway accepts.
/// IST0145: Gateways on the same workload and port claim the same host.
struct GatewayAnalyzer: Analyzer {
    func analyze(_ analysis: inout Analysis) {
        var accepted: [String: GatewayHosts] = [:]
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService else { continue }
            for gateway in spec.gateways where gateway.value != "mesh" {
                let key = Index.gatewayKey(gateway.value, namespace: vs.namespace)
                guard let resource = analysis.index.gatewaysByName[key], let gw = resource.gateway else {
                    analysis.report(.referencedResourceNotFound, "referenced gateway not found: \(key)", vs, at: gateway.node)
                    continue
                }
                let hosts = accepted[key] ?? GatewayHosts(gw, namespace: resource.namespace)
                if accepted[key] == nil { accepted[key] = hosts }
                for host in spec.hosts where !hosts.accepts(host.value, from: vs.namespace) {
                    analysis.report(
                        .virtualServiceHostNotFoundInGateway,
                        "host \(host.value) is not among the hosts of gateway \(key) (\(Analysis.list(gw.servers.flatMap { $0.hosts.map(\.value) })))",
                        vs, at: host.node)
                }
            }
        }
        conflictingGateways(&analysis)
    }

    /// Whether two host patterns (each possibly `*.x` or `*`) can name the same host.
    static func hostsOverlap(_ a: String, _ b: String) -> Bool {
        if a == "*" || b == "*" || a == b { return true }
        if a.hasPrefix("*.") && b.hasSuffix(a.dropFirst()) { return true }
        if b.hasPrefix("*.") && a.hasSuffix(b.dropFirst()) { return true }
        return false
    }

    func conflictingGateways(_ analysis: inout Analysis) {
        var byWorkloadPort: [String: HostClaims] = [:]
        for resource in analysis.index.gateways {
            guard let gw = resource.gateway else { continue }
            let selector = gw.selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            for server in gw.servers {
                guard let port = server.port?.number?.value else { continue }
                for host in server.hosts {
                    byWorkloadPort["\(selector)|\(port)", default: HostClaims()].add(
                        HostClaims.Claim(
                            resource: resource, host: host, port: port,
                            name: String(host.value.split(separator: "/").last ?? "")))
                }
            }
        }
        for (key, group) in byWorkloadPort.sorted(by: { $0.key < $1.key }) {
            let selector = String(key.split(separator: "|").first ?? "")
            for (i, claim) in group.claims.enumerated() {
                var others = Set<String>()
                group.forEachOverlap(of: i) { other in
                    if other.resource.reference != claim.resource.reference {
                        others.insert("\(other.resource.namespace)/\(other.resource.name)")
                    }
                }
                guard !others.isEmpty else { continue }
                analysis.report(
                    .conflictingGateways,
                    "conflict with gateways \(Analysis.list(others.sorted())) (workload selector \(selector.isEmpty ? "{}" : selector), port \(claim.port), host \(claim.name))",
                    claim.resource, at: claim.host.node)
            }
        }
    }
}

/// `a.b.c` → `.b.c`, `.c`: each suffix that starts at a dot, longest first. A host ends with
/// `.s` exactly when `.s` is among them, so a wildcard `*.s` is looked up, not scanned for.
func dotSuffixes(_ host: String) -> [Substring] {
    host.indices.filter { host[$0] == "." }.map { host[$0...] }
}

/// The hosts a Gateway's servers accept, indexed by the namespace part of each entry.
struct GatewayHosts {
    /// Host patterns (lowercase) that admit VirtualServices from one namespace, or `*`.
    struct Patterns {
        var exact: Set<String> = []
        /// `*.s` patterns by `.s`.
        var wildcards: Set<Substring> = []
        /// Every dot-suffix of every pattern, for a wildcard VirtualService host.
        var suffixes: Set<Substring> = []

        /// Whether some pattern overlaps `host` (both possibly wildcards), as
        /// `GatewayAnalyzer.hostsOverlap` decides for one pair.
        func overlap(_ host: String) -> Bool {
            if exact.contains("*") || host == "*" || exact.contains(host) { return true }
            if !wildcards.isEmpty && dotSuffixes(host).contains(where: wildcards.contains) { return true }
            return host.hasPrefix("*.") && suffixes.contains(host.dropFirst())
        }
    }

    private var byNamespace: [String: Patterns] = [:]

    init(_ gateway: Gateway, namespace gatewayNamespace: String) {
        for entry in gateway.servers.flatMap(\.hosts) {
            var ns = "*"
            var pattern = entry.value
            if let slash = pattern.firstIndex(of: "/") {
                ns = String(pattern[..<slash])
                pattern = String(pattern[pattern.index(after: slash)...])
            }
            if ns == "." { ns = gatewayNamespace }
            pattern = pattern.lowercased()
            byNamespace[ns, default: Patterns()].exact.insert(pattern)
            if pattern.hasPrefix("*.") { byNamespace[ns, default: Patterns()].wildcards.insert(pattern.dropFirst()) }
            byNamespace[ns, default: Patterns()].suffixes.formUnion(dotSuffixes(pattern))
        }
    }

    /// Whether a server entry (`ns/host`; ns `*`, `.` for the gateway's namespace, or a name)
    /// accepts a VirtualService host from `namespace`.
    func accepts(_ host: String, from namespace: String) -> Bool {
        let host = host.lowercased()
        if byNamespace["*"]?.overlap(host) == true { return true }
        return namespace != "*" && byNamespace[namespace]?.overlap(host) == true
    }
}

/// The hosts Gateways claim on one workload and port, indexed so each claim finds the claims it
/// overlaps without comparing every pair.
struct HostClaims {
    struct Claim {
        var resource: Resource
        var host: Located<String>
        var port: Int
        /// The host without its namespace part.
        var name: String
    }

    private(set) var claims: [Claim] = []
    private var byName: [String: [Int]] = [:]
    /// Claims of `*`.
    private var everything: [Int] = []
    /// Claims of `*.s`, by `.s`.
    private var wildcards: [Substring: [Int]] = [:]
    /// Claims by each dot-suffix of their host.
    private var bySuffix: [Substring: [Int]] = [:]

    mutating func add(_ claim: Claim) {
        let i = claims.count
        claims.append(claim)
        byName[claim.name, default: []].append(i)
        if claim.name == "*" { everything.append(i) }
        if claim.name.hasPrefix("*.") { wildcards[claim.name.dropFirst(), default: []].append(i) }
        for suffix in dotSuffixes(claim.name) { bySuffix[suffix, default: []].append(i) }
    }

    /// Calls `body` with every other claim whose host overlaps claim `i`'s.
    func forEachOverlap(of i: Int, _ body: (Claim) -> Void) {
        let name = claims[i].name
        var candidates: [Int]
        if name == "*" {
            candidates = Array(claims.indices)
        } else {
            candidates = everything + (byName[name] ?? [])
            for suffix in dotSuffixes(name) { candidates += wildcards[suffix] ?? [] }
            if name.hasPrefix("*.") { candidates += bySuffix[name.dropFirst()] ?? [] }
        }
        var seen = Set<Int>()
        for j in candidates where j != i && seen.insert(j).inserted {
            if GatewayAnalyzer.hostsOverlap(name, claims[j].name) { body(claims[j]) }
        }
    }
}
