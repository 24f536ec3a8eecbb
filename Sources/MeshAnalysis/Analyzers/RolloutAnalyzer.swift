import MeshModel
import MeshRouting

/// IST0101: a Rollout's VirtualService, or a subset it moves traffic between, does not exist.
/// MESH0201: the routes it shifts do not hold exactly its two subsets of one host.
/// MESH0202: a subset selects no endpoint (the rollout could never finish, or never roll back).
/// MESH0203: a gated rollout's subset has no `version` label for the metrics to tell it by.
struct RolloutAnalyzer: Analyzer {
    static let name = "meshctl.RolloutAnalyzer"
    static let codes: [DiagnosticCode] = [
        .referencedResourceNotFound, .rolloutRouteMismatch, .rolloutSubsetWithoutEndpoints, .rolloutSubsetWithoutVersion,
    ]

    func analyze(_ analysis: inout Analysis) {
        for resource in analysis.resources.effective {
            guard let rollout = resource.rollout, let vsName = rollout.virtualService else { continue }
            guard
                let vsResource = analysis.index.virtualServices.first(where: {
                    $0.name == vsName.value && $0.namespace == resource.namespace
                }), let vs = vsResource.virtualService
            else {
                analysis.report(
                    .referencedResourceNotFound,
                    "referenced VirtualService not found: \(resource.namespace)/\(vsName.value)", resource, at: vsName.node)
                continue
            }
            let routes: [RolloutRoute]
            switch rollout.bind(vs) {
            case .success(let bound): routes = bound
            case .failure(let problem):
                analysis.report(
                    .rolloutRouteMismatch, problem.message, problem.inVirtualService ? vsResource : resource, at: problem.node)
                continue
            }
            let gated = !(rollout.analysis?.metrics.isEmpty ?? true)
            var checked: Set<String> = []
            for route in routes {
                let fqdn = HostNames.fqdn(route.host, namespace: vsResource.namespace)
                for subset in [rollout.stableSubset, rollout.canarySubset].compactMap({ $0 })
                where checked.insert("\(fqdn)|\(subset.value)").inserted {
                    let defined = analysis.index.destinationRulesByHost[fqdn]?.lazy.flatMap { $0.destinationRule?.subsets ?? [] }
                        .first { $0.name?.value == subset.value }
                    guard let defined else {
                        analysis.report(
                            .referencedResourceNotFound,
                            "referenced subset not found: \(subset.value) of \(fqdn) (no DestinationRule defines it)",
                            resource, at: subset.node)
                        continue
                    }
                    if analysis.selectsNoEndpoint(fqdn, subset: subset.value) {
                        analysis.report(
                            .rolloutSubsetWithoutEndpoints,
                            "subset \(subset.value) of \(fqdn) selects no endpoint: its share of the traffic would fail with 503",
                            resource, at: subset.node)
                    }
                    if gated && defined.labels["version"] == nil {
                        analysis.report(
                            .rolloutSubsetWithoutVersion,
                            "subset \(subset.value) has no `version` label; the gates count requests by destination_version, so they cannot see it",
                            resource, at: subset.node)
                    }
                }
            }
        }
    }
}
