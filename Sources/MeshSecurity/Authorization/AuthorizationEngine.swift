import Foundation
import MeshModel

/// What authorization decided for one request, and why.
public struct AuthzDecision: Sendable {
    public enum Reason: String, Sendable {
        /// A DENY policy matched.
        case deniedByPolicy
        /// An ALLOW policy matched.
        case allowedByPolicy
        /// No ALLOW policy applies to the workload, so whatever no DENY policy refused is allowed.
        case noAllowPolicy
        /// ALLOW policies apply and none matched.
        case noAllowPolicyMatched
    }

    /// A policy and rule that decided, or that was recorded (AUDIT, dry-run, CUSTOM).
    public struct Match: Sendable, Equatable {
        /// `namespace/name`.
        public var policy: String
        public var action: AuthorizationPolicy.Action
        /// The rule's index in `rules`.
        public var rule: Int
        /// Envoy's RBAC policy name, `ns[NS]-policy[NAME]-rule[I]`.
        public var envoyName: String
        public var position: String
    }

    public var allowed: Bool
    public var reason: Reason
    /// The DENY or ALLOW policy rule that decided (nil for `noAllowPolicy`/`noAllowPolicyMatched`).
    public var decidedBy: Match?
    /// Matching AUDIT policies: the request is marked for audit, nothing else.
    public var audited: [Match]
    /// CUSTOM policies whose rules match: meshctl does not call external authorizers, so these
    /// are reported and not enforced.
    public var customNotEnforced: [Match]
    /// Dry-run (`istio.io/dry-run`) policies that matched, and the shadow verdict they would give.
    public var shadowMatches: [Match]
    public var shadowAllowed: Bool?
    /// The RBAC counters to increment, once per entry, as Envoy's RBAC filters of an Istio
    /// sidecar count them (a DENY filter, then an ALLOW filter, each present only when such
    /// policies exist): `rbac.allowed`, `rbac.denied`, and for dry-run policies
    /// `rbac.istio_dry_run_deny_shadow_allowed` and the like. Prefix them with the
    /// connection manager's stat prefix (`http.inbound_0.0.0.0_9080.`).
    public var counters: [String]
    /// Envoy's response code details for a denial:
    /// `rbac_access_denied_matched_policy[ns[NS]-policy[NAME]-rule[I]]` or `...[none]`.
    public var responseCodeDetails: String?
    /// Why each policy did or did not match (only when explaining).
    public var explanation: [String]

    /// 403 when denied.
    public var status: Int? { allowed ? nil : 403 }
    /// The body Envoy's RBAC filter answers a denied request with.
    public static let deniedBody = "RBAC: access denied"
}

/// The AuthorizationPolicies that apply to one workload, compiled, in Istio's evaluation order.
public struct AuthorizationEngine: Sendable {
    /// Rules of a group of policies, in Envoy's order of RBAC policy names (which decides the
    /// policy a denial names when several match), and the policies without rules.
    struct RuleSet: Sendable {
        var rules: [(policy: CompiledPolicy, rule: CompiledRule)] = []
        var empty: [CompiledPolicy] = []
        var isEmpty: Bool { rules.isEmpty && empty.isEmpty }

        init(_ policies: [CompiledPolicy]) {
            rules = policies.flatMap { policy in policy.rules.map { (policy, $0) } }.sorted {
                $0.rule.envoyName < $1.rule.envoyName
            }
            empty = policies.filter(\.rules.isEmpty)
        }
    }

    let denyEnforced: RuleSet
    let denyShadow: RuleSet
    let allowEnforced: RuleSet
    let allowShadow: RuleSet
    let audit: [RuleSet]
    let custom: [RuleSet]
    let all: [CompiledPolicy]
    /// The policies that apply, as written (what Envoy's RBAC filters are rendered from).
    public let resources: [Resource]
    /// Policies of the workload's namespace or the root namespace left out, and why (targetRef,
    /// selector).
    public let skipped: [(policy: String, reason: String)]
    /// Whether any policy applies to the workload (Envoy has an RBAC filter, and counts).
    public var hasPolicies: Bool { !all.isEmpty }

    /// Selects the policies for `workload` as Istio does: from the workload's namespace and the
    /// root namespace, whose selector (if any) matches its labels. Policies attached with
    /// `targetRef(s)` apply to gateways and waypoints, not to a sidecar.
    public init(resources: [Resource], workload: WorkloadIdentity, rootNamespace: String) {
        var selected: [CompiledPolicy] = []
        var selectedResources: [Resource] = []
        var skipped: [(String, String)] = []
        for resource in resources.filter({ $0.authorizationPolicy != nil }).effective {
            guard let policy = resource.authorizationPolicy else { continue }
            let name = "\(resource.namespace)/\(resource.name)"
            guard resource.namespace == workload.namespace || resource.namespace == rootNamespace else { continue }
            if policy.isTargeted {
                let targets = (policy.targetRef.map { [$0] } ?? policy.targetRefs).map(\.description)
                skipped.append((name, "attached by targetRef to \(targets.joined(separator: ", ")), not to a sidecar"))
                continue
            }
            if let selector = policy.selector?.labels, !selector.allSatisfy({ workload.labels[$0.key] == $0.value }) {
                skipped.append((name, "its selector \(Self.format(selector)) does not match the workload's labels"))
                continue
            }
            selected.append(CompiledPolicy(resource, policy))
            selectedResources.append(resource)
        }
        func group(_ action: AuthorizationPolicy.Action, dryRun: Bool) -> RuleSet {
            RuleSet(selected.filter { $0.action == action && $0.dryRun == dryRun })
        }
        denyEnforced = group(.deny, dryRun: false)
        denyShadow = group(.deny, dryRun: true)
        allowEnforced = group(.allow, dryRun: false)
        allowShadow = group(.allow, dryRun: true)
        audit = selected.filter { $0.action == .audit }.map { RuleSet([$0]) }
        custom = selected.filter { $0.action == .custom }.map { RuleSet([$0]) }
        all = selected
        self.resources = selectedResources
        self.skipped = skipped
    }

