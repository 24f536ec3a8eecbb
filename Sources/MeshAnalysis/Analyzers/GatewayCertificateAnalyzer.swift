import MeshModel

/// IST0138: servers of two Gateways that apply to the same workload use the same certificate
/// (the same `credentialName`, or the same `serverCertificate` and `privateKey` files). Reported
/// on a Gateway when its selector is contained in the other's (an empty one in every other).
struct GatewayCertificateAnalyzer: Analyzer {
    static let name = "gateway.CertificateAnalyzer"
    static let codes: [DiagnosticCode] = [.gatewayDuplicateCertificate]

    struct Use {
        var resource: Resource
        var selector: [String: String]
        var node: Int32
    }

    func analyze(_ analysis: inout Analysis) {
        var byCertificate: [String: [Use]] = [:]
        var order: [String] = []
        for resource in analysis.index.gateways {
            guard let gw = resource.gateway else { continue }
            for server in gw.servers where server.tlsNode >= 0 {
                guard let key = Self.certificate(server) else { continue }
                if byCertificate[key] == nil { order.append(key) }
                byCertificate[key, default: []].append(
                    Use(resource: resource, selector: gw.selector, node: server.credentialName?.node ?? server.tlsNode))
            }
        }
        var reported = Set<String>()
        for key in order {
            let uses = byCertificate[key]!
            guard Set(uses.map(\.resource.reference)).count > 1 else { continue }
            for use in uses {
                for other in uses where other.resource.reference != use.resource.reference {
                    guard use.selector.allSatisfy({ other.selector[$0.key] == $0.value }) else { continue }
                    guard reported.insert("\(use.resource.reference)|\(other.resource.reference)").inserted else { continue }
                    let what = key.hasPrefix("credentialName ") ? key : "certificate files \(key.dropFirst(6))"
                    analysis.report(
                        .gatewayDuplicateCertificate,
                        "gateways \(use.resource.namespace)/\(use.resource.name) and \(other.resource.namespace)/\(other.resource.name) use the same certificate (\(what)) on one workload",
                        use.resource, at: use.node)
                }
            }
        }
    }

    /// What identifies a server's certificate, or nil when it names none.
    static func certificate(_ server: Gateway.Server) -> String? {
        if let name = server.credentialName?.value, !name.isEmpty { return "credentialName \(name)" }
        if let cert = server.serverCertificate, let key = server.privateKey, !cert.isEmpty, !key.isEmpty {
            return "files \(cert), \(key)"
        }
        return nil
    }
}
