import MeshModel
import MeshRouting

/// IST0174: a DestinationRule whose host matches no service visible to it.
/// IST0173: a subset whose labels select nothing: for a Kubernetes Service, no pod of the input
/// carries them (as istioctl checks), or the Service's pods are in the input and none of them
/// does (a pod carries its node's topology labels, as Istio's endpoints do); for a ServiceEntry, none of the endpoints the input shows in full (its listed
/// endpoints, or its host resolved by DNS, which has no labels) or, with a workloadSelector,
/// none of the pods and WorkloadEntries it selects.
struct DestinationRuleHostAnalyzer: Analyzer {
    static let name = "destinationrule.SubsetSelectPodAnalyzer"
    static let codes: [DiagnosticCode] = [.unknownDestinationRuleHost, .destinationRuleSubsetNotSelectPods]

    func analyze(_ analysis: inout Analysis) {
        for resource in analysis.index.destinationRules {
            guard let dr = resource.destinationRule, let host = dr.host else { continue }
            let fqdn = HostNames.fqdn(host.value, namespace: resource.namespace)
            let scopes = analysis.visibility.referringScopes(of: resource)
            guard let entry = analysis.services.lookUp(fqdn, from: scopes).first else {
                let hidden = analysis.services.entries(fqdn).compactMap(\.origin)
                let why =
                    hidden.isEmpty
                    ? "\(fqdn) is not in the registry"
                    : "\(Analysis.list(hidden)) defines \(fqdn) but is not exported to namespace \(resource.namespace)"
                analysis.report(
                    .unknownDestinationRuleHost, "DestinationRule host \(host.value) matches no service (\(why))", resource,
                    at: host.node)
                continue
            }
            let service = fqdn.hasPrefix("*") ? nil : analysis.service(fqdn)
            for subset in dr.subsets {
                guard let why = emptySelection(subset, entry, service, fqdn, resource, analysis) else { continue }
                analysis.report(
                    .destinationRuleSubsetNotSelectPods, "subset \(subset.name?.value ?? "?") \(why)", resource,
                    at: subset.name?.node ?? subset.node)
            }
        }
    }

    /// Why a subset selects nothing, or nil when it selects something (or the input cannot tell).
    func emptySelection(
        _ subset: Subset, _ entry: ServiceCatalog.Entry, _ service: Registry.Service?, _ fqdn: String, _ rule: Resource,
        _ analysis: Analysis
    ) -> String? {
        let labels = Analysis.selector(subset.labels)
        if let k8s = entry.kubernetesService {
            // The Service's own pods, when the input has them, are its endpoints.
            let own = analysis.workloads.pods(of: k8s)
            if !own.isEmpty && !subset.labels.isEmpty && !own.contains(where: { Workloads.matches(subset.labels, $0.labels) }) {
                return "selects no endpoint of \(fqdn) (labels \(labels))"
            }
            // As istioctl checks it: some pod of the input must carry the subset's labels.
            if !analysis.workloads.hasPod(selectedBy: subset.labels) {
                return "selects no pod: none in the input carries labels \(labels)"
            }
            return nil
        }
        if let selector = entry.workloadSelector {
            var merged = selector
            merged.merge(subset.labels) { $1 }
            let endpoints = service?.endpoints(matching: subset.labels) ?? []
            guard !analysis.workloads.hasPod(selectedBy: merged) && endpoints.isEmpty else { return nil }
            return "selects no workload: no pod or WorkloadEntry carries labels \(Analysis.selector(merged))"
        }
        // What the proxy would do: a subset that selects no known endpoint answers 503 (UH).
        if let service, service.endpointsAreKnown, !subset.labels.isEmpty {
            let resolution = Registry.resolve(fqdn, service: service, subset: subset.name?.value, rule: rule)
            if resolution.failure?.flag == "UH" {
                let dns = service.resolvesItsHost ? "; its only endpoint is the host itself, resolved by DNS, without labels" : ""
                return "selects no endpoint of \(service.fqdn) (labels \(labels))\(dns)"
            }
        }
        return nil
    }
}
