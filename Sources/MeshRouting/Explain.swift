import MeshModel

extension RouteTable {
    /// A person's account of a decision: which VirtualService and rule matched (with
    /// file:line), why each earlier rule did not, and what the rule does.
    public func explain(_ request: HTTPRequest, _ decision: Decision) -> [String] {
        var lines: [String] = []
        let host = HostNames.stripPort(request.authority)
        guard let vh = decision.virtualHost else {
            if identity.gateway != "mesh" {
                lines.append("no VirtualService bound to gateway \(identity.gateway) serves host \(host): 404 (NR)")
            } else if mesh.outboundTrafficPolicy == .registryOnly {
                lines.append("host \(host) is not in the registry and no VirtualService serves it")
                lines.append("outboundTrafficPolicy is REGISTRY_ONLY: the request is blocked (BlackHoleCluster, 502)")
            } else {
                lines.append("host \(host) is not in the registry and no VirtualService serves it")
                lines.append(
                    "outboundTrafficPolicy is ALLOW_ANY: passed through to the original destination (PassthroughCluster)")
            }
            return lines
        }
        if let vs = vh.virtualService {
            lines.append("host \(host) → VirtualService \(vs.namespace)/\(vs.name) (\(vs.position(vs.node))), host \(vh.name)")
        } else {
            lines.append(
                "host \(host) → service \(vh.name) from \(vh.service?.origin ?? "the registry"); no VirtualService, so Istio's default route to all endpoints"
            )
        }
        var entry = 0
        for route in vh.routes {
            let label = ruleLabel(route, vh)
            if route.matches.isEmpty {
                lines.append("\(label) has no match: it takes every request")
                break
            }
            var matched = false
            var reasons: [String] = []
            let firstEntry = entry
            entry += route.matches.count
            for (i, match) in route.matches.enumerated() {
                if let failing = vh.program.firstFailure(entry: firstEntry + i, request) {
                    let reason = failing < 0 ? match.identityMismatch! : match.conditions[failing].failure(request)
                    reasons.append(route.matches.count > 1 ? "match[\(i)]: \(reason)" : reason)
                } else {
                    let what = match.conditions.map(\.summary).joined(separator: " and ")
                    lines.append("\(label) matches\(what.isEmpty ? "" : ": \(what)")")
                    matched = true
                    break
                }
            }
            if matched { break }
            lines.append("\(label) does not match: \(reasons.joined(separator: "; "))")
        }
        guard let route = decision.route else {
            lines.append("no rule matched: 404 (NR)")
            return lines
        }
        if let fault = route.fault {
            if let status = fault.abortStatus {
                lines.append("fault: abort with \(status) for \(format(fault.abortPercent))% of requests")
            }
            if let delay = fault.delay {
                lines.append("fault: delay \(delay.text) for \(format(fault.delayPercent))% of requests")
            }
            lines.append("a fault is set, so this rule's retries and timeout do not apply")
        }
        switch route.action {
        case .route(let targets, _, let total):
            if targets.count > 1 {
                let split = targets.map { "\($0.cluster) \(format(Double($0.weight) * 100 / Double(total)))%" }
                lines.append("weights: " + split.joined(separator: ", "))
            }
        case .redirect: break
        case .directResponse: break
        case .delegate(let name): lines.append("delegates to VirtualService \(name) (not followed by simulate)")
        }
        switch decision.kind {
        case .forward:
            let target = decision.target!
            if target.service == nil {
                lines.append(
                    "→ \(target.cluster) (\(target.host) is not in the registry given, so its endpoints are unknown; routed as if it exists, as a Kubernetes service would)"
                )
            } else if target.endpoints.isEmpty, let service = target.service, service.resolution.hasPrefix("DNS") {
                lines.append("→ \(target.cluster) (resolved by DNS: \(service.fqdn):\(target.port))")
            } else {
                lines.append("→ \(target.cluster) (\(target.endpoints.count) endpoint\(target.endpoints.count == 1 ? "" : "s"))")
            }
        case .unavailable:
            let target = decision.target!
            lines.append(
                "→ \(target.cluster): \(target.failure?.reason ?? "unavailable"); the proxy answers \(target.failure?.status ?? 503) (\(target.failure?.flag ?? "UH"))"
            )
        case .abort: lines.append("→ aborted by fault injection: \(decision.fixedStatus)")
        case .redirect: lines.append("→ redirect \(decision.fixedStatus) to \(decision.location(for: request) ?? "")")
        case .directResponse: lines.append("→ direct response \(decision.fixedStatus)")
        default: break
        }
        if route.fault == nil {
            if let timeout = route.timeout { lines.append("timeout \(timeout.text) bounds all tries") }
            let r = route.retries
            if r.attempts == 0 {
                lines.append("retries: disabled (attempts: 0)")
            } else {
                let perTry = r.perTryTimeout.map { ", perTryTimeout \($0.text)" } ?? ""
                let codes =
                    r.retriableStatusCodes.isEmpty
                    ? "" : " (statuses \(r.retriableStatusCodes.map(String.init).joined(separator: ",")))"
                lines.append("retries: \(r.attempts) on \(r.retryOn)\(codes)\(perTry)\(r.isDefault ? " (Istio's default)" : "")")
            }
        }
        if let rewritten = rewrite(request, decision) {
            lines.append("rewrite: upstream sees path \(rewritten.path), authority \(rewritten.authority)")
        }
        if let headers = route.headers {
            if let request = headers.request, !request.summary.isEmpty { lines.append("request headers: \(request.summary)") }
            if let response = headers.response, !response.summary.isEmpty {
                lines.append("response headers: \(response.summary)")
            }
        }
        if let target = decision.target, case .route = route.action,
            let headers = route.source?.route.first(where: {
                $0.destination?.subset?.value == target.subset
                    && HostNames.fqdn($0.destination?.host?.value ?? "", namespace: vh.virtualService?.namespace ?? "default")
                        == target.host
            })?.headers
        {
            if let request = headers.request, !request.summary.isEmpty {
                lines.append("request headers for this destination: \(request.summary)")
            }
            if let response = headers.response, !response.summary.isEmpty {
                lines.append("response headers for this destination: \(response.summary)")
            }
        }
        for mirror in route.mirrors {
            lines.append(
                "mirror: \(format(mirror.percent))% copied to \(mirror.target.cluster) (Host gets -shadow), fire-and-forget")
        }
        return lines
    }

    func ruleLabel(_ route: CompiledRoute, _ vh: VirtualHost) -> String {
        var label = "rule \(route.index)"
        if let name = route.name { label += " (\(name))" }
        if let vs = vh.virtualService, route.node >= 0 { label += " at \(vs.position(route.node))" }
        return label
    }

    func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format2(value))
    }

    func format2(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return String(scaled)
    }
}
