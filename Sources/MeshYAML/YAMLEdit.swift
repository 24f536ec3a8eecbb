/// A new text for one scalar of a parsed file.
public struct ScalarEdit: Sendable, Equatable {
    /// The scalar node to replace.
    public var node: Int32
    /// Its new value, written in the scalar's own style (plain stays plain, quoted stays quoted).
    public var value: String

    public init(node: Int32, value: String) {
        self.node = node
        self.value = value
    }
}

/// Why a scalar cannot be rewritten in place.
public struct YAMLEditError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var mark: SourceMark
    public var description: String { "\(mark.line):\(mark.column): \(message)" }
}

extension YAMLFile {
    /// The bytes of `source` that spell the scalar at `index`, quotes included.
    ///
    /// The node's mark (line and column, counted in characters as libyaml counts them) gives
    /// where the scalar starts; its text, re-spelled in its style, must be found there byte for
    /// byte, so an edit never lands anywhere but on the scalar the tree says. Multi-line,
    /// escaped, block and alias-copied scalars are refused: rewriting them is not a one-token
    /// change.
    public func sourceRange(ofScalar index: Int32) throws(YAMLEditError) -> Range<Int> {
        let node = self[index]
        let mark = self.mark(of: index)
        func refuse(_ why: String) -> YAMLEditError { YAMLEditError(message: why, mark: mark) }
        guard node.kind == .scalar else { throw refuse("not a scalar") }
        // An alias's nodes are copies that keep their anchor's marks: editing one would change
        // every place the anchor is used.
        for i in 0..<nodes.count where Int32(i) != index && nodes[i].line == node.line && nodes[i].column == node.column {
            throw refuse("the scalar is anchored and aliased elsewhere; editing it would change every use")
        }
        guard var start = byteOffset(line: mark.line, column: mark.column) else {
            throw refuse("the position is outside the file")
        }
        // A node's mark is where its properties start: skip an anchor (`&name`) and a tag (`!!int`).
        while start < source.count, source[start] == UInt8(ascii: "&") || source[start] == UInt8(ascii: "!") {
            while start < source.count,
                ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(source[start])
            {
                start += 1
            }
            while start < source.count, source[start] == UInt8(ascii: " ") || source[start] == UInt8(ascii: "\t") { start += 1 }
        }
        let value = Array(string(index).utf8)
        let spelled: [UInt8]
        switch node.style {
        case .plain:
            spelled = value
        case .singleQuoted where !value.contains(UInt8(ascii: "'")):
            spelled = [UInt8(ascii: "'")] + value + [UInt8(ascii: "'")]
        case .doubleQuoted where !value.contains(UInt8(ascii: "\"")) && !value.contains(UInt8(ascii: "\\")):
            spelled = [UInt8(ascii: "\"")] + value + [UInt8(ascii: "\"")]
        default:
            throw refuse("the scalar is written in a form that cannot be rewritten in place (block, escaped or quoted quotes)")
        }
        if value.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            throw refuse("the scalar spans several lines")
        }
        let end = start + spelled.count
        guard end <= source.count, Array(source[start..<end]) == spelled else {
            throw refuse("the scalar's text is not at its position (an alias or merge key copied it there)")
        }
        return start..<end
    }

    /// The source with each edited scalar's bytes replaced and every other byte (comments,
    /// order, quoting, indentation, line endings) as it was.
    public func replacingScalars(_ edits: [ScalarEdit]) throws(YAMLEditError) -> [UInt8] {
        var ranges: [(range: Range<Int>, bytes: [UInt8])] = []
        for edit in edits {
            let range = try sourceRange(ofScalar: edit.node)
            let node = self[edit.node]
            let value = Array(edit.value.utf8)
            let mark = self.mark(of: edit.node)
            if value.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                throw YAMLEditError(message: "a new value must be one line", mark: mark)
            }
            let bytes: [UInt8]
            switch node.style {
            case .singleQuoted:
                guard !value.contains(UInt8(ascii: "'")) else {
                    throw YAMLEditError(message: "a single-quoted value cannot take a quote", mark: mark)
                }
                bytes = [UInt8(ascii: "'")] + value + [UInt8(ascii: "'")]
            case .doubleQuoted:
                guard !value.contains(UInt8(ascii: "\"")) && !value.contains(UInt8(ascii: "\\")) else {
                    throw YAMLEditError(message: "a double-quoted value cannot take a quote or backslash", mark: mark)
                }
                bytes = [UInt8(ascii: "\"")] + value + [UInt8(ascii: "\"")]
            default:
                guard Self.isSafePlain(value) else {
                    throw YAMLEditError(message: "`\(edit.value)` cannot be written as a plain scalar", mark: mark)
                }
                bytes = value
            }
            if ranges.contains(where: { $0.range.overlaps(range) }) {
                throw YAMLEditError(message: "the scalar is edited twice", mark: mark)
            }
            ranges.append((range, bytes))
        }
        var out: [UInt8] = []
        out.reserveCapacity(source.count + 16 * ranges.count)
        var cursor = 0
        for (range, bytes) in ranges.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            out += source[cursor..<range.lowerBound]
            out += bytes
            cursor = range.upperBound
        }
        out += source[cursor...]
        return out
    }

    /// A value that reads back as the same plain scalar: letters, digits and `.-_+:/` only, not
    /// starting with an indicator.
    static func isSafePlain(_ value: [UInt8]) -> Bool {
        guard let first = value.first, first != UInt8(ascii: ":") else { return false }
        return value.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: "/")
        }
    }

    /// The byte offset of a 1-based line and column as libyaml counts them: lines end at LF,
    /// CRLF or a lone CR; columns count characters; a byte-order mark at the start is not one.
    func byteOffset(line: Int, column: Int) -> Int? {
        var offset = 0
        if source.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
        var currentLine = 1
        while currentLine < line {
            guard offset < source.count else { return nil }
            let byte = source[offset]
            offset += 1
            if byte == UInt8(ascii: "\n") {
                currentLine += 1
            } else if byte == UInt8(ascii: "\r") {
                if offset < source.count, source[offset] == UInt8(ascii: "\n") { offset += 1 }
                currentLine += 1
            }
        }
        var remaining = column - 1
        while remaining > 0 {
            guard offset < source.count else { return nil }
            offset += 1
            // A character starts at every byte that is not a UTF-8 continuation byte.
            while offset < source.count, source[offset] & 0xC0 == 0x80 { offset += 1 }
            remaining -= 1
        }
        return offset <= source.count ? offset : nil
    }
}
