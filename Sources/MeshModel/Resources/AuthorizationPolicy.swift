/// `security.istio.io` AuthorizationPolicy: who may call what on the workloads it selects.
///
/// A rule matches when one of its `from` sources, one of its `to` operations and every `when`
/// condition match; an absent part matches anything, and an empty rule `{}` matches every
/// request. Fields inside a source or an operation are ANDed, the values of one field ORed.
public struct AuthorizationPolicy: Sendable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case allow = "ALLOW"
        case deny = "DENY"
        case audit = "AUDIT"
        case custom = "CUSTOM"
    }

    /// The fields of `from[].source`, by their YAML names.
    public enum SourceField: String, Sendable, Hashable, CaseIterable {
        case principals, notPrincipals, requestPrincipals, notRequestPrincipals, namespaces, notNamespaces
        case ipBlocks, notIpBlocks, remoteIpBlocks, notRemoteIpBlocks, serviceAccounts, notServiceAccounts

        /// Whether the field is a `notX` (negative) match.
        public var isNegative: Bool { rawValue.hasPrefix("not") }
    }

    /// The fields of `to[].operation`, by their YAML names.
    public enum OperationField: String, Sendable, Hashable, CaseIterable {
        case hosts, notHosts, ports, notPorts, methods, notMethods, paths, notPaths

        public var isNegative: Bool { rawValue.hasPrefix("not") }
    }

    /// `from[]` entry: `{source: {...}}`.
    public struct From: Sendable {
        public var node: Int32
        /// The `source` mapping (-1 when absent).
        public var sourceNode: Int32 = -1
        /// nil when `source` is absent or not a mapping.
        public var source: [SourceField: StringValues]?
    }

    /// `to[]` entry: `{operation: {...}}`.
    public struct To: Sendable {
        public var node: Int32
        public var operationNode: Int32 = -1
        public var operation: [OperationField: StringValues]?
    }

    /// `when[]` entry: a condition on an Istio attribute.
    public struct Condition: Sendable {
        public var node: Int32
        public var key: Located<String>?
        public var values: StringValues?
        public var notValues: StringValues?
    }

    public struct Rule: Sendable {
        public var node: Int32
        /// nil when absent (any source); empty when written `[]` (which Istio refuses).
        public var from: [From]?
        public var fromNode: Int32 = -1
        public var to: [To]?
        public var toNode: Int32 = -1
        public var when: [Condition] = []
    }

    /// `provider`: the extension a CUSTOM policy delegates to.
    public struct Provider: Sendable {
        public var node: Int32
        public var name: Located<String>?
    }

    public var node: Int32
    public var selector: WorkloadSelector?
    public var targetRef: PolicyTargetReference?
    public var targetRefs: [PolicyTargetReference] = []
    public var targetRefsNode: Int32 = -1
    /// nil when `rules` is absent: an ALLOW policy then allows nothing, a DENY one denies nothing.
    public var rules: [Rule]?
    public var rulesNode: Int32 = -1
    public var action: Located<Action>?
    public var provider: Provider?

    /// The action, ALLOW when not written.
    public var effectiveAction: Action { action?.value ?? .allow }

    /// Whether the policy is attached by `targetRef(s)` (to a gateway, service or service entry)
    /// rather than by a workload selector.
    public var isTargeted: Bool { targetRef != nil || !targetRefs.isEmpty }
}

extension AuthorizationPolicy {
    static let fieldNames = ["selector", "targetRef", "targetRefs", "rules", "action", "provider"]

    public static func decode(_ n: Node) -> AuthorizationPolicy {
        var policy = AuthorizationPolicy(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "selector": policy.selector = v.workloadSelector()
            case "targetRef": policy.targetRef = v.policyTargetReference()
            case "targetRefs": (policy.targetRefs, policy.targetRefsNode) = (v.list { $0.policyTargetReference() }, v.index)
            case "rules":
                policy.rules = v.list(Rule.decode)
                policy.rulesNode = v.index
                if v.raw.kind != .sequence && !v.isNull { policy.rules = nil }
            case "action":
                policy.action = v.enumValue(Action.allCases.map(\.rawValue)).flatMap(Action.init(rawValue:)).map {
                    Located($0, node: v.index)
                }
            case "provider":
                policy.provider = Provider(node: v.index, name: v.stringFields(["name"])?["name"])
            default: return false
            }
            return true
        }
        return policy
    }
}

extension AuthorizationPolicy.Rule {
    static func decode(_ n: Node) -> Self? {
        var rule = Self(node: n.index)
        n.fields(["from", "to", "when"]) { name, v in
            switch name {
            case "from":
                rule.fromNode = v.index
                rule.from = v.list { item in
                    item.wrappedFieldMap("source", AuthorizationPolicy.SourceField.self).map {
                        AuthorizationPolicy.From(node: item.index, sourceNode: $0.node, source: $0.map)
                    }
                }
            case "to":
                rule.toNode = v.index
                rule.to = v.list { item in
                    item.wrappedFieldMap("operation", AuthorizationPolicy.OperationField.self).map {
                        AuthorizationPolicy.To(node: item.index, operationNode: $0.node, operation: $0.map)
                    }
                }
            case "when":
                rule.when = v.list { item in
                    var condition = AuthorizationPolicy.Condition(node: item.index)
                    item.fields(["key", "values", "notValues"]) { field, value in
                        switch field {
                        case "key": condition.key = value.located { $0.string() }
                        case "values": condition.values = value.stringValues()
                        case "notValues": condition.notValues = value.stringValues()
                        default: return false
                        }
                        return true
                    }
                    return item.raw.kind == .mapping ? condition : nil
                }
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping || n.isNull ? rule : nil
    }
}

extension Node {
    /// `{KEY: {...}}` whose one field holds a `fieldMap` (`{source: {...}}`); the inner map is
    /// nil when KEY is absent or not a mapping. nil when the node is not a mapping (or null).
    func wrappedFieldMap<Field: RawRepresentable & CaseIterable & Hashable>(
        _ key: String, _ type: Field.Type
    ) -> (node: Int32, map: [Field: StringValues]?)? where Field.RawValue == String {
        var result: (node: Int32, map: [Field: StringValues]?) = (-1, nil)
        fields([key]) { field, value in
            guard field == key else { return false }
            result = (value.index, value.fieldMap(type))
            return true
        }
        return raw.kind == .mapping || isNull ? result : nil
    }

    /// A mapping of string fields named `names`, each with where it was written; nil when the
    /// node is not a mapping.
    func stringFields(_ names: [String]) -> [String: Located<String>]? {
        var values: [String: Located<String>] = [:]
        fields(names) { field, value in
            guard names.contains(field) else { return false }
            values[field] = value.located { $0.string() }
            return true
        }
        return raw.kind == .mapping ? values : nil
    }

    /// A mapping whose fields are all lists of strings, named by `Field`'s cases.
    func fieldMap<Field: RawRepresentable & CaseIterable & Hashable>(_: Field.Type) -> [Field: StringValues]?
    where Field.RawValue == String {
        var map: [Field: StringValues] = [:]
        fields(Field.allCases.map(\.rawValue)) { name, v in
            guard let field = Field(rawValue: name) else { return false }
            if let values = v.stringValues() { map[field] = values }
            return true
        }
        return raw.kind == .mapping ? map : nil
    }
}
