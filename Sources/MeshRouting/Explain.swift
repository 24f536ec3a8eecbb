import MeshModel

extension RouteTable {
    /// A person's account of a decision: the listener and route configuration, which
    /// VirtualService and rule matched (with file:line), why each earlier rule did not, and what
    /// the rule does.
    public func explain(_ request: HTTPRequest, _ decision: Decision) -> [String] {
        var lines: [String] = []
        let host = HostNames.stripPort(request.authority)
        if request.port == nil && HostNames.port(of: request.authority) == nil { lines.append(inferredPort(host: host).reason) }
        let port = decision.port
        if let tcp = decision.tcp {
            let service = scope.service(resolveHost(host))
            let protocolName =
                service?.ports.first { $0.number == port }.map(\.protocolDescription) ?? "not HTTP"
            lines.append(
                "port \(port) of \(service?.fqdn ?? host) is \(protocolName): Istio does not HTTP-route it; its TCP routes carry the request's bytes"
            )
            lines += explainTCP(TCPRequest(port: port, host: host, tls: false), tcp)
            if decision.kind == .blackhole { lines.append("meshctl's proxy answers 502 where Envoy closes the connection") }
            return lines
        }
        guard let config = routeConfigurationByPort[port] else {
            if isGateway {
                let ports = Set(gatewayServers.map(\.port)).sorted().map(String.init).joined(separator: ", ")
                lines.append(
                    "gateway \(identity.gateway) has no HTTP server on port \(port)\(ports.isEmpty ? "" : " (its servers listen on \(ports))"): the connection is refused"
                )
                return lines
            }
            lines.append(
                "no HTTP listener on port \(port): no service this proxy sees has an HTTP port \(port)\(whyNotHTTP(host, port: port))"
            )
            if outboundMode.allowsUnknown {
                lines.append(
                    "the connection goes through virtualOutbound to PassthroughCluster (\(outboundMode.rawValue), from \(scope.outboundModeSource))"
                )
            } else {
                lines.append(
                    "the connection goes through virtualOutbound to BlackHoleCluster (REGISTRY_ONLY, from \(scope.outboundModeSource)); Envoy closes it, meshctl's proxy answers 502"
                )
            }
            return lines
        }
        guard let vh = decision.virtualHost else {
            lines.append(contentsOf: unmatchedHost(host, config: config))
            switch config.catchAll {
            case .allowAny(let cluster):
                lines.append(
                    cluster == "PassthroughCluster"
                        ? "outboundTrafficPolicy is \(outboundMode.rawValue) (from \(scope.outboundModeSource)): allow_any passes it through to the original destination (PassthroughCluster)"
                        : "outboundTrafficPolicy is ALLOW_ANY_DYNAMIC_DNS (from \(scope.outboundModeSource)): allow_any sends plaintext HTTP to AllowAnyDynamicDNSCluster, which resolves \(host) by DNS"
                )
            case .blockAll:
                lines.append(
                    "outboundTrafficPolicy is REGISTRY_ONLY (from \(scope.outboundModeSource)): the block_all route answers 502 (no cluster)"
                )
            case .notFound:
                lines.append("no virtual host of \(config.name) serves \(host): 404 (NR)")
            }
            return lines
        }
        let place = isGateway ? "gateway route configuration \(config.name)" : "route configuration \(config.name)"
        if let vs = vh.virtualService {
            lines.append(
                "host \(host) → VirtualService \(vs.namespace)/\(vs.name) (\(vs.position(vs.node))), virtual host \(vh.name) in \(place)"
            )
            for note in notes
            where note.hasPrefix("host \(vh.host) on port \(port) is claimed by both")
                || note.hasPrefix("host \(vh.host) on gateway port \(port):")
            {
                lines.append(note)
            }
        } else {
            lines.append(
                "host \(host) → service \(vh.host) from \(vh.service?.origin ?? "the registry"); no VirtualService, so Istio's default route to all endpoints (virtual host \(vh.name) in \(place))"
            )
            for d in discarded where d.port == port && coversHost(d.virtualService, vh.host) {
                lines.append(
                    "VirtualService \(d.virtualService.namespace)/\(d.virtualService.name) is not used on port \(port): \(d.reason)"
                )
            }
            for hidden in scope.hiddenVirtualServices where coversHost(hidden.resource, vh.host) {
                lines.append(
                    "VirtualService \(hidden.resource.namespace)/\(hidden.resource.name) is not visible here: \(hidden.reason)")
            }
        }
        if let alias = vh.service?.aliases.first(where: {
            $0 == host || HostNames.alternateNames(of: $0, proxyNamespace: identity.namespace).contains(host)
        }) {
            lines.append("\(host) names \(alias), an ExternalName alias of \(vh.host)")
        }
        if decision.tlsRedirect {
            lines.append("the gateway server sets httpsRedirect: plain HTTP is redirected to https (301)")
            return lines
        }
        lines += explainRules(request, vh)
        guard let route = decision.route else {
            lines.append("no rule matched: 404 (NR)")
            return lines
        }
        lines += explainAction(request, decision, route, vh)
        return lines
    }

