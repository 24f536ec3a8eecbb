import MeshModel
import MeshRouting

/// One AuthorizationPolicy compiled for matching: its strings, paths and address blocks parsed
/// once, so a request costs comparisons only.
struct CompiledPolicy: Sendable {
    let namespace: String
    let name: String
    let action: AuthorizationPolicy.Action
    /// `istio.io/dry-run: "true"`: evaluated and counted (shadow), never enforced.
    let dryRun: Bool
    let provider: String?
    /// nil when `rules` is absent.
    let rules: [CompiledRule]
    /// `file:line` of the policy, for explanations.
    let position: String

    var reference: String { "\(namespace)/\(name)" }
}

struct CompiledRule: Sendable {
    let index: Int
    /// The RBAC policy name Istio gives the rule: `ns[NS]-policy[NAME]-rule[I]`.
    let envoyName: String
    let position: String
    let from: [Source]?
    let to: [Operation]?
    let when: [Condition]

    /// One `from[].source`: fields ANDed, the values of each field ORed.
    struct Source: Sendable {
        var checks: [(field: AuthorizationPolicy.SourceField, values: [String], matchers: ValueMatchers)]
    }
    struct Operation: Sendable {
        var checks: [(field: AuthorizationPolicy.OperationField, values: [String], matchers: ValueMatchers)]
    }
    struct Condition: Sendable {
        var text: String
        var key: AuthorizationPolicy.ConditionKey
        var values: [String]
        var notValues: [String]
        var matchers: ValueMatchers
        var notMatchers: ValueMatchers
    }
}

/// Matchers built from a rule's values, once.
struct ValueMatchers: Sendable {
    enum Kind { case strings, lowercased, paths, blocks, ports, namespaces }
    var strings: [PolicyString] = []
    var paths: [PolicyPath] = []
    var blocks: [IPBlock] = []
    var ports: [Int] = []
    /// Namespace patterns (`*` anywhere matches any text), as Istio turns `namespaces` into the
    /// principal regex `.*/ns/NS/.*`.
    var namespaces: [[Substring]] = []

    init(_ values: [String], _ kind: Kind) {
        switch kind {
        case .strings: strings = values.map(PolicyString.init)
        case .lowercased: strings = values.map { PolicyString($0).lowercased }
        case .paths: paths = values.map(PolicyPath.init)
        case .blocks: blocks = values.compactMap(IPBlock.init)
        case .ports: ports = values.compactMap { Int($0) }
        case .namespaces:
            namespaces = values.map { ("*/ns/" + $0 + "/*").split(separator: "*", omittingEmptySubsequences: false) }
        }
    }

    static func kind(_ field: AuthorizationPolicy.SourceField) -> Kind {
        switch field {
        case .namespaces, .notNamespaces: .namespaces
        case .ipBlocks, .notIpBlocks, .remoteIpBlocks, .notRemoteIpBlocks: .blocks
        default: .strings
        }
    }

    static func kind(_ field: AuthorizationPolicy.OperationField) -> Kind {
        switch field {
        case .hosts, .notHosts: .lowercased
        case .ports, .notPorts: .ports
        case .paths, .notPaths: .paths
        case .methods, .notMethods: .strings
        }
    }

    static func kind(_ key: AuthorizationPolicy.ConditionKey) -> Kind {
        switch key {
        case .sourceIP, .remoteIP, .destinationIP: .blocks
        case .destinationPort: .ports
        case .sourceNamespace: .namespaces
        default: .strings
        }
    }
}

extension CompiledPolicy {
    init(_ resource: Resource, _ policy: AuthorizationPolicy) {
        namespace = resource.namespace
        name = resource.name
        action = policy.effectiveAction
        dryRun = ["1", "t", "T", "TRUE", "true", "True"].contains(resource.annotations["istio.io/dry-run"] ?? "")
        provider = policy.provider?.name?.value
        position = resource.position(resource.node)
        let namespace = resource.namespace
        let name = resource.name
        rules = (policy.rules ?? []).enumerated().map { i, rule in
            CompiledRule(
                index: i, envoyName: "ns[\(namespace)]-policy[\(name)]-rule[\(i)]", position: resource.position(rule.node),
                from: rule.from.map { froms in
                    froms.compactMap { from in
                        from.source.map { source in
                            CompiledRule.Source(
                                checks: AuthorizationPolicy.SourceField.allCases.compactMap { field in
                                    source[field].map { (field, $0.values, ValueMatchers($0.values, ValueMatchers.kind(field))) }
                                })
                        }
                    }
                },
                to: rule.to.map { tos in
                    tos.compactMap { to in
                        to.operation.map { operation in
                            CompiledRule.Operation(
                                checks: AuthorizationPolicy.OperationField.allCases.compactMap { field in
                                    operation[field].map {
                                        (field, $0.values, ValueMatchers($0.values, ValueMatchers.kind(field)))
                                    }
                                })
                        }
                    }
                },
                when: rule.when.compactMap { condition in
                    guard let key = condition.key?.value, case .success(let parsed) = AuthorizationPolicy.ConditionKey.parse(key)
                    else { return nil }
                    let values = condition.values?.values ?? []
                    let notValues = condition.notValues?.values ?? []
                    let kind = ValueMatchers.kind(parsed)
                    return CompiledRule.Condition(
                        text: key, key: parsed, values: values, notValues: notValues, matchers: ValueMatchers(values, kind),
                        notMatchers: ValueMatchers(notValues, kind))
                })
        }
    }
}
