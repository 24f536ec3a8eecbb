#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One node of a YAML document, stored in a flat array in document order.
///
/// Containers are followed by their children; `end` is the index one past the node's whole
/// subtree, so a subtree is a contiguous slice and siblings are found by jumping to `end`.
/// Mapping children alternate key, value. Scalar text lives in the owning `YAMLFile`'s shared
/// byte buffer and becomes a `String` only when asked for.
public struct YAMLNode: Sendable {
    public enum Kind: UInt8, Sendable { case scalar, mapping, sequence }
    public enum Style: UInt8, Sendable { case plain, singleQuoted, doubleQuoted, literal, folded, flow, block }

    public var kind: Kind
    public var style: Style
    /// True for a plain scalar written with an explicit `!!str` tag (then never a number or null).
    public var explicitString: Bool
    /// 1-based line and column of the node's first character.
    public var line: UInt32
    public var column: UInt32
    /// Index of the enclosing container, or -1 for a document root.
    public var parent: Int32
    /// Index one past the last node of this subtree.
    public var end: Int32
    /// Number of direct children (for a mapping: twice the number of pairs).
    public var count: Int32
    /// Scalar bytes in `YAMLFile.scalarBytes`.
    public var valueStart: UInt32
    public var valueLength: UInt32
}

/// A position in a source file, 1-based.
public struct SourceMark: Hashable, Sendable, Comparable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public static func < (a: SourceMark, b: SourceMark) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// A parsed YAML stream: every non-empty document's root, over one flat node array.
public final class YAMLFile: @unchecked Sendable {
    /// The name diagnostics print (`<stdin>` for standard input).
    public let path: String
    /// The original bytes, kept so diagnostics can quote the source line.
    public let source: [UInt8]
    /// The node tree, in document order. Immutable once loaded; owned by this file.
    public let nodes: UnsafeBufferPointer<YAMLNode>
    /// Scalar text, referenced by the nodes' `valueStart`/`valueLength`.
    public let scalarBytes: UnsafeBufferPointer<UInt8>
    /// Root node index of each non-empty document, in order.
    public let documents: [Int32]
    /// How many documents the stream held, empty ones included.
    public let documentCount: Int
    /// The length in bytes of the longest scalar, so a check for over-long values can skip a
    /// file that has none.
    public let longestScalar: Int
    /// Keys repeated within a mapping, when loaded with `DuplicateKeyHandling.record`.
    public let duplicateKeys: [DuplicateKey]

    init(
        path: String, source: [UInt8], nodes: UnsafeBufferPointer<YAMLNode> = .init(start: nil, count: 0),
        scalarBytes: UnsafeBufferPointer<UInt8> = .init(start: nil, count: 0), documents: [Int32] = [], documentCount: Int = 0,
        longestScalar: Int = 0, duplicateKeys: [DuplicateKey] = []
    ) {
        self.path = path
        self.source = source
        self.nodes = nodes
        self.scalarBytes = scalarBytes
        self.documents = documents
        self.documentCount = documentCount
        self.longestScalar = longestScalar
        self.duplicateKeys = duplicateKeys
    }

    deinit {
        free(UnsafeMutableRawPointer(mutating: nodes.baseAddress))
        free(UnsafeMutableRawPointer(mutating: scalarBytes.baseAddress))
    }

    /// A file that failed to parse, kept so its error can quote the offending line.
    public static func unparsed(path: String, source: [UInt8]) -> YAMLFile { YAMLFile(path: path, source: source) }

    /// A file's source without its tree: enough to quote the lines findings point at, once the
    /// documents have been checked one at a time and let go.
    public static func sourceOnly(path: String, source: [UInt8]) -> YAMLFile { YAMLFile(path: path, source: source) }

    /// The tree as a plain value, for reading many nodes without reference counting.
    @inline(__always) public var tree: YAMLTree { YAMLTree(nodes: nodes, scalarBytes: scalarBytes) }

    @inline(__always) public subscript(_ index: Int32) -> YAMLNode { nodes[Int(index)] }

