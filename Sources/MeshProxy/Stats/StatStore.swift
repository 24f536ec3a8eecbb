import Synchronization

/// One Envoy-style counter or gauge: a named atomic, shared by every worker event loop.
///
/// Handles are created when a configuration is compiled and kept by the objects that update
/// them (a cluster, a host, a listener), so the request path never looks a stat up by name.
public final class Stat: Sendable {
    public enum Kind: Sendable { case counter, gauge }
    public let name: String
    public let kind: Kind
    /// The Prometheus metric name and rendered labels (`{cluster_name="..."}`), as Istio's
    /// proxies export Envoy stats.
    public let prometheusName: String
    public let prometheusLabels: String
    private let atomic = Atomic<Int64>(0)

    init(name: String, kind: Kind, prometheus: (name: String, labels: [(String, String)])?) {
        self.name = name
        self.kind = kind
        let (promName, labels) = prometheus ?? (Self.prometheusName(name), [])
        prometheusName = promName
        prometheusLabels =
            labels.isEmpty
            ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// `cluster_manager.cds.update` → `envoy_cluster_manager_cds_update`.
    static func prometheusName(_ name: String) -> String {
        "envoy_" + String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    @inline(__always) public func increment(by amount: Int64 = 1) { atomic.wrappingAdd(amount, ordering: .relaxed) }
    @inline(__always) public func decrement(by amount: Int64 = 1) { atomic.wrappingSubtract(amount, ordering: .relaxed) }
    @inline(__always) public func set(_ value: Int64) { atomic.store(value, ordering: .relaxed) }
    @inline(__always) public var value: Int64 { atomic.load(ordering: .relaxed) }
    func reset() { if kind == .counter { atomic.store(0, ordering: .relaxed) } }
}

/// Every stat the proxy exports, by name. Creating a stat takes a lock; updating one does not.
/// A stat asked for twice is the same object, so a cluster that survives a configuration
/// change keeps its counts.
public final class StatStore: Sendable {
    private let stats = Mutex<[String: Stat]>([:])

    public init() {}

    public func counter(_ name: String, prometheus: (name: String, labels: [(String, String)])? = nil) -> Stat {
        stat(name, .counter, prometheus)
    }
    public func gauge(_ name: String, prometheus: (name: String, labels: [(String, String)])? = nil) -> Stat {
        stat(name, .gauge, prometheus)
    }

    private func stat(_ name: String, _ kind: Stat.Kind, _ prometheus: (name: String, labels: [(String, String)])?) -> Stat {
        stats.withLock { stats in
            if let existing = stats[name] { return existing }
            let stat = Stat(name: name, kind: kind, prometheus: prometheus)
            stats[name] = stat
            return stat
        }
    }

    /// Every stat, sorted by name (as Envoy's `/stats` lists them).
    public func all() -> [Stat] {
        stats.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    /// Prometheus text exposition of every stat, grouped by metric name.
    public func prometheus() -> String {
        var groups: [String: [Stat]] = [:]
        for stat in all() { groups[stat.prometheusName, default: []].append(stat) }
        var out = ""
        for name in groups.keys.sorted() {
            let stats = groups[name]!
            out += "# TYPE \(name) \(stats[0].kind == .counter ? "counter" : "gauge")\n"
            for stat in stats { out += "\(name)\(stat.prometheusLabels) \(stat.value)\n" }
        }
        return out
    }

    /// Zeroes every counter (gauges keep their value), as Envoy's `/reset_counters`.
    public func resetCounters() {
        let all = stats.withLock { Array($0.values) }
        for stat in all { stat.reset() }
    }
}
