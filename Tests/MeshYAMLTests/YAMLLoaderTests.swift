import Testing

@testable import MeshYAML

@Suite struct YAMLLoaderTests {
    func load(_ text: String, limits: YAMLLimits = .default) throws -> YAMLFile {
        try YAMLLoader.load(text, path: "t.yaml", limits: limits)
    }

    @Test func marksAreOneBasedLineAndColumn() throws {
        let file = try load("a: 1\nb:\n  c: [x, \"y\"]\n")
        let root = file.documents[0]
        let b = try #require(file.value("b", in: root))
        let c = try #require(file.value("c", in: b))
        #expect(file.mark(of: c) == SourceMark(line: 3, column: 6))
        let children = Array(file.children(c))
        #expect(children.count == 2)
        #expect(file.string(children[1]) == "y")
        #expect(file.mark(of: children[1]) == SourceMark(line: 3, column: 10))
        #expect(file.isQuotedOrTaggedString(children[1]))
        #expect(!file.isQuotedOrTaggedString(children[0]))
    }

    @Test func multiDocumentStreamsSkipEmptyDocumentsAndTrailingSeparator() throws {
        let file = try load("---\na: 1\n---\n---\nb: 2\n---\n")
        #expect(file.documents.count == 2)
        #expect(file.documentCount == 4)
        #expect(file.string(file.value("b", in: file.documents[1])!) == "2")
    }

    @Test func emptyInputHasNoDocuments() throws {
        #expect(try load("").documents.isEmpty)
        #expect(try load("# only a comment\n").documents.isEmpty)
    }

    @Test func fieldPathNamesKeysAndIndexes() throws {
        let file = try load("spec:\n  http:\n  - route:\n    - weight: 1\n    - weight: 2\n")
        let root = file.documents[0]
        let route = file.value("route", in: Array(file.children(file.value("http", in: file.value("spec", in: root)!)!))[0])!
        let second = Array(file.children(route))[1]
        let weight = file.value("weight", in: second)!
        #expect(file.path(to: weight) == "spec.http[0].route[1].weight")
    }

    @Test func aliasesAreExpandedWithTheAnchorsContent() throws {
        let file = try load("base: &b {x: 1, y: [2, 3]}\ncopy: *b\n")
        let copy = try #require(file.value("copy", in: file.documents[0]))
        #expect(file[copy].kind == .mapping)
        let y = try #require(file.value("y", in: copy))
        #expect(Array(file.children(y)).map { file.string($0) } == ["2", "3"])
        #expect(file.path(to: y) == "copy.y")
    }

    @Test func aliasBombFailsFastNamingTheAliasAndLimit() throws {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].enumerated() {
            let previous = i == 0 ? "a" : ["b", "c", "d", "e", "f", "g", "h", "i"][i - 1]
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let error = #expect(throws: YAMLError.self) { try load(text, limits: YAMLLimits(maxAliasExpansion: 100_000)) }
        #expect(error?.reason == .limit)
        #expect(error?.message.contains("100000") == true)
        #expect(error?.message.contains("alias `*") == true)
    }

    @Test func deepNestingIsRefused() throws {
        let text = "a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = #expect(throws: YAMLError.self) { try load(text) }
        #expect(error?.reason == .limit)
        #expect(error?.message.contains("256") == true)
    }

    @Test func duplicateKeysAreRejectedAtTheSecondKey() throws {
        let error = #expect(throws: YAMLError.self) { try load("a: 1\nb: 2\na: 3\n") }
        #expect(error?.reason == .duplicateKey)
        #expect(error?.mark == SourceMark(line: 3, column: 1))
        #expect(error?.message == "duplicate key `a` (first defined at line 1)")
    }

    @Test func duplicateKeysInLargeMappingsToo() throws {
        let text = (0..<40).map { "k\($0): \($0)" }.joined(separator: "\n") + "\nk7: again\n"
        let error = #expect(throws: YAMLError.self) { try load(text) }
        #expect(error?.mark.line == 41)
    }

    @Test(arguments: [
        ("a:\n\tb: 1\n", "tab character", 2),
        ("a: \"open\nb: 2\n", "unterminated quoted string", 3),
        ("a: [1, 2\n", "", 2),
    ])
    func syntaxErrorsCarryAPosition(text: String, phrase: String, line: Int) throws {
        let error = #expect(throws: YAMLError.self) { try load(text) }
        #expect(error?.reason == .syntax)
        #expect(error?.message.contains(phrase) == true)
        #expect(error?.mark.line == line)
    }

    @Test func invalidUTF8IsASyntaxError() throws {
        let error = #expect(throws: YAMLError.self) {
            try YAMLLoader.load([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a], path: "b.yaml")
        }
        #expect(error?.message.contains("UTF-8") == true)
    }

    @Test func jsonIsYAML() throws {
        let file = try load(#"{"kind": "VirtualService", "spec": {"hosts": ["a", "b"]}}"#)
        let hosts = file.value("hosts", in: file.value("spec", in: file.documents[0])!)!
        #expect(Array(file.children(hosts)).map { file.string($0) } == ["a", "b"])
    }

    @Test func nullScalars() throws {
        let file = try load("a: ~\nb:\nc: null\nd: 'null'\n")
        let root = file.documents[0]
        #expect(file.isNull(file.value("a", in: root)!))
        #expect(file.isNull(file.value("b", in: root)!))
        #expect(file.isNull(file.value("c", in: root)!))
        #expect(!file.isNull(file.value("d", in: root)!))
    }

    @Test func sourceLineIsQuotedWithoutNewline() throws {
        let file = try load("a: 1\nbb: 2\n")
        #expect(file.sourceLine(2) == "bb: 2")
        #expect(file.sourceLine(9) == nil)
    }
}

@Suite struct MergeKeyTests {
    func load(_ text: String) throws -> YAMLFile { try YAMLLoader.load(text, path: "m.yaml") }

    func keys(_ file: YAMLFile, _ mapping: Int32) -> [String] { file.pairs(mapping).map { file.string($0.key) } }

    @Test func mergesAMappingWithoutOverridingExplicitKeys() throws {
        let file = try load("base: &b {a: 1, b: 2}\nderived:\n  b: 3\n  <<: *b\n  c: 4\n")
        let derived = try #require(file.value("derived", in: file.documents[0]))
        #expect(keys(file, derived) == ["b", "c", "a"])
        #expect(file.string(file.value("b", in: derived)!) == "3")
        #expect(file.string(file.value("a", in: derived)!) == "1")
        #expect(file.path(to: file.value("a", in: derived)!) == "derived.a")
    }

    @Test func mergesAListEarlierFirst() throws {
        let file = try load("one: &one {x: 1, y: 1}\ntwo: &two {y: 2, z: 2}\nboth:\n  <<: [*one, *two]\n")
        let both = try #require(file.value("both", in: file.documents[0]))
        #expect(keys(file, both) == ["x", "y", "z"])
        #expect(file.string(file.value("y", in: both)!) == "1")
    }

    @Test func anchorsInsideARebuiltMappingStillWork() throws {
        let file = try load("outer:\n  base: &b {k: v}\n  <<: {extra: 1}\nlater: *b\n")
        let later = try #require(file.value("later", in: file.documents[0]))
        #expect(file.string(file.value("k", in: later)!) == "v")
    }

    @Test func mergeOfAScalarIsAnError() throws {
        let error = #expect(throws: YAMLError.self) { try load("a:\n  <<: 5\n") }
        #expect(error?.message.contains("merge key") == true)
    }
}
