import MeshModel
import MeshRouting
import MeshValidation
import NIOCore
import Synchronization

/// The running configuration and how it changes: a rule set is decoded, validated and
/// compiled off to the side, then handed to every worker; a rule set with errors changes
/// nothing. Requests in flight finish on the snapshot they started with; clusters that remain
/// keep their pools, breaker counts and outlier state.
public final class ConfigStore: @unchecked Sendable {
    /// A rule set that did not validate, with its findings.
    public struct Rejected: Error, CustomStringConvertible {
        public var diagnostics: [Diagnostic]
        public var rules: LoadedRules
        public var description: String {
            let errors = diagnostics.filter { $0.level == .error }
            return errors.first.map { "\($0.file):\($0.line):\($0.column): \($0.message)" } ?? "invalid rules"
        }
        /// The findings as `meshctl validate -o json` prints them.
        public var json: String {
            DiagnosticRenderer.json(diagnostics, files: rules.fileCount, resources: rules.resourceCount)
        }
    }

    let context: ProxyContext
    private let current: Mutex<ProxySnapshot>
    private let lastVersion = Atomic<Int>(0)
    /// Serializes changes so two pushes cannot interleave their swaps.
    private let changing = Mutex<Void>(())
    /// Set once the workers exist.
    var workers: [Worker] = []

    init(context: ProxyContext, initial rules: LoadedRules) {
        self.context = context
        let snapshot = Self.compile(rules, version: 1, context: context)
        lastVersion.store(1, ordering: .relaxed)
        current = Mutex(snapshot)
    }

    public var snapshot: ProxySnapshot { current.withLock { $0 } }

    /// Loads and validates rule bytes (YAML or JSON, one or many documents).
    public static func load(_ bytes: [UInt8], name: String) -> Result<LoadedRules, Rejected> {
        let validator = Validator()
        var rules = LoadedRules()
        rules.fileCount = 1
        RuleLoader.load(bytes, name: name, into: &rules, validate: validator.validate)
        return rules.hasErrors ? .failure(Rejected(diagnostics: rules.diagnostics, rules: rules)) : .success(rules)
    }

    /// Loads and validates rule files and directories.
    public static func load(paths: [String]) -> Result<LoadedRules, Rejected> {
        let validator = Validator()
        let rules = RuleLoader.load(paths, validate: validator.validate)
        return rules.hasErrors ? .failure(Rejected(diagnostics: rules.diagnostics, rules: rules)) : .success(rules)
    }

    static func compile(_ rules: LoadedRules, version: Int, context: ProxyContext) -> ProxySnapshot {
        let table = RouteTable(
            resources: rules.resources, mesh: context.options.mesh, identity: context.options.identity,
            compatibility: context.options.compatibilityVersion.map { CompatibilityVersion(major: $0.major, minor: $0.minor) })
        return ProxySnapshot(
            version: version, table: table, resources: rules.resources, registry: context.clusters, app: context.options.app,
            inboundGate: context.options.inboundGate(rules.resources))
    }

    /// Replaces the running rule set; returns the new configuration's version.
    @discardableResult
    public func apply(_ rules: LoadedRules) -> Int {
        changing.withLock { _ in
            let version = lastVersion.wrappingAdd(1, ordering: .relaxed).newValue
            let next = Self.compile(rules, version: version, context: context)
            current.withLock { $0 = next }
            for worker in workers {
                worker.eventLoop.execute { worker.install(next) }
            }
            return version
        }
    }
}
