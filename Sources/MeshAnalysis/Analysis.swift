import MeshModel
import MeshRouting

/// Cross-resource analysis, as `istioctl analyze` does: every resource is indexed once (hosts,
/// subsets, gateways, registry) and each analyzer walks the index, so the cost grows with the
/// number of resources, not its square.
public struct Analysis {
    public let resources: [Resource]
    public let mesh: MeshConfig
    let registry: Registry
    let index: Index
    private(set) var findings: [Diagnostic] = []

    /// Every analyzer, in the order they run.
    static let analyzers: [any Analyzer.Type] = [
        DestinationAnalyzer.self, ConflictingHostsAnalyzer.self, UnreachableRulesAnalyzer.self, GatewayAnalyzer.self,
        DestinationRuleAnalyzer.self, RouteHygieneAnalyzer.self, DuplicateResourceAnalyzer.self,
    ]

    public init(resources: [Resource], mesh: MeshConfig = MeshConfig()) {
        // A later definition of the same kind/namespace/name replaces an earlier one (kubectl
        // apply); the duplicate analyzer reports it, the others see the one that wins.
        self.resources = resources
        self.mesh = mesh
        let effective = resources.effective
        self.registry = Registry(resources: effective)
        self.index = Index(effective)
    }

    /// Runs every analyzer and returns the findings.
    public mutating func run() -> [Diagnostic] {
        for analyzer in Self.analyzers { analyzer.init().analyze(&self) }
        return findings
    }

    /// Reports `code` on `resource`, pointing at `node` (the exact scalar that is wrong).
    mutating func report(_ code: DiagnosticCode, _ message: String, _ resource: Resource, at node: Int32) {
        let at = node >= 0 ? node : resource.node
        let mark = resource.file.mark(of: at)
        findings.append(
            Diagnostic(
                level: code.level, code: code.code, message: message, file: resource.file.path, line: mark.line,
                column: mark.column, resource: resource.reference, field: resource.file.path(to: at, from: resource.node)))
    }
}

/// One check over the whole rule set.
protocol Analyzer {
    init()
    func analyze(_ analysis: inout Analysis)
}

/// Lookups built once per analysis.
struct Index {
    var virtualServices: [Resource] = []
    var destinationRules: [Resource] = []
    var gateways: [Resource] = []
    /// DestinationRules by the FQDN of their host, in load order.
    var destinationRulesByHost: [String: [Resource]] = [:]
    /// Gateways by `namespace/name`.
    var gatewaysByName: [String: Resource] = [:]

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
            default: break
            }
        }
    }

    /// The DestinationRule subsets defined for a host.
    func subsets(of fqdn: String) -> [Subset] {
        (destinationRulesByHost[fqdn] ?? []).flatMap { $0.destinationRule?.subsets ?? [] }
    }

    /// `gateway` as written in a VirtualService of namespace `ns` → `namespace/name`.
    static func gatewayKey(_ gateway: String, namespace: String) -> String {
        gateway.contains("/") ? gateway : "\(namespace)/\(gateway)"
    }
}

extension Analysis {
    /// The registered service for a destination host, exact or by wildcard.
    func service(_ fqdn: String) -> Registry.Service? { registry.service(fqdn) }
}

/// What a route destination (or mirror) refers to.
struct DestinationRef {
    var resource: Resource
    var destination: Destination
    var weight: Int?
    var isMirror: Bool
    var route: HTTPRoute?
}

extension Resource {
    /// Every destination a VirtualService names: HTTP, TCP and TLS routes, and mirrors.
    var destinations: [DestinationRef] {
        guard let vs = virtualService else { return [] }
        var refs: [DestinationRef] = []
        for route in vs.http {
            for d in route.route {
                if let destination = d.destination {
                    refs.append(
                        DestinationRef(
                            resource: self, destination: destination, weight: d.weight?.value, isMirror: false, route: route))
                }
            }
            if let mirror = route.mirror {
                refs.append(DestinationRef(resource: self, destination: mirror, weight: nil, isMirror: true, route: route))
            }
            for m in route.mirrors {
                if let d = m.destination {
                    refs.append(DestinationRef(resource: self, destination: d, weight: nil, isMirror: true, route: route))
                }
            }
        }
        for d in vs.tcp.flatMap(\.route) + vs.tls.flatMap(\.route) {
            guard let destination = d.destination else { continue }
            refs.append(
                DestinationRef(resource: self, destination: destination, weight: d.weight?.value, isMirror: false, route: nil))
        }
        return refs
    }
}
