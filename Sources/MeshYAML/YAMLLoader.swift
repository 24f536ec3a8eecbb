#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CLibYAML

/// Limits that keep hostile input (alias bombs, deep nesting, giant keys) in bounded time and
/// memory.
public struct YAMLLimits: Sendable {
    /// Nodes that alias expansion may add to one file, all aliases together.
    public var maxAliasExpansion: Int
    /// Scalar bytes that alias expansion may add to one file, all aliases together. Copying a
    /// node is cheap, but every copy of a long string becomes its own string downstream (in
    /// names, routes and messages), so a few anchored megabytes reused a thousand times cost
    /// gigabytes unless the bytes are counted too.
    public var maxAliasBytes: Int
    /// Containers nested inside each other.
    public var maxDepth: Int
    /// Bytes in one mapping key. Keys are field names, label keys and header names, and they
    /// end up in field paths and messages; Kubernetes allows 317 bytes for a qualified key.
    public var maxKeyLength: Int

    public init(maxAliasExpansion: Int = 1_000_000, maxAliasBytes: Int = 16 << 20, maxDepth: Int = 256, maxKeyLength: Int = 1024)
    {
        self.maxAliasExpansion = maxAliasExpansion
        self.maxAliasBytes = maxAliasBytes
        self.maxDepth = maxDepth
        self.maxKeyLength = maxKeyLength
    }
    public static let `default` = YAMLLimits()
}

/// What loading does with a mapping that repeats a key.
public enum DuplicateKeyHandling: Sendable {
    /// The first duplicate ends loading with an error, as for any other malformed input.
    case reject
    /// Loading goes on; each duplicate is recorded in `YAMLFile.duplicateKeys` so a caller can
    /// report it and still check the documents that have none.
    case record
}

/// A key that appears twice in one mapping, kept when loading with `.record`.
public struct DuplicateKey: Sendable {
    /// The error naming the key, at the second occurrence.
    public var error: YAMLError
    /// The mapping that holds the key twice: every subtree containing it is ambiguous.
    public var mapping: Int32
}

/// Why a YAML stream could not be loaded, with where.
public struct YAMLError: Error, CustomStringConvertible, Sendable {
    public enum Reason: Sendable { case syntax, limit, duplicateKey }
    public var reason: Reason
    public var message: String
    public var mark: SourceMark
    /// Extra lines shown after the first (the context libyaml gives).
    public var note: String?

    public var description: String { "\(mark.line):\(mark.column): \(message)" }
}

/// Loads YAML (and JSON, which is YAML) into a `YAMLFile` with libyaml's event parser.
public enum YAMLLoader {
    public static func load(
        _ bytes: [UInt8], path: String, limits: YAMLLimits = .default, duplicateKeys: DuplicateKeyHandling = .reject
    ) throws(YAMLError) -> YAMLFile {
        var builder = Builder(source: bytes, limits: limits, duplicateKeyHandling: duplicateKeys)
        do {
            try builder.run()
        } catch {
            free(builder.nodes.base)
            free(builder.scalars.base)
            throw error
        }
        return YAMLFile(
            path: path, source: bytes, nodes: UnsafeBufferPointer(start: builder.nodes.base, count: builder.nodes.count),
            scalarBytes: UnsafeBufferPointer(start: builder.scalars.base, count: builder.scalars.count),
            documents: builder.documents, documentCount: builder.documentCount, longestScalar: builder.longestScalar,
            duplicateKeys: builder.duplicateKeys)
    }

    public static func load(
        _ text: String, path: String, limits: YAMLLimits = .default, duplicateKeys: DuplicateKeyHandling = .reject
    ) throws(YAMLError) -> YAMLFile {
        try load(Array(text.utf8), path: path, limits: limits, duplicateKeys: duplicateKeys)
    }

    /// Loads the stream one document at a time, handing each non-empty document to `body` as a
    /// `YAMLFile` of its own (its nodes only, the whole source, marks counted from the start of
    /// the stream), so only one document's tree is held at once. The limits count over the whole
    /// stream, as `load` counts them. A document handed over before a later one fails to load
    /// was still handed over: a caller that reports per file keeps what it learnt until this
    /// returns. Returns how many documents the stream held, empty ones included.
    @discardableResult
    public static func forEachDocument(
        _ bytes: [UInt8], path: String, limits: YAMLLimits = .default, duplicateKeys: DuplicateKeyHandling = .reject,
        _ body: (YAMLFile) -> Void
    ) throws(YAMLError) -> Int {
        try withoutActuallyEscaping(body) { body throws(YAMLError) in
            var builder = Builder(source: bytes, limits: limits, duplicateKeyHandling: duplicateKeys, streaming: true)
            builder.documentHandler = { builder in body(builder.takeDocument(path: path)) }
            defer {
                free(builder.nodes.base)
                free(builder.scalars.base)
            }
            try builder.run()
            return builder.documentCount
        }
    }
}

