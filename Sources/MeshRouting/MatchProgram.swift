import MeshRegex

/// The match conditions of one virtual host's rules, flattened for the per-request loop.
///
/// Rules, match entries and conditions are plain values in three contiguous arrays, and every
/// literal (header names, exact and prefix values) sits in one byte buffer, so matching a request
/// chases no pointers and counts no references: with thousands of rules the working set stays
/// small and cache-friendly. `Condition` objects carry the same conditions for explanations.
final class MatchProgram: @unchecked Sendable {
    enum Field: UInt8, Sendable { case uri, scheme, method, authority, header, withoutHeader, queryParam, port }
    enum Kind: UInt8, Sendable { case exact, prefix, regex, present }

    struct Op: @unchecked Sendable {
        var field: Field
        var kind: Kind
        var ignoreCase: Bool
        var nameStart: UInt32
        var nameLength: UInt32
        var valueStart: UInt32
        var valueLength: UInt32
        /// Port number for `.port`.
        var port: Int32
        /// RE2 program for `.regex`; kept alive by `regexes`.
        var regex: OpaquePointer?
    }
    struct Entry: Sendable {
        var opStart: Int32
        var opCount: Int32
        /// The entry can never apply to this proxy (sourceLabels, sourceNamespace, gateways).
        var blocked: Bool
    }
    struct Rule: Sendable {
        var entryStart: Int32
        /// 0: the rule has no match and takes every request.
        var entryCount: Int32
    }

    // Immutable after init: `let` spares every read an exclusivity check.
    let ops: [Op]
    let entries: [Entry]
    let rules: [Rule]
    let literals: [UInt8]
    /// Keeps the RE2 programs that `ops` point to alive.
    let regexes: [RE2Regex]

    /// Flattens the rules' match entries, in order.
    init(_ routes: [CompiledRoute]) {
        var builder = Builder()
        for route in routes { builder.addRule(route.matches) }
        (ops, entries, rules, literals, regexes) = (
            builder.ops, builder.entries, builder.rules, builder.literals, builder.regexes
        )
    }

    private struct Builder {
        var ops: [Op] = []
        var entries: [Entry] = []
        var rules: [Rule] = []
        var literals: [UInt8] = []
        var regexes: [RE2Regex] = []

        mutating func literal(_ text: String) -> (UInt32, UInt32) {
            let start = UInt32(literals.count)
            literals.append(contentsOf: text.utf8)
            return (start, UInt32(literals.count) - start)
        }

        /// Adds a rule with its match entries (empty: a catch-all).
        mutating func addRule(_ matches: [CompiledMatch]) {
            rules.append(Rule(entryStart: Int32(entries.count), entryCount: Int32(matches.count)))
            for match in matches {
                // `port` selected the listener when the configuration was built: it is not
                // evaluated per request (port conditions come last, so indexes stay aligned).
                let evaluated = match.conditions.filter { $0.field != .port }
                entries.append(
                    Entry(opStart: Int32(ops.count), opCount: Int32(evaluated.count), blocked: match.dropReason != nil))
                for condition in evaluated { addOp(condition) }
            }
        }

        mutating func addOp(_ c: Condition) {
            let field: Field =
                switch c.field {
                case .uri: .uri
                case .scheme: .scheme
                case .method: .method
                case .authority: .authority
                case .header: .header
                case .withoutHeader: .withoutHeader
                case .queryParam: .queryParam
                case .port: .port
                }
            let name = literal(c.name)
            var kind = Kind.present
            var value: (UInt32, UInt32) = (0, 0)
            var program: OpaquePointer?
            if let m = c.matcher {
                switch m.kind {
                case .exact: kind = .exact
                case .prefix: kind = .prefix
                case .regex: kind = .regex
                case .present: kind = .present
                }
                value = literal(c.ignoreCase ? m.text.lowercased() : m.text)
                if let regex = m.regex {
                    regexes.append(regex)
                    program = regex.rawProgram
                } else if kind == .regex {
                    kind = .exact  // an uncompilable regex (validation refuses these) never matches
                    value = literal("\u{0}")
                }
            }
            ops.append(
                Op(
                    field: field, kind: kind, ignoreCase: c.ignoreCase, nameStart: name.0, nameLength: name.1,
                    valueStart: value.0,
                    // A port no request can arrive on (validation refuses it) matches nothing.
                    valueLength: value.1, port: Int32(exactly: c.port) ?? -1, regex: program))
        }
    }

