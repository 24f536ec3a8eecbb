import MeshModel
import MeshRouting

/// IST0101: a destination (or mirror) host that no ServiceEntry or Kubernetes Service visible to
/// the VirtualService defines, or a destination port that service does not expose.
/// IST0112: a destination without a port when its service has several.
struct DestinationHostAnalyzer: Analyzer {
    static let name = "virtualservice.DestinationHostAnalyzer"
    static let codes: [DiagnosticCode] = [.referencedResourceNotFound, .virtualServiceDestinationPortSelectorRequired]

    func analyze(_ analysis: inout Analysis) {
        for vs in analysis.index.virtualServices {
            let scopes = analysis.visibility.referringScopes(of: vs)
            vs.forEachDestination { destination, isMirror in
                guard let host = destination.host else { return }
                let fqdn = HostNames.fqdn(host.value, namespace: vs.namespace)
                let found = analysis.services.lookUp(fqdn, from: scopes)
                let what = isMirror ? "mirror host" : "host"
                guard !found.isEmpty else {
                    analysis.report(
                        .referencedResourceNotFound, "referenced \(what) not found: \(host.value) (\(why(fqdn, vs, analysis)))",
                        vs,
                        at: host.node)
                    return
                }
                // Several entries may define the host (one ServiceEntry per port, say): their ports add up.
                var ports: [Int] = []
                for entry in found { for port in entry.ports where !ports.contains(port.number) { ports.append(port.number) } }
                if let port = destination.port {
                    guard !ports.contains(port.number) else { return }
                    let exposed = ports.isEmpty ? "no ports" : "ports \(Analysis.list(ports.map(String.init)))"
                    analysis.report(
                        .referencedResourceNotFound,
                        "referenced \(what):port not found: \(host.value):\(port.number) (\(fqdn) has \(exposed))", vs,
                        at: port.node)
                } else if ports.count > 1 {
                    analysis.report(
                        .virtualServiceDestinationPortSelectorRequired,
                        "destination \(host.value) has several ports (\(Analysis.list(ports.map(String.init)))); name one with destination.port.number",
                        vs, at: destination.node)
                }
            }
        }
    }

    /// Why a host is not found: nothing defines it, or what defines it is not exported here.
    func why(_ fqdn: String, _ vs: Resource, _ analysis: Analysis) -> String {
        let hidden = analysis.services.entries(fqdn).compactMap(\.origin)
        guard !hidden.isEmpty else { return "no ServiceEntry or Kubernetes Service for \(fqdn)" }
        return "\(Analysis.list(hidden)) defines \(fqdn) but is not exported to namespace \(vs.namespace)"
    }
}
