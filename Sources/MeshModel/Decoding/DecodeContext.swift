import MeshYAML

/// Collects findings while one file's documents are decoded and checked.
///
/// Findings point at nodes; the file, position and field path are worked out from the node
/// only when a finding is made, so decoding a valid file pays nothing for them.
public final class DecodeContext {
    public let file: YAMLFile
    /// The file's tree as raw pointers: decoding reads it for every field, and reading through
    /// `file` (a class) would cost a retain and release each time.
    public let tree: YAMLTree
    /// `Kind namespace/name` of the resource being decoded, for the findings' resource column.
    public var resource: String?
    /// The node field paths start from: the document, or a List item.
    public var root: Int32 = -1
    public private(set) var diagnostics: [Diagnostic] = []
    /// Accept numbers and booleans written as strings (`"3"`), as protobuf JSON does. Off for
    /// Kubernetes resources, whose schema refuses a string where it wants a number.
    public var acceptsQuotedScalars = false

    public init(file: YAMLFile) {
        self.file = file
        self.tree = file.tree
    }

    public func report(
        _ code: DiagnosticCode, _ message: String, at node: Int32, level: Severity? = nil, note: String? = nil
    ) {
        let mark = file.mark(of: node)
        diagnostics.append(
            Diagnostic(
                level: level ?? code.level, code: code.code, message: message, file: file.path, line: mark.line,
                column: mark.column, resource: resource, field: file.path(to: node, from: root), note: note))
    }

    /// Reports at the key of a mapping entry (e.g. an unknown field name), or at the node itself.
    public func reportAtKey(_ code: DiagnosticCode, _ message: String, value node: Int32, level: Severity? = nil) {
        report(code, message, at: file.key(ofValue: node) ?? node, level: level)
    }

    public func append(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    public func node(_ index: Int32) -> Node { Node(ctx: self, index: index) }
}

/// A node being decoded: typed accessors that report what they cannot read.
public struct Node {
    // Decoding creates a Node per field; `unowned(unsafe)` spares each one a retain and release.
    // The context outlives every Node made from it (Nodes never escape a decode call).
    public unowned(unsafe) let ctx: DecodeContext
    public let index: Int32

    init(ctx: DecodeContext, index: Int32) {
        self.ctx = ctx
        self.index = index
    }

    var file: YAMLFile { ctx.file }
    @inline(__always) var tree: YAMLTree { ctx.tree }
    @inline(__always) var raw: YAMLNode { ctx.tree[index] }
    public var isNull: Bool { tree.isNull(index) }
    public var path: String { file.path(to: index, from: ctx.root) }

    func typeError(_ expected: String, code: DiagnosticCode = .schemaError) {
        let got: String
        switch raw.kind {
        case .mapping: got = "a mapping"
        case .sequence: got = "a list"
        case .scalar: got = isNull ? "null" : "`\(file.string(index))`"
        }
        ctx.report(code, "\(path) must be \(expected), got \(got)", at: index)
    }

    /// A string; a number or bool written without quotes is refused, as Kubernetes does.
    public func string() -> String? {
        guard raw.kind == .scalar, !isNull else {
            typeError("a string")
            return nil
        }
        let text = tree.string(index)
        if raw.style == .plain && !raw.explicitString && (Scalar.isBool(text) || Scalar.int(text) != nil) {
            ctx.report(.schemaError, "\(path) must be a string, got `\(text)`; quote it: \"\(text)\"", at: index)
            return nil
        }
        return text
    }

    /// An integer. Written in quotes it is a string, which Kubernetes refuses for an integer
    /// field; only a context reading protobuf JSON (a mesh config) accepts it.
    public func int() -> Int? { integer(nil) }

    /// A non-negative integer that fits in 32 bits (Istio's uint32 fields).
    public func uint32() -> Int? {
        integer(0...Int(UInt32.max)) { "\(path) must be between 0 and \(UInt32.max), got \($0)" }
    }

    /// A signed 32-bit integer (Istio's int32 fields).
    public func int32() -> Int? {
        integer(Int(Int32.min)...Int(Int32.max)) { "\(path) must fit in 32 bits, got \($0)" }
    }

    /// Reads an integer within `range`; `outOfRange` words the finding for a value outside it,
    /// including one too large for any integer type.
    private func integer(_ range: ClosedRange<Int>?, outOfRange: ((String) -> String)? = nil) -> Int? {
        guard raw.kind == .scalar, !isNull else {
            typeError("an integer")
            return nil
        }
        let text = tree.string(index)
        guard !isQuotedNumber(text, Scalar.isIntegerSyntax(text), "an integer") else { return nil }
        guard let value = Scalar.int(text), range?.contains(value) ?? true else {
            if let outOfRange, Scalar.isIntegerSyntax(text) {
                ctx.report(.schemaError, outOfRange(Scalar.int(text).map(String.init) ?? text), at: index)
            } else {
                typeError("an integer")
            }
            return nil
        }
        return value
    }

