import MeshModel
import MeshSecurity
import MeshYAML

extension TypeURL {
    public static let rbac = prefix + "envoy.extensions.filters.http.rbac.v3.RBAC"
    public static let jwtAuthentication = prefix + "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication"
}

/// The HTTP filters of an inbound connection manager for `security.istio.io` policies, in the
/// shape Istio gives them: `envoy.filters.http.jwt_authn` for RequestAuthentication and one
/// `envoy.filters.http.rbac` per AuthorizationPolicy action.
///
/// A faithful subset: the structure, names, actions and matchers are Istio's; the JWT identity
/// is matched through `istio_authn` metadata keys (`request.auth.principal`,
/// `request.auth.claims`) as Istio's releases before the iss/sub split wrote it; peer
/// identities through `authenticated` (not the `io.istio.peer_principal` filter state); path
/// templates (`{*}`, `{**}`) are written as literal paths.
enum SecurityFilters {
    // MARK: JWT

    /// Istio's JwtAuthentication: a provider `origins-N` per JWT rule, and a requirement that
    /// lets a request without a token through (authorization decides) but not an invalid one.
    static func jwtAuthentication(_ authenticator: JWTAuthenticator) -> JSONValue {
        var providers: [(String, JSONValue)] = []
        var names: [String] = []
        for (i, provider) in authenticator.providers.enumerated() {
            let name = "origins-\(i)"
            names.append(name)
            providers.append((name, jwtProvider(provider)))
        }
        func anyOf(_ requirements: [JSONValue]) -> JSONValue { ["requires_any": ["requirements": .array(requirements)]] }
        func provider(_ name: String) -> JSONValue { ["provider_name": .string(name)] }
        let optional = names.map { anyOf([provider($0), ["allow_missing": [:]]]) }
        // Several providers: one of them verifies, or every token present is valid.
        let requirement =
            optional.count == 1
            ? optional[0] : anyOf(names.map(provider) + [["requires_all": ["requirements": .array(optional)]]])
        return [
            "name": "envoy.filters.http.jwt_authn",
            "typed_config": [
                "@type": .string(TypeURL.jwtAuthentication),
                "providers": .object(providers),
                "rules": [["match": ["prefix": "/"], "requires": requirement]],
                "bypass_cors_preflight": true,
            ],
        ]
    }

    static func jwtProvider(_ p: JWTAuthenticator.Provider) -> JSONValue {
        var fields: [(String, JSONValue)] = [("issuer", .string(p.issuer))]
        if !p.audiences.isEmpty { fields.append(("audiences", .array(p.audiences.map { .string($0) }))) }
        // Istio inlines the keys it fetched; meshctl the JWKS it read (none: every token fails).
        if let jwks = p.jwks { fields.append(("local_jwks", ["inline_string": .string(jwks)])) }
        if p.forward { fields.append(("forward", true)) }
        // Envoy's defaults (Authorization: Bearer, then access_token) are left implicit, as Istio does.
        if p.locations != TokenLocation.defaults {
            var headers: [JSONValue] = []
            var params: [JSONValue] = []
            var cookies: [JSONValue] = []
            for location in p.locations {
                switch location {
                case .header(let name, let prefix):
                    headers.append(
                        prefix.isEmpty ? ["name": .string(name)] : ["name": .string(name), "value_prefix": .string(prefix)])
                case .query(let name): params.append(.string(name))
                case .cookie(let name): cookies.append(.string(name))
                }
            }
            if !headers.isEmpty { fields.append(("from_headers", .array(headers))) }
            if !params.isEmpty { fields.append(("from_params", .array(params))) }
            if !cookies.isEmpty { fields.append(("from_cookies", .array(cookies))) }
        }
        if let header = p.outputPayloadToHeader { fields.append(("forward_payload_header", .string(header))) }
        fields.append(("payload_in_metadata", .string(p.issuer)))
        if !p.claimToHeaders.isEmpty {
            fields.append(
                (
                    "claim_to_headers",
                    .array(p.claimToHeaders.map { ["header_name": .string($0.header), "claim_name": .string($0.claim)] })
                ))
        }
        return .object(fields)
    }

    // MARK: RBAC

