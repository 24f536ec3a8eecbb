import MeshModel

/// IST0002: a Sidecar's `outboundTrafficPolicy.egressProxy`, which Istio ignores. (Deprecated
/// fields of the other networking kinds are reported by validation, with the same code.)
struct DeprecationAnalyzer: Analyzer {
    static let name = "deprecation.DeprecationAnalyzer"
    static let codes: [DiagnosticCode] = [.deprecated]

    func analyze(_ analysis: inout Analysis) {
        for resource in analysis.index.sidecars {
            guard let sidecar = resource.sidecar, sidecar.egressProxyNode >= 0 else { continue }
            analysis.report(
                .deprecated,
                "outboundTrafficPolicy.egressProxy is ignored: Istio no longer sends traffic to an egress proxy from here",
                resource, at: resource.file.key(ofValue: sidecar.egressProxyNode) ?? sidecar.egressProxyNode)
        }
    }
}
