import ArgumentParser
import Foundation
import MeshModel
import MeshRollout
import MeshYAML

/// A running proxy: the VirtualService with the new weights is merged into its rule set and
/// pushed by `meshctl apply`'s own code (validation, diff, PUT /config).
final class AdminTarget: WeightTarget {
    let client: AdminClient
    let virtualService: Resource
    let rollout: Resource
    let routes: [RolloutRoute]
    let deadline: AdminDeadline

    init(client: AdminClient, virtualService: Resource, rollout: Resource, routes: [RolloutRoute], deadline: AdminDeadline) {
        self.client = client
        self.virtualService = virtualService
        self.rollout = rollout
        self.routes = routes
        self.deadline = deadline
    }

    var name: String { client.address.text }

    func apply(canaryWeight: Int) throws(TargetFailure) -> String {
        let document = WeightEdit.document(virtualService, routes: routes, canaryWeight: canaryWeight)
        var given = LoadedRules()
        RuleLoader.load(
            Array(document.yaml().utf8), name: "\(virtualService.file.path) (weights \(100 - canaryWeight)/\(canaryWeight))",
            into: &given)
        guard !given.hasErrors, !given.resources.isEmpty else {
            throw TargetFailure(
                "the VirtualService with the new weights does not load: \(given.diagnostics.first?.headline ?? "no resource")")
        }
        let apply: Meshctl.Apply
        do {
            apply = try Meshctl.Apply.parse([
                "-f", virtualService.file.path, "--admin", client.address.text, "--timeout", deadline.timeout,
            ])
        } catch {
            throw TargetFailure("cannot prepare the push: \(error)")
        }
        let report = apply.apply(given.resources, to: client)
        switch report.result {
        case .applied: return "config version \(report.before ?? "?") → \(report.after ?? "?")"
        case .unchanged: return "config version \(report.before ?? "?") already runs these weights"
        default:
            let details = report.diagnostics.first.map { ": \($0.headline)" } ?? ""
            throw TargetFailure((report.error ?? "the push did not complete") + details)
        }
    }

    func observe() throws(TargetFailure) -> Int? {
        switch client.runningRules() {
        case .failure(let failure): throw TargetFailure(failure.description)
        case .success(let running):
            return Self.canaryWeight(in: running.resources, virtualService: virtualService, rollout: rollout)
        }
    }

    /// The canary weight the rules give the rollout's routes; nil when the VirtualService is not
    /// there, its routes do not bind, or they disagree.
    static func canaryWeight(in resources: [Resource], virtualService: Resource, rollout: Resource) -> Int? {
        guard let spec = rollout.rollout,
            let vs = resources.effective.first(where: {
                $0.virtualService != nil && $0.name == virtualService.name && $0.namespace == virtualService.namespace
            }), case .success(let routes) = spec.bind(vs.virtualService!)
        else { return nil }
        let weights = Set(routes.map(\.canaryPercent))
        guard weights.count == 1, let weight = weights.first else { return nil }
        return weight
    }
}

/// The VirtualService's own file (`--write`): only the weight scalars change, and the file is
/// replaced atomically.
final class FileTarget: WeightTarget {
    let path: String
    let rollout: Resource

    init(path: String, rollout: Resource) {
        self.path = path
        self.rollout = rollout
    }

    var name: String { path }

    /// The file as it is now, parsed, with the rollout's VirtualService and routes in it.
    func load() throws(TargetFailure) -> (file: YAMLFile, vs: Resource?, rules: LoadedRules) {
        guard let data = FileManager.default.contents(atPath: path) else { throw TargetFailure("cannot read \(path)") }
        var rules = LoadedRules()
        RuleLoader.load([UInt8](data), name: path, into: &rules)
        guard let file = rules.files.first else {
            throw TargetFailure("\(path) no longer parses: \(rules.diagnostics.first?.headline ?? "unknown error")")
        }
        let name = rollout.rollout?.virtualService?.value
        let vs = rules.resources.effective.first {
            $0.virtualService != nil && $0.name == name && $0.namespace == rollout.namespace
        }
        return (file, vs, rules)
    }

    func apply(canaryWeight: Int) throws(TargetFailure) -> String {
        let (file, vs, _) = try load()
        guard let vs, let spec = rollout.rollout, case .success(let routes) = spec.bind(vs.virtualService!) else {
            throw TargetFailure("\(path) no longer holds the rollout's VirtualService routes")
        }
        let edits: [ScalarEdit]
        switch WeightEdit.scalarEdits(routes, canaryWeight: canaryWeight) {
        case .success(let found): edits = found
        case .failure(let problem):
            let mark = file.mark(of: problem.node)
            throw TargetFailure("\(path):\(mark.line):\(mark.column): \(problem.message)")
        }
        let bytes: [UInt8]
        do {
            bytes = try file.replacingScalars(edits)
        } catch {
            throw TargetFailure("\(path):\(error.mark.line):\(error.mark.column): \(error.message)")
        }
        if bytes == file.source { return "\(path) already has these weights" }
        do {
            try FileSystem.replaceAtomically(path, with: bytes)
        } catch {
            throw TargetFailure(error.description)
        }
        return "wrote \(path) (\(edits.count) weights)"
    }

    func observe() throws(TargetFailure) -> Int? {
        let (_, vs, rules) = try load()
        guard let vs else { return nil }
        return AdminTarget.canaryWeight(in: rules.resources, virtualService: vs, rollout: rollout)
    }
}
