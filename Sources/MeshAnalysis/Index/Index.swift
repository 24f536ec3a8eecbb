import MeshModel
import MeshRouting

/// Lookups built once per analysis.
struct Index {
    var virtualServices: [Resource] = []
    var destinationRules: [Resource] = []
    var gateways: [Resource] = []
    var serviceEntries: [Resource] = []
    var sidecars: [Resource] = []
    var requestAuthentications: [Resource] = []
    var peerAuthentications: [Resource] = []
    var authorizationPolicies: [Resource] = []
    var envoyFilters: [Resource] = []
    /// DestinationRules by the FQDN of their host, in load order.
    var destinationRulesByHost: [String: [Resource]] = [:]
    /// Gateways by `namespace/name`.
    var gatewaysByName: [String: Resource] = [:]
    /// Secrets by `namespace/name`.
    var secrets: [String: Resource] = [:]

    init(_ resources: [Resource]) {
        for r in resources {
            switch r.spec {
            case .virtualService: virtualServices.append(r)
            case .destinationRule(let dr):
                destinationRules.append(r)
                if let host = dr.host?.value {
                    destinationRulesByHost[HostNames.fqdn(host, namespace: r.namespace), default: []].append(r)
                }
            case .gateway:
                gateways.append(r)
                gatewaysByName["\(r.namespace)/\(r.name)"] = r
            case .serviceEntry: serviceEntries.append(r)
            case .sidecar: sidecars.append(r)
            case .kubernetes(let object):
                if object.kind == .secret { secrets["\(r.namespace)/\(r.name)"] = r }
            case .requestAuthentication: requestAuthentications.append(r)
            case .peerAuthentication: peerAuthentications.append(r)
            case .authorizationPolicy: authorizationPolicies.append(r)
            case .envoyFilter: envoyFilters.append(r)
            case .workloadEntry, .rollout: break
            }
        }
    }

    /// `gateway` as written in a VirtualService of namespace `ns` → `namespace/name`.
    static func gatewayKey(_ gateway: String, namespace: String) -> String {
        gateway.contains("/") ? gateway : "\(namespace)/\(gateway)"
    }
}