    public func mark(of index: Int32) -> SourceMark { tree.mark(of: index) }

    // MARK: Scalars

    /// The scalar's text (empty for containers).
    public func string(_ index: Int32) -> String { tree.string(index) }

    /// Calls `body` with the scalar's bytes, without making a `String`.
    public func withScalarBytes<R>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(tree.bytes(index))
    }

    /// True when the scalar's bytes equal `text`.
    public func scalarEquals(_ index: Int32, _ text: StaticString) -> Bool { tree.scalarEquals(index, text) }

    /// A plain scalar that YAML reads as null: empty, `~` or `null`.
    public func isNull(_ index: Int32) -> Bool { tree.isNull(index) }

    /// True for a scalar that YAML reads as a string rather than a number, bool or null.
    public func isQuotedOrTaggedString(_ index: Int32) -> Bool { tree.isQuotedOrTaggedString(index) }

    /// True when the subtree at `index` holds a mapping with a repeated key, leaving out the
    /// subtree at `inner` when given.
    public func containsDuplicateKey(_ index: Int32, outside inner: Int32? = nil) -> Bool {
        guard !duplicateKeys.isEmpty else { return false }
        let end = nodes[Int(index)].end
        let skipped = inner.map { $0..<nodes[Int($0)].end } ?? 0..<0
        return duplicateKeys.contains { $0.mapping >= index && $0.mapping < end && !skipped.contains($0.mapping) }
    }

    // MARK: Containers

    /// Direct children of a sequence, or alternating keys and values of a mapping.
    public func children(_ index: Int32) -> ChildSequence { tree.children(index) }

    /// Key/value index pairs of a mapping.
    public func pairs(_ index: Int32) -> PairSequence { tree.pairs(index) }

    /// The value of `key` in a mapping, or nil.
    public func value(_ key: StaticString, in mapping: Int32) -> Int32? { tree.value(key, in: mapping) }

    /// The key node whose value is `valueIndex`, when its parent is a mapping.
    public func key(ofValue valueIndex: Int32) -> Int32? {
        let parent = nodes[Int(valueIndex)].parent
        guard parent >= 0, nodes[Int(parent)].kind == .mapping else { return nil }
        for (k, v) in pairs(parent) where v == valueIndex { return k }
        return nil
    }

    /// The field path from a document root to `index`, e.g. `spec.http[0].route[1].weight`.
    /// With `root`, the path starts there (a resource inside a List starts at its item).
    public func path(to index: Int32, from root: Int32 = -1) -> String {
        var parts: [String] = []
        var current = index
        while current != root {
            let parent = nodes[Int(current)].parent
            if parent < 0 { break }
            switch nodes[Int(parent)].kind {
            case .mapping:
                // Children alternate key, value: a value's key is the sibling just before it.
                var key = current
                if positions[Int(current)] % 2 == 1 {
                    key = current - 1
                    while nodes[Int(key)].parent != parent { key = nodes[Int(key)].parent }
                }
                parts.append("." + string(key))
            case .sequence:
                parts.append("[\(positions[Int(current)])]")
            case .scalar:
                break
            }
            current = parent
        }
        var path = parts.reversed().joined()
        if path.hasPrefix(".") { path.removeFirst() }
        return path
    }

    /// Each node's position among its parent's children, built on first use: the paths of many
    /// findings in one long sequence must not count its items again for each.
    private lazy var positions: [Int32] = {
        var positions = [Int32](repeating: 0, count: nodes.count)
        for i in nodes.indices where nodes[i].kind != .scalar {
            var position: Int32 = 0
            for child in children(Int32(i)) {
                positions[Int(child)] = position
                position += 1
            }
        }
        return positions
    }()

    /// Byte offset where each line starts, built on first use (quoting many findings from one
    /// large file must not rescan it for each).
    private lazy var lineStarts: [Int] = {
        var starts = [0]
        for (i, byte) in source.enumerated() where byte == UInt8(ascii: "\n") { starts.append(i + 1) }
        return starts
    }()

    /// The text of source line `line` (1-based), without its newline.
    public func sourceLine(_ line: Int) -> String? {
        guard let bytes = lineBytes(line) else { return nil }
        return String(decoding: source[bytes], as: UTF8.self)
    }

    /// The length in bytes of source line `line`, without its newline.
    public func sourceLineLength(_ line: Int) -> Int? { lineBytes(line)?.count }

    /// Characters `range` of source line `line` (counted as YAML columns count them, one per
    /// Unicode scalar, from 0), clamped to the line, and whether the line goes on before and after
    /// them. A very long line (minified JSON) is indexed once, so quoting many findings from it
    /// does not rescan it for each.
    public func sourceLine(_ line: Int, characters range: Range<Int>) -> (text: String, before: Bool, after: Bool)? {
        guard let bytes = lineBytes(line) else { return nil }
        let start = byteOffset(ofCharacter: range.lowerBound, in: bytes, line: line)
        let end = byteOffset(ofCharacter: range.upperBound, in: bytes, line: line)
        return (String(decoding: source[start..<end], as: UTF8.self), start > bytes.lowerBound, end < bytes.upperBound)
    }

    private func lineBytes(_ line: Int) -> Range<Int>? {
        guard line >= 1, line <= lineStarts.count else { return nil }
        let start = lineStarts[line - 1]
        guard start <= source.count, !(start == source.count && line > 1) else { return nil }
        let limit = line < lineStarts.count ? lineStarts[line] : source.count
        if let end = lineEnds[line] { return start..<end }
        var end = start
        while end < limit && source[end] != UInt8(ascii: "\n") && source[end] != UInt8(ascii: "\r") { end += 1 }
        if limit - start > 4 * Self.checkpointInterval { lineEnds[line] = end }
        return start..<end
    }

    /// Where each long line ends, found once.
    private var lineEnds: [Int: Int] = [:]

    /// Every `checkpointInterval`th character's byte offset, per long line, built when first needed.
    private var checkpoints: [Int: [Int]] = [:]
    private static let checkpointInterval = 1024

    /// The byte offset of character `n` of the line spanning `bytes`, or its end.
    private func byteOffset(ofCharacter n: Int, in bytes: Range<Int>, line: Int) -> Int {
        var offset = bytes.lowerBound
        var remaining = max(0, n)
        if bytes.count > 4 * Self.checkpointInterval && remaining >= Self.checkpointInterval {
            let marks = checkpoints[line] ?? indexCharacters(bytes, line: line)
            let k = min(remaining / Self.checkpointInterval, marks.count)
            if k > 0 {
                offset = marks[k - 1]
                remaining -= k * Self.checkpointInterval
            }
        }
        while offset < bytes.upperBound {
            // A character starts at every byte that is not a UTF-8 continuation byte.
            if source[offset] & 0xC0 != 0x80 {
                if remaining == 0 { break }
                remaining -= 1
            }
            offset += 1
        }
        return offset
    }

    private func indexCharacters(_ bytes: Range<Int>, line: Int) -> [Int] {
        var marks: [Int] = []
        var characters = 0
        for offset in bytes where source[offset] & 0xC0 != 0x80 {
            if characters > 0 && characters % Self.checkpointInterval == 0 { marks.append(offset) }
            characters += 1
        }
        checkpoints[line] = marks
        return marks
    }
}

