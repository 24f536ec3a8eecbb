import MeshModel
import MeshRouting

/// IST0101: a destination (or mirror) subset that no DestinationRule visible to the
/// VirtualService defines for its host.
struct DestinationSubsetAnalyzer: Analyzer {
    static let name = "virtualservice.DestinationRuleAnalyzer"
    static let codes: [DiagnosticCode] = [.referencedResourceNotFound]

    func analyze(_ analysis: inout Analysis) {
        for vs in analysis.index.virtualServices {
            let scopes = analysis.visibility.referringScopes(of: vs)
            vs.forEachDestination { destination, isMirror in
                guard let host = destination.host, let subset = destination.subset else { return }
                let fqdn = HostNames.fqdn(host.value, namespace: vs.namespace)
                let rules = analysis.index.destinationRulesByHost[fqdn] ?? []
                let visible = rules.filter { Visibility.sees(scopes, analysis.visibility.destinationRule($0)) }
                let defines = { (rule: Resource) in
                    rule.destinationRule?.subsets.contains { $0.name?.value == subset.value } == true
                }
                guard !visible.contains(where: defines) else { return }
                let why: String
                if rules.isEmpty {
                    why = "no DestinationRule for \(fqdn)"
                } else if visible.isEmpty, !rules.contains(where: defines) {
                    why =
                        "DestinationRule \(Analysis.list(rules.map { "\($0.namespace)/\($0.name)" })) is not exported to namespace \(vs.namespace)"
                } else if let hidden = rules.first(where: defines) {
                    why =
                        "DestinationRule \(hidden.namespace)/\(hidden.name) defines it but is not exported to namespace \(vs.namespace)"
                } else {
                    let names = visible.flatMap { $0.destinationRule?.subsets ?? [] }.compactMap { $0.name?.value }
                    why =
                        "DestinationRule \(Analysis.list(visible.map { "\($0.namespace)/\($0.name)" })) defines \(Analysis.list(names))"
                }
                analysis.report(
                    .referencedResourceNotFound,
                    "referenced subset not found: \(host.value)+\(subset.value) (\(why))\(isMirror ? " in mirror" : "")", vs,
                    at: subset.node)
            }
        }
    }
}
