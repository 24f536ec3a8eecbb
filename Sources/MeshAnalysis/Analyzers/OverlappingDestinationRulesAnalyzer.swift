import MeshModel

/// MESH0105: several DestinationRules for one host (Istio applies only one).
struct OverlappingDestinationRulesAnalyzer: Analyzer {
    static let name = "meshctl.OverlappingDestinationRulesAnalyzer"
    static let codes: [DiagnosticCode] = [.overlappingDestinationRules]

    func analyze(_ analysis: inout Analysis) {
        for (fqdn, rules) in analysis.index.destinationRulesByHost.sorted(by: { $0.key < $1.key }) where rules.count > 1 {
            let first = rules[0]
            for rule in rules.dropFirst() {
                analysis.report(
                    .overlappingDestinationRules,
                    "DestinationRule for \(fqdn) overlaps \(first.namespace)/\(first.name) (\(first.position(first.nameNode))); Istio applies only one DestinationRule per host",
                    rule, at: rule.destinationRule?.host?.node ?? rule.node)
            }
        }
    }
}
