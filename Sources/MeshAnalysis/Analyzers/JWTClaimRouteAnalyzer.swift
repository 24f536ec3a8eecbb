import MeshModel

/// IST0149: a VirtualService bound to a gateway matches on JWT claims (`@request.auth.claims.*`
/// headers), but no RequestAuthentication (in the pod's namespace or the root namespace)
/// selects a pod of that gateway: without one the claims are never extracted, so the match
/// never succeeds.
struct JWTClaimRouteAnalyzer: Analyzer {
    static let name = "virtualservice.JWTClaimRouteAnalyzer"
    static let codes: [DiagnosticCode] = [.jwtClaimBasedRoutingWithoutRequestAuthN]

    static let claimPrefix = "@request.auth.claims"

    func analyze(_ analysis: inout Analysis) {
        var selectors: [String: [[String: String]]] = [:]
        for ra in analysis.index.requestAuthentications {
            selectors[ra.namespace, default: []].append(ra.requestAuthentication?.selectorLabels ?? [:])
        }
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService, let claim = Self.claimHeader(spec) else { continue }
            for gateway in spec.gateways where gateway.value != "mesh" {
                let key = Index.gatewayKey(gateway.value, namespace: vs.namespace)
                // A missing gateway is the gateway analyzer's finding.
                guard let gw = analysis.index.gatewaysByName[key]?.gateway else { continue }
                for pod in analysis.workloads.pods(selectedBy: gw.selector) {
                    let candidates = (selectors[analysis.mesh.rootNamespace] ?? []) + (selectors[pod.namespace] ?? [])
                    guard !candidates.contains(where: { Workloads.matches($0, pod.labels) }) else { continue }
                    analysis.report(
                        .jwtClaimBasedRoutingWithoutRequestAuthN,
                        "routes on JWT claim \(claim.value) through gateway \(key), but no RequestAuthentication applies to its pod \(pod.namespace)/\(pod.name): the claim is never extracted, so the match never succeeds",
                        vs, at: claim.node)
                }
            }
        }
    }

    /// The first header (or withoutHeaders) name that matches a JWT claim.
    static func claimHeader(_ spec: VirtualService) -> Located<String>? {
        for route in spec.http {
            for match in route.match {
                for entry in match.headers + match.withoutHeaders where entry.key.hasPrefix(claimPrefix) {
                    return Located(entry.key, node: entry.keyNode)
                }
            }
        }
        return nil
    }
}
