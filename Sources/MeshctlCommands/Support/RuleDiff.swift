import EnvoyConfig
import MeshModel
import MeshRouting
import MeshYAML

/// Field-by-field differences between two JSON documents.
enum JSONDiff {
    struct Change {
        /// `spec.http[0].route[1].weight`; empty for the whole document.
        var path: String
        var before: JSONValue?
        var after: JSONValue?

        var json: JSONValue {
            ["path": .string(path), "before": before ?? .null, "after": after ?? .null]
        }

        /// `path: before → after`, values as compact JSON.
        var line: String {
            "\(path.isEmpty ? "(document)" : path): \(JSONDiff.show(before)) → \(JSONDiff.show(after))"
        }
    }

    /// The document with every object's keys in sorted order, so two documents that differ
    /// only in key order compare equal (YAML mappings are unordered).
    static func sortedKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields):
            return .object(fields.map { ($0.0, sortedKeys($0.1)) }.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
        case .array(let items): return .array(items.map(sortedKeys))
        default: return value
        }
    }

    static func changes(_ before: JSONValue?, _ after: JSONValue?, path: String = "") -> [Change] {
        switch (before, after) {
        case (nil, nil): return []
        case (.object(let a)?, .object(let b)?):
            var out: [Change] = []
            var keys = a.map(\.0)
            for (key, _) in b where !keys.contains(key) { keys.append(key) }
            // Documents with sorted keys (rules) keep that order; Envoy's keep their own.
            if a.map(\.0).isSorted && b.map(\.0).isSorted { keys.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
            for key in keys {
                out += changes(before?[key], after?[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
            return out
        case (.array(let a)?, .array(let b)?):
            return (0..<max(a.count, b.count)).flatMap { i in
                changes(i < a.count ? a[i] : nil, i < b.count ? b[i] : nil, path: "\(path)[\(i)]")
            }
        default:
            return before == after ? [] : [Change(path: path, before: before, after: after)]
        }
    }

    /// A value on one line, cut short when long; `(none)` for an absent one.
    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = value.json(pretty: false)
        return text.count > 100 ? String(text.prefix(99)) + "…" : text
    }
}

/// How a wanted rule set differs from a running one, resource by resource (kind, namespace
/// and name), as `kubectl diff` compares objects.
struct ResourceDiff {
    var added: [Resource] = []
    var removed: [Resource] = []
    var changed: [(resource: Resource, changes: [JSONDiff.Change])] = []
    var unchanged: [Resource] = []

    var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    static func document(_ resource: Resource) -> JSONValue {
        JSONDiff.sortedKeys(resource.file.jsonValue(resource.node))
    }

    init(running: [Resource], wanted: [Resource]) {
        var runningByReference: [String: Resource] = [:]
        for resource in running.effective { runningByReference[resource.reference] = resource }
        let wanted = wanted.effective
        let wantedReferences = Set(wanted.map(\.reference))
        for resource in wanted {
            guard let old = runningByReference[resource.reference] else {
                added.append(resource)
                continue
            }
            let changes = JSONDiff.changes(Self.document(old), Self.document(resource))
            if changes.isEmpty { unchanged.append(resource) } else { changed.append((resource, changes)) }
        }
        removed = running.effective.filter { !wantedReferences.contains($0.reference) }
    }

    var json: JSONValue {
        [
            "added": .array(added.map { .string($0.reference) }),
            "removed": .array(removed.map { .string($0.reference) }),
            "changed": .array(
                changed.map { ["resource": .string($0.resource.reference), "fields": .array($0.changes.map(\.json))] }),
        ]
    }
}

/// What changes in the proxy's configuration between two rule sets: its routes (per virtual
/// host and route) and its clusters, as Envoy would receive them. Both sides are rendered the
/// same way, so only the rules make a difference.
struct ConfigDiff {
    struct Entry {
        enum Kind: String {
            case added = "+", removed = "-", changed = "~"
        }
        var kind: Kind
        var subject: String
        var changes: [JSONDiff.Change]
        /// For a route added or removed, where it sends requests.
        var summary: String?

        var json: JSONValue {
            [
                "change": .string(kind == .added ? "added" : kind == .removed ? "removed" : "changed"),
                "name": .string(subject), "fields": .array(changes.map(\.json)),
                "summary": summary.map { .string($0) } ?? .null,
            ]
        }
    }

    var routes: [Entry] = []
    var clusters: [Entry] = []
    var isEmpty: Bool { routes.isEmpty && clusters.isEmpty }

    init(from old: [Resource], to new: [Resource]) {
        let before = Self.render(old)
        let after = Self.render(new)
        routes = Self.entries(before.routes, after.routes)
        clusters = Self.entries(before.clusters, after.clusters)
    }

    /// Each route keyed by `VIRTUAL HOST ROUTE`, and each cluster by name, in config order.
    static func render(_ resources: [Resource]) -> (routes: [(String, JSONValue)], clusters: [(String, JSONValue)]) {
        guard let dump = try? ConfigDump(ConfigDumpRenderer(table: RouteTable(resources: resources)).render()) else {
            return ([], [])
        }
        var routes: [(String, JSONValue)] = []
        var seen: [String: Int] = [:]
        for config in (try? dump.routeConfigs()) ?? [] {
            for host in config["virtual_hosts"]?.array ?? [] {
                let hostName = host["name"]?.string ?? "?"
                for route in host["routes"]?.array ?? [] {
                    var key = "\(hostName) \(route["name"]?.string ?? describe(route["match"]))"
                    seen[key, default: 0] += 1
                    if let n = seen[key], n > 1 { key += " #\(n)" }
                    routes.append((key, removing(["metadata", "filter_metadata", "meshctl", "source"], from: route)))
                }
            }
        }
        let clusters = ((try? dump.clusters()) ?? []).map { ($0["name"]?.string ?? "?", $0) }
        return (routes, clusters)
    }

    /// `value` without the field at `path` (a route's `FILE:LINE` source changes with every
    /// file it is read from, which is no change to the proxy).
    static func removing(_ path: [String], from value: JSONValue) -> JSONValue {
        guard let key = path.first, case .object(let fields) = value else { return value }
        if path.count == 1 { return .object(fields.filter { $0.0 != key }) }
        return .object(fields.map { $0.0 == key ? ($0.0, removing(Array(path.dropFirst()), from: $0.1)) : $0 })
    }

    /// A route's match in a few words: `/*`, `/api`, `~^/v[0-9]+`, with its header conditions.
    static func describe(_ match: JSONValue?) -> String {
        guard let match else { return "*" }
        var text =
            match["prefix"]?.string.map { $0 + "*" } ?? match["path"]?.string ?? match["safe_regex"]?["regex"]?.string.map {
                "~" + $0
            }
            ?? match["path_separated_prefix"]?.string.map { $0 + "/*" } ?? "*"
        for header in match["headers"]?.array ?? [] {
            text += " [\(header["name"]?.string ?? "?")]"
        }
        return text
    }

    static func entries(_ before: [(String, JSONValue)], _ after: [(String, JSONValue)]) -> [Entry] {
        let old = Dictionary(before, uniquingKeysWith: { a, _ in a })
        let newKeys = Set(after.map(\.0))
        var out: [Entry] = []
        for (key, value) in after {
            guard let previous = old[key] else {
                out.append(Entry(kind: .added, subject: key, changes: [], summary: action(value)))
                continue
            }
            let changes = JSONDiff.changes(previous, value)
            if !changes.isEmpty { out.append(Entry(kind: .changed, subject: key, changes: changes)) }
        }
        for (key, value) in before where !newKeys.contains(key) {
            out.append(Entry(kind: .removed, subject: key, changes: [], summary: action(value)))
        }
        return out
    }

    /// Where a route sends requests: `→ outbound|...|version-v1|... 75%, ...`, `→ 503`,
    /// `→ redirect`; nil for a cluster.
    static func action(_ route: JSONValue) -> String? {
        if let cluster = route["route"]?["cluster"]?.string { return "→ \(cluster)" }
        if let weighted = route["route"]?["weighted_clusters"]?["clusters"]?.array {
            let weights = weighted.map { Double($0["weight"]?.int ?? 0) }
            let total = max(weights.reduce(0, +), 1)
            return "→ "
                + zip(weighted, weights).map { cluster, weight in
                    "\(cluster["name"]?.string ?? "?") \(Int((weight * 100 / total).rounded()))%"
                }.joined(separator: ", ")
        }
        if let status = route["direct_response"]?["status"]?.int { return "→ \(status)" }
        if route["redirect"] != nil { return "→ redirect" }
        return nil
    }

    /// The diff as indented lines: `~ route ...`, then its fields; at most `limit` fields each.
    func lines(indent: String, limit: Int = 8) -> [String] {
        var out: [String] = []
        for (title, entries) in [("route", routes), ("cluster", clusters)] {
            for entry in entries {
                let line = "\(entry.kind.rawValue) \(title) \(entry.subject)" + (entry.summary.map { " " + $0 } ?? "")
                out.append(indent + Terminal.diff(entry.kind.rawValue, line))
                for change in entry.changes.prefix(limit) { out.append(indent + "    " + change.line) }
                if entry.changes.count > limit { out.append(indent + "    … and \(entry.changes.count - limit) more") }
            }
        }
        return out
    }

    var json: JSONValue {
        ["routes": .array(routes.map(\.json)), "clusters": .array(clusters.map(\.json))]
    }
}

extension Array where Element == String {
    var isSorted: Bool { zip(self, dropFirst()).allSatisfy { !$1.utf8.lexicographicallyPrecedes($0.utf8) } }
}
