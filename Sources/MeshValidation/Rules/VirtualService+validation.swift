import MeshModel

extension Check {
    static let httpRetryOn: Set<String> = [
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited", "retriable-4xx",
        "refused-stream", "retriable-status-codes", "retriable-headers", "http3-post-connect-failure",
        // gRPC conditions
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ]
    static let redirectCodes: Set<Int> = [301, 302, 303, 307, 308]

    func virtualService(_ vs: VirtualService) {
        let boundToMesh = vs.gateways.isEmpty || vs.gateways.contains { $0.value == "mesh" }
        if vs.hosts.isEmpty && absent("hosts", in: vs.node) {
            error("a VirtualService needs at least one host in spec.hosts", at: vs.hostsNode >= 0 ? vs.hostsNode : vs.node)
        }
        var seen: [String: Int32] = [:]
        for host in vs.hosts {
            wildcardHost(host)
            if host.value == "*" && boundToMesh {
                error("wildcard host `*` is not allowed for a VirtualService bound to the mesh gateway", at: host.node)
            }
            // One host cannot repeat itself (the common case, spared a dictionary).
            guard vs.hosts.count > 1 else { continue }
            let key = host.value.lowercased()
            if let first = seen[key] {
                error("duplicate host `\(host.value)` (first listed at line \(ctx.file.mark(of: first).line))", at: host.node)
            }
            seen[key] = host.node
        }
        for gateway in vs.gateways { gatewayName(gateway) }
        if vs.http.isEmpty && vs.tcp.isEmpty && vs.tls.isEmpty && absent("http", "tcp", "tls", in: vs.node) {
            error("a VirtualService needs at least one of http, tcp or tls routes", at: vs.node)
        }
        for route in vs.http { httpRoute(route) }
        for route in vs.tls {
            if route.match.isEmpty && absent("match", in: route.node) {
                error("a TLS route needs at least one match with sniHosts", at: route.node)
            }
            for match in route.match {
                if match.sniHosts.isEmpty && absent("sniHosts", in: match.node) {
                    error("a TLS match needs at least one sniHost", at: match.node)
                }
                for host in match.sniHosts { wildcardHost(host) }
                port(match.port)
                labels(match.sourceLabels, in: match.sourceLabelsNode)
                for subnet in match.destinationSubnets where !Names.isCIDROrAddress(subnet) {
                    error("destinationSubnets entry `\(subnet)` is not an IP address or CIDR block", at: match.node)
                }
            }
            routeDestinations(route.route.lazy.map { ($0.node, $0.destination, $0.weight) }, at: route.node)
        }
        for route in vs.tcp {
            for match in route.match {
                port(match.port)
                labels(match.sourceLabels, in: match.sourceLabelsNode)
                for subnet in match.destinationSubnets where !Names.isCIDROrAddress(subnet) {
                    error("destinationSubnets entry `\(subnet)` is not an IP address or CIDR block", at: match.node)
                }
            }
            routeDestinations(route.route.lazy.map { ($0.node, $0.destination, $0.weight) }, at: route.node)
        }
    }

    /// `name` or `namespace/name`; `mesh` is the sidecars.
    func gatewayName(_ gateway: Located<String>) {
        let parts = gateway.value.split(separator: "/", omittingEmptySubsequences: false)
        let valid =
            switch parts.count {
            case 1: Names.isDNS1123Subdomain(gateway.value)
            case 2: Names.isDNS1123Label(String(parts[0])) && Names.isDNS1123Subdomain(String(parts[1]))
            default: false
            }
        if !valid { error("gateway `\(gateway.value)` is not a valid name; write `name` or `namespace/name`", at: gateway.node) }
    }

