import MeshModel

extension Check {
    typealias Policy = AuthorizationPolicy

    /// Istio's AuthorizationPolicy validation (one target; CUSTOM with rules and a provider and
    /// without identity fields; a provider only with CUSTOM; DENY with rules; no empty `from`,
    /// `to`, source, operation or value; addresses, ports and path templates; known `when`
    /// keys with values), its warning for DENY rules of HTTP attributes only, and meshctl's
    /// warnings for values no request can match.
    func authorizationPolicy(_ ap: AuthorizationPolicy, resource: Resource) {
        policyTarget(selector: ap.selector, targetRef: ap.targetRef, targetRefs: ap.targetRefs, at: ap.node)
        workloadSelector(ap.selector)
        dryRun(ap, resource: resource)
        let action = ap.effectiveAction
        let actionNode = ap.action?.node ?? ap.node
        if action == .custom {
            if ap.rules == nil {
                error(
                    "CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request",
                    at: actionNode)
            } else if ap.provider?.name?.value.isEmpty ?? true {
                error("`provider.name` must not be empty for the CUSTOM action", at: ap.provider?.node ?? actionNode)
            }
            customRestrictions(ap)
        }
        if let provider = ap.provider, action != .custom {
            error("`provider` must not be with non CUSTOM action, found \(action.rawValue)", at: provider.node)
        }
        if action == .deny && ap.rules == nil {
            error(
                "DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request",
                at: actionNode)
        }
        for rule in ap.rules ?? [] { authorizationRule(rule, action: action) }
    }

    /// `istio.io/dry-run`: only on ALLOW and DENY policies, and a boolean.
    func dryRun(_ ap: AuthorizationPolicy, resource: Resource) {
        guard let value = resource.annotations["istio.io/dry-run"] else { return }
        let file = ctx.file
        let node =
            file.value("metadata", in: resource.node).flatMap { file.value("annotations", in: $0) }.flatMap {
                file.value("istio.io/dry-run", in: $0)
            } ?? resource.node
        guard ap.effectiveAction == .allow || ap.effectiveAction == .deny else {
            error(
                "the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action \(ap.effectiveAction.rawValue)",
                at: node)
            return
        }
        if !["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].contains(value) {
            error("annotation istio.io/dry-run has invalid value (\(value)): it must be true or false", at: node)
        }
    }

    /// CUSTOM rules cannot use identities (the extension sees the request before authentication).
    func customRestrictions(_ ap: AuthorizationPolicy) {
        let identityFields: [Policy.SourceField] = [
            .namespaces, .notNamespaces, .principals, .notPrincipals, .requestPrincipals, .notRequestPrincipals,
        ]
        for rule in ap.rules ?? [] {
            for from in rule.from ?? [] {
                for field in identityFields {
                    if let values = from.source?[field], !values.items.isEmpty {
                        error(
                            "From.\(field.rawValue.capitalizedFirst) is currently not supported with CUSTOM action",
                            at: values.node)
                    }
                }
            }
            for condition in rule.when {
                guard let key = condition.key else { continue }
                if key.value == "source.namespace" || key.value == "source.principal" || key.value.hasPrefix("request.auth.") {
                    error("\(key.value) is currently not supported with CUSTOM action", at: key.node)
                }
            }
        }
    }

