import MeshModel
import MeshRouting

/// IST0101: a destination host not in the registry, or a subset no DestinationRule defines.
/// IST0112: a destination without a port when its service has several.
struct DestinationAnalyzer: Analyzer {
    func analyze(_ analysis: inout Analysis) {
        for vs in analysis.index.virtualServices {
            vs.forEachDestination { destination, isMirror in
                guard let host = destination.host else { return }
                let fqdn = HostNames.fqdn(host.value, namespace: vs.namespace)
                let service = analysis.service(fqdn)
                if service == nil {
                    analysis.report(
                        .referencedResourceNotFound,
                        "referenced host not found: \(host.value) (no ServiceEntry, WorkloadEntry or Kubernetes Service for \(fqdn))",
                        vs, at: host.node)
                }
                if let subset = destination.subset, analysis.index.subset(subset.value, of: fqdn) == nil {
                    let rules = analysis.index.destinationRulesByHost[fqdn] ?? []
                    let why =
                        rules.isEmpty
                        ? "no DestinationRule for \(fqdn)"
                        : "DestinationRule \(Analysis.list(rules.map { "\($0.namespace)/\($0.name)" })) defines \(Analysis.list(analysis.index.subsets(of: fqdn).compactMap { $0.name?.value }))"
                    analysis.report(
                        .referencedResourceNotFound,
                        "referenced subset not found: \(host.value)+\(subset.value) (\(why))\(isMirror ? " in mirror" : "")",
                        vs, at: subset.node)
                }
                if let service, service.ports.count > 1, destination.port == nil {
                    let ports = Analysis.list(service.ports.map { String($0.number) })
                    analysis.report(
                        .virtualServiceDestinationPortSelectorRequired,
                        "destination \(host.value) has several ports (\(ports)); name one with destination.port.number",
                        vs, at: destination.node)
                }
            }
        }
    }
}

/// IST0109: several VirtualServices bound to the mesh claim the same host.
struct ConflictingHostsAnalyzer: Analyzer {
    func analyze(_ analysis: inout Analysis) {
        var owners: [String: [(Resource, Located<String>)]] = [:]
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService else { continue }
            let mesh = spec.gateways.isEmpty || spec.gateways.contains { $0.value == "mesh" }
            guard mesh else { continue }
            for host in spec.hosts { owners[HostNames.fqdn(host.value, namespace: vs.namespace), default: []].append((vs, host)) }
        }
        for (fqdn, claims) in owners.sorted(by: { $0.key < $1.key }) where Set(claims.map { $0.0.reference }).count > 1 {
            let names = Analysis.list(claims.map { "\($0.0.namespace)/\($0.0.name)" }, separator: ",")
            for (vs, host) in claims {
                analysis.report(
                    .conflictingMeshGatewayVirtualServiceHosts,
                    "the VirtualServices \(names) associated with mesh define the same host \(fqdn); Istio uses only one of them",
                    vs, at: host.node)
            }
        }
    }
}
