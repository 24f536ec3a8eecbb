import Testing

@testable import MeshYAML

/// Hostile or unusual input: aliased bytes, giant keys, duplicate keys, reader errors, long lines.
@Suite struct YAMLHardeningTests {
    func load(_ text: String, limits: YAMLLimits = .default, duplicateKeys: DuplicateKeyHandling = .reject) throws -> YAMLFile {
        try YAMLLoader.load(text, path: "t.yaml", limits: limits, duplicateKeys: duplicateKeys)
    }

    /// `count` aliases of one anchored scalar of `size` bytes, one per line after the anchor.
    func anchoredText(size: Int, count: Int) -> String {
        "a: &big " + String(repeating: "x", count: size) + "\nlist:\n" + String(repeating: "- *big\n", count: count)
    }

    @Test func aliasedBytesAreBoundedAtTheAliasThatCrossesTheLimit() throws {
        let limits = YAMLLimits(maxAliasBytes: 1 << 20)
        // 100 KiB per alias: the eleventh alias (line 13) takes the total past 1 MiB.
        let error = #expect(throws: YAMLError.self) { try load(anchoredText(size: 100 << 10, count: 50), limits: limits) }
        #expect(error?.reason == .limit)
        #expect(error?.message == "alias `*big` expands the document past the limit of 1 MiB of aliased text")
        #expect(error?.mark == SourceMark(line: 13, column: 3))
        #expect(error?.note?.contains("102400 bytes") == true)
    }

    @Test func aliasesUnderTheByteLimitStillExpand() throws {
        let file = try load(anchoredText(size: 100 << 10, count: 10), limits: YAMLLimits(maxAliasBytes: 1 << 20))
        let list = try #require(file.value("list", in: file.documents[0]))
        #expect(file.children(list).map { file[$0].valueLength } == Array(repeating: 100 << 10, count: 10))
    }

    @Test func theDefaultByteLimitIsSixteenMebibytes() throws {
        // 2 MB reused 1,000 times: refused at the ninth alias, long before 2 GB.
        let error = #expect(throws: YAMLError.self) { try load(anchoredText(size: 2 << 20, count: 1000)) }
        #expect(error?.message.contains("16 MiB") == true)
        #expect(error?.mark.line == 11)
    }

    @Test func aliasedContainersCountTheirScalars() throws {
        var text = "base: &b {k: " + String(repeating: "y", count: 1000) + "}\nlist:\n"
        text += String(repeating: "- *b\n", count: 20)
        let error = #expect(throws: YAMLError.self) { try load(text, limits: YAMLLimits(maxAliasBytes: 10_000)) }
        #expect(error?.reason == .limit)
        // Each copy adds the key `k` and the 1000-byte value: the tenth crosses 10,000.
        #expect(error?.mark.line == 12)
    }

    @Test func longKeysAreRefusedWithTheLimit() throws {
        // libyaml refuses an implicit block key over 1024 characters itself; JSON keys and
        // explicit (`?`) keys have no such limit there.
        let key = String(repeating: "k", count: 2000)
        let json = #expect(throws: YAMLError.self) { try load("{\"short\": 1,\n \"\(key)\": 2}\n") }
        #expect(json?.reason == .limit)
        #expect(json?.message == "a mapping key of 2000 bytes; meshctl reads keys of at most 1024 bytes")
        #expect(json?.mark == SourceMark(line: 2, column: 2))
        let explicit = #expect(throws: YAMLError.self) { try load("short: 1\n? \(key)\n: 2\n") }
        #expect(explicit?.mark == SourceMark(line: 2, column: 3))
        // The same text as a value is fine.
        #expect(throws: Never.self) { try load("short: \(key)\nlist: [\(key)]\n") }
    }

    @Test func anAliasUsedAsALongKeyIsRefused() throws {
        let text = "a: &k " + String(repeating: "k", count: 2000) + "\nb:\n  *k : 1\n"
        let error = #expect(throws: YAMLError.self) { try load(text) }
        #expect(error?.message.contains("1024") == true)
        #expect(error?.mark.line == 3)
    }

