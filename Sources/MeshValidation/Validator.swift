import MeshModel
import MeshRegex
import MeshYAML

/// Checks each resource on its own, as Istio's admission webhook does.
///
/// A `Validator` keeps one RE2 program per distinct pattern, so a rule set with ten thousand
/// copies of `.*Safari.*` compiles it once.
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
        case .rollout(let rollout): check.rollout(rollout)
        case .kubernetes: break
        }
    }
}

/// Compiles each distinct regex once.
public final class RegexCache: @unchecked Sendable {
    private var compiled: [String: Result<RE2Regex, RE2Error>] = [:]
    public init() {}
    public func regex(_ pattern: String) -> Result<RE2Regex, RE2Error> {
        if let known = compiled[pattern] { return known }
        let result: Result<RE2Regex, RE2Error>
        do { result = .success(try RE2Regex(pattern)) } catch { result = .failure(error) }
        compiled[pattern] = result
        return result
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