/// A scalar's bytes in the builder's buffer, compared and hashed by content without copying.
private struct ScalarText: Hashable {
    let bytes: UnsafeBufferPointer<UInt8>
    static func == (a: ScalarText, b: ScalarText) -> Bool { a.bytes.elementsEqual(b.bytes) }
    func hash(into hasher: inout Hasher) { hasher.combine(bytes: UnsafeRawBufferPointer(bytes)) }
}

private struct Builder {
    let source: [UInt8]
    let limits: YAMLLimits
    let duplicateKeyHandling: DuplicateKeyHandling
    var duplicateKeys: [DuplicateKey] = []
    var documents: [Int32] = []
    var documentCount = 0
    var nodes: GrowableBuffer<YAMLNode>
    var scalars: GrowableBuffer<UInt8>
    var stack: [Int32] = []
    /// Anchor name → node index. A container's anchor is usable once the container has closed.
    var anchors: [String: Int32] = [:]
    /// Containers whose anchor becomes usable when they close, innermost last.
    var openAnchors: [(name: String, container: Int32)] = []
    var expanded = 0
    var expandedBytes = 0
    var longestScalar = 0
    /// When set, each document is handed over as it ends and its nodes are dropped.
    var documentHandler: ((inout Builder) -> Void)?

    init(source: [UInt8], limits: YAMLLimits, duplicateKeyHandling: DuplicateKeyHandling, streaming: Bool = false) {
        self.source = source
        self.limits = limits
        self.duplicateKeyHandling = duplicateKeyHandling
        // Rule files run about 9 bytes per node and half their bytes in scalars; reserving
        // that up front avoids doubling (and copying) the two big arrays while loading. A
        // stream of documents reuses one document's worth.
        nodes = GrowableBuffer(capacity: streaming ? 4096 : source.count / 8 + 16)
        scalars = GrowableBuffer(capacity: streaming ? 64 << 10 : source.count / 2 + 16)
    }

    /// The document just ended, as a file of its own.
    func takeDocument(path: String) -> YAMLFile {
        YAMLFile(
            path: path, source: source, nodes: UnsafeBufferPointer(nodes.copy()),
            scalarBytes: UnsafeBufferPointer(scalars.copy()),
            documents: documents, documentCount: 1, longestScalar: longestScalar, duplicateKeys: duplicateKeys)
    }

    /// Drops the document just handed over, so the next starts from an empty tree.
    private mutating func dropDocument() {
        nodes.removeAll()
        scalars.removeAll()
        documents.removeAll()
        duplicateKeys.removeAll()
        longestScalar = 0
    }

