import MeshModel
import MeshRouting

/// Cross-resource analysis, as `istioctl analyze` does: every resource is indexed once (hosts,
/// subsets, gateways, workloads, visibility) and each analyzer walks the indexes, so the cost
/// grows with the number of resources, not its square.
///
/// Analyzers run on every resource that decoded, including ones with schema errors, as istioctl's
/// do: a VirtualService without `hosts` still has its destinations checked.
public struct Analysis {
    public let resources: [Resource]
    public let mesh: MeshConfig
    let registry: Registry
    let index: Index
    let visibility: Visibility
    let services: ServiceCatalog
    let workloads: Workloads
    private(set) var findings: [Diagnostic] = []
    private var unhealthy: [ResolutionKey: Bool] = [:]

    /// Every analyzer, in the order they run.
    static let analyzers: [any Analyzer.Type] = [
        DestinationHostAnalyzer.self, DestinationSubsetAnalyzer.self, ConflictingMeshGatewayHostsAnalyzer.self,
        UnreachableRulesAnalyzer.self, VirtualServiceGatewayAnalyzer.self, IngressRouteRulesAnalyzer.self,
        JWTClaimRouteAnalyzer.self, GatewayWorkloadAnalyzer.self, ConflictingGatewayAnalyzer.self,
        GatewaySecretAnalyzer.self, GatewayCertificateAnalyzer.self, DestinationRuleHostAnalyzer.self,
        CACertificateAnalyzer.self, OverlappingDestinationRulesAnalyzer.self, ServiceEntryAddressesAnalyzer.self,
        ConflictingServiceEntryProtocolAnalyzer.self, DeprecationAnalyzer.self, RouteHygieneAnalyzer.self,
        SecurityPolicyAnalyzer.self, DuplicateResourceAnalyzer.self, RolloutAnalyzer.self,
    ]

    public init(resources: [Resource], mesh: MeshConfig = MeshConfig()) {
        // A later definition of the same kind/namespace/name replaces an earlier one (kubectl
        // apply); the duplicate analyzer reports it, the others see the one that wins.
        self.resources = resources
        self.mesh = mesh
        let effective = resources.effective
        self.registry = Registry(resources: effective)
        self.index = Index(effective)
        self.visibility = Visibility(mesh: mesh)
        self.workloads = Workloads(effective, mesh: mesh)
        self.services = ServiceCatalog(effective, workloads: workloads, visibility: visibility)
    }

    /// Runs every analyzer and returns the findings: each once, and no meshctl (`MESH`) finding
    /// where an Istio finding of the same problem points at the same place in the same resource.
    public mutating func run() -> [Diagnostic] {
        for analyzer in Self.analyzers { analyzer.init().analyze(&self) }
        // Findings by line and column (cheap to hash); only findings sharing one are compared.
        var byPosition: [Int: [Int]] = [:]
        for (i, d) in findings.enumerated() { byPosition[d.line &* 65_536 &+ d.column, default: []].append(i) }
        var dropped = Set<Int>()
        for group in byPosition.values where group.count > 1 {
            for (n, i) in group.enumerated() {
                let d = findings[i]
                let samePlace = group.filter { findings[$0].file == d.file && findings[$0].resource == d.resource }
                if group[..<n].contains(where: { !dropped.contains($0) && samePlace.contains($0) && findings[$0] == d }) {
                    dropped.insert(i)
                } else if let same = Self.sameProblem[d.code],
                    samePlace.contains(where: { same.contains(findings[$0].code) })
                {
                    dropped.insert(i)
                }
            }
        }
        if !dropped.isEmpty { findings = findings.enumerated().filter { !dropped.contains($0.offset) }.map(\.element) }
        return findings
    }

    /// Runs only the analyzers that report one of `codes` (`proxy run` asks for replaced
    /// duplicates, which change what it serves).
    public mutating func run(reporting codes: [DiagnosticCode]) -> [Diagnostic] {
        for analyzer in Self.analyzers where analyzer.codes.contains(where: { codes.contains($0) }) {
            analyzer.init().analyze(&self)
        }
        return findings
    }

    /// meshctl's findings that say what an Istio finding at the same place already says: a
    /// weighted subset without endpoints, where the subset is not found (or not visible) there.
    static let sameProblem: [String: [String]] = ["MESH0101": ["IST0101", "IST0173"]]

    /// Adds findings as if an analyzer had made them (for tests of what `run` keeps).
    mutating func inject(_ diagnostics: [Diagnostic]) { findings += diagnostics }

    /// Reports `code` on `resource`, pointing at `node` (the exact scalar that is wrong).
    mutating func report(_ code: DiagnosticCode, _ message: String, _ resource: Resource, at node: Int32) {
        let at = node >= 0 ? node : resource.node
        let mark = resource.file.mark(of: at)
        findings.append(
            Diagnostic(
                level: code.level, code: code.code, message: message, file: resource.file.path, line: mark.line,
                column: mark.column, resource: resource.reference, field: resource.file.path(to: at, from: resource.node)))
    }

    /// The analyzers that report `code`, by name (empty for codes the loader or validation report).
    public static func analyzers(reporting code: String) -> [String] {
        var names: [String] = []
        for analyzer in analyzers where analyzer.codes.contains(where: { $0.code == code }) { names.append(analyzer.name) }
        return names
    }
}

/// One check over the whole rule set.
protocol Analyzer: Sendable {
    init()
    /// The name `--list-analyzers` shows, after Istio's analyzer of the same check.
    static var name: String { get }
    /// The codes it reports.
    static var codes: [DiagnosticCode] { get }
    func analyze(_ analysis: inout Analysis)
}

extension Analysis {
    /// Names for a message, at most `limit` of them: `a, b, c and 7 more`.
    static func list(_ names: [String], separator: String = ", ", limit: Int = 10) -> String {
        guard names.count > limit else { return names.joined(separator: separator) }
        return names.prefix(limit).joined(separator: separator) + " and \(names.count - limit) more"
    }

    /// `k1=v1,k2=v2`, sorted by key: a label selector as Kubernetes prints it.
    static func selector(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
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
