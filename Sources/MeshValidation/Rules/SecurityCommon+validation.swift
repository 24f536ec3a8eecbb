import MeshModel

extension Check {
    /// Istio's workload selector rules: no empty label key, no `*` in a key or value; a selector
    /// without labels is a warning (it selects the same as no selector).
    func workloadSelector(_ selector: WorkloadSelector?) {
        guard let selector else { return }
        let file = ctx.file
        if selector.labelsNode >= 0, file[selector.labelsNode].kind == .mapping {
            for (keyNode, valueNode) in file.pairs(selector.labelsNode) {
                let key = file.string(keyNode)
                let value = file[valueNode].kind == .scalar ? file.string(valueNode) : ""
                if key.isEmpty { error("empty key is not supported in selector: \"=\(value)\"", at: keyNode) }
                if key.contains("*") || value.contains("*") {
                    error(
                        "wildcard is not supported in selector: \"\(key)=\(value)\"", at: key.contains("*") ? keyNode : valueNode)
                }
            }
            labels(selector.labels, in: selector.labelsNode)
        }
        if selector.labels.isEmpty,
            selector.labelsNode < 0 || file[selector.labelsNode].kind == .mapping || file.isNull(selector.labelsNode)
        {
            warning(
                "workload selector specified without labels: it selects every workload, as no selector does", at: selector.node)
        }
    }

    /// At most one of selector, targetRef and targetRefs; each reference to a Service,
    /// ServiceEntry or Kubernetes Gateway of the policy's own namespace.
    func policyTarget(
        selector: WorkloadSelector?, targetRef: PolicyTargetReference?, targetRefs: [PolicyTargetReference], at node: Int32
    ) {
        let set = [selector != nil, targetRef != nil, !targetRefs.isEmpty].filter { $0 }.count
        if set > 1 {
            let at = targetRef?.node ?? targetRefs.first?.node ?? node
            error("only one of targetRefs or workloadSelector can be set", at: at)
        }
        for ref in (targetRef.map { [$0] } ?? []) + targetRefs {
            if ref.name?.value.isEmpty ?? true { error("targetRef name must be set", at: ref.name?.node ?? ref.node) }
            if let namespace = ref.namespace, !namespace.value.isEmpty {
                error(
                    "targetRef namespace must not be set; cross namespace referencing is not supported", at: namespace.node)
            }
            let group = ref.group?.value ?? ""
            let allowed: [(String, String)] = [
                ("", "Service"), ("core", "Service"), ("networking.istio.io", "ServiceEntry"),
                ("gateway.networking.k8s.io", "Gateway"),
            ]
            if !allowed.contains(where: { $0.0 == group && $0.1 == ref.kind?.value }) {
                error(
                    "targetRef must be to a Service (core), a ServiceEntry (networking.istio.io) or a Gateway (gateway.networking.k8s.io), but was \(group.isEmpty ? "core" : group)/\(ref.kind?.value ?? "")",
                    at: ref.kind?.node ?? ref.node)
            }
        }
    }

    /// An address or CIDR block as Go's netip reads it (`10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`).
    static func ipBlockProblem(_ text: String) -> String? {
        if text.contains("/") {
            guard Names.isCIDROrAddress(text), !text.hasSuffix("/") else { return "bad CIDR range (\(text))" }
            return nil
        }
        return Names.isIPAddress(text) ? nil : "bad IP address (\(text))"
    }

    /// A port as Istio's authorization reads it: a number from 0 to 65535.
    static func portProblem(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(text), port <= 65535 else {
            return "bad port (\(text))"
        }
        return nil
    }

    func report(_ code: DiagnosticCode, _ message: String, at node: Int32) { ctx.report(code, message, at: node) }
}