    /// One RBAC filter per action in Istio's order (AUDIT as LOG, DENY, ALLOW), each policy
    /// rule named `ns[NS]-policy[NAME]-rule[I]`; dry-run policies go to the shadow rules. A
    /// filter whose policies are all dry-run enforces nothing (no `rules`). CUSTOM policies
    /// have no filter: meshctl calls no external authorizer.
    static func rbac(_ resources: [Resource]) -> [JSONValue] {
        let policies = resources.compactMap { r in r.authorizationPolicy.map { (resource: r, policy: $0) } }
        var filters: [JSONValue] = []
        for (action, name) in [(AuthorizationPolicy.Action.audit, "LOG"), (.deny, "DENY"), (.allow, "ALLOW")] {
            let group = policies.filter { $0.policy.effectiveAction == action }
            guard !group.isEmpty else { continue }
            var enforced: [(String, JSONValue)] = []
            var shadow: [(String, JSONValue)] = []
            var enforces = false
            for (resource, policy) in group {
                let dryRun = AuthorizationEngine.isDryRun(resource)
                if !dryRun { enforces = true }
                for (i, rule) in (policy.rules ?? []).enumerated() {
                    let entry = (
                        "ns[\(resource.namespace)]-policy[\(resource.name)]-rule[\(i)]",
                        envoyPolicy(rule, namespace: resource.namespace)
                    )
                    if dryRun { shadow.append(entry) } else { enforced.append(entry) }
                }
            }
            // Envoy's map, in the order Go prints it (and Envoy decides ties by name).
            func sorted(_ entries: [(String, JSONValue)]) -> JSONValue {
                .object(entries.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
            }
            var config: [(String, JSONValue)] = [("@type", .string(TypeURL.rbac))]
            if enforces { config.append(("rules", ["action": .string(name), "policies": sorted(enforced)])) }
            if !shadow.isEmpty {
                config.append(("shadow_rules", ["action": .string(name), "policies": sorted(shadow)]))
                config.append(("shadow_rules_stat_prefix", .string("istio_dry_run_\(action == .allow ? "allow" : "deny")_")))
            }
            filters.append(["name": "envoy.filters.http.rbac", "typed_config": .object(config)])
        }
        return filters
    }

    /// Istio's translation of one rule: a permission per `to` operation and a principal per
    /// `from` source (one matching anything when the list is absent), each the AND of one
    /// matcher per field (its values ORed; `notX` values as NOT of an OR); `when` conditions
    /// join every permission (destination.*, connection.sni, experimental.*) or every principal.
    static func envoyPolicy(_ rule: AuthorizationPolicy.Rule, namespace: String) -> JSONValue {
        var whenPermissions: [JSONValue] = []
        var whenPrincipals: [JSONValue] = []
        for condition in rule.when {
            guard let text = condition.key?.value, case .success(let key) = AuthorizationPolicy.ConditionKey.parse(text) else {
                continue
            }
            let values = condition.values?.values ?? []
            let notValues = condition.notValues?.values ?? []
            if let make = permissionMatcher(key) {
                whenPermissions += field(values, notValues, make, or: "or_rules", list: "rules", not: "not_rule")
            } else if let make = principalMatcher(key) {
                whenPrincipals += field(values, notValues, make, or: "or_ids", list: "ids", not: "not_id")
            }
        }
        let operations: [AuthorizationPolicy.To?] = rule.to.flatMap { $0.isEmpty ? nil : $0 } ?? [nil]
        let permissions: [JSONValue] = operations.map { to in
            var and: [JSONValue] = []
            let operation = to?.operation ?? [:]
            for (positive, negative, make) in operationMatchers {
                and += field(
                    operation[positive]?.values ?? [], operation[negative]?.values ?? [], make, or: "or_rules", list: "rules",
                    not: "not_rule")
            }
            and += whenPermissions
            return ["and_rules": ["rules": .array(and.isEmpty ? [["any": true]] : and)]]
        }
        let sources: [AuthorizationPolicy.From?] = rule.from.flatMap { $0.isEmpty ? nil : $0 } ?? [nil]
        let principals: [JSONValue] = sources.map { from in
            var and: [JSONValue] = []
            let source = from?.source ?? [:]
            for (positive, negative, make) in sourceMatchers(namespace: namespace) {
                and += field(
                    source[positive]?.values ?? [], source[negative]?.values ?? [], make, or: "or_ids", list: "ids", not: "not_id"
                )
            }
            and += whenPrincipals
            return ["and_ids": ["ids": .array(and.isEmpty ? [["any": true]] : and)]]
        }
        return ["permissions": .array(permissions), "principals": .array(principals)]
    }

    /// One field's matchers: the OR of its values, and NOT (the OR of its `not` values).
    static func field(
        _ values: [String], _ notValues: [String], _ make: (String) -> JSONValue, or: String, list: String, not: String
    ) -> [JSONValue] {
        var out: [JSONValue] = []
        if !values.isEmpty { out.append([or: [list: .array(values.map(make))]]) }
        if !notValues.isEmpty { out.append([not: [or: [list: .array(notValues.map(make))]]]) }
        return out
    }

    /// `to.operation` fields in the order Istio's rule model lists them.
    static var operationMatchers:
        [(AuthorizationPolicy.OperationField, AuthorizationPolicy.OperationField, (String) -> JSONValue)]
    {
        [
            (.hosts, .notHosts, { ["header": headerMatcher(":authority", $0, ignoreCase: true)] }),
            (.methods, .notMethods, { ["header": headerMatcher(":method", $0)] }),
            (.paths, .notPaths, { ["url_path": ["path": stringMatcher($0)]] }),
            (.ports, .notPorts, { ["destination_port": .int(Int64($0) ?? 0)] }),
        ]
    }

    /// `from.source` fields in the order Istio's rule model lists them.
    static func sourceMatchers(
        namespace: String
    ) -> [(AuthorizationPolicy.SourceField, AuthorizationPolicy.SourceField, (String) -> JSONValue)] {
        [
            (.serviceAccounts, .notServiceAccounts, { serviceAccount($0, namespace: namespace) }),
            (.principals, .notPrincipals, { authenticated(stringMatcher($0, prefix: "spiffe://")) }),
            (.requestPrincipals, .notRequestPrincipals, { jwtMetadata(["request.auth.principal"], $0, list: false) }),
            (.namespaces, .notNamespaces, { namespaceMatcher($0) }),
            (.remoteIpBlocks, .notRemoteIpBlocks, { ["remote_ip": ListenerRenderer.cidrRange($0)] }),
            (.ipBlocks, .notIpBlocks, { ["direct_remote_ip": ListenerRenderer.cidrRange($0)] }),
        ]
    }

    static func permissionMatcher(_ key: AuthorizationPolicy.ConditionKey) -> ((String) -> JSONValue)? {
        switch key {
        case .destinationIP: { ["destination_ip": ListenerRenderer.cidrRange($0)] }
        case .destinationPort: { ["destination_port": .int(Int64($0) ?? 0)] }
        case .connectionSNI: { ["requested_server_name": stringMatcher($0)] }
        case .experimental(let filter, let key):
            {
                [
                    "metadata": [
                        "filter": .string(filter), "path": [["key": .string(key)]], "value": ["string_match": stringMatcher($0)],
                    ]
                ]
            }
        default: nil
        }
    }

    static func principalMatcher(_ key: AuthorizationPolicy.ConditionKey) -> ((String) -> JSONValue)? {
        switch key {
        case .requestHeader(let name): { ["header": headerMatcher(name, $0)] }
        case .sourceIP: { ["direct_remote_ip": ListenerRenderer.cidrRange($0)] }
        case .remoteIP: { ["remote_ip": ListenerRenderer.cidrRange($0)] }
        case .sourceNamespace: { namespaceMatcher($0) }
        case .sourcePrincipal: { authenticated(stringMatcher($0, prefix: "spiffe://")) }
        case .requestPrincipal: { jwtMetadata(["request.auth.principal"], $0, list: false) }
        case .requestAudiences: { jwtMetadata(["request.auth.audiences"], $0, list: true) }
        case .requestPresenter: { jwtMetadata(["request.auth.presenter"], $0, list: true) }
        case .requestClaim(let path): { jwtMetadata(["request.auth.claims"] + path, $0, list: true) }
        default: nil
        }
    }

    /// Istio's string matching: `*` is any non-empty value, `*x` a suffix, `x*` a prefix
    /// (after `prefix`, which only exact and prefix matches carry).
    static func stringMatcher(_ value: String, prefix: String = "") -> JSONValue {
        if value == "*" { return ["safe_regex": ["regex": ".+"]] }
        if value.hasPrefix("*") { return ["suffix": .string(String(value.dropFirst()))] }
        if value.hasSuffix("*") { return ["prefix": .string(prefix + value.dropLast())] }
        return ["exact": .string(prefix + value)]
    }

    /// A header matcher: `*` is presence; otherwise the string rules (hosts case-insensitive).
    static func headerMatcher(_ name: String, _ value: String, ignoreCase: Bool = false) -> JSONValue {
        if value == "*" { return ["name": .string(name), "present_match": true] }
        guard ignoreCase, case .object(var match) = stringMatcher(value) else {
            return ["name": .string(name), "string_match": stringMatcher(value)]
        }
        match.append(("ignore_case", true))
        return ["name": .string(name), "string_match": .object(match)]
    }

    static func authenticated(_ name: JSONValue) -> JSONValue { ["authenticated": ["principal_name": name]] }

    static func namespaceMatcher(_ value: String) -> JSONValue {
        authenticated(["safe_regex": ["regex": .string(".*/ns/\(value.replacingOccurrences(of: "*", with: ".*"))/.*")]])
    }

    /// `serviceAccounts`: `NAME` in the policy's namespace, or `NS/NAME`.
    static func serviceAccount(_ value: String, namespace policyNamespace: String) -> JSONValue {
        let parts = value.split(separator: "/", maxSplits: 1).map(String.init)
        let (namespace, name) = parts.count == 2 ? (parts[0], parts[1]) : (policyNamespace, parts.first ?? "")
        return authenticated(["safe_regex": ["regex": .string("spiffe://.+/ns/\(namespace)/(.+/|)sa/\(name)(/.+)?")]])
    }

    static func jwtMetadata(_ path: [String], _ value: String, list: Bool) -> JSONValue {
        let match: JSONValue = ["string_match": stringMatcher(value)]
        return [
            "metadata": [
                "filter": "istio_authn", "path": .array(path.map { ["key": .string($0)] }),
                "value": list ? ["list_match": ["one_of": match]] : match,
            ]
        ]
    }

    // MARK: Patches

    /// An EnvoyFilter patch's value as Envoy runs it: in snake_case, every TypedStruct shown as
    /// the message it carries (`@type` its `type_url`, its `value`'s fields).
    static func patchValue(_ value: JSONValue, type: String) -> JSONValue {
        ProtoJSON.snakeCase(unwrapTypedStructs(value), type: type)
    }

    static let typedStructs: Set<String> = [
        TypeURL.prefix + "udpa.type.v1.TypedStruct", TypeURL.prefix + "xds.type.v3.TypedStruct",
    ]

    static func unwrapTypedStructs(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields):
            if let type = value["@type"]?.string, typedStructs.contains(type), let url = value["type_url"]?.string {
                let inner = value["value"]?.object ?? []
                return unwrapTypedStructs(.object([("@type", .string(url))] + inner))
            }
            return .object(fields.map { ($0.0, unwrapTypedStructs($0.1)) })
        case .array(let items): return .array(items.map(unwrapTypedStructs))
        default: return value
        }
    }

    /// Protobuf's merge, as Istio applies a MERGE patch: messages field by field, lists
    /// appended, anything else replaced.
    static func merge(_ base: JSONValue, _ patch: JSONValue) -> JSONValue {
        switch (base, patch) {
        case (.object(var fields), .object(let changes)):
            for (key, value) in changes {
                if let i = fields.firstIndex(where: { $0.0 == key }) {
                    fields[i].1 = merge(fields[i].1, value)
                } else {
                    fields.append((key, value))
                }
            }
            return .object(fields)
        case (.array(let items), .array(let more)): return .array(items + more)
        default: return patch
        }
    }
}