    func httpRoute(_ r: HTTPRoute) {
        let setsRoute = !r.route.isEmpty
        let (setsRedirect, setsDirectResponse, setsDelegate) = (r.redirect != nil, r.directResponse != nil, r.delegate != nil)
        let actionCount = [setsRoute, setsRedirect, setsDirectResponse, setsDelegate].count { $0 }
        if actionCount == 0 && absent("route", in: r.node) {
            error("an HTTP route needs one of route, redirect, directResponse or delegate", at: r.node)
        } else if actionCount > 1 {
            let actions = [
                ("route", setsRoute), ("redirect", setsRedirect), ("directResponse", setsDirectResponse),
                ("delegate", setsDelegate),
            ].filter(\.1).map(\.0)
            error(
                "an HTTP route takes exactly one of route, redirect, directResponse or delegate; this one sets \(actions.map { "`\($0)`" }.joined(separator: " and "))",
                at: r.node)
        }
        if r.redirect != nil {
            if r.rewrite != nil { error("an HTTP route cannot set both rewrite and redirect", at: r.rewrite!.node) }
            if r.fault != nil { error("an HTTP route cannot set both fault and redirect", at: r.fault!.node) }
        }
        if r.delegate != nil {
            if r.mirror != nil || !r.mirrors.isEmpty { error("a delegating route cannot mirror", at: r.node) }
        }
        for match in r.match { httpMatch(match) }
        for destination in r.route {
            if let headers = destination.headers { headerOperations(headers) }
        }
        routeDestinations(
            r.route.lazy.map { ($0.node, $0.destination, $0.weight) }, at: r.routeNode >= 0 ? r.routeNode : r.node)
        if let redirect = r.redirect {
            if let code = redirect.redirectCode, !Self.redirectCodes.contains(code.value) {
                error("redirectCode must be one of 301, 302, 303, 307, 308, got \(code.value)", at: code.node)
            }
            port(redirect.port)
            if redirect.port != nil && redirect.derivePort != nil {
                error("a redirect sets either port or derivePort, not both", at: redirect.node)
            }
            if let uri = redirect.uri, !uri.isEmpty, !uri.hasPrefix("/") {
                error("redirect uri `\(uri)` must start with '/'", at: redirect.node)
            }
        }
        if let response = r.directResponse {
            if let status = response.status {
                if !(200...599).contains(status.value) {
                    error("directResponse.status must be between 200 and 599, got \(status.value)", at: status.node)
                }
            } else if absent("status", in: response.node, anyValue: true) {
                error("directResponse needs a status", at: response.node)
            }
            if response.bodyString != nil && response.bodyBytes != nil {
                error("directResponse.body takes either string or bytes, not both", at: response.node)
            }
            if let body = response.bodyString, body.utf8.count > 100 * 1024 {
                error("directResponse.body is larger than 100 KiB", at: response.node)
            }
        }
        if let rewrite = r.rewrite {
            // Istio allows the authority to be rewritten in one place only.
            if rewrite.authority != nil, let ops = r.headers?.request,
                let host = (ops.set + ops.add).first(where: { ["host", ":authority"].contains($0.key.lowercased()) })
            {
                error(
                    "the authority is rewritten both by rewrite.authority and by headers.request (`\(host.key)`); use one",
                    at: host.keyNode)
            }
            if rewrite.uri != nil && rewrite.uriRegexMatch != nil {
                error("rewrite sets both uri and uriRegexRewrite; use one", at: rewrite.node)
            }
            if let uri = rewrite.uri, !uri.isEmpty, !uri.hasPrefix("/") {
                error("rewrite uri `\(uri)` must start with '/'", at: rewrite.node)
            }
            if let match = rewrite.uriRegexMatch {
                regex(match.value, at: match.node)
                if rewrite.uriRegexRewrite == nil,
                    absent("rewrite", in: ctx.file.value("uriRegexRewrite", in: rewrite.node) ?? -1, anyValue: true)
                {
                    error("uriRegexRewrite needs both match and rewrite", at: rewrite.node)
                }
            }
        }
        duration(r.timeout)
        if let retries = r.retries { self.retries(retries) }
        if let fault = r.fault { self.fault(fault) }
        mirrors(r)
        if let cors = r.corsPolicy {
            for origin in cors.allowOrigins { stringMatch(origin) }
            if !cors.allowOrigin.isEmpty {
                deprecated("corsPolicy.allowOrigin is deprecated; use allowOrigins with exact, prefix or regex", at: cors.node)
            }
            duration(cors.maxAge)
            for method in cors.allowMethods where !method.utf8.allSatisfy(Names.isTokenByte) || method.isEmpty {
                error("corsPolicy.allowMethods entry `\(method)` is not an HTTP method", at: cors.node)
            }
        }
        if let headers = r.headers { headerOperations(headers) }
    }

