import MeshModel
import MeshRouting
import MeshYAML

/// The route configurations: one per listener port (a sidecar's `8080`, a gateway's `http.80`),
/// each with its virtual hosts (`host:port`, with every domain a request may use), Envoy routes
/// in rule order (one per kept `match` entry, as Istio emits them), and a last virtual host for
/// hosts none serves (`allow_any` or `block_all`, Istio's names; a gateway's 404).
struct RouteRenderer {
    let table: RouteTable

    func routeConfigurations() -> [JSONValue] { table.routeConfigurations.map(routeConfiguration) }

    func routeConfiguration(_ config: RouteTable.RouteConfiguration) -> JSONValue {
        var hosts = config.virtualHosts.map { virtualHost($0, config: config) }
        switch config.catchAll {
        case .blockAll:
            hosts.append([
                "name": "block_all", "domains": ["*"],
                "routes": [["name": "block_all", "match": ["prefix": "/"], "direct_response": ["status": 502]]],
                "include_request_attempt_count": true,
            ])
        case .allowAny(let cluster):
            hosts.append([
                "name": "allow_any", "domains": ["*"],
                "routes": [
                    [
                        "name": "allow_any", "match": ["prefix": "/"],
                        "route": ["cluster": .string(cluster), "timeout": "0s", "max_grpc_timeout": "0s"],
                    ]
                ],
                "include_request_attempt_count": true,
            ])
        case .notFound:
            if hosts.isEmpty {
                hosts.append([
                    "name": .string("blackhole:\(config.port)"), "domains": ["*"],
                    "routes": [["name": "default", "match": ["prefix": "/"], "direct_response": ["status": 404]]],
                ])
            }
        }
        var fields: [(String, JSONValue)] = [
            ("@type", .string(TypeURL.routeConfiguration)),
            ("name", .string(config.name)),
            ("virtual_hosts", .array(hosts)),
            ("validate_clusters", false),
            ("max_direct_response_body_size_bytes", 1_048_576),
        ]
        // A sidecar matches hosts without their port (Istio sets this for sidecars).
        if !table.isGateway { fields.append(("ignore_port_in_host_matching", true)) }
        return .object(fields)
    }

    func virtualHost(_ vh: RouteTable.VirtualHost, config: RouteTable.RouteConfiguration) -> JSONValue {
        var routes: [JSONValue] = []
        rules: for route in vh.routes where !route.isDropped {
            let entries = route.matches.isEmpty ? [nil] : route.matches.map { Optional($0) }
            for (i, match) in entries.enumerated() where match?.dropReason == nil {
                routes.append(envoyRoute(route, match: match, entry: i, vh: vh, port: config.port))
                // Istio stops at a catch-all: nothing after it can match.
                if match?.isCatchAll ?? true { break rules }
            }
        }
        var fields: [(String, JSONValue)] = [
            ("name", .string(vh.name)), ("domains", .array(vh.domains.map { .string($0) })), ("routes", .array(routes)),
            ("include_request_attempt_count", true),
        ]
        if vh.requireTLS { fields.append(("require_tls", "ALL")) }
        return .object(fields)
    }

    func envoyRoute(_ route: CompiledRoute, match: CompiledMatch?, entry: Int, vh: RouteTable.VirtualHost, port: Int) -> JSONValue
    {
        var fields: [(String, JSONValue)] = []
        if let name = route.envoyName(match) { fields.append(("name", .string(name))) }
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
        if let vs = route.virtualService ?? vh.virtualService {
            metadata.append(("istio", ["config": .string(Proto.configPath(vs))]))
            if route.node >= 0 {
                metadata.append(("meshctl", ["source": .string(vs.position(route.node)), "rule": .int(Int64(route.index))]))
            }
        }
        if !metadata.isEmpty { fields.append(("metadata", ["filter_metadata": .object(metadata)])) }
        fields.append(("decorator", ["operation": .string(operation(route, match: match, port: port))]))
        if let fault = route.fault {
            fields.append(("typed_per_filter_config", ["envoy.filters.http.fault": faultConfig(fault)]))
        }
        // Istio folds a single destination's own header operations into the route's, after them.
        let single = route.destinations.count == 1 ? route.destinationHeaders.first ?? nil : nil
        headerOperations([route.headers?.request, single?.request], prefix: "request", into: &fields)
        headerOperations([route.headers?.response, single?.response], prefix: "response", into: &fields)
        return .object(fields)
    }