    mutating func run() throws(YAMLError) {
        // libyaml treats an input of length zero as a valid empty stream; an empty buffer has no
        // base address, so give it one byte of storage and a length of zero.
        let length = source.count
        let input = source.isEmpty ? [0] : source
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(reason: .syntax, message: "cannot initialise the YAML parser", mark: SourceMark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        var result: Result<Void, YAMLError> = .success(())
        input.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, length)
            result = parseEvents(&parser)
        }
        try result.get()
    }

    private mutating func parseEvents(_ parser: inout yaml_parser_t) -> Result<Void, YAMLError> {
        var event = yaml_event_t()
        var documentRoot: Int32 = -1
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                return .failure(Self.parserError(parser, source: source))
            }
            defer { yaml_event_delete(&event) }
            let mark = SourceMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            do {
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return .success(())
                case YAML_DOCUMENT_START_EVENT:
                    documentRoot = Int32(nodes.count)
                    anchors.removeAll(keepingCapacity: true)
                    openAnchors.removeAll(keepingCapacity: true)
                case YAML_DOCUMENT_END_EVENT:
                    documentCount += 1
                    if documentRoot < nodes.count && !isNullScalar(documentRoot) {
                        documents.append(documentRoot)
                        if let documentHandler { documentHandler(&self) }
                    }
                    if documentHandler != nil { dropDocument() }
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let index = try open(.scalar, style: Self.scalarStyle(scalar.style), mark: mark)
                    longestScalar = max(longestScalar, scalar.length)
                    if scalar.length > limits.maxKeyLength { try checkKeyLength(index, length: scalar.length, mark: mark) }
                    if let value = scalar.value, scalar.length > 0 {
                        nodes[Int(index)].valueStart = UInt32(scalars.count)
                        nodes[Int(index)].valueLength = UInt32(scalar.length)
                        scalars.append(contentsOf: UnsafeBufferPointer(start: value, count: scalar.length))
                    }
                    if scalar.plain_implicit == 0 && scalar.quoted_implicit == 0, let tag = scalar.tag,
                        String(cString: tag) == "tag:yaml.org,2002:str"
                    {
                        nodes[Int(index)].explicitString = true
                    }
                    nodes[Int(index)].end = index + 1
                    if let anchor = scalar.anchor { anchors[String(cString: anchor)] = index }
                case YAML_SEQUENCE_START_EVENT:
                    let index = try open(
                        .sequence, style: event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? .flow : .block, mark: mark
                    )
                    try push(index, mark: mark)
                    if let anchor = event.data.sequence_start.anchor { openAnchor(String(cString: anchor), index) }
                case YAML_MAPPING_START_EVENT:
                    let index = try open(
                        .mapping, style: event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? .flow : .block, mark: mark)
                    try push(index, mark: mark)
                    if let anchor = event.data.mapping_start.anchor { openAnchor(String(cString: anchor), index) }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    let index = stack.removeLast()
                    nodes[Int(index)].end = Int32(nodes.count)
                    if nodes[Int(index)].kind == .mapping {
                        try applyMergeKeys(index, mark: mark)
                        try checkDuplicateKeys(index)
                    }
                    // The container is complete: its anchor may now be aliased (unless a node
                    // inside it took the name since).
                    if let open = openAnchors.last, open.container == index {
                        openAnchors.removeLast()
                        if anchors[open.name] == -index - 2 { anchors[open.name] = index }
                    }
                case YAML_ALIAS_EVENT:
                    let name = String(cString: event.data.alias.anchor)
                    try expandAlias(name, mark: mark)
                default:
                    break
                }
            } catch {
                return .failure(error)
            }
        }
    }

    private func isNullScalar(_ index: Int32) -> Bool {
        let node = nodes[Int(index)]
        guard node.kind == .scalar, node.style == .plain, !node.explicitString else { return false }
        if node.valueLength == 0 { return true }
        let text = String(
            decoding: UnsafeBufferPointer(start: scalars.base + Int(node.valueStart), count: Int(node.valueLength)), as: UTF8.self
        )
        return text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// Records an anchor on a container just opened: until it closes, an alias to it is an
    /// alias to a node that contains the alias.
    private mutating func openAnchor(_ name: String, _ container: Int32) {
        anchors[name] = -container - 2
        openAnchors.append((name, container))
    }

    /// Appends a node as the next child of the open container.
    private mutating func open(_ kind: YAMLNode.Kind, style: YAMLNode.Style, mark: SourceMark) throws(YAMLError) -> Int32 {
        let index = Int32(nodes.count)
        let parent = stack.last ?? -1
        if parent >= 0 { nodes[Int(parent)].count += 1 }
        nodes.append(
            YAMLNode(
                kind: kind, style: style, explicitString: false, line: UInt32(mark.line), column: UInt32(mark.column),
                parent: parent, end: index + 1, count: 0, valueStart: 0, valueLength: 0))
        return index
    }

    private mutating func push(_ index: Int32, mark: SourceMark) throws(YAMLError) {
        stack.append(index)
        if stack.count > limits.maxDepth {
            throw YAMLError(
                reason: .limit, message: "nesting deeper than \(limits.maxDepth) levels", mark: mark,
                note: "meshctl stops at \(limits.maxDepth) nested mappings or sequences; route rules never need that many")
        }
    }

    /// Copies the anchored subtree in place of the alias, counting what aliases add.
    private mutating func expandAlias(_ name: String, mark: SourceMark) throws(YAMLError) {
        guard let source = anchors[name] else {
            throw YAMLError(reason: .syntax, message: "alias `*\(name)` refers to an unknown anchor", mark: mark)
        }
        guard source >= 0 else {
            throw YAMLError(reason: .syntax, message: "alias `*\(name)` refers to a node that contains it", mark: mark)
        }
        let start = Int(source)
        let end = Int(nodes[start].end)
        let size = end - start
        expanded += size
        if expanded > limits.maxAliasExpansion {
            throw YAMLError(
                reason: .limit,
                message: "alias `*\(name)` expands the document past the limit of \(limits.maxAliasExpansion) aliased nodes",
                mark: mark,
                note: "this looks like an alias bomb (\"billion laughs\"); meshctl refuses it rather than exhaust memory")
        }
        let newRoot = try open(.scalar, style: .plain, mark: mark)
        let offset = Int32(newRoot) - Int32(start)
        let rootParent = nodes[Int(newRoot)].parent
        nodes.removeLast()
        var bytes = 0
        for i in start..<end {
            var copy = nodes[i]
            bytes += Int(copy.valueLength)
            copy.end += offset
            copy.parent = i == start ? rootParent : copy.parent + offset
            nodes.append(copy)
        }
        expandedBytes += bytes
        if expandedBytes > limits.maxAliasBytes {
            throw YAMLError(
                reason: .limit,
                message:
                    "alias `*\(name)` expands the document past the limit of \(Self.megabytes(limits.maxAliasBytes)) of aliased text",
                mark: mark,
                note:
                    "the anchor holds \(bytes) bytes, and the aliases up to here add \(expandedBytes) in all; meshctl stops rather than copy more"
            )
        }
        let root = nodes[Int(newRoot)]
        if root.kind == .scalar && Int(root.valueLength) > limits.maxKeyLength {
            try checkKeyLength(newRoot, length: Int(root.valueLength), mark: mark)
        }
    }

    /// Refuses a mapping key longer than `maxKeyLength`; `index` is a scalar just opened.
    private func checkKeyLength(_ index: Int32, length: Int, mark: SourceMark) throws(YAMLError) {
        let parent = nodes[Int(index)].parent
        // The parent's count already includes this node: odd means it is a key.
        guard parent >= 0, nodes[Int(parent)].kind == .mapping, nodes[Int(parent)].count % 2 == 1 else { return }
        throw YAMLError(
            reason: .limit,
            message: "a mapping key of \(length) bytes; meshctl reads keys of at most \(limits.maxKeyLength) bytes",
            mark: mark, note: "keys are field names, label keys and header names; Kubernetes allows 317 bytes for a qualified key"
        )
    }

    /// `16 MiB` for a whole number of mebibytes, else the bytes.
    static func megabytes(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

    /// YAML's merge key (`<<: *base`, or a list of them), as Kubernetes reads it: the mapping
    /// gets the merged mappings' pairs whose keys it does not set itself, earlier sources first.
    /// The mapping's subtree is rebuilt in place, so it stays contiguous.
    private mutating func applyMergeKeys(_ mapping: Int32, mark: SourceMark) throws(YAMLError) {
        let end = nodes[Int(mapping)].end
        // Most mappings have no merge key: find that out without collecting anything.
        var cursor = mapping + 1
        var hasMerge = false
        while cursor < end && !hasMerge {
            hasMerge = isMergeKey(cursor)
            cursor = nodes[Int(nodes[Int(cursor)].end)].end
        }
        guard hasMerge else { return }
        typealias Range = (start: Int32, end: Int32)
        var explicit: [(key: Range, value: Range)] = []
        var sources: [Int32] = []
        cursor = mapping + 1
        while cursor < end {
            let key = cursor
            let value = nodes[Int(key)].end
            cursor = nodes[Int(value)].end
            if isMergeKey(key) {
                switch nodes[Int(value)].kind {
                case .mapping: sources.append(value)
                case .sequence:
                    var item = value + 1
                    while item < nodes[Int(value)].end {
                        guard nodes[Int(item)].kind == .mapping else {
                            throw YAMLError(
                                reason: .syntax, message: "a merge key (<<) list may hold only mappings",
                                mark: SourceMark(line: Int(nodes[Int(item)].line), column: Int(nodes[Int(item)].column)))
                        }
                        sources.append(item)
                        item = nodes[Int(item)].end
                    }
                case .scalar:
                    throw YAMLError(
                        reason: .syntax, message: "a merge key (<<) needs a mapping or a list of mappings",
                        mark: SourceMark(line: Int(nodes[Int(value)].line), column: Int(nodes[Int(value)].column)))
                }
            } else {
                explicit.append(((key, value), (value, cursor)))
            }
        }
        func text(_ index: Int32) -> ScalarText? {
            let n = nodes[Int(index)]
            guard n.kind == .scalar else { return nil }
            return ScalarText(bytes: UnsafeBufferPointer(start: scalars.base + Int(n.valueStart), count: Int(n.valueLength)))
        }
        var present = Set(explicit.compactMap { text($0.key.start) })
        var pairs = explicit
        for source in sources {
            var item = source + 1
            while item < nodes[Int(source)].end {
                let value = nodes[Int(item)].end
                let next = nodes[Int(value)].end
                if let key = text(item), !present.contains(key) {
                    present.insert(key)
                    pairs.append(((item, value), (value, next)))
                }
                item = next
            }
        }
        // Copy the chosen pairs out, then write them back after the mapping node. Where each
        // node went is kept only when an anchor or a recorded duplicate inside must follow it.
        let tracksMoves =
            anchors.values.contains { $0 > mapping && $0 < end }
            || duplicateKeys.contains { $0.mapping > mapping && $0.mapping < end }
        var rebuilt: [YAMLNode] = []
        var moved: [Int32: Int32] = [:]
        for pair in pairs {
            for range in [pair.key, pair.value] {
                let newStart = mapping + 1 + Int32(rebuilt.count)
                let offset = newStart - range.start
                for i in range.start..<range.end {
                    var node = nodes[Int(i)]
                    node.end += offset
                    node.parent = i == range.start ? mapping : node.parent + offset
                    if tracksMoves { moved[i] = i + offset }
                    rebuilt.append(node)
                }
            }
        }
        // Anchors defined inside the mapping follow their nodes; one whose node was dropped
        // (it sat under `<<`, or its key was overridden) can no longer be aliased.
        for (name, index) in anchors where index > mapping && index < end {
            anchors[name] = moved[index]
        }
        // So do recorded duplicates; one in a mapping that was merged away now belongs here.
        for i in duplicateKeys.indices where duplicateKeys[i].mapping > mapping && duplicateKeys[i].mapping < end {
            duplicateKeys[i].mapping = moved[duplicateKeys[i].mapping] ?? mapping
        }
        expanded += max(0, rebuilt.count - Int(end - mapping - 1))
        if expanded > limits.maxAliasExpansion {
            throw YAMLError(
                reason: .limit,
                message: "merge keys expand the document past the limit of \(limits.maxAliasExpansion) aliased nodes", mark: mark)
        }
        while nodes.count > Int(mapping) + 1 { nodes.removeLast() }
        for node in rebuilt { nodes.append(node) }
        nodes[Int(mapping)].end = Int32(nodes.count)
        nodes[Int(mapping)].count = Int32(pairs.count * 2)
    }

    /// A plain `<<` key.
    private func isMergeKey(_ key: Int32) -> Bool {
        let k = nodes[Int(key)]
        return k.kind == .scalar && k.style == .plain && k.valueLength == 2 && scalars[Int(k.valueStart)] == UInt8(ascii: "<")
            && scalars[Int(k.valueStart) + 1] == UInt8(ascii: "<")
    }

    /// The key after `key` in its mapping.
    @inline(__always) private func nextKey(_ key: Int32) -> Int32 { nodes[Int(nodes[Int(key)].end)].end }

    private mutating func checkDuplicateKeys(_ mapping: Int32) throws(YAMLError) {
        let count = Int(nodes[Int(mapping)].count) / 2
        guard count > 1 else { return }
        let first = mapping + 1
        let end = nodes[Int(mapping)].end
        if count <= 12 {
            // Few keys: compare each with those before it, in place.
            var key = nextKey(first)
            while key < end {
                var earlier = first
                while earlier < key {
                    if sameKey(key, earlier) {
                        try found(duplicate(key, first: earlier), in: mapping)
                        break
                    }
                    earlier = nextKey(earlier)
                }
                key = nextKey(key)
            }
        } else {
            var keys: [Int32] = []
            keys.reserveCapacity(count)
            var next = first
            while next < end {
                keys.append(next)
                next = nextKey(next)
            }
            var seen: [String: Int32] = [:]
            for key in keys where nodes[Int(key)].kind == .scalar {
                let text = scalarText(key)
                if let first = seen[text] {
                    try found(duplicate(key, first: first), in: mapping)
                } else {
                    seen[text] = key
                }
            }
        }
    }

    private mutating func found(_ error: YAMLError, in mapping: Int32) throws(YAMLError) {
        guard duplicateKeyHandling == .record else { throw error }
        duplicateKeys.append(DuplicateKey(error: error, mapping: mapping))
    }

    private func sameKey(_ a: Int32, _ b: Int32) -> Bool {
        let x = nodes[Int(a)]
        let y = nodes[Int(b)]
        guard x.kind == .scalar, y.kind == .scalar, x.valueLength == y.valueLength else { return false }
        let xs = Int(x.valueStart)
        let ys = Int(y.valueStart)
        for i in 0..<Int(x.valueLength) where scalars[xs + i] != scalars[ys + i] { return false }
        return true
    }

    private func scalarText(_ index: Int32) -> String {
        let node = nodes[Int(index)]
        return String(
            decoding: UnsafeBufferPointer(start: scalars.base + Int(node.valueStart), count: Int(node.valueLength)), as: UTF8.self
        )
    }

    private func duplicate(_ key: Int32, first: Int32) -> YAMLError {
        let node = nodes[Int(key)]
        return YAMLError(
            reason: .duplicateKey,
            message: "duplicate key `\(scalarText(key))` (first defined at line \(nodes[Int(first)].line))",
            mark: SourceMark(line: Int(node.line), column: Int(node.column)))
    }

    private static func scalarStyle(_ style: yaml_scalar_style_t) -> YAMLNode.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// Turns libyaml's problem into one readable sentence at the offending position.
    private static func parserError(_ parser: yaml_parser_t, source: [UInt8]) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        var mark = SourceMark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        // libyaml's reader (bad UTF-8, control characters) gives only a byte offset.
        if parser.error == YAML_READER_ERROR {
            mark = Self.mark(atOffset: parser.problem_offset, in: source, encoding: parser.encoding)
        }
        var note: String?
        if let context = parser.context.map({ String(cString: $0) }) {
            note = "\(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1)"
        }
        let offset = Int(parser.problem_mark.index)
        let byte: UInt8? = offset < source.count ? source[offset] : nil
        var message: String
        switch problem {
        case "found character that cannot start any token" where byte == UInt8(ascii: "\t"),
            "found a tab character that violates indentation",
            "found a tab character where an indentation space is expected":
            message = "tab character used for indentation; YAML indents with spaces only"
        case "invalid leading UTF-8 octet", "invalid trailing UTF-8 octet", "incomplete UTF-8 octet sequence",
            "invalid Unicode character":
            message = "the file is not valid UTF-8 text (\(problem))"
        case "control characters are not allowed":
            message = "the file contains control characters (binary data?); YAML must be text"
        case "found unexpected end of stream" where parser.context.map({ String(cString: $0) })?.contains("quoted") == true:
            message = "unterminated quoted string"
        default:
            message = problem
        }
        if problem.hasPrefix("found unexpected end of stream"), note?.contains("quoted scalar") == true {
            message = "unterminated quoted string"
        }
        return YAMLError(reason: .syntax, message: message, mark: mark, note: note)
    }

    /// The line and column of byte `offset`, counted as libyaml counts them: a line ends at
    /// CR, LF, CRLF, NEL, LS or PS, and a column is one character, after any byte-order mark.
    static func mark(atOffset offset: Int, in source: [UInt8], encoding: yaml_encoding_t) -> SourceMark {
        let end = min(offset, source.count)
        let scalars: String.UnicodeScalarView
        switch encoding {
        case YAML_UTF16LE_ENCODING, YAML_UTF16BE_ENCODING:
            let littleEndian = encoding == YAML_UTF16LE_ENCODING
            var units: [UInt16] = []
            units.reserveCapacity(end / 2)
            var i = 0
            while i + 1 < end {
                let (a, b) = (UInt16(source[i]), UInt16(source[i + 1]))
                units.append(littleEndian ? a | b << 8 : a << 8 | b)
                i += 2
            }
            scalars = String(decoding: units, as: UTF16.self).unicodeScalars
        default:
            scalars = String(decoding: source[0..<end], as: UTF8.self).unicodeScalars
        }
        var line = 1
        var column = 1
        var afterCR = false
        for (i, scalar) in scalars.enumerated() {
            switch scalar {
            case "\u{FEFF}" where i == 0:
                continue
            case "\n" where afterCR:
                break
            case "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}":
                line += 1
                column = 1
            default:
                column += 1
            }
            afterCR = scalar == "\r"
        }
        return SourceMark(line: line, column: column)
    }
}
