import MeshModel

extension Registry {
    /// Where a proxy can send a destination's requests: the endpoints of its cluster, or the 503
    /// the proxy answers itself and why. The one place `simulate`, the proxy and `analyze` decide it.
    public struct Resolution: Sendable {
        public var service: Service?
        /// The DestinationRule's definition of the subset, when it has one.
        public var definition: Subset?
        public var endpoints: [Endpoint]
        /// NC: the subset is not defined, so there is no cluster; UH: no endpoint to send to.
        public var failure: (status: Int, flag: String, reason: String)?
    }

    /// Resolves `fqdn` (its registered `service`, if any) and `subset`, defined by `rule`, the
    /// DestinationRule that applies to the host.
    public static func resolve(_ fqdn: String, service: Service?, subset: String?, rule: Resource?) -> Resolution {
        resolve(
            fqdn, service: service, subset: subset, subsets: rule?.destinationRule?.subsets,
            ruleName: rule.map { "\($0.namespace)/\($0.name)" }, noRule: "no DestinationRule for \(fqdn)")
    }

    /// Resolves `fqdn` and `subset` against the subsets of the DestinationRule (or of the rules
    /// merged for the host) named `ruleName`; `noRule` says why there is none.
    ///
    /// A host the rule files do not register is taken to exist, as a Kubernetes service would in
    /// a cluster: routing is still decided, its endpoints are unknown (analyze reports the missing
    /// host as IST0101). A DNS ServiceEntry without endpoints has one: its host, resolved by the
    /// proxy, without labels (as Istio builds it), so only a subset without labels selects it.
    /// With resolution NONE every subset's cluster sends to the original destination.
    public static func resolve(
        _ fqdn: String, service: Service?, subset: String?, subsets: [Subset]?, ruleName: String?, noRule: String
    ) -> Resolution {
        var resolution = Resolution(service: service, definition: nil, endpoints: service?.endpoints ?? [])
        guard let subset else {
            if resolution.endpoints.isEmpty, let service, service.resolution == "STATIC" {
                resolution.failure = (503, "UH", "service \(service.fqdn) has no endpoints: no healthy upstream")
            }
            return resolution
        }
        guard let definition = subsets?.first(where: { $0.name?.value == subset }) else {
            let why = ruleName.map { "DestinationRule \($0) has no subset \(subset)" } ?? noRule
            resolution.failure = (503, "NC", "subset \(subset) is not defined (\(why)), so no cluster")
            return resolution
        }
        resolution.definition = definition
        resolution.endpoints = service?.endpoints(matching: definition.labels) ?? []
        if let service, resolution.endpoints.isEmpty, !service.sendsToOriginalDestination,
            !(service.resolvesItsHost && definition.labels.isEmpty)
        {
            let labels = definition.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            resolution.failure = (503, "UH", "subset \(subset) selects no endpoint (labels \(labels)): no healthy upstream")
        }
        return resolution
    }
}

extension Registry.Service {
    /// True for a ServiceEntry with resolution NONE (and no endpoints from another entry for the
    /// host): the proxy sends every subset to the address the client asked for.
    public var sendsToOriginalDestination: Bool { endpoints.isEmpty && resolution == "NONE" }

    /// True for a DNS ServiceEntry without endpoints: the proxy resolves the host itself.
    public var resolvesItsHost: Bool { endpoints.isEmpty && resolution.hasPrefix("DNS") && resource?.serviceEntry != nil }

    /// Whether the input names every endpoint of the service, so an empty selection is a fact and
    /// not a gap in the input: a ServiceEntry that lists its endpoints (or, with DNS, resolves its
    /// host), or any service with endpoints found. A Kubernetes Service whose pods are not in the
    /// input, a ServiceEntry that selects workloads, or one with resolution NONE (the original
    /// destination) may have endpoints the input does not show.
    public var endpointsAreKnown: Bool {
        if !endpoints.isEmpty { return true }
        guard let entry = resource?.serviceEntry else { return false }
        return entry.workloadSelector == nil && (resolution == "STATIC" || resolution.hasPrefix("DNS"))
    }
}