    /// Whether a policy is annotated `istio.io/dry-run: "true"` (Go's boolean spellings):
    /// evaluated and counted as a shadow, never enforced.
    public static func isDryRun(_ resource: Resource) -> Bool {
        ["1", "t", "T", "TRUE", "true", "True"].contains(resource.annotations["istio.io/dry-run"] ?? "")
    }

    static func format(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Whether any policy applies (without one, a sidecar has no RBAC filter and counts nothing).
    public var isEmpty: Bool { all.isEmpty }

    /// The policies that apply: `namespace/name`, action, dry-run.
    public var policies: [(policy: String, action: AuthorizationPolicy.Action, dryRun: Bool)] {
        all.map { ($0.reference, $0.action, $0.dryRun) }
    }

    /// Decides one request: CUSTOM (reported, not enforced), then DENY, then ALLOW; AUDIT and
    /// dry-run policies recorded.
    public func authorize(_ request: AuthzRequest) -> AuthzDecision { evaluate(request, trace: nil) }

    /// The same decision, with the reasons each policy and rule did or did not match.
    public func explain(_ request: AuthzRequest) -> AuthzDecision { evaluate(request, trace: MatchTrace()) }

    func evaluate(_ request: AuthzRequest, trace: MatchTrace?) -> AuthzDecision {
        var decision = AuthzDecision(
            allowed: true, reason: .noAllowPolicy, decidedBy: nil, audited: [], customNotEnforced: [], shadowMatches: [],
            shadowAllowed: nil, counters: [], responseCodeDetails: nil, explanation: [])
        for set in custom { if let hit = firstMatch(set, request, trace: trace) { decision.customNotEnforced.append(hit) } }
        // The DENY filter: present when any DENY policy applies.
        if !denyEnforced.isEmpty || !denyShadow.isEmpty {
            if let hit = firstMatch(denyEnforced, request, trace: trace) {
                decision.allowed = false
                decision.reason = .deniedByPolicy
                decision.decidedBy = hit
                decision.responseCodeDetails = "rbac_access_denied_matched_policy[\(hit.envoyName)]"
            }
            decision.counters.append(decision.allowed ? "rbac.allowed" : "rbac.denied")
            if !denyShadow.isEmpty {
                let hit = firstMatch(denyShadow, request, trace: trace)
                if let hit { decision.shadowMatches.append(hit) }
                decision.shadowAllowed = hit == nil
                decision.counters.append("rbac.istio_dry_run_deny_shadow_\(hit == nil ? "allowed" : "denied")")
            }
        }
        // The ALLOW filter, reached when the DENY filter let the request through.
        if decision.allowed && (!allowEnforced.isEmpty || !allowShadow.isEmpty) {
            if !allowEnforced.isEmpty {
                if let hit = firstMatch(allowEnforced, request, trace: trace) {
                    decision.reason = .allowedByPolicy
                    decision.decidedBy = hit
                } else {
                    decision.allowed = false
                    decision.reason = .noAllowPolicyMatched
                    decision.responseCodeDetails = "rbac_access_denied_matched_policy[none]"
                }
            }
            decision.counters.append(decision.allowed ? "rbac.allowed" : "rbac.denied")
            if !allowShadow.isEmpty {
                let hit = firstMatch(allowShadow, request, trace: trace)
                if let hit { decision.shadowMatches.append(hit) }
                decision.shadowAllowed = (decision.shadowAllowed ?? true) && hit != nil
                decision.counters.append("rbac.istio_dry_run_allow_shadow_\(hit != nil ? "allowed" : "denied")")
            }
        }
        for set in audit { if let hit = firstMatch(set, request, trace: trace) { decision.audited.append(hit) } }
        if let trace { decision.explanation = trace.lines }
        return decision
    }

    /// The first rule of `set` that matches.
    func firstMatch(_ set: RuleSet, _ request: AuthzRequest, trace: MatchTrace?) -> AuthzDecision.Match? {
        for policy in set.empty {
            trace?.note("\(policy.action.rawValue) \(policy.reference) (\(policy.position)) has no rules: it matches nothing")
        }
        for (policy, rule) in set.rules {
            // Each rule's reasons under its own line.
            let reasons = trace.map { _ in MatchTrace() }
            let matched = rule.matches(request, action: policy.action, trace: reasons)
            let name = "\(policy.action.rawValue) \(policy.reference) rule \(rule.index) (\(rule.position))"
            trace?.note("\(name) \(matched ? "matches" : "does not match")")
            for line in reasons?.lines.reversed() ?? [] { trace?.note("  " + line.trimmingCharacters(in: .whitespaces)) }
            if matched {
                return AuthzDecision.Match(
                    policy: policy.reference, action: policy.action, rule: rule.index, envoyName: rule.envoyName,
                    position: rule.position)
            }
        }
        return nil
    }
}
