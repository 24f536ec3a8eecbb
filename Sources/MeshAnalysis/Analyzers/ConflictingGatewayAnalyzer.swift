import MeshModel

/// IST0145: Gateways that apply to the same workload claim the same host (with the same `bind`)
/// on the same port. Gateways apply to the same workload when their selectors are equal, or when
/// one selector is contained in the other and a pod of the input carries both (a sub-selector,
/// as istioctl finds it). Hosts conflict when they are written the same: Istio merges distinct
/// hosts, wildcard or not, into one listener.
struct ConflictingGatewayAnalyzer: Analyzer {
    static let name = "gateway.ConflictingGatewayAnalyzer"
    static let codes: [DiagnosticCode] = [.conflictingGateways]

    struct Claim: Hashable {
        var gateway: String
        var bind: String
    }

    func analyze(_ analysis: inout Analysis) {
        // selector → port → host → the gateways (and binds) that claim it.
        var claims: [String: [Int: [String: [Claim]]]] = [:]
        var selectors: [String: [String: String]] = [:]
        for resource in analysis.index.gateways {
            guard let gw = resource.gateway else { continue }
            let selector = Analysis.selector(gw.selector)
            selectors[selector] = gw.selector
            for server in gw.servers {
                guard let port = server.port?.number?.value else { continue }
                for host in server.hosts {
                    claims[selector, default: [:]][port, default: [:]][host.value, default: []].append(
                        Claim(gateway: "\(resource.namespace)/\(resource.name)", bind: server.bind ?? ""))
                }
            }
        }
        var related: [String: [String]] = [:]
        // Selectors by each of their `key=value` pairs, to find the ones that share a pair.
        var byPair: [String: [String]] = [:]
        for (text, labels) in selectors {
            for (key, value) in labels { byPair["\(key)=\(value)", default: []].append(text) }
        }
        for resource in analysis.index.gateways {
            guard let gw = resource.gateway else { continue }
            let name = "\(resource.namespace)/\(resource.name)"
            let selector = Analysis.selector(gw.selector)
            if related[selector] == nil {
                related[selector] = self.related(selector, selectors, byPair, analysis.workloads)
            }
            for server in gw.servers {
                guard let port = server.port?.number?.value else { continue }
                var others = Set<String>()
                var first: Located<String>?
                for host in server.hosts {
                    for other in related[selector]! {
                        for claim in claims[other]?[port]?[host.value] ?? []
                        where claim.gateway != name && claim.bind == (server.bind ?? "") {
                            others.insert(claim.gateway)
                            if first == nil { first = host }
                        }
                    }
                }
                guard let first else { continue }
                analysis.report(
                    .conflictingGateways,
                    "conflict with gateways \(Analysis.list(others.sorted(), separator: ",")) (workload selector \(selector.isEmpty ? "{}" : selector), port \(port), hosts \(Analysis.list(server.hosts.map(\.value), separator: ",")))",
                    resource, at: first.node)
            }
        }
    }

    /// The selectors of other Gateways that apply to the same workload as `selector`: the same
    /// one, or one whose labels include the other's (a sub-selector) when some pod carries both.
    /// (istioctl compares the selectors as text; comparing their labels finds the same pairs
    /// without comparing every selector with every other.)
    func related(
        _ selector: String, _ selectors: [String: [String: String]], _ byPair: [String: [String]], _ workloads: Workloads
    ) -> [String] {
        let labels = selectors[selector]!
        // An empty selector is contained in every other; otherwise the other shares a pair.
        let candidates =
            labels.isEmpty
            ? Array(selectors.keys)
            : Array(Set(labels.flatMap { byPair["\($0.key)=\($0.value)"] ?? [] }).union(selectors[""] != nil ? [""] : []))
        return candidates.sorted().filter { other in
            if other == selector { return true }
            let otherLabels = selectors[other]!
            let contained =
                labels.allSatisfy { otherLabels[$0.key] == $0.value } || otherLabels.allSatisfy { labels[$0.key] == $0.value }
            guard contained else { return false }
            return workloads.hasPod(selectedBy: labels.merging(otherLabels) { a, _ in a })
        }
    }
}
