import MeshModel
import MeshRouting

/// IST0140: a VirtualService bound to a gateway routes to a host without a subset, while a
/// VirtualService for that host splits it by subsets. The gateway's proxy sends the request
/// straight to the host's cluster: the subset rules of the other VirtualService never apply.
struct IngressRouteRulesAnalyzer: Analyzer {
    static let name = "virtualservice.IngressRouteRulesAnalyzer"
    static let codes: [DiagnosticCode] = [.ingressRouteRulesNotAffected]

    func analyze(_ analysis: inout Analysis) {
        // Hosts whose own VirtualService routes them to subsets → those VirtualServices.
        var splitBy: [String: [Resource]] = [:]
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService else { continue }
            let hosts = Set(spec.hosts.map { HostNames.fqdn($0.value, namespace: vs.namespace) })
            var seen = Set<String>()
            for route in spec.http {
                for d in route.route where d.destination?.subset != nil {
                    guard let host = d.destination?.host?.value else { continue }
                    let fqdn = HostNames.fqdn(host, namespace: vs.namespace)
                    if hosts.contains(fqdn), seen.insert(fqdn).inserted { splitBy[fqdn, default: []].append(vs) }
                }
            }
        }
        guard !splitBy.isEmpty else { return }
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService, !spec.gateways.isEmpty else { continue }
            for route in spec.http {
                for d in route.route {
                    guard let destination = d.destination, destination.subset == nil, let host = destination.host else {
                        continue
                    }
                    let fqdn = HostNames.fqdn(host.value, namespace: vs.namespace)
                    for other in splitBy[fqdn] ?? [] {
                        analysis.report(
                            .ingressRouteRulesNotAffected,
                            "route to \(host.value) without a subset: the subset rules of VirtualService \(other.namespace)/\(other.name) do not apply to requests VirtualService \(vs.namespace)/\(vs.name) routes here; name a subset",
                            vs, at: host.node)
                    }
                }
            }
        }
    }
}
