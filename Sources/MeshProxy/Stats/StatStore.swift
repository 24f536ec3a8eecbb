import Synchronization

/// One Envoy-style counter or gauge: a named atomic, shared by every worker event loop.
///
/// Handles are created when a configuration is compiled and kept by the objects that update
/// them (a cluster, a host, a listener), so the request path never looks a stat up by name.
public final class Stat: Sendable {
    public enum Kind: Sendable { case counter, gauge }
    public let name: String
    public let kind: Kind
    /// The Prometheus metric name and labels, as Istio's proxies export Envoy stats; rendered
    /// only when scraped (a configuration with thousands of clusters makes many stats).
    let prometheus: (name: String, labels: [(String, String)])?
    private let atomic = Atomic<Int64>(0)

    init(name: String, kind: Kind, prometheus: (name: String, labels: [(String, String)])?) {
        self.name = name
        self.kind = kind
        self.prometheus = prometheus
    }

    /// `envoy_cluster_upstream_rq_total`, or `envoy_` and the name with `_` for other bytes.
    public var prometheusName: String {
        if let prometheus { return prometheus.name }
        return "envoy_" + String(decoding: name.utf8.map { Self.isNameByte($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
    }

    /// `{cluster_name="..."}`, or empty.
    public var prometheusLabels: String {
        guard let labels = prometheus?.labels, !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
    }

    /// A label value with `\`, `"` and newlines escaped, as the exposition format wants.
    static func escapeLabel(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 10 }) else {
            return value
        }
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
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
