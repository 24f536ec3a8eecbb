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
    private var unhealthy: [ResolutionKey: Bool] = [:]

    /// Every analyzer, in the order they run.
    static let analyzers: [any Analyzer.Type] = [
        DestinationAnalyzer.self, ConflictingHostsAnalyzer.self, UnreachableRulesAnalyzer.self, GatewayAnalyzer.self,
        DestinationRuleAnalyzer.self, RouteHygieneAnalyzer.self, DuplicateResourceAnalyzer.self, RolloutAnalyzer.self,
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
protocol Analyzer: Sendable {
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
    /// Subsets by host FQDN and name; the first definition of a name, in load order.
    private var subsetsByName: [String: [String: Subset]] = [:]

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
        for (fqdn, rules) in destinationRulesByHost {
            var byName: [String: Subset] = [:]
            for subset in rules.flatMap({ $0.destinationRule?.subsets ?? [] }) {
                if let name = subset.name?.value, byName[name] == nil { byName[name] = subset }
            }
            subsetsByName[fqdn] = byName
        }
    }

    /// The subset `name` of a host, as the first DestinationRule that defines it has it.
    func subset(_ name: String, of fqdn: String) -> Subset? { subsetsByName[fqdn]?[name] }

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
    /// Names for a message, at most `limit` of them: `a, b, c and 7 more`.
    static func list(_ names: [String], separator: String = ", ", limit: Int = 10) -> String {
        guard names.count > limit else { return names.joined(separator: separator) }
        return names.prefix(limit).joined(separator: separator) + " and \(names.count - limit) more"
    }

    /// The registered service for a destination host, exact or by wildcard.
    func service(_ fqdn: String) -> Registry.Service? { registry.service(fqdn) }

    /// Whether a host's subset selects no endpoint, so the proxy answers 503 (UH) for it, decided
    /// as `simulate` decides it with the first DestinationRule that defines the subset; once per
    /// host and subset.
    mutating func selectsNoEndpoint(_ fqdn: String, subset: String) -> Bool {
        let key = ResolutionKey(fqdn: fqdn, subset: subset)
        if let known = unhealthy[key] { return known }
        let rule = index.destinationRulesByHost[fqdn]?.first {
            $0.destinationRule?.subsets.contains { $0.name?.value == subset } == true
        }
        let resolution = Registry.resolve(fqdn, service: service(fqdn), subset: subset, rule: rule)
        unhealthy[key] = resolution.failure?.flag == "UH"
        return unhealthy[key]!
    }
}

struct ResolutionKey: Hashable {
    var fqdn: String
    var subset: String
}

extension Resource {
    /// Calls `body` with every destination a VirtualService names: HTTP, TCP and TLS routes, and
    /// mirrors (`isMirror`).
    func forEachDestination(_ body: (_ destination: Destination, _ isMirror: Bool) -> Void) {
        guard let vs = virtualService else { return }
        for route in vs.http {
            for d in route.route { if let destination = d.destination { body(destination, false) } }
            if let mirror = route.mirror { body(mirror, true) }
            for m in route.mirrors { if let d = m.destination { body(d, true) } }
        }
        for route in vs.tcp { for d in route.route { if let destination = d.destination { body(destination, false) } } }
        for route in vs.tls { for d in route.route { if let destination = d.destination { body(destination, false) } } }
    }
}