    /// Why each rule before the matching one did not match, and which matched.
    func explainRules(_ request: HTTPRequest, _ vh: VirtualHost) -> [String] {
        var lines: [String] = []
        var entry = 0
        for route in vh.routes {
            let label = ruleLabel(route, vh)
            let firstEntry = entry
            entry += route.matches.count
            if route.isDropped {
                let reasons = route.matches.compactMap(\.dropReason).uniqued().joined(separator: "; ")
                lines.append("\(label) was dropped when the configuration was built: \(reasons)")
                continue
            }
            if route.matches.isEmpty {
                lines.append("\(label) has no match: it takes every request")
                return lines
            }
            var reasons: [String] = []
            for (i, match) in route.matches.enumerated() {
                let prefix = route.matches.count > 1 ? "match[\(i)]: " : ""
                if let dropped = match.dropReason {
                    reasons.append("\(prefix)dropped when the configuration was built (\(dropped))")
                } else if let failing = vh.program.firstFailure(entry: firstEntry + i, request) {
                    reasons.append(prefix + match.conditions[failing].failure(request))
                } else {
                    let what = match.conditions.filter { $0.field != .port }.map(\.summary).joined(separator: " and ")
                    lines.append("\(label) matches\(what.isEmpty ? "" : ": \(what)")")
                    return lines
                }
            }
            lines.append("\(label) does not match: \(reasons.joined(separator: "; "))")
        }
        return lines
    }