    /// Istio's `TranslateRouteMatch`: the path, `case_sensitive`, header and withoutHeaders
    /// matchers sorted by name, then `:method`, `:authority`, `:scheme`, then query parameters.
    func routeMatch(_ match: CompiledMatch?) -> JSONValue {
        guard let match else { return ["prefix": "/"] }
        var path: [(String, JSONValue)] = [("prefix", "/")]
        var named: [(String, JSONValue)] = []
        var pseudo: [String: JSONValue] = [:]
        var query: [JSONValue] = []
        var ignoreCase = false
        for condition in match.conditions {
            guard let m = condition.matcher else { continue }
            switch condition.field {
            case .uri:
                ignoreCase = condition.ignoreCase
                switch m.kind {
                case .exact: path = [("path", .string(m.text))]
                case .prefix: path = [("prefix", .string(m.text))]
                case .regex: path = [("safe_regex", ["regex": .string(m.text)])]
                case .present: break
                }
            case .scheme: pseudo[":scheme"] = headerMatcher(":scheme", m, invert: false)
            case .method: pseudo[":method"] = headerMatcher(":method", m, invert: false)
            case .authority: pseudo[":authority"] = headerMatcher(":authority", m, invert: false)
            case .header: named.append((condition.name, headerMatcher(condition.name, m, invert: false)))
            case .withoutHeader: named.append((condition.name, headerMatcher(condition.name, m, invert: true)))
            case .queryParam:
                query.append(
                    m.kind == .present
                        ? ["name": .string(condition.name), "present_match": true]
                        : ["name": .string(condition.name), "string_match": stringMatch(m)])
            case .port: break  // ports select the listener, not the route
            }
        }
        var fields = path
        fields.append(("case_sensitive", .bool(!ignoreCase)))
        var headers = named.enumerated().sorted {
            $0.element.0 != $1.element.0 ? $0.element.0 < $1.element.0 : $0.offset < $1.offset
        }
        .map(\.element.1)
        for name in [":method", ":authority", ":scheme"] { if let h = pseudo[name] { headers.append(h) } }
        if !headers.isEmpty { fields.append(("headers", .array(headers))) }
        if !query.isEmpty { fields.append(("query_parameters", .array(query))) }
        return .object(fields)
    }

    /// Istio's route `decorator`: `host:port/path` for one cluster, else `vs:port/path`.
    func operation(_ route: CompiledRoute, match: CompiledMatch?, port: Int) -> String {
        var path = "/*"
        for condition in match?.conditions ?? [] where condition.field == .uri {
            guard let m = condition.matcher else { continue }
            switch m.kind {
            case .prefix: path = m.text + "*"
            case .exact, .regex: path = m.text
            case .present: break
            }
        }
        if case .route(let targets, _, _) = route.action, targets.count == 1 {
            return "\(targets[0].host):\(targets[0].port)\(path)"
        }
        return "\(route.virtualService?.name ?? "default"):\(port)\(path)"
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
        if invert {
            fields.append(("invert_match", true))
            // Istio's withoutHeaders: a missing header counts as empty (not for a presence match).
            if m.kind != .present { fields.append(("treat_missing_header_as_empty", true)) }
        }
        return .object(fields)
    }

    func routeAction(_ route: CompiledRoute, match: CompiledMatch?) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        var consistentHash = false
        if case .route(let targets, _, _) = route.action {
            consistentHash = targets.contains { $0.policy?.loadBalancer?.consistentHash != nil }
            if targets.count == 1 {
                fields.append(("cluster", .string(targets[0].cluster)))
            } else {
                let clusters = targets.enumerated().map { index, target -> JSONValue in
                    var cluster: [(String, JSONValue)] = [
                        ("name", .string(target.cluster)), ("weight", .int(Int64(target.weight))),
                    ]
                    // A destination's own `headers`, as Istio renders them on its weighted cluster.
                    let headers = index < route.destinationHeaders.count ? route.destinationHeaders[index] : nil
                    headerOperations([headers?.request], prefix: "request", into: &cluster)
                    headerOperations([headers?.response], prefix: "response", into: &cluster)
                    return .object(cluster)
                }
                fields.append(("weighted_clusters", ["clusters": .array(clusters)]))
            }
            if let hash = targets.first?.policy?.loadBalancer?.consistentHash, let policy = hashPolicy(hash) {
                fields.append(("hash_policy", [policy]))
            }
        }
        // Istio renders the timeout and retries whether or not the rule has a fault; no timeout
        // means none (0s).
        let timeout = route.timeout.map(Proto.duration) ?? "0s"
        fields.append(("timeout", timeout))
        fields.append(("max_grpc_timeout", timeout))
        if route.retries.attempts > 0 {
            var retry: [(String, JSONValue)] = [
                ("retry_on", .string(route.retries.retryOn)), ("num_retries", .int(Int64(route.retries.attempts))),
            ]
            if let perTry = route.retries.perTryTimeout { retry.append(("per_try_timeout", Proto.duration(perTry))) }
            // With consistent hashing a retry keeps its host (no previous-hosts predicate).
            if !consistentHash {
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
            }
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

    /// `PREFIX_headers_to_add` and `PREFIX_headers_to_remove` for the operations given, in order.
    func headerOperations(_ list: [Headers.Operations?], prefix: String, into fields: inout [(String, JSONValue)]) {
        var add: [JSONValue] = []
        var remove: [JSONValue] = []
        for case let ops? in list {
            for entry in ops.set {
                add.append([
                    "header": ["key": .string(entry.key), "value": .string(entry.value)],
                    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                ])
            }
            for entry in ops.add {
                add.append([
                    "header": ["key": .string(entry.key), "value": .string(entry.value)],
                    "append_action": "APPEND_IF_EXISTS_OR_ADD",
                ])
            }
            remove += ops.remove.map { .string($0.value) }
        }
        if !add.isEmpty { fields.append(("\(prefix)_headers_to_add", .array(add))) }
        if !remove.isEmpty { fields.append(("\(prefix)_headers_to_remove", .array(remove))) }
    }
}
