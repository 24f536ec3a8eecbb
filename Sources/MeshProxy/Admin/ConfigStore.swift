import Foundation
import MeshModel
import MeshSecurity
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
    private let current = Mutex<ProxySnapshot?>(nil)
    private let lastVersion = Atomic<Int>(0)
    /// Set once the workers exist.
    var workers: [Worker] = []

    init(context: ProxyContext) { self.context = context }

    /// Compiles the first configuration (the proxy's start).
    func start(with rules: LoadedRules) async {
        let snapshot = await Self.compile(rules, version: 1, context: context)
        lastVersion.store(1, ordering: .relaxed)
        current.withLock { $0 = snapshot }
    }

    /// The configuration in force (once the proxy has started).
    public var snapshot: ProxySnapshot { current.withLock { $0! } }

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

    static func compile(_ rules: LoadedRules, version: Int, context: ProxyContext) async -> ProxySnapshot {
        let options = context.options
        let gate: any InboundGate =
            if let override = options.inboundGate {
                await override(rules.resources)
            } else {
                await PolicyGate.build(
                    resources: rules.resources,
                    workload: WorkloadIdentity(
                        namespace: options.identity.namespace, labels: options.identity.labels,
                        serviceAccount: options.serviceAccount),
                    port: options.app?.port, rootNamespace: options.mesh.rootNamespace)
            }
        return await BackgroundThread.run {
            let table = RouteTable(
                resources: rules.resources, mesh: options.mesh, identity: options.identity,
                compatibility: options.compatibilityVersion.map { CompatibilityVersion(major: $0.major, minor: $0.minor) })
            return ProxySnapshot(
                version: version, table: table, resources: rules.resources, registry: context.clusters, app: options.app,
                inboundGate: gate)
        }
    }

    /// `load(_:name:)` on a background thread (a large rule set takes a while to decode and
    /// validate, and the event loops must not wait for it).
    public static func loadInBackground(_ bytes: [UInt8], name: String) async -> Result<LoadedRules, Rejected> {
        await BackgroundThread.run { load(bytes, name: name) }
    }

    /// Replaces the running rule set; returns the new configuration's version. Two changes
    /// made at once are swapped in the order of their versions: an older one compiled after a
    /// newer one is dropped.
    @discardableResult
    public func apply(_ rules: LoadedRules) async -> Int {
        let version = lastVersion.wrappingAdd(1, ordering: .relaxed).newValue
        let next = await Self.compile(rules, version: version, context: context)
        let retired = Retired()
        let installed = current.withLock { snapshot -> Bool in
            if let snapshot, snapshot.version > version { return false }
            if let snapshot { retired.snapshots.append(snapshot) }
            snapshot = next
            return true
        }
        guard installed else { return version }
        // Every worker switches on its own event loop; the replaced configurations come back.
        let installs = workers.map { worker in worker.eventLoop.submit { worker.install(next) } }
        if let loop = workers.first?.eventLoop,
            let replaced = try? await EventLoopFuture.whenAllSucceed(installs, on: loop).get()
        {
            retired.snapshots += replaced
        }
        // A large configuration takes a while to free: not on an event loop, where requests
        // would wait for it. Requests that started on the old one hold it until they end, so it
        // is let go a few seconds later, once they are (almost always) done.
        Task.detached {
            try? await Task.sleep(for: .seconds(5))
            await BackgroundThread.run { retired.snapshots.removeAll() }
        }
        return version
    }
}

/// Configurations just replaced, handed to a background thread to be freed.
private final class Retired: @unchecked Sendable {
    var snapshots: [ProxySnapshot] = []
}

/// Runs heavy work (decoding, validating and compiling a large rule set) on a thread of its
/// own at a lower scheduling priority than the event loops, so requests keep their latency
/// while a new configuration is prepared, even when every core is busy. A thread per call: the
/// proxies of one process (the demo's) prepare their configurations side by side.
enum BackgroundThread {
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread {
                #if canImport(Glibc)
                    // Linux keeps a nice value per thread: who 0 is this thread alone.
                    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
                #endif
                continuation.resume(returning: work())
            }
            thread.name = "meshctl-config"
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}
