import MeshModel

extension RouteTable {
    /// The DestinationRule that applies to a service's clusters for this proxy.
    public func destinationRule(for service: Registry.Service) -> ProxyScope.MergedDestinationRule? {
        scope.destinationRule(for: service.fqdn, serviceNamespace: service.namespace)
    }

    /// Every cluster the configuration defines for the services this proxy sees, whether a route
    /// uses it or not: one per service port and one per DestinationRule subset of that port, as
    /// Istio pushes them to a sidecar (an alias has none: it uses its service's).
    public func definedClusters() -> [Target] {
        var targets: [Target] = []
        let services = scope.services.values.sorted { $0.fqdn < $1.fqdn } + scope.wildcardServices
        for service in services where service.aliasOf == nil {
            let rule = destinationRule(for: service)
            for port in service.ports {
                targets.append(
                    Target(
                        host: service.fqdn, subset: nil, port: port.number, weight: 1, failure: nil, endpoints: service.endpoints,
                        service: service, policy: Self.clusterPolicy(rule, subset: nil, port: port.number),
                        destinationRule: rule?.resource))
                for subset in rule?.subsets ?? [] {
                    guard let name = subset.name?.value else { continue }
                    targets.append(
                        Target(
                            host: service.fqdn, subset: name, port: port.number, weight: 1, failure: nil,
                            endpoints: service.endpoints(matching: subset.labels), service: service,
                            policy: Self.clusterPolicy(rule, subset: subset, port: port.number), destinationRule: rule?.resource))
                }
            }
        }
        return targets
    }

    /// A cluster's traffic policy: the rule's, with its `portLevelSettings` for `port`, then the
    /// subset's (with its own port-level settings) replacing whole top-level fields, as Istio
    /// merges them.
    public static func clusterPolicy(_ rule: ProxyScope.MergedDestinationRule?, subset: Subset?, port: Int) -> TrafficPolicy? {
        guard let rule else { return nil }
        var merged = rule.trafficPolicy.map { RouteCompiler.applyPortLevel($0, port: port) }
        if let subsetPolicy = subset?.trafficPolicy {
            merged = (merged ?? TrafficPolicy(node: -1)).overridden(by: RouteCompiler.applyPortLevel(subsetPolicy, port: port))
        }
        return merged
    }
}