    @Test func duplicateKeysAreRecordedAndLoadingGoesOn() throws {
        let text = "a: 1\nb: 2\na: 3\na: 4\n---\nc: 1\n---\nd: {x: 1, x: 2}\n"
        let file = try load(text, duplicateKeys: .record)
        #expect(file.documents.count == 3)
        #expect(file.duplicateKeys.map(\.error.mark.line) == [3, 4, 8])
        // Each repeat names the first definition.
        #expect(
            file.duplicateKeys.map(\.error.message).prefix(2).allSatisfy { $0 == "duplicate key `a` (first defined at line 1)" })
        #expect(file.containsDuplicateKey(file.documents[0]))
        #expect(!file.containsDuplicateKey(file.documents[1]))
        #expect(file.containsDuplicateKey(file.documents[2]))
        let d = try #require(file.value("d", in: file.documents[2]))
        #expect(file.containsDuplicateKey(d))
        #expect(!file.containsDuplicateKey(file.documents[2], outside: d))
    }

    @Test func duplicatesInLargeMappingsAreRecordedToo() throws {
        let text = (0..<40).map { "k\($0): \($0)" }.joined(separator: "\n") + "\nk7: again\nk9: again\n"
        let file = try load(text, duplicateKeys: .record)
        #expect(file.duplicateKeys.map(\.error.mark.line) == [41, 42])
        #expect(file.duplicateKeys[0].error.message == "duplicate key `k7` (first defined at line 8)")
    }

    @Test func aDuplicateInsideAMergedMappingStaysWithIt() throws {
        let text = "outer:\n  inner: {x: 1, x: 2}\n  <<: {extra: 1}\nother: {y: 1}\n"
        let file = try load(text, duplicateKeys: .record)
        let root = file.documents[0]
        let outer = try #require(file.value("outer", in: root))
        let other = try #require(file.value("other", in: root))
        #expect(file.duplicateKeys.count == 1)
        #expect(file.containsDuplicateKey(outer))
        #expect(!file.containsDuplicateKey(other))
    }

    @Test func rejectingDuplicatesIsStillTheDefault() throws {
        let error = #expect(throws: YAMLError.self) { try load("a: 1\na: 2\n") }
        #expect(error?.reason == .duplicateKey)
    }

    @Test(arguments: readerErrorCases)
    func readerErrorsAreLocated(bytes: [UInt8], mark: SourceMark, phrase: String) throws {
        let error = #expect(throws: YAMLError.self) { try YAMLLoader.load(bytes, path: "r.yaml") }
        #expect(error?.mark == mark)
        #expect(error?.message.contains(phrase) == true)
    }

    @Test func aWindowOfALongLineCountsCharactersNotBytes() throws {
        // 3000 two-byte characters, then ASCII: past 4096 bytes the line is indexed.
        let line = String(repeating: "é", count: 3000) + String(repeating: "a", count: 5000) + "TARGET" + "bbb"
        let file = try load("k: " + line + "\nnext: 1\n")
        let start = 3 + 8000
        let window = try #require(file.sourceLine(1, characters: start..<start + 6))
        #expect(window.text == "TARGET")
        #expect(window.before && window.after)
        // Many lookups on the same line agree with a plain count.
        let characters = Array(("k: " + line).unicodeScalars)
        for offset in stride(from: 0, to: characters.count, by: 997) {
            let text = try #require(file.sourceLine(1, characters: offset..<offset + 3)).text
            #expect(text == String(String.UnicodeScalarView(characters[offset..<min(offset + 3, characters.count)])))
        }
        let tail = try #require(file.sourceLine(1, characters: characters.count - 2..<characters.count + 50))
        #expect(tail.text == "bb" && !tail.after)
        #expect(file.sourceLineLength(2) == 7)
        #expect(file.sourceLine(2) == "next: 1")
    }
}

/// Bytes libyaml's reader refuses, and where the problem is.
let readerErrorCases: [([UInt8], SourceMark, String)] = [
    // Invalid UTF-8 on line 3, after three characters (one of them é, two bytes).
    ([UInt8]("a: 1\nb: 2\n".utf8) + [0xC3, 0xA9, 0x3A, 0x20, 0xFF, 0x0A], SourceMark(line: 3, column: 4), "UTF-8"),
    // A control character after CRLF line ends.
    (Array("a: 1\r\nb: \"\u{01}\"\r\n".utf8), SourceMark(line: 2, column: 5), "control characters"),
    // A lone CR ends a line for YAML too.
    (Array("a: 1\rb: 2\rc: \"\u{03}\"\n".utf8), SourceMark(line: 3, column: 5), "control characters"),
    // A byte-order mark is not a column.
    ([0xEF, 0xBB, 0xBF] + Array("ab: \"\u{02}\"\n".utf8), SourceMark(line: 1, column: 6), "control characters"),
    // UTF-16 counts characters, not bytes.
    (
        [0xFF, 0xFE] + "a: 1\nbb: \"x\u{01}\"\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
        SourceMark(line: 2, column: 7),
        "control characters"
    ),
]