    func httpMatch(_ m: HTTPMatchRequest) {
        stringMatch(m.uri)
        stringMatch(m.scheme)
        stringMatch(m.method)
        stringMatch(m.authority)
        for headers in [m.headers, m.withoutHeaders] {
            for header in headers {
                // `@request.auth.claims.NAME` matches a JWT claim (at a gateway), not a header.
                if !(header.key.hasPrefix("@request.auth.claims.") && header.key.count > 21) {
                    headerName(header.key, at: header.keyNode)
                }
                stringMatch(header.value)
            }
        }
        for param in m.queryParams { stringMatch(param.value) }
        port(m.port)
        labels(m.sourceLabels, in: m.sourceLabelsNode)
        for gateway in m.gateways { gatewayName(gateway) }
    }

    /// Weights are relative; negative is refused, several destinations need a positive total,
    /// and the total must fit in the 32 bits Envoy sums them in.
    func routeDestinations<Destinations: Collection>(_ destinations: Destinations, at node: Int32)
    where Destinations.Element == (Int32, Destination?, Located<Int>?) {
        // Each weight fits in 32 bits, so the sum (in 64) cannot overflow.
        var total = 0
        // A weight that is negative or did not decode has been reported; the total says nothing.
        var weightsReported = false
        for (destinationNode, destination, weight) in destinations {
            if let weight, weight.value < 0 {
                error("weight must not be negative, got \(weight.value)", at: weight.node)
                weightsReported = true
            }
            if weight == nil && !absent("weight", in: destinationNode, anyValue: true) { weightsReported = true }
            total += max(0, weight?.value ?? 0)
            if let destination {
                self.destination(destination)
            } else if absent("destination", in: destinationNode) {
                error("a route destination needs `destination` with a host", at: destinationNode)
            }
        }
        guard destinations.count > 1, !weightsReported else { return }
        if total == 0 {
            error(
                "all \(destinations.count) destinations have weight 0, so no traffic can be routed; give at least one a positive weight",
                at: node)
        } else if total > Int(UInt32.max) {
            error(
                "the weights of these \(destinations.count) destinations add up to \(total), more than the \(UInt32.max) Envoy accepts; scale them down (weights are relative)",
                at: node)
        }
    }

    func destination(_ d: Destination) {
        guard let host = d.host, !host.value.isEmpty else {
            if d.host != nil || absent("host", in: d.node, anyValue: true) { error("destination.host is required", at: d.node) }
            return
        }
        wildcardHost(host, allowStar: false)
        if let subset = d.subset, !Names.isDNS1123Label(subset.value) {
            error(
                "subset `\(subset.value)` is not a valid subset name (a DNS-1123 label: lowercase letters, digits and '-')",
                at: subset.node)
        }
        if let port = d.port, !(1...65535).contains(port.number) {
            error("destination port must be between 1 and 65535, got \(port.number)", at: port.node)
        }
    }

    func retries(_ r: HTTPRetry) {
        nonNegative(r.attempts, "retries.attempts")
        duration(r.perTryTimeout)
        if let retryOn = r.retryOn {
            for item in Self.retryConditions(retryOn.value) {
                if Self.httpRetryOn.contains(item) { continue }
                if let code = Int(item) {
                    if !(100...599).contains(code) {
                        error("retryOn status code \(code) is not an HTTP status", at: retryOn.node)
                    }
                    continue
                }
                var message = "retryOn has unknown condition `\(item)`"
                if let suggestion = Suggest.closest(to: item, in: Array(Self.httpRetryOn)) {
                    message += "; did you mean `\(suggestion)`?"
                }
                error(message, at: retryOn.node)
            }
        }
    }