/// A read-only view of a file's node tree and scalar bytes: two raw pointers, so decoding can
/// read field after field without reference counting. Valid while its `YAMLFile` is alive.
public struct YAMLTree {
    public let nodes: UnsafeBufferPointer<YAMLNode>
    public let scalarBytes: UnsafeBufferPointer<UInt8>

    @inline(__always) public subscript(_ index: Int32) -> YAMLNode { nodes[Int(index)] }

    public func mark(of index: Int32) -> SourceMark {
        let node = nodes[Int(index)]
        return SourceMark(line: Int(node.line), column: Int(node.column))
    }

    /// The scalar's bytes (empty for containers).
    @inline(__always) public func bytes(_ index: Int32) -> UnsafeBufferPointer<UInt8> {
        let node = nodes[Int(index)]
        let start = Int(node.valueStart)
        return UnsafeBufferPointer(rebasing: scalarBytes[start..<start + Int(node.valueLength)])
    }

    /// The scalar's text (empty for containers).
    public func string(_ index: Int32) -> String {
        let node = nodes[Int(index)]
        guard node.kind == .scalar, node.valueLength > 0 else { return "" }
        return String(decoding: bytes(index), as: UTF8.self)
    }

    /// True when the scalar's bytes equal `text`.
    @inline(__always) public func scalarEquals(_ index: Int32, _ text: StaticString) -> Bool {
        let node = nodes[Int(index)]
        guard node.kind == .scalar, Int(node.valueLength) == text.utf8CodeUnitCount else { return false }
        return memcmpEqual(bytes(index).baseAddress, text.utf8Start, text.utf8CodeUnitCount)
    }

