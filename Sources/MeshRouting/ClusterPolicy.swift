import MeshModel

extension RouteTable {
    /// The DestinationRule that applies to a service's clusters for this proxy.
    public func destinationRule(for service: Registry.Service) -> ProxyScope.MergedDestinationRule? {
        scope.destinationRule(for: service.fqdn, serviceNamespace: service.namespace)
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