    /// Reports a number written as a string (`'50'`, `"50"`, `!!str 50`) where the schema wants
    /// `expected`, and says true; Kubernetes' schema validation refuses these.
    private func isQuotedNumber(_ text: String, _ looksNumeric: @autoclosure () -> Bool, _ expected: String) -> Bool {
        guard tree.isQuotedOrTaggedString(index), !ctx.acceptsQuotedScalars else { return false }
        if looksNumeric() {
            ctx.report(
                .schemaError, "\(path) must be \(expected), got the string \"\(text)\"; write \(text) without quotes", at: index)
        } else {
            typeError(expected)
        }
        return true
    }

    public func double() -> Double? {
        guard raw.kind == .scalar, !isNull else {
            typeError("a number")
            return nil
        }
        let text = tree.string(index)
        guard !isQuotedNumber(text, Scalar.double(text) != nil, "a number") else { return nil }
        guard let value = Scalar.double(text) else {
            typeError("a number")
            return nil
        }
        return value
    }

    public func bool() -> Bool? {
        guard raw.kind == .scalar, !isNull else {
            typeError("true or false")
            return nil
        }
        let text = tree.string(index)
        guard !isQuotedNumber(text, Scalar.isBool(text), "true or false") else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            typeError("true or false")
            return nil
        }
    }

    /// A duration in Go's form, as Istio reads it (`1.5s`, `100ms`, `1h30m`, `15.000s`).
    public func duration() -> MeshDuration? {
        guard raw.kind == .scalar, !isNull else {
            typeError("a duration such as `1.5s`")
            return nil
        }
        let text = tree.string(index)
        switch MeshDuration.parse(text) {
        case .success(let nanoseconds):
            var duration = MeshDuration(nanoseconds: nanoseconds, node: index)
            duration.text = text
            return duration
        case .failure(.outOfRange):
            ctx.report(
                .schemaError, "\(path) `\(text)` is out of range: a duration can be at most \(MeshDuration.longest)",
                at: index)
        case .failure(.malformed), .failure(.unknownUnit):
            ctx.report(
                .schemaError, "\(path) is not a duration: `\(text)`; write a number with a unit, such as `500ms`, `1.5s` or `3m`",
                at: index)
        }
        return nil
    }

    /// One of `allowed` (protobuf enum names; Istio accepts them in any case for some fields).
    public func enumValue(_ allowed: [String], caseInsensitive: Bool = false) -> String? {
        guard let text = string() else { return nil }
        if allowed.contains(text) { return text }
        if caseInsensitive, let match = allowed.first(where: { $0.caseInsensitiveCompare(text) }) { return match }
        var message = "\(path) has unknown value `\(text)`; expected one of \(allowed.joined(separator: ", "))"
        if let suggestion = Suggest.closest(to: text, in: allowed) { message += "; did you mean `\(suggestion)`?" }
        ctx.report(.schemaError, message, at: index)
        return nil
    }

    /// Elements of a list; null is an empty list.
    public func list<T>(_ element: (Node) -> T?) -> [T] {
        if isNull { return [] }
        guard raw.kind == .sequence else {
            typeError("a list")
            return []
        }
        var result: [T] = []
        result.reserveCapacity(Int(raw.count))
        for child in tree.children(index) {
            if let value = element(Node(ctx: ctx, index: child)) { result.append(value) }
        }
        return result
    }

    public func stringList() -> [String] { list { $0.string() } }

    /// Entries of a mapping with string keys, in source order; null is empty.
    public func entries<T>(_ value: (Node) -> T?) -> [MapEntry<T>] {
        if isNull { return [] }
        guard raw.kind == .mapping else {
            typeError("a mapping")
            return []
        }
        var result: [MapEntry<T>] = []
        for (key, valueIndex) in tree.pairs(index) {
            let name = tree.string(key)
            if let decoded = value(Node(ctx: ctx, index: valueIndex)) {
                result.append(MapEntry(key: name, value: decoded, keyNode: key))
            }
        }
        return result
    }

    /// A `map<string, string>` such as labels.
    public func stringMap() -> [String: String] {
        var map: [String: String] = [:]
        for entry in entries({ $0.string() }) { map[entry.key] = entry.value }
        return map
    }

    /// Decodes a mapping field by field. `field` returns false for a name it does not know, which
    /// is reported as an unknown field with the closest of `known` suggested.
    public func fields(_ known: [String], _ field: (String, Node) -> Bool) {
        if isNull { return }
        guard raw.kind == .mapping else {
            typeError("a mapping")
            return
        }
        for (key, value) in tree.pairs(index) {
            let name = tree.string(key)
            if !field(name, Node(ctx: ctx, index: value)) {
                var message = "unknown field `\(name)` in \(path.isEmpty ? "the document" : path)"
                if let suggestion = Suggest.closest(to: name, in: known) { message += "; did you mean `\(suggestion)`?" }
                ctx.report(.schemaError, message, at: key)
            }
        }
    }
}

/// One entry of a YAML mapping with a string key, keeping where the key was written.
public struct MapEntry<Value> {
    public var key: String
    public var value: Value
    public var keyNode: Int32
}

extension MapEntry: Sendable where Value: Sendable {}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