    func authorizationRule(_ rule: AuthorizationPolicy.Rule, action: AuthorizationPolicy.Action) {
        if let from = rule.from, from.isEmpty, ctx.file[rule.fromNode].kind == .sequence {
            error("`from` must not be empty: leave it out to match any source", at: rule.fromNode)
        }
        var tcpRulesInFrom = false
        var tcpRulesInTo = false
        for from in rule.from ?? [] {
            guard let source = from.source else {
                if absent("source", in: from.node, anyValue: true) || ctx.file.isNull(from.sourceNode) {
                    error("`from.source` must not be nil", at: from.sourceNode >= 0 ? from.sourceNode : from.node)
                }
                continue
            }
            if source.values.allSatisfy({ $0.items.isEmpty }) {
                error("`from.source` must not be empty", at: from.sourceNode)
            }
            for (field, values) in source {
                emptyValues(values, field.rawValue)
                switch field {
                case .ipBlocks, .notIpBlocks, .remoteIpBlocks, .notRemoteIpBlocks:
                    for item in values.items {
                        if let problem = Self.ipBlockProblem(item.value) { error(problem, at: item.node) }
                    }
                    tcpRulesInFrom = true
                case .principals, .notPrincipals:
                    for item in values.items { principalForm(item) }
                    tcpRulesInFrom = true
                case .namespaces, .notNamespaces, .serviceAccounts, .notServiceAccounts:
                    tcpRulesInFrom = true
                    if field == .serviceAccounts || field == .notServiceAccounts {
                        for item in values.items where item.value.split(separator: "/").count != 2 {
                            error("service account `\(item.value)` must be NAMESPACE/NAME", at: item.node)
                        }
                    }
                case .requestPrincipals, .notRequestPrincipals:
                    for item in values.items { middleWildcard(item, what: "request principal") }
                }
            }
        }
        if let to = rule.to, to.isEmpty, ctx.file[rule.toNode].kind == .sequence {
            error("`to` must not be empty: leave it out to match any operation", at: rule.toNode)
        }
        for to in rule.to ?? [] {
            guard let operation = to.operation else {
                if absent("operation", in: to.node, anyValue: true) || ctx.file.isNull(to.operationNode) {
                    error("`to.operation` must not be nil", at: to.operationNode >= 0 ? to.operationNode : to.node)
                }
                continue
            }
            if operation.values.allSatisfy({ $0.items.isEmpty }) {
                error("`to.operation` must not be empty", at: to.operationNode)
            }
            for (field, values) in operation {
                emptyValues(values, field.rawValue)
                switch field {
                case .ports, .notPorts:
                    tcpRulesInTo = true
                    for item in values.items {
                        if let problem = Self.portProblem(item.value) { error(problem, at: item.node) }
                    }
                case .paths, .notPaths:
                    for item in values.items { path(item) }
                case .methods, .notMethods:
                    for item in values.items where item.value != item.value.uppercased() && !item.value.contains("*") {
                        report(
                            .policyNeverMatches,
                            "method `\(item.value)` is not uppercase: HTTP methods are matched exactly, so it never matches `\(item.value.uppercased())`",
                            at: item.node)
                    }
                case .hosts, .notHosts:
                    for item in values.items { middleWildcard(item, what: "host") }
                }
            }
        }
        for condition in rule.when { self.condition(condition) }
        let fromRuleExists = (rule.from ?? []).contains { $0.source != nil }
        let toRuleExists = (rule.to ?? []).contains { $0.operation != nil }
        if action == .deny, (fromRuleExists && !toRuleExists && !tcpRulesInFrom) || (toRuleExists && !tcpRulesInTo) {
            warning(
                "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port",
                at: rule.node)
        }
    }