    func explainAction(_ request: HTTPRequest, _ decision: Decision, _ route: CompiledRoute, _ vh: VirtualHost) -> [String] {
        var lines: [String] = []
        if let fault = route.fault {
            if let status = fault.abortStatus {
                lines.append(
                    "fault: abort with \(status) for \(format(fault.abortPercent))% of requests (answered at once, never retried)"
                )
            }
            if let delay = fault.delay {
                lines.append(
                    "fault: delay \(delay.text) for \(format(fault.delayPercent))% of requests (before the route timeout starts)")
            }
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
            lines.append("→ \(target.cluster) (\(describe(target)))")
        case .unavailable:
            let target = decision.target!
            lines.append(
                "→ \(target.cluster): \(target.failure?.reason ?? "unavailable"); the proxy answers \(target.failure?.status ?? 503) (\(target.failure?.flag ?? "UH"))\(target.portReason.isEmpty ? "" : " (port \(target.port): \(target.portReason))")"
            )
        case .abort:
            lines.append("→ aborted by fault injection: \(decision.fixedStatus)")
            if let target = decision.target { lines.append("  (the route's destination would be \(target.cluster))") }
        case .redirect: lines.append("→ redirect \(decision.fixedStatus) to \(decision.location(for: request) ?? "")")
        case .directResponse: lines.append("→ direct response \(decision.fixedStatus)")
        default: break
        }
        if case .route = route.action {
            if let timeout = route.timeout { lines.append("timeout \(timeout.text) bounds all tries") }
            let r = route.retries
            if r.attempts == 0 {
                lines.append("retries: disabled (attempts: 0)")
            } else {
                let perTry = r.perTryTimeout.map { ", perTryTimeout \($0.text)" } ?? ""
                let codes =
                    r.retriableStatusCodes.isEmpty
                    ? "" : " (statuses \(r.retriableStatusCodes.map(String.init).joined(separator: ",")))"
                var origin = ""
                if r.isDefault {
                    let version = compatibility.map { ", compatibility \($0)" } ?? ""
                    origin = " (Istio's default\(version)\(r.retriableStatusCodes.isEmpty ? ": no status code is retried" : ""))"
                }
                lines.append("retries: \(r.attempts) on \(r.retryOn)\(codes)\(perTry)\(origin)")
            }
            if route.fault != nil {
                lines.append(
                    "the timeout and retries apply to requests the fault lets through; an injected abort is never retried")
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
        if let headers = decision.destinationHeaders {
            if let request = headers.request, !request.summary.isEmpty {
                lines.append("request headers for this destination: \(request.summary)")
            }
            if let response = headers.response, !response.summary.isEmpty {
                lines.append("response headers for this destination: \(response.summary)")
            }
        }
        let shadow = compatibility?.mirrorsToShadowHost == true
        for mirror in route.mirrors {
            lines.append(
                "mirror: \(format(mirror.percent))% copied to \(mirror.target.cluster) (\(shadow ? "Host gets -shadow, compatibility \(compatibility!)" : "Host kept as is")), fire-and-forget"
            )
        }
        return lines
    }

    /// A target's endpoints and how its port was chosen.
    func describe(_ target: Target) -> String {
        var parts: [String] = []
        if target.service == nil {
            parts.append(
                "\(target.host) is not in the registry given, so its endpoints are unknown; routed as if it exists, as a Kubernetes service would"
            )
        } else if target.endpoints.isEmpty, let service = target.service, service.resolution.hasPrefix("DNS") {
            parts.append("resolved by DNS: \(service.fqdn):\(target.port)")
        } else if target.endpoints.isEmpty, target.service?.resolution == "NONE" {
            parts.append("to the original destination (resolution NONE)")
        } else {
            parts.append("\(target.endpoints.count) endpoint\(target.endpoints.count == 1 ? "" : "s")")
        }
        if let alias = target.alias { parts.append("\(alias) is an ExternalName alias of \(target.host)") }
        if !target.portReason.isEmpty { parts.append("port \(target.port): \(target.portReason)") }
        return parts.joined(separator: "; ")
    }

    /// Why no virtual host on `config` serves `host`.
    func unmatchedHost(_ host: String, config: RouteConfiguration) -> [String] {
        let fqdn = resolveHost(host)
        if isGateway {
            let servers = gatewayServers.filter { $0.port == config.port && $0.isHTTPRouted }
            let allowed = servers.flatMap(\.hosts).uniqued().joined(separator: ", ")
            return [
                "gateway port \(config.port) serves hosts \(allowed.isEmpty ? "(none)" : allowed); none of its VirtualServices serves \(host) there"
            ]
        }
        if let why = scope.hidden[fqdn] { return ["host \(host) names \(fqdn), which this proxy cannot see: \(why)"] }
        if let service = scope.service(fqdn) {
            return [
                "host \(host) names \(service.fqdn), which has no HTTP port \(config.port) (its ports: \(service.ports.map { "\($0.number)/\($0.protocolDescription)" }.joined(separator: ", ")))"
            ]
        }
        for resource in scope.virtualServices where coversHost(resource, fqdn) {
            let ports = routeConfigurations.filter { $0.virtualHost(for: fqdn)?.virtualService === resource }.map {
                String($0.port)
            }
            if !ports.isEmpty {
                return [
                    "VirtualService \(resource.namespace)/\(resource.name) serves \(fqdn) on port \(ports.joined(separator: ", ")) only\(fqdn.hasSuffix(HostNames.clusterDomain) ? " (its host is not in the registry, so it is attached to port 80)" : "")"
                ]
            }
            if fqdn != host {
                return [
                    "VirtualService \(resource.namespace)/\(resource.name) is for \(fqdn), which is not in the registry: Istio matches such a host by its full name only (add its Service or ServiceEntry, or ask for \(fqdn))"
                ]
            }
        }
        for hidden in scope.hiddenVirtualServices where coversHost(hidden.resource, fqdn) {
            return [
                "VirtualService \(hidden.resource.namespace)/\(hidden.resource.name) is not visible to namespace \(identity.namespace): \(hidden.reason)"
            ]
        }
        return ["host \(host) is not in the registry and no VirtualService serves it"]
    }

    /// For a port without an HTTP listener: what the host's service has instead.
    func whyNotHTTP(_ host: String, port: Int) -> String {
        let fqdn = resolveHost(host)
        if let why = scope.hidden[fqdn] { return " (\(fqdn) is not visible: \(why))" }
        if let service = scope.service(fqdn) {
            return
                " (\(service.fqdn) has ports \(service.ports.map { "\($0.number)/\($0.protocolDescription)" }.joined(separator: ", ")))"
        }
        return ""
    }

    func coversHost(_ resource: Resource, _ host: String) -> Bool {
        (resource.virtualService?.hosts ?? []).contains {
            HostNames.wildcardCovers(HostNames.fqdn($0.value, namespace: resource.namespace), host)
        }
    }

    /// A TCP or TLS decision in words.
    public func explainTCP(_ request: TCPRequest, _ decision: TCPDecision) -> [String] {
        var lines = [decision.reason]
        guard let listener = decision.listener else { return lines }
        for note in listener.dropped { lines.append(note) }
        if let chain = decision.chain {
            var why: [String] = []
            if let ip = request.destinationIP, !chain.destinationSubnets.isEmpty {
                why.append("destination \(ip) is in \(chain.destinationSubnets.joined(separator: ", "))")
            }
            if !chain.serverNames.isEmpty, let sni = request.sni {
                why.append("SNI \(sni) matches \(chain.serverNames.joined(separator: ", "))")
            }
            let others = listener.chains.count - 1
            lines.append(
                "\(chain.label) takes the connection\(why.isEmpty ? "" : ": " + why.joined(separator: "; "))\(others > 0 ? " (\(others) other filter chain\(others == 1 ? "" : "s") on \(listener.name))" : "")"
            )
            if chain.targets.count > 1 {
                lines.append(
                    "weights: "
                        + chain.targets.map { "\($0.cluster) \(format(Double($0.weight) * 100 / Double(chain.totalWeight)))%" }
                        .joined(
                            separator: ", "))
            }
        }
        switch decision.kind {
        case .forward:
            if let target = decision.target { lines.append("→ \(target.cluster) (\(describe(target)))") }
        case .unavailable:
            if let target = decision.target {
                lines.append("→ \(target.cluster): \(target.failure?.reason ?? "unavailable"); the connection fails")
            } else {
                lines.append("the route has no destination with weight: the connection fails")
            }
        default: break
        }
        return lines
    }

    func ruleLabel(_ route: CompiledRoute, _ vh: VirtualHost) -> String {
        var label = "rule \(route.index)"
        if let name = route.name { label += " (\(name))" }
        if let vs = route.virtualService ?? vh.virtualService, route.node >= 0 {
            if vs !== vh.virtualService { label = "VirtualService \(vs.namespace)/\(vs.name) " + label }
            label += " at \(vs.position(route.node))"
        }
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
