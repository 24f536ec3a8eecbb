import MeshModel

/// The match entries of a VirtualService's earlier rules, each filed under one of its own
/// conditions, so that finding the first entry that covers a new one looks only at the entries
/// filed under a condition the new one satisfies, not at every earlier entry.
///
/// An entry covers another only when the other implies each of its conditions, so an entry filed
/// under a condition the new entry does not satisfy can never cover it. The candidates are checked
/// with `Coverage.covers` in the order they were added: the answer is the one a scan of every
/// earlier entry gives, at a cost that grows with the candidates, not with the whole rule set.
struct CoverageIndex {
    /// The request attribute a condition reads.
    enum Field: Hashable {
        case uri(ignoreCase: Bool)
        case scheme, method, authority
        /// Header names are compared case-insensitively: the name is lowercase.
        case header(String)
        case queryParam(String)
    }

    /// A condition an entry can be filed under, other than a prefix.
    enum Key: Hashable {
        /// An exact, regex or "present" StringMatch on a field.
        case match(Field, StringMatch)
        case withoutHeader(String, StringMatch)
        case port(Int)
        case sourceNamespace(String)
        case sourceLabels([String: String])
        case gateways(Set<String>)
    }

    enum Condition {
        case key(Key)
        case prefix(Field, String)
    }

    private(set) var entries: [(rule: Int, match: HTTPMatchRequest)] = []
    /// Entries without any condition: they cover every later entry.
    private var unconditional: [Int] = []
    private var byKey: [Key: [Int]] = [:]
    private var byPrefix: [Field: PrefixTrie] = [:]

    /// Adds the match entry of rule `rule`, filed under the condition with the fewest entries so
    /// far: the one that keeps later lookups shortest.
    mutating func add(_ match: HTTPMatchRequest, rule: Int) {
        let position = entries.count
        entries.append((rule, match))
        let conditions = Self.conditions(of: match)
        guard let first = conditions.first else {
            unconditional.append(position)
            return
        }
        var chosen = first
        var fewest = filedCount(first)
        for condition in conditions.dropFirst() where fewest > 0 {
            let count = filedCount(condition)
            if count < fewest { (chosen, fewest) = (condition, count) }
        }
        switch chosen {
        case .key(let key): byKey[key, default: []].append(position)
        case .prefix(let field, let prefix): byPrefix[field, default: PrefixTrie()].file(position, under: prefix)
        }
    }

    /// The earliest entry that takes every request `match` would, if any.
    func firstCovering(_ match: HTTPMatchRequest) -> (rule: Int, match: HTTPMatchRequest)? {
        var lists: [[Int]] = unconditional.isEmpty ? [] : [unconditional]
        func lookUp(_ key: Key) {
            if let list = byKey[key] { lists.append(list) }
        }
        for (field, condition) in Self.fields(of: match) {
            lookUp(.match(field, .present))
            switch condition {
            case .exact(let value):
                lookUp(.match(field, condition))
                byPrefix[field]?.forEachPrefix(of: value) { lists.append($0) }
            case .prefix(let value): byPrefix[field]?.forEachPrefix(of: value) { lists.append($0) }
            case .regex: lookUp(.match(field, condition))
            case .present: break
            }
        }
        for header in match.withoutHeaders { lookUp(.withoutHeader(header.key.lowercased(), header.value.match)) }
        if let port = match.port { lookUp(.port(port.value)) }
        if let namespace = match.sourceNamespace { lookUp(.sourceNamespace(namespace)) }
        if !match.sourceLabels.isEmpty { lookUp(.sourceLabels(match.sourceLabels)) }
        if !match.gateways.isEmpty { lookUp(.gateways(Set(match.gateways.map(\.value)))) }

        // Merge the candidate lists (each in the order entries were added) and stop at the first
        // candidate that covers.
        var cursors = [Int](repeating: 0, count: lists.count)
        while true {
            var next = -1
            var from = -1
            for i in lists.indices where cursors[i] < lists[i].count {
                let position = lists[i][cursors[i]]
                if next < 0 || position < next { (next, from) = (position, i) }
            }
            guard from >= 0 else { return nil }
            cursors[from] += 1
            if Coverage.covers(entries[next].match, match) { return entries[next] }
        }
    }

    private func filedCount(_ condition: Condition) -> Int {
        switch condition {
        case .key(let key): byKey[key]?.count ?? 0
        case .prefix(let field, let prefix): byPrefix[field]?.count(under: prefix) ?? 0
        }
    }

    /// The StringMatch conditions of an entry, by the field each reads.
    static func fields(of m: HTTPMatchRequest) -> [(Field, StringMatch)] {
        var fields: [(Field, StringMatch)] = []
        if let uri = m.uri { fields.append((.uri(ignoreCase: m.ignoreUriCase), uri.match)) }
        if let scheme = m.scheme { fields.append((.scheme, scheme.match)) }
        if let method = m.method { fields.append((.method, method.match)) }
        if let authority = m.authority { fields.append((.authority, authority.match)) }
        for header in m.headers { fields.append((.header(header.key.lowercased()), header.value.match)) }
        for param in m.queryParams { fields.append((.queryParam(param.key), param.value.match)) }
        return fields
    }

    /// Every condition an entry puts on the requests it covers; `Coverage.covers` holds only when
    /// the covered entry satisfies each.
    static func conditions(of m: HTTPMatchRequest) -> [Condition] {
        var conditions: [Condition] = fields(of: m).map { field, match in
            if case .prefix(let value) = match { return .prefix(field, value) }
            return .key(.match(field, match))
        }
        for header in m.withoutHeaders {
            conditions.append(.key(.withoutHeader(header.key.lowercased(), header.value.match)))
        }
        if let port = m.port { conditions.append(.key(.port(port.value))) }
        if let namespace = m.sourceNamespace { conditions.append(.key(.sourceNamespace(namespace))) }
        if !m.sourceLabels.isEmpty { conditions.append(.key(.sourceLabels(m.sourceLabels))) }
        if !m.gateways.isEmpty { conditions.append(.key(.gateways(Set(m.gateways.map(\.value))))) }
        return conditions
    }
}

/// Positions filed under byte-string prefixes. Walking a value visits every filed prefix of it
/// in one pass over its bytes, as the proxy compares them.
struct PrefixTrie {
    /// `node << 8 | byte` → child node; node 0 is the empty prefix.
    private var children: [UInt64: Int] = [:]
    private var filed: [Int: [Int]] = [:]
    private var nodes = 1

    mutating func file(_ position: Int, under prefix: String) {
        var node = 0
        for byte in prefix.utf8 {
            let edge = UInt64(node) << 8 | UInt64(byte)
            if let child = children[edge] {
                node = child
            } else {
                children[edge] = nodes
                node = nodes
                nodes += 1
            }
        }
        filed[node, default: []].append(position)
    }

    /// How many positions are filed under exactly `prefix`.
    func count(under prefix: String) -> Int {
        var node = 0
        for byte in prefix.utf8 {
            guard let child = children[UInt64(node) << 8 | UInt64(byte)] else { return 0 }
            node = child
        }
        return filed[node]?.count ?? 0
    }

    /// Calls `body` with the positions filed under each prefix of `value`, shortest first.
    func forEachPrefix(of value: String, _ body: ([Int]) -> Void) {
        var node = 0
        if let list = filed[node] { body(list) }
        for byte in value.utf8 {
            guard let child = children[UInt64(node) << 8 | UInt64(byte)] else { return }
            node = child
            if let list = filed[node] { body(list) }
        }
    }
}
