import MeshModel

/// IST0101: a Gateway whose selector matches no pod (of any namespace).
/// IST0162: a Gateway server port that no Service in front of the selected pods exposes, as
/// the port its TCP ports forward to (`targetPort`, or `port` when none is given).
struct GatewayWorkloadAnalyzer: Analyzer {
    static let name = "gateway.IngressGatewayPortAnalyzer"
    static let codes: [DiagnosticCode] = [.referencedResourceNotFound, .gatewayPortNotDefinedOnService]

    func analyze(_ analysis: inout Analysis) {
        for resource in analysis.index.gateways {
            guard let gw = resource.gateway else { continue }
            let selector = Analysis.selector(gw.selector)
            let pods = analysis.workloads.pods(selectedBy: gw.selector)
            guard !pods.isEmpty else {
                analysis.report(
                    .referencedResourceNotFound, "referenced selector not found: no pod matches \(selector)", resource,
                    at: gw.selectorNode)
                continue
            }
            var ports = Set<Int>()
            for pod in pods {
                for service in analysis.workloads.services(selecting: pod) {
                    for port in service.ports where (port.protocolName ?? "TCP") == "TCP" {
                        ports.insert(port.targetPort ?? port.port)
                    }
                }
            }
            for server in gw.servers {
                guard let number = server.port?.number, !ports.contains(number.value) else { continue }
                let exposed = ports.isEmpty ? "no TCP port" : "ports \(Analysis.list(ports.sorted().map(String.init)))"
                analysis.report(
                    .gatewayPortNotDefinedOnService,
                    "port \(number.value) is not exposed by a Service of the gateway's pods (selector \(selector.isEmpty ? "{}" : selector)), which forward to \(exposed)",
                    resource, at: number.node)
            }
        }
    }
}
