import MeshModel
import MeshRouting

/// IST0109: several VirtualServices bound to the mesh claim the same host for proxies of the same
/// namespace. Each host is scoped by where its VirtualService is exported (`exportTo`, or the
/// mesh default): VirtualServices that no namespace sees together do not conflict.
struct ConflictingMeshGatewayHostsAnalyzer: Analyzer {
    static let name = "virtualservice.ConflictingMeshGatewayHostsAnalyzer"
    static let codes: [DiagnosticCode] = [.conflictingMeshGatewayVirtualServiceHosts]

    struct Claim {
        var vs: Resource
        var host: Located<String>
        var fqdn: String
    }

    func analyze(_ analysis: inout Analysis) {
        // Claims by scope (`*` or a namespace), then by FQDN.
        var claims: [String: [String: [Claim]]] = [:]
        var everywhereWildcards: [Claim] = []
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService else { continue }
            guard spec.gateways.isEmpty || spec.gateways.contains(where: { $0.value == "mesh" }) else { continue }
            for scope in analysis.visibility.virtualService(vs).scopes {
                for host in spec.hosts {
                    let claim = Claim(vs: vs, host: host, fqdn: HostNames.fqdn(host.value, namespace: vs.namespace))
                    claims[scope, default: [:]][claim.fqdn, default: []].append(claim)
                    if scope == "*" && claim.fqdn.hasPrefix("*") { everywhereWildcards.append(claim) }
                }
            }
        }
        let everywhere = claims["*"] ?? [:]
        var reported = Set<String>()
        for scope in claims.keys.sorted() {
            for (fqdn, own) in claims[scope]!.sorted(by: { $0.key < $1.key }) {
                var group = own
                if scope != "*" {
                    // What every namespace sees conflicts with what this namespace sees.
                    group += everywhere[fqdn] ?? []
                    group += everywhereWildcards.filter { $0.fqdn != fqdn && GatewayHosts.overlap($0.fqdn, fqdn) }
                    if fqdn.hasPrefix("*") {
                        for (other, list) in everywhere
                        where other != fqdn && !other.hasPrefix("*") && GatewayHosts.overlap(fqdn, other) {
                            group += list
                        }
                    }
                }
                var names: [String] = []
                for claim in group where !names.contains("\(claim.vs.namespace)/\(claim.vs.name)") {
                    names.append("\(claim.vs.namespace)/\(claim.vs.name)")
                }
                guard names.count > 1 else { continue }
                for claim in group where reported.insert(claim.vs.reference).inserted {
                    let scopeText = scope == "*" ? "" : " for namespace \(scope)"
                    analysis.report(
                        .conflictingMeshGatewayVirtualServiceHosts,
                        "the VirtualServices \(Analysis.list(names, separator: ",")) associated with mesh define the same host \(fqdn)\(scopeText); Istio uses only one of them",
                        claim.vs, at: claim.host.node)
                }
            }
        }
    }
}
