import MeshModel
import MeshRouting
import MeshYAML

/// The route configuration: a virtual host per VirtualService host (and per registered service
/// without one), Envoy routes in rule order (one per `match` entry, as Istio emits them), and a
/// last virtual host for unknown hosts (`allow_any` or `block_all`, Istio's names).
struct RouteRenderer {
    let table: RouteTable

    func routeConfiguration(name: String) -> JSONValue {
        var hosts = table.virtualHosts.sorted { $0.name < $1.name }.map(virtualHost)
        if table.mesh.outboundTrafficPolicy == .registryOnly {
            hosts.append([
                "name": "block_all", "domains": ["*"],
                "routes": [["name": "block_all", "match": ["prefix": "/"], "direct_response": ["status": 502]]],
            ])
        } else {
            hosts.append([
                "name": "allow_any", "domains": ["*"],
                "routes": [
                    ["name": "allow_any", "match": ["prefix": "/"], "route": ["cluster": "PassthroughCluster", "timeout": "0s"]]
                ],
            ])
        }
        return [
            "@type": .string(TypeURL.routeConfiguration),
            "name": .string(name),
            "virtual_hosts": .array(hosts),
            "validate_clusters": false,
        ]
    }

    func virtualHost(_ vh: RouteTable.VirtualHost) -> JSONValue {
        let port = vh.service?.ports.first?.number
        let name = port.map { "\(vh.name):\($0)" } ?? vh.name
        var domains: [JSONValue] = []
        for domain in vh.domains {
            domains.append(.string(domain))
            for p in vh.service?.ports ?? [] where !domain.hasPrefix("*") { domains.append(.string("\(domain):\(p.number)")) }
        }
        var routes: [JSONValue] = []
        for route in vh.routes {
            let entries = route.matches.isEmpty ? [nil] : route.matches.map { Optional($0) }
            for (i, match) in entries.enumerated() where match?.identityMismatch == nil {
                routes.append(envoyRoute(route, match: match, entry: i, vh: vh))
            }
        }
        return [
            "name": .string(name), "domains": .array(domains), "routes": .array(routes), "include_request_attempt_count": true,
        ]
    }

