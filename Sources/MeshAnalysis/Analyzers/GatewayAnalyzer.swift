import MeshModel
import MeshRouting

/// IST0101: a VirtualService names a Gateway that does not exist.
/// IST0132: a VirtualService host no server of its Gateway accepts.
/// IST0145: Gateways on the same workload and port claim the same host.
struct GatewayAnalyzer: Analyzer {
    func analyze(_ analysis: inout Analysis) {
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService else { continue }
            for gateway in spec.gateways where gateway.value != "mesh" {
                let key = Index.gatewayKey(gateway.value, namespace: vs.namespace)
                guard let resource = analysis.index.gatewaysByName[key], let gw = resource.gateway else {
                    analysis.report(.referencedResourceNotFound, "referenced gateway not found: \(key)", vs, at: gateway.node)
                    continue
                }
                for host in spec.hosts
                where !gw.servers.contains(where: { server in
                    server.hosts.contains {
                        Self.serverHost($0.value, gatewayNamespace: resource.namespace, accepts: host.value, from: vs.namespace)
                    }
                }) {
                    analysis.report(
                        .virtualServiceHostNotFoundInGateway,
                        "host \(host.value) is not among the hosts of gateway \(key) (\(gw.servers.flatMap { $0.hosts.map(\.value) }.joined(separator: ", ")))",
                        vs, at: host.node)
                }
            }
        }
        conflictingGateways(&analysis)
    }

    /// A server host `ns/host` (ns: `*`, `.` for the gateway's namespace, or a name) accepts a
    /// VirtualService host from namespace `from`.
    static func serverHost(_ entry: String, gatewayNamespace: String, accepts host: String, from namespace: String) -> Bool {
        var ns = "*"
        var pattern = entry
        if let slash = entry.firstIndex(of: "/") {
            ns = String(entry[..<slash])
            pattern = String(entry[entry.index(after: slash)...])
        }
        if ns == "." { ns = gatewayNamespace }
        guard ns == "*" || ns == namespace else { return false }
        return hostsOverlap(pattern.lowercased(), host.lowercased())
    }

    /// Whether two host patterns (each possibly `*.x` or `*`) can name the same host.
    static func hostsOverlap(_ a: String, _ b: String) -> Bool {
        if a == "*" || b == "*" || a == b { return true }
        if a.hasPrefix("*.") && b.hasSuffix(a.dropFirst()) { return true }
        if b.hasPrefix("*.") && a.hasSuffix(b.dropFirst()) { return true }
        return false
    }

    func conflictingGateways(_ analysis: inout Analysis) {
        struct Claim {
            var resource: Resource
            var host: Located<String>
            var port: Int
        }
        var byWorkloadPort: [String: [Claim]] = [:]
        for resource in analysis.index.gateways {
            guard let gw = resource.gateway else { continue }
            let selector = gw.selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            for server in gw.servers {
                guard let port = server.port?.number?.value else { continue }
                for host in server.hosts {
                    byWorkloadPort["\(selector)|\(port)", default: []].append(Claim(resource: resource, host: host, port: port))
                }
            }
        }
        for (key, claims) in byWorkloadPort.sorted(by: { $0.key < $1.key }) {
            let selector = String(key.split(separator: "|").first ?? "")
            for (i, claim) in claims.enumerated() {
                let hostA = String(claim.host.value.split(separator: "/").last ?? "")
                let others = claims.enumerated().filter { j, other in
                    j != i && other.resource.reference != claim.resource.reference
                        && Self.hostsOverlap(hostA, String(other.host.value.split(separator: "/").last ?? ""))
                }.map { "\($0.1.resource.namespace)/\($0.1.resource.name)" }
                guard !others.isEmpty else { continue }
                analysis.report(
                    .conflictingGateways,
                    "conflict with gateways \(Array(Set(others)).sorted().joined(separator: ", ")) (workload selector \(selector.isEmpty ? "{}" : selector), port \(claim.port), host \(hostA))",
                    claim.resource, at: claim.host.node)
            }
        }
    }
}
