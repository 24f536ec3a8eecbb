import MeshModel

/// IST0128 (the rule's own `trafficPolicy.tls`) and IST0129 (a `portLevelSettings` entry's): TLS
/// mode SIMPLE or MUTUAL without `caCertificates`, so the proxy does not verify the server's
/// certificate. A gateway's DestinationRule (one with a `workloadSelector`) that names a
/// `credentialName` gets its CA from that Secret, and is not reported.
struct CACertificateAnalyzer: Analyzer {
    static let name = "destinationrule.CaCertificateAnalyzer"
    static let codes: [DiagnosticCode] = [
        .noServerCertificateVerificationDestinationLevel, .noServerCertificateVerificationPortLevel,
    ]

    func analyze(_ analysis: inout Analysis) {
        for resource in analysis.index.destinationRules {
            guard let dr = resource.destinationRule, let policy = dr.trafficPolicy else { continue }
            let host = dr.host?.value ?? ""
            if let tls = policy.tls, let mode = unverified(tls, dr) {
                analysis.report(
                    .noServerCertificateVerificationDestinationLevel,
                    "TLS mode \(mode) for host \(host) without caCertificates: the server's certificate is not verified",
                    resource, at: tls.mode?.node ?? tls.node)
            }
            for settings in policy.portLevelSettings {
                guard let tls = settings.tls, let mode = unverified(tls, dr) else { continue }
                let port = settings.port.map { " port \($0.number)" } ?? ""
                analysis.report(
                    .noServerCertificateVerificationPortLevel,
                    "TLS mode \(mode) for host \(host)\(port) without caCertificates: the server's certificate is not verified",
                    resource, at: tls.mode?.node ?? tls.node)
            }
        }
    }

    /// The mode, when it originates TLS without a way to verify the server.
    func unverified(_ tls: ClientTLSSettings, _ dr: DestinationRule) -> String? {
        guard let mode = tls.mode?.value, mode == "SIMPLE" || mode == "MUTUAL" else { return nil }
        if let ca = tls.caCertificates, !ca.isEmpty { return nil }
        if let credential = tls.credentialName, !credential.isEmpty, dr.workloadSelector != nil { return nil }
        return mode
    }
}
