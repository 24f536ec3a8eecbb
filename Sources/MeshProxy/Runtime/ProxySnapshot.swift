import MeshModel
import MeshRouting
import MeshYAML

/// One configuration of the proxy, compiled and immutable: the route table `simulate` uses,
/// and for every cluster it can send to, the hosts and settings the data plane uses.
///
/// A new configuration is built beside the running one and swapped in whole; a request keeps
/// the snapshot it started with until it ends.
public final class ProxySnapshot: @unchecked Sendable {
    public let version: Int
    public let table: RouteTable
    public let resources: [Resource]
    public let clusters: [String: ClusterRuntime]
    public let passthrough: ClusterRuntime
    /// Listed as Envoy lists it; nothing is sent there (an HTTP request to a host the registry
    /// lacks under REGISTRY_ONLY is answered 502 by its route, a TCP connection closed).
    public let blackHole: ClusterRuntime
    /// Every target a route can choose (weighted destinations and mirrors), by identity.
    let clusterByTarget: [ObjectIdentifier: ClusterRuntime]
    let policyByRoute: [ObjectIdentifier: RoutePolicy]
    /// Lowercase names of the headers a request is matched or hashed on: only these become
    /// strings per request; every other header is copied as bytes.
    let routedHeaders: [String]
    /// The clusters with outlier detection (the interval sweeps look at these only).
    let outlierClusters: [ClusterRuntime]
    /// The local application behind the inbound listener (`inbound|PORT||`), if any.
    let inboundCluster: ClusterRuntime?
    /// Authentication, authorization and rate limits for the inbound side.
    let inboundGate: any InboundGate

    init(
        version: Int, table: RouteTable, resources: [Resource], registry: ClusterRegistry,
        app: ProxyOptions.Address? = nil, inboundGate: any InboundGate = OpenGate()
    ) {
        self.version = version
        self.table = table
        self.resources = resources
        var clusters: [String: ClusterRuntime] = [:]
        var byTarget: [ObjectIdentifier: ClusterRuntime] = [:]
        var policies: [ObjectIdentifier: RoutePolicy] = [:]
        var retryOns: [String: RoutePolicy.RetryOn] = [:]
        func runtime(for target: Target) -> ClusterRuntime {
            if let existing = clusters[target.cluster] { return existing }
            let state = registry.state(target.cluster)
            let hosts = target.failure == nil ? Self.hosts(of: target, state: state) : []
            var failure = target.failure
            if failure == nil && hosts.isEmpty {
                failure = (503, "UH", "no endpoints are known for \(target.host): no healthy upstream")
            }
            let cluster = ClusterRuntime(
                name: target.cluster, kind: .endpoints, state: state, settings: ClusterSettings(target), hosts: hosts,
                failure: failure, service: target.host)
            state.setCurrentHosts(hosts)
            clusters[target.cluster] = cluster
            return cluster
        }
        for vh in table.virtualHosts {
            for route in vh.routes {
                policies[ObjectIdentifier(route)] = RoutePolicy(route, retryOnCache: &retryOns)
                for target in route.destinations { byTarget[ObjectIdentifier(target)] = runtime(for: target) }
                for mirror in route.mirrors { byTarget[ObjectIdentifier(mirror.target)] = runtime(for: mirror.target) }
            }
        }
        for target in table.allTargets { byTarget[ObjectIdentifier(target)] = runtime(for: target) }
        // The clusters no route uses yet (`outbound|9080||reviews...` beside its subsets): Envoy
        // has them too, with their hosts and stats.
        for target in table.definedClusters() { _ = runtime(for: target) }
        let passthroughState = registry.state("PassthroughCluster")
        passthrough = ClusterRuntime(
            name: "PassthroughCluster", kind: .originalDestination, state: passthroughState, settings: ClusterSettings(),
            hosts: [], failure: nil, service: "PassthroughCluster")
        blackHole = ClusterRuntime(
            name: "BlackHoleCluster", kind: .endpoints, state: registry.state("BlackHoleCluster"), settings: ClusterSettings(),
            hosts: [], failure: (502, "", "BlackHoleCluster"), service: "BlackHoleCluster")
        let inboundName = app.map { "inbound|\($0.port)||" }
        registry.retain(
            Set(clusters.keys).union(["PassthroughCluster", "BlackHoleCluster"] + (inboundName.map { [$0] } ?? [])))
        var names: [String] = []
        for vh in table.virtualHosts {
            for route in vh.routes {
                for match in route.matches {
                    for condition in match.conditions where condition.field == .header || condition.field == .withoutHeader {
                        if !names.contains(condition.name) { names.append(condition.name) }
                    }
                }
            }
        }
        for cluster in clusters.values {
            guard case .ringHash(let key, _) = cluster.settings.balancer else { continue }
            let name: String? =
                switch key {
                case .header(let header): header
                case .cookie: "cookie"
                default: nil
                }
            if let name, !names.contains(name) { names.append(name) }
        }
        routedHeaders = names
        outlierClusters = clusters.values.filter { $0.settings.outlier != nil }
        if let app, let name = inboundName {
            let state = registry.state(name)
            let host = state.host(address: app.host, port: app.port, labels: table.identity.labels)
            state.setCurrentHosts([host])
            inboundCluster = ClusterRuntime(
                name: name, kind: .endpoints, state: state, settings: ClusterSettings(), hosts: [host], failure: nil,
                service: name)
        } else {
            inboundCluster = nil
        }
        self.inboundGate = inboundGate
        self.clusters = clusters
        self.clusterByTarget = byTarget
        self.policyByRoute = policies
    }

    /// The hosts a target's cluster sends to: its endpoints (subset labels already applied by
    /// routing), or, for a DNS service without endpoints, the service's own name.
    static func hosts(of target: Target, state: ClusterState) -> [UpstreamHost] {
        let servicePort =
            target.service?.ports.first { $0.number == target.port }
            ?? Registry.Port(number: target.port, name: "", protocolName: "HTTP")
        if !target.endpoints.isEmpty {
            return target.endpoints.map { endpoint in
                state.host(address: endpoint.address, port: endpoint.targetPort(for: servicePort), labels: endpoint.labels)
            }
        }
        guard let service = target.service, service.resolution != "STATIC", !target.host.hasPrefix("*") else { return [] }
        return [state.host(address: target.host, port: target.port, labels: [:])]
    }

    /// The cluster a decision's target sends to.
    @inline(__always) func cluster(for target: Target) -> ClusterRuntime? { clusterByTarget[ObjectIdentifier(target)] }

    @inline(__always) func policy(for route: CompiledRoute) -> RoutePolicy? { policyByRoute[ObjectIdentifier(route)] }

    /// The running rule set as multi-document YAML (`GET /config`).
    public func rulesYAML() -> String {
        resources.map { $0.file.jsonValue($0.node).yaml() }.joined(separator: "---\n")
    }
}