    /// The comma-separated conditions of `retryOn`, each without surrounding spaces. ASCII text
    /// (all of it in practice) is split byte by byte; other text by characters, so that a comma
    /// or space joined to a combining mark stays part of its neighbour, as Swift reads it.
    static func retryConditions(_ text: String) -> [String] {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            return text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        }
        var conditions: [String] = []
        var utf8 = text.utf8[...]
        while true {
            let comma = utf8.firstIndex(of: UInt8(ascii: ","))
            var item = utf8[..<(comma ?? utf8.endIndex)]
            while item.first == UInt8(ascii: " ") { item = item.dropFirst() }
            while item.last == UInt8(ascii: " ") { item = item.dropLast() }
            conditions.append(String(decoding: item, as: UTF8.self))
            guard let comma else { return conditions }
            utf8 = utf8[utf8.index(after: comma)...]
        }
    }

    func fault(_ f: HTTPFaultInjection) {
        if f.delay == nil && f.abort == nil && absent("delay", "abort", in: f.node) {
            error("fault needs a delay or an abort", at: f.node)
        }
        if let delay = f.delay {
            if delay.fixedDelay == nil && delay.exponentialDelay == nil
                && absent("fixedDelay", "exponentialDelay", in: delay.node, anyValue: true)
            {
                error("fault.delay needs fixedDelay", at: delay.node)
            }
            if delay.exponentialDelay != nil {
                error("fault.delay.exponentialDelay is not supported; use fixedDelay", at: delay.node)
            }
            duration(delay.fixedDelay)
            percentage(delay.percentage)
            if let percent = delay.percent {
                deprecated("fault.delay.percent is deprecated; use percentage: {value: \(percent.value)}", at: percent.node)
                intPercent(percent)
            }
        }
        if let abort = f.abort {
            let kinds = [abort.httpStatus != nil, abort.grpcStatus != nil, abort.http2Error != nil].filter { $0 }.count
            if kinds == 0 && absent("httpStatus", "grpcStatus", "http2Error", in: abort.node, anyValue: true) {
                error("fault.abort needs httpStatus", at: abort.node)
            }
            if kinds > 1 { error("fault.abort takes one of httpStatus, grpcStatus or http2Error", at: abort.node) }
            if let status = abort.httpStatus, !(200...599).contains(status.value) {
                error("fault.abort.httpStatus must be between 200 and 599, got \(status.value)", at: status.node)
            }
            percentage(abort.percentage)
        }
    }

    func mirrors(_ r: HTTPRoute) {
        if r.mirror != nil && !r.mirrors.isEmpty {
            error("an HTTP route sets both mirror and mirrors; use mirrors", at: r.node)
        }
        if let mirror = r.mirror { destination(mirror) }
        for policy in r.mirrors {
            if let destination = policy.destination {
                self.destination(destination)
            } else if absent("destination", in: policy.node) {
                error("a mirrors entry needs a destination", at: policy.node)
            }
            percentage(policy.percentage)
        }
        if let percent = r.mirrorPercent {
            deprecated("mirrorPercent is deprecated; use mirrorPercentage: {value: \(percent.value)}", at: percent.node)
            intPercent(percent)
        }
        percentage(r.mirrorPercentage)
        if (r.mirrorPercent != nil || r.mirrorPercentage != nil) && r.mirror == nil && absent("mirror", in: r.node) {
            warning("mirrorPercentage has no effect without mirror", at: (r.mirrorPercentage?.node ?? r.mirrorPercent?.node)!)
        }
    }

    func headerOperations(_ h: Headers) {
        for operations in [h.request, h.response].compactMap({ $0 }) {
            for entry in operations.set + operations.add { headerName(entry.key, at: entry.keyNode) }
            for name in operations.remove { headerName(name.value, at: name.node) }
        }
    }
}
