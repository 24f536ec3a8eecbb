import MeshModel
import MeshSecurity

/// `security.istio.io` policies (and EnvoyFilters) against the workloads of the input:
///
/// - IST0127: a selector (or, without one, a namespace) that matches no workload, when the
///   input has workloads; IST0101: an AuthorizationPolicy source namespace that is not one of
///   the input's Namespaces (when it has some), as istioctl's authorization analyzer reports;
/// - MESH0107: an authorization rule that can never match: peer identities (principals,
///   namespaces, `source.*`) on workloads whose PeerAuthentication disables mutual TLS, or JWT
///   attributes (requestPrincipals, `request.auth.*`) where no RequestAuthentication applies;
/// - MESH0108: CUSTOM policies and policies attached by targetRef, which meshctl's sidecar does
///   not enforce;
/// - MESH0109: PeerAuthentications Istio ignores: a selector in the root namespace, or a second
///   mesh-wide or namespace-wide one (the oldest wins).
struct SecurityPolicyAnalyzer: Analyzer {
    static let name = "auth.AuthorizationPoliciesAnalyzer"
    static let codes: [DiagnosticCode] = [
        .noMatchingWorkloadsFound, .referencedResourceNotFound, .policyNeverMatches, .notEnforced, .ignoredSetting,
    ]

    func analyze(_ analysis: inout Analysis) {
        let root = analysis.mesh.rootNamespace
        // Istio's default ingress gateway is assumed (and may be selected), but alone it does not
        // make the input a cluster whose workloads are all known.
        let pods = analysis.workloads.pods
        let hasWorkloads = pods.contains { !($0.namespace == Workloads.istioNamespace && $0.name.hasSuffix("-dummypod")) }
        let namespaces = Set(analysis.resources.filter { $0.kubernetes?.kind == .namespace }.map(\.name))
        let index = analysis.index
        for resource in index.authorizationPolicies + index.requestAuthentications + index.peerAuthentications
            + index.envoyFilters
        {
            guard hasWorkloads, let selector = Self.selector(resource) else { continue }
            // Without a selector: mesh-wide in the root namespace (nothing to miss), and only an
            // AuthorizationPolicy is reported for an empty namespace, as istioctl does.
            if selector.labels.isEmpty && (resource.namespace == root || resource.authorizationPolicy == nil) { continue }
            let inScope = pods.filter { resource.namespace == root || $0.namespace == resource.namespace }
            guard !inScope.contains(where: { Workloads.matches(selector.labels, $0.labels) }) else { continue }
            let labels = Analysis.selector(selector.labels)
            analysis.report(
                .noMatchingWorkloadsFound,
                labels.isEmpty
                    ? "No matching workloads for this resource: namespace \(resource.namespace) has no workload in the input"
                    : "No matching workloads for this resource with the following labels: \(labels)",
                resource, at: selector.node)
        }
        for resource in index.authorizationPolicies {
            guard let policy = resource.authorizationPolicy else { continue }
            if policy.effectiveAction == .custom {
                analysis.report(
                    .notEnforced,
                    "CUSTOM authorization (provider \(policy.provider?.name?.value ?? "none")) is not enforced by meshctl's sidecar: it calls no external authorizer",
                    resource, at: policy.action?.node ?? resource.node)
            }
            if policy.isTargeted {
                analysis.report(
                    .notEnforced,
                    "a policy attached by targetRef applies to gateways and waypoints; meshctl's sidecar does not enforce it",
                    resource, at: policy.targetRef?.node ?? policy.targetRefsNode)
            }
            if !namespaces.isEmpty {
                for rule in policy.rules ?? [] {
                    for from in rule.from ?? [] {
                        for item in from.source?[.namespaces]?.items ?? []
                        where !item.value.contains("*") && !namespaces.contains(item.value) {
                            analysis.report(
                                .referencedResourceNotFound,
                                "namespace \(item.value) in from.source.namespaces is not a Namespace of the input", resource,
                                at: item.node)
                        }
                    }
                }
            }
            neverMatches(policy, resource, pods: hasWorkloads ? pods : [], &analysis)
        }
        ignoredPeerAuthentications(&analysis)
    }

    /// The selector a resource selects workloads with; nil for a mesh-wide policy without one
    /// (it applies to every workload) and for targetRef-attached policies.
    static func selector(_ r: Resource) -> WorkloadSelector? {
        let selector: WorkloadSelector?
        switch r.spec {
        case .authorizationPolicy(let p):
            if p.isTargeted { return nil }
            selector = p.selector
        case .requestAuthentication(let p):
            if p.targetRef != nil || !p.targetRefs.isEmpty { return nil }
            selector = p.selector
        case .peerAuthentication(let p): selector = p.selector
        case .envoyFilter(let f): selector = f.workloadSelector
        default: return nil
        }
        if let selector, !selector.labels.isEmpty { return selector }
        return WorkloadSelector(node: r.node, labels: [:])
    }

