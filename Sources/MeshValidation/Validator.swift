import MeshModel
import MeshRegex
import MeshYAML

/// Checks each resource on its own, as Istio's admission webhook does.
///
/// A `Validator` judges each distinct pattern once, so a rule set with ten thousand copies of
/// `.*Safari.*` compiles it once.
public final class Validator {
    let regexes = RegexCache()

    public init() {}

    /// Validates `resource`, reporting into `ctx` (whose file is the resource's file).
    public func validate(_ resource: Resource, in ctx: DecodeContext) {
        ctx.resource = resource.reference
        defer { ctx.resource = nil }
        let check = Check(ctx: ctx, regexes: regexes)
        check.metadataName(resource)
        check.metadataLabels(resource)
        switch resource.spec {
        case .virtualService(let vs):
            check.virtualService(vs)
            check.exportTo(vs.exportTo, namespace: resource.namespace, allowNone: false)
        case .destinationRule(let dr):
            check.destinationRule(dr)
            check.exportTo(dr.exportTo, namespace: resource.namespace, allowNone: false)
        case .serviceEntry(let se):
            check.serviceEntry(se)
            check.exportTo(se.exportTo, namespace: resource.namespace, allowNone: true)
        case .gateway(let gw): check.gateway(gw)
        case .workloadEntry(let we): check.workloadEntry(we, standalone: true)
        case .sidecar(let sc): check.sidecar(sc)
        case .envoyFilter(let ef): check.envoyFilter(ef)
        case .peerAuthentication(let pa): check.peerAuthentication(pa)
        case .authorizationPolicy(let ap): check.authorizationPolicy(ap, resource: resource)
        case .requestAuthentication(let ra): check.requestAuthentication(ra)
        case .rollout(let rollout): check.rollout(rollout)
        case .kubernetes: break
        }
    }
}

/// Judges each distinct regex once. Only the verdict is kept (the program size, or RE2's
/// reason): validation needs no compiled program, and ten thousand of them would hold megabytes.
public final class RegexCache: @unchecked Sendable {
    private var verdicts: [String: Result<Int, RE2Error>] = [:]
    public init() {}
    /// RE2's program size for `pattern`, or why RE2 refuses it.
    public func verdict(_ pattern: String) -> Result<Int, RE2Error> {
        if let known = verdicts[pattern] { return known }
        let verdict = RE2Regex.check(pattern)
        verdicts[pattern] = verdict
        return verdict
    }
}

/// The checks, sharing the context they report into. Rules live in `Rules/`, one file a kind.
struct Check {
    let ctx: DecodeContext
    let regexes: RegexCache

    func error(_ message: String, at node: Int32) { ctx.report(.schemaError, message, at: node) }
    func warning(_ message: String, at node: Int32) { ctx.report(.schemaWarning, message, at: node) }
    func deprecated(_ message: String, at node: Int32) { ctx.report(.deprecated, message, at: node) }
    func path(_ node: Int32) -> String { ctx.file.path(to: node, from: ctx.root) }
}