    func condition(_ condition: AuthorizationPolicy.Condition) {
        guard let key = condition.key, !key.value.isEmpty else {
            error("`key` must not be empty", at: condition.key?.node ?? condition.node)
            return
        }
        let values = condition.values?.items ?? []
        let notValues = condition.notValues?.items ?? []
        guard !values.isEmpty || !notValues.isEmpty else {
            error("at least one of `values` or `notValues` must be set for key \(key.value)", at: condition.node)
            return
        }
        switch AuthorizationPolicy.ConditionKey.parse(key.value) {
        case .failure(let problem):
            var message = "invalid `key` \(key.value): \(problem)"
            if case .unknown = problem {
                // `request.header[x]` → `request.headers[x]`: suggest by the part before the bracket.
                let open = key.value.firstIndex(of: "[") ?? key.value.endIndex
                let mapKeys = ["request.headers", "request.auth.claims"]
                let plainKeys = AuthorizationPolicy.conditionKeys.filter { !$0.contains("[") }
                if let closest = Suggest.closest(
                    to: String(key.value[..<open]), in: open == key.value.endIndex ? plainKeys : mapKeys)
                {
                    message += "; did you mean `\(closest)\(key.value[open...])`?"
                } else {
                    message += "; known keys: \(AuthorizationPolicy.conditionKeys.joined(separator: ", "))"
                }
            }
            error(message, at: key.node)
        case .success(let parsed):
            for (list, name) in [(values, "value"), (notValues, "notValue")] {
                for item in list {
                    if item.value.isEmpty {
                        error("invalid `\(name)` for `key` \(key.value): empty value not allowed", at: item.node)
                        continue
                    }
                    switch parsed.valueKind {
                    case .ipBlock:
                        if let problem = Self.ipBlockProblem(item.value) {
                            error("invalid `\(name)` for `key` \(key.value): \(problem)", at: item.node)
                        }
                    case .port:
                        if let problem = Self.portProblem(item.value) {
                            error("invalid `\(name)` for `key` \(key.value): \(problem)", at: item.node)
                        }
                    case .text:
                        if parsed == .sourcePrincipal { principalForm(item) }
                    }
                }
            }
        }
    }

    func emptyValues(_ values: StringValues, _ field: String) {
        for item in values.items where item.value.isEmpty {
            error("empty value not allowed, found in \(field)", at: item.node)
        }
    }

    /// Paths: Istio's path templates (`{*}`, `{**}`) without named variables or bare `*`
    /// segments; meshctl warns about values no request path can match.
    func path(_ item: Located<String>) {
        let value = item.value
        if value.contains("{*}") || value.contains("{**}") {
            if Self.isUnsupportedPathTemplate(value) {
                error("invalid or unsupported path template `\(value)`, found in paths", at: item.node)
            }
            return
        }
        if value != "*", !value.hasPrefix("*"), !value.hasPrefix("/") {
            report(
                .policyNeverMatches,
                "path `\(value)` does not start with `/`: request paths do, so it never matches (write `/\(value)`)",
                at: item.node)
            return
        }
        middleWildcard(item, what: "path")
    }

    /// A `*` other than first or last is a literal character in Istio's string matches.
    func middleWildcard(_ item: Located<String>, what: String) {
        let value = item.value
        guard value.count > 1, value.dropFirst().dropLast().contains("*") else { return }
        let hint = what == "path" ? "; use a path template such as `/api/{*}/items` for one segment" : ""
        report(
            .policyNeverMatches,
            "\(what) `\(value)` has `*` in the middle, which Istio matches as a literal `*` (only a leading or trailing `*` is a wildcard)\(hint)",
            at: item.node)
    }

    /// Principals are written `TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT`, without `spiffe://`.
    func principalForm(_ item: Located<String>) {
        let value = item.value
        if value.hasPrefix("spiffe://") {
            report(
                .policyNeverMatches,
                "principal `\(value)` starts with spiffe://, which Istio adds itself: write `\(value.dropFirst(9))`",
                at: item.node)
            return
        }
        if value.contains("*") {
            middleWildcard(item, what: "principal")
            return
        }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count != 5 || parts[1] != "ns" || parts[3] != "sa" || parts.contains(where: \.isEmpty) {
            report(
                .policyNeverMatches,
                "principal `\(value)` is not TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT (such as cluster.local/ns/default/sa/sleep), so no workload identity matches it",
                at: item.node)
        }
    }

    /// Istio's unsupported path templates: named variables, empty braces, bare `*` or `**`
    /// segments beside `{*}`/`{**}`.
    static func isUnsupportedPathTemplate(_ value: String) -> Bool {
        var i = value.startIndex
        while i < value.endIndex {
            let c = value[i]
            if c == "{" {
                guard let close = value[i...].firstIndex(of: "}") else { return true }
                let inside = value[value.index(after: i)..<close]
                if inside != "*" && inside != "**" { return true }
                i = value.index(after: close)
                continue
            }
            if c == "*" { return true }
            i = value.index(after: i)
        }
        return false
    }
}

extension String {
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