    /// MESH0107 for identity fields where every selected workload has mutual TLS off, and JWT
    /// fields where no RequestAuthentication applies.
    func neverMatches(_ policy: AuthorizationPolicy, _ resource: Resource, pods: [Workloads.Pod], _ analysis: inout Analysis) {
        guard !policy.isTargeted, policy.effectiveAction != .custom else { return }
        let root = analysis.mesh.rootNamespace
        let selected = pods.filter {
            (resource.namespace == root || $0.namespace == resource.namespace)
                && Workloads.matches(policy.selector?.labels ?? [:], $0.labels)
        }
        let resources = analysis.resources
        let mtlsOff =
            !selected.isEmpty
            && selected.allSatisfy { pod in
                let policy = MutualTLSPolicy(
                    resources: resources, workload: WorkloadIdentity(namespace: pod.namespace, labels: pod.labels),
                    rootNamespace: root)
                return policy.mode == .disable && policy.ports.values.allSatisfy { $0.mode == .disable }
            }
        let raNamespaces = analysis.index.requestAuthentications
        let noJWT: Bool
        if selected.isEmpty {
            noJWT = !raNamespaces.contains { $0.namespace == resource.namespace || $0.namespace == root }
        } else {
            noJWT = selected.allSatisfy { pod in
                !raNamespaces.contains { ra in
                    (ra.namespace == pod.namespace || ra.namespace == root)
                        && Workloads.matches(ra.requestAuthentication?.selectorLabels ?? [:], pod.labels)
                }
            }
        }
        guard mtlsOff || noJWT else { return }
        for rule in policy.rules ?? [] {
            for from in rule.from ?? [] {
                for field in [AuthorizationPolicy.SourceField.principals, .namespaces] where mtlsOff {
                    if let values = from.source?[field], !values.items.isEmpty {
                        analysis.report(
                            .policyNeverMatches,
                            "\(field.rawValue) need the caller's mutual TLS identity, but PeerAuthentication disables mutual TLS for the workloads this policy selects: the source never matches",
                            resource, at: values.node)
                    }
                }
                if noJWT, let values = from.source?[.requestPrincipals], !values.items.isEmpty {
                    analysis.report(
                        .policyNeverMatches,
                        "requestPrincipals need a verified JWT, but no RequestAuthentication applies to the workloads this policy selects: the source never matches",
                        resource, at: values.node)
                }
            }
            for condition in rule.when where !(condition.values?.items.isEmpty ?? true) {
                guard let key = condition.key, case .success(let parsed) = AuthorizationPolicy.ConditionKey.parse(key.value)
                else {
                    continue
                }
                if mtlsOff && parsed.needsPeerIdentity {
                    analysis.report(
                        .policyNeverMatches,
                        "\(key.value) needs the caller's mutual TLS identity, but PeerAuthentication disables mutual TLS for the workloads this policy selects: the condition never holds",
                        resource, at: key.node)
                } else if noJWT && parsed.needsJWT {
                    analysis.report(
                        .policyNeverMatches,
                        "\(key.value) needs a verified JWT, but no RequestAuthentication applies to the workloads this policy selects: the condition never holds",
                        resource, at: key.node)
                }
            }
        }
    }

    /// MESH0109 for PeerAuthentications Istio leaves out.
    func ignoredPeerAuthentications(_ analysis: inout Analysis) {
        let root = analysis.mesh.rootNamespace
        var wide: [String: [Resource]] = [:]
        for resource in analysis.index.peerAuthentications {
            guard let pa = resource.peerAuthentication else { continue }
            if pa.isWorkloadLevel {
                if resource.namespace == root {
                    analysis.report(
                        .ignoredSetting,
                        "a PeerAuthentication with a selector in the root namespace \(root) applies to no workload; put it in the workload's namespace",
                        resource, at: pa.selector?.node ?? resource.node)
                }
            } else {
                wide[resource.namespace, default: []].append(resource)
            }
        }
        for (namespace, resources) in wide where resources.count > 1 {
            let ordered = resources.sorted { $0.creationTimestamp < $1.creationTimestamp }
            let scope = namespace == root ? "mesh-wide" : "namespace-wide in \(namespace)"
            for resource in ordered.dropFirst() {
                analysis.report(
                    .ignoredSetting,
                    "another \(scope) PeerAuthentication, \(ordered[0].namespace)/\(ordered[0].name), is older and wins: this one is ignored",
                    resource, at: resource.nameNode)
            }
        }
    }
}
