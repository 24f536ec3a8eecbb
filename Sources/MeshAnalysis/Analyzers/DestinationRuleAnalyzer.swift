import MeshModel
import MeshRouting

/// IST0174: a DestinationRule whose host matches no service.
/// IST0173: a subset whose labels select no endpoint of the service.
/// MESH0105: several DestinationRules for one host (Istio applies only one).
struct DestinationRuleAnalyzer: Analyzer {
    func analyze(_ analysis: inout Analysis) {
        for resource in analysis.index.destinationRules {
            guard let dr = resource.destinationRule, let host = dr.host else { continue }
            let fqdn = HostNames.fqdn(host.value, namespace: resource.namespace)
            let service = host.value.hasPrefix("*") ? analysis.registry.wildcardServices.first : analysis.service(fqdn)
            guard let service else {
                analysis.report(
                    .unknownDestinationRuleHost,
                    "DestinationRule host \(host.value) matches no service (\(fqdn) is not in the registry)", resource,
                    at: host.node)
                continue
            }
            // When the input may not show every endpoint (e.g. a Kubernetes Service whose pods are
            // not in it) there is nothing to check subsets against.
            guard service.endpointsAreKnown else { continue }
            for subset in dr.subsets where !subset.labels.isEmpty {
                // What the proxy would do: a subset that selects nothing answers 503 (UH).
                let resolution = Registry.resolve(fqdn, service: service, subset: subset.name?.value, rule: resource)
                guard resolution.failure?.flag == "UH" else { continue }
                let labels = subset.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                let why = service.resolvesItsHost ? "; its only endpoint is the host itself, resolved by DNS, without labels" : ""
                analysis.report(
                    .destinationRuleSubsetNotSelectPods,
                    "subset \(subset.name?.value ?? "?") selects no endpoint of \(service.fqdn) (labels \(labels))\(why)",
                    resource, at: subset.name?.node ?? subset.node)
            }
        }
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

/// MESH0008: two documents define the same kind, namespace and name.
struct DuplicateResourceAnalyzer: Analyzer {
    func analyze(_ analysis: inout Analysis) {
        var seen: [String: Resource] = [:]
        for resource in analysis.resources {
            if let first = seen[resource.reference] {
                analysis.report(
                    .duplicateResource,
                    "defined again; the definition at \(first.position(first.nameNode)) is replaced",
                    resource, at: resource.nameNode)
            }
            seen[resource.reference] = resource
        }
    }
}