    func envoyRoute(_ route: CompiledRoute, match: CompiledMatch?, entry: Int, vh: RouteTable.VirtualHost) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        let name = match?.name ?? route.name
        if let name { fields.append(("name", .string(name))) }
        fields.append(("match", routeMatch(match)))
        switch route.action {
        case .route:
            fields.append(("route", routeAction(route, match: match)))
        case .redirect(let redirect):
            fields.append(("redirect", self.redirect(redirect)))
        case .directResponse(let status, let body):
            var response: [(String, JSONValue)] = [("status", .int(Int64(status)))]
            if let body { response.append(("body", ["inline_string": .string(body)])) }
            fields.append(("direct_response", .object(response)))
        case .delegate:
            fields.append(("direct_response", ["status": 404]))
        }
        var metadata: [(String, JSONValue)] = []
        if let vs = vh.virtualService {
            metadata.append(("istio", ["config": .string(Proto.configPath(vs))]))
            if route.node >= 0 {
                metadata.append(("meshctl", ["source": .string(vs.position(route.node)), "rule": .int(Int64(route.index))]))
            }
        }
        if !metadata.isEmpty { fields.append(("metadata", ["filter_metadata": .object(metadata)])) }
        fields.append(("decorator", ["operation": .string("\(vh.name):\(vh.service?.ports.first?.number ?? 80)/*")]))
        if let fault = route.fault {
            fields.append(("typed_per_filter_config", ["envoy.filters.http.fault": faultConfig(fault)]))
        }
        if let ops = route.headers?.request { headerOperations(ops, prefix: "request", into: &fields) }
        if let ops = route.headers?.response { headerOperations(ops, prefix: "response", into: &fields) }
        return .object(fields)
    }

    func routeMatch(_ match: CompiledMatch?) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        var headers: [JSONValue] = []
        var query: [JSONValue] = []
        var pathSet = false
        for condition in match?.conditions ?? [] {
            guard let m = condition.matcher else { continue }
            switch condition.field {
            case .uri:
                pathSet = true
                switch m.kind {
                case .exact: fields.append(("path", .string(m.text)))
                case .prefix: fields.append(("prefix", .string(m.text)))
                case .regex: fields.append(("safe_regex", ["regex": .string(m.text)]))
                case .present: fields.append(("prefix", "/"))
                }
                if condition.ignoreCase { fields.append(("case_sensitive", false)) }
            case .scheme: headers.append(headerMatcher(":scheme", m, invert: false))
            case .method: headers.append(headerMatcher(":method", m, invert: false))
            case .authority: headers.append(headerMatcher(":authority", m, invert: false))
            case .header: headers.append(headerMatcher(condition.name, m, invert: false))
            case .withoutHeader: headers.append(headerMatcher(condition.name, m, invert: true))
            case .queryParam:
                query.append(
                    m.kind == .present
                        ? ["name": .string(condition.name), "present_match": true]
                        : ["name": .string(condition.name), "string_match": stringMatch(m)])
            case .port: break  // ports select the listener, not the route
            }
        }
        if !pathSet { fields.insert(("prefix", "/"), at: 0) }
        if !headers.isEmpty { fields.append(("headers", .array(headers))) }
        if !query.isEmpty { fields.append(("query_parameters", .array(query))) }
        return .object(fields)
    }

    func stringMatch(_ m: CompiledStringMatch) -> JSONValue {
        switch m.kind {
        case .exact: ["exact": .string(m.text)]
        case .prefix: ["prefix": .string(m.text)]
        case .regex: ["safe_regex": ["regex": .string(m.text)]]
        case .present: [:]
        }
    }

    func headerMatcher(_ name: String, _ m: CompiledStringMatch, invert: Bool) -> JSONValue {
        var fields: [(String, JSONValue)] = [("name", .string(name))]
        if m.kind == .present { fields.append(("present_match", true)) } else { fields.append(("string_match", stringMatch(m))) }
        if invert { fields.append(("invert_match", true)) }
        return .object(fields)
    }

    func routeAction(_ route: CompiledRoute, match: CompiledMatch?) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if case .route(let targets, _, _) = route.action {
            if targets.count == 1 {
                fields.append(("cluster", .string(targets[0].cluster)))
            } else {
                fields.append(
                    (
                        "weighted_clusters",
                        ["clusters": .array(targets.map { ["name": .string($0.cluster), "weight": .int(Int64($0.weight))] })]
                    ))
            }
            if let hash = targets.first?.policy?.loadBalancer?.consistentHash, let policy = hashPolicy(hash) {
                fields.append(("hash_policy", [policy]))
            }
        }
        // A fault replaces the route's retries and timeout (Istio); no timeout means none (0s).
        let timeout = route.fault == nil ? route.timeout : nil
        fields.append(("timeout", timeout.map(Proto.duration) ?? "0s"))
        if route.fault == nil, route.retries.attempts > 0 {
            var retry: [(String, JSONValue)] = [
                ("retry_on", .string(route.retries.retryOn)), ("num_retries", .int(Int64(route.retries.attempts))),
            ]
            if let perTry = route.retries.perTryTimeout { retry.append(("per_try_timeout", Proto.duration(perTry))) }
            retry.append(
                (
                    "retry_host_predicate",
                    [
                        [
                            "name": "envoy.retry_host_predicates.previous_hosts",
                            "typed_config": ["@type": .string(TypeURL.previousHosts)],
                        ]
                    ]
                ))
            retry.append(("host_selection_retry_max_attempts", "5"))
            if !route.retries.retriableStatusCodes.isEmpty {
                retry.append(("retriable_status_codes", .array(route.retries.retriableStatusCodes.map { .int(Int64($0)) })))
            }
            fields.append(("retry_policy", .object(retry)))
        }
        if !route.mirrors.isEmpty {
            fields.append(
                (
                    "request_mirror_policies",
                    .array(
                        route.mirrors.map {
                            [
                                "cluster": .string($0.target.cluster),
                                "runtime_fraction": ["default_value": Proto.fractionalPercent($0.percent)],
                                "trace_sampled": false,
                            ]
                        })
                ))
        }
        if let rewrite = route.rewrite {
            if let uri = rewrite.uri {
                let isPrefix = match?.conditions.contains { $0.field == .uri && $0.matcher?.kind == .prefix } ?? false
                if isPrefix {
                    fields.append(("prefix_rewrite", .string(uri)))
                } else {
                    // Envoy has no whole-path rewrite: a regex over the whole path does it.
                    fields.append(("regex_rewrite", ["pattern": ["regex": ".*"], "substitution": .string(uri)]))
                }
            } else if let pattern = rewrite.uriRegexMatch?.value {
                fields.append(
                    (
                        "regex_rewrite",
                        ["pattern": ["regex": .string(pattern)], "substitution": .string(rewrite.uriRegexRewrite ?? "")]
                    ))
            }
            if let authority = rewrite.authority { fields.append(("host_rewrite_literal", .string(authority))) }
        }
        return .object(fields)
    }

    func hashPolicy(_ hash: LoadBalancerSettings.ConsistentHash) -> JSONValue? {
        if let header = hash.httpHeaderName { return ["header": ["header_name": .string(header)]] }
        if let cookie = hash.httpCookieName {
            var fields: [(String, JSONValue)] = [("name", .string(cookie))]
            if let ttl = hash.httpCookieTTL { fields.append(("ttl", Proto.duration(ttl))) }
            return ["cookie": .object(fields)]
        }
        if hash.useSourceIp == true { return ["connection_properties": ["source_ip": true]] }
        if let parameter = hash.httpQueryParameterName { return ["query_parameter": ["name": .string(parameter)]] }
        return nil
    }

    func redirect(_ r: HTTPRedirect) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if let scheme = r.scheme { fields.append(("scheme_redirect", .string(scheme))) }
        if let authority = r.authority { fields.append(("host_redirect", .string(authority))) }
        if let port = r.port?.value { fields.append(("port_redirect", .int(Int64(port)))) }
        if let uri = r.uri { fields.append(("path_redirect", .string(uri))) }
        let code: String =
            switch r.redirectCode?.value ?? 301 {
            case 302: "FOUND"
            case 303: "SEE_OTHER"
            case 307: "TEMPORARY_REDIRECT"
            case 308: "PERMANENT_REDIRECT"
            default: "MOVED_PERMANENTLY"
            }
        fields.append(("response_code", .string(code)))
        return .object(fields)
    }

    func faultConfig(_ f: CompiledFault) -> JSONValue {
        var fields: [(String, JSONValue)] = [("@type", .string(TypeURL.fault))]
        if let delay = f.delay {
            fields.append(
                ("delay", ["fixed_delay": Proto.duration(delay), "percentage": Proto.fractionalPercent(f.delayPercent)]))
        }
        if let status = f.abortStatus {
            fields.append(("abort", ["http_status": .int(Int64(status)), "percentage": Proto.fractionalPercent(f.abortPercent)]))
        }
        return .object(fields)
    }

    func headerOperations(_ ops: Headers.Operations, prefix: String, into fields: inout [(String, JSONValue)]) {
        var add: [JSONValue] = []
        for entry in ops.set {
            add.append([
                "header": ["key": .string(entry.key), "value": .string(entry.value)],
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
            ])
        }
        for entry in ops.add {
            add.append([
                "header": ["key": .string(entry.key), "value": .string(entry.value)], "append_action": "APPEND_IF_EXISTS_OR_ADD",
            ])
        }
        if !add.isEmpty { fields.append(("\(prefix)_headers_to_add", .array(add))) }
        if !ops.remove.isEmpty { fields.append(("\(prefix)_headers_to_remove", .array(ops.remove.map { .string($0.value) }))) }
    }
}