    /// A plain scalar that YAML reads as null: empty, `~` or `null`.
    public func isNull(_ index: Int32) -> Bool {
        let node = nodes[Int(index)]
        guard node.kind == .scalar, node.style == .plain, !node.explicitString else { return false }
        switch node.valueLength {
        case 0: return true
        case 1: return scalarEquals(index, "~")
        case 4: return scalarEquals(index, "null") || scalarEquals(index, "Null") || scalarEquals(index, "NULL")
        default: return false
        }
    }

    /// True for a scalar that YAML reads as a string rather than a number, bool or null.
    public func isQuotedOrTaggedString(_ index: Int32) -> Bool {
        let node = nodes[Int(index)]
        return node.kind == .scalar && (node.style != .plain || node.explicitString)
    }

    /// Direct children of a sequence, or alternating keys and values of a mapping.
    @inline(__always) public func children(_ index: Int32) -> ChildSequence {
        ChildSequence(nodes: nodes, first: index + 1, end: nodes[Int(index)].end)
    }

    /// Key/value index pairs of a mapping.
    @inline(__always) public func pairs(_ index: Int32) -> PairSequence {
        PairSequence(nodes: nodes, first: index + 1, end: nodes[Int(index)].end)
    }

    /// The value of `key` in a mapping, or nil.
    public func value(_ key: StaticString, in mapping: Int32) -> Int32? {
        guard nodes[Int(mapping)].kind == .mapping else { return nil }
        for (k, v) in pairs(mapping) where scalarEquals(k, key) { return v }
        return nil
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    guard let a else { return count == 0 }
    for i in 0..<count where a[i] != b[i] { return false }
    return true
}

/// Direct children of a container, found by jumping over each child's subtree.
public struct ChildSequence: Sequence {
    let nodes: UnsafeBufferPointer<YAMLNode>
    let first: Int32
    let end: Int32
    public struct Iterator: IteratorProtocol {
        let nodes: UnsafeBufferPointer<YAMLNode>
        var cursor: Int32
        let end: Int32
        public mutating func next() -> Int32? {
            guard cursor < end else { return nil }
            let current = cursor
            cursor = nodes[Int(current)].end
            return current
        }
    }
    public func makeIterator() -> Iterator { Iterator(nodes: nodes, cursor: first, end: end) }
}

/// Key/value pairs of a mapping.
public struct PairSequence: Sequence {
    let nodes: UnsafeBufferPointer<YAMLNode>
    let first: Int32
    let end: Int32
    public struct Iterator: IteratorProtocol {
        let nodes: UnsafeBufferPointer<YAMLNode>
        var cursor: Int32
        let end: Int32
        public mutating func next() -> (key: Int32, value: Int32)? {
            guard cursor < end else { return nil }
            let key = cursor
            let value = nodes[Int(key)].end
            cursor = nodes[Int(value)].end
            return (key, value)
        }
    }
    public func makeIterator() -> Iterator { Iterator(nodes: nodes, cursor: first, end: end) }
}