    /// The first rule that matches, or nil.
    @inline(__always) func firstMatchingRule(_ request: HTTPRequest) -> Int? {
        withBuffers { rules, entries, ops, literals in
            for r in 0..<rules.count {
                let rule = rules[r]
                if rule.entryCount == 0 { return r }
                for e in Int(rule.entryStart)..<Int(rule.entryStart + rule.entryCount)
                where Self.firstFailure(entries[e], ops, literals, request) == nil {
                    return r
                }
            }
            return nil
        }
    }

    /// Within entry `e`: -1 when it was dropped for this proxy, the index of the first failing
    /// condition, or nil when every condition holds.
    func firstFailure(entry e: Int, _ request: HTTPRequest) -> Int? {
        withBuffers { _, entries, ops, literals in Self.firstFailure(entries[e], ops, literals, request) }
    }

    @inline(__always) private func withBuffers<R>(
        _ body: (UnsafeBufferPointer<Rule>, UnsafeBufferPointer<Entry>, UnsafeBufferPointer<Op>, UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        rules.withUnsafeBufferPointer { rules in
            entries.withUnsafeBufferPointer { entries in
                ops.withUnsafeBufferPointer { ops in
                    literals.withUnsafeBufferPointer { literals in body(rules, entries, ops, literals) }
                }
            }
        }
    }

    @inline(__always) private static func firstFailure(
        _ entry: Entry, _ ops: UnsafeBufferPointer<Op>, _ literals: UnsafeBufferPointer<UInt8>, _ request: HTTPRequest
    ) -> Int? {
        if entry.blocked { return -1 }
        for i in 0..<Int(entry.opCount) where !holds(ops[Int(entry.opStart) + i], request, literals) { return i }
        return nil
    }

    @inline(__always) private static func holds(_ op: Op, _ r: HTTPRequest, _ literals: UnsafeBufferPointer<UInt8>) -> Bool {
        switch op.field {
        case .uri:
            return withUTF8Bytes(r.path) { path in
                var end = path.count
                for i in 0..<path.count where path[i] == UInt8(ascii: "?") {
                    end = i
                    break
                }
                return test(op, UnsafeBufferPointer(rebasing: path[0..<end]), literals)
            }
        case .scheme: return withUTF8Bytes(r.scheme) { test(op, $0, literals) }
        case .method: return withUTF8Bytes(r.method) { test(op, $0, literals) }
        case .authority: return withUTF8Bytes(r.authority) { test(op, $0, literals) }
        case .header, .withoutHeader:
            let name = UnsafeBufferPointer(rebasing: literals[Int(op.nameStart)..<Int(op.nameStart + op.nameLength)])
            // A JWT claim that is a list (`@request.auth.claims.groups`) comes as one entry per
            // element and matches when any element does, as Istio's claim routing; an ordinary
            // header is its first value.
            let anyValue = name.first == UInt8(ascii: "@")
            let found: Bool? = r.headers.withUnsafeBufferPointer { headers in
                var seen: Bool?
                for i in 0..<headers.count {
                    let same = withUTF8Bytes(headers[i].name) { equalBytes($0, name) }
                    guard same else { continue }
                    let holds = withUTF8Bytes(headers[i].value) { test(op, $0, literals) }
                    if !anyValue || holds { return holds }
                    seen = false
                }
                return seen
            }
            if op.field == .header { return found ?? false }
            // Istio's withoutHeaders: a missing header counts as empty (Envoy's
            // treat_missing_header_as_empty), except for a presence match.
            if let found { return !found }
            return op.kind == .present ? true : !test(op, UnsafeBufferPointer(start: nil, count: 0), literals)
        case .queryParam:
            let name = String(decoding: literals[Int(op.nameStart)..<Int(op.nameStart + op.nameLength)], as: UTF8.self)
            guard let value = r.queryParameter(name) else { return false }
            return withUTF8Bytes(value) { test(op, $0, literals) }
        case .port:
            return r.port == Int(op.port)
        }
    }

    @inline(__always) private static func test(
        _ op: Op, _ value: UnsafeBufferPointer<UInt8>, _ literals: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let length = Int(op.valueLength)
        switch op.kind {
        case .present: return true
        case .regex: return RE2Regex.fullMatch(program: op.regex!, utf8: value)
        case .exact, .prefix:
            if op.kind == .exact ? value.count != length : value.count < length { return false }
            let start = Int(op.valueStart)
            if op.ignoreCase {
                for i in 0..<length {
                    var b = value[i]
                    if b >= 0x41 && b <= 0x5a { b += 0x20 }
                    if b != literals[start + i] { return false }
                }
            } else {
                for i in 0..<length where value[i] != literals[start + i] { return false }
            }
            return true
        }
    }

    @inline(__always) private static func equalBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }
}
