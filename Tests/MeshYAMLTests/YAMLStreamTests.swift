import Testing

@testable import MeshYAML

/// Loading a stream one document at a time gives each document the tree `load` gives it.
@Suite struct YAMLStreamTests {
    static let stream = """
        a: &x {b: 1, c: [2, 3]}
        d: *x
        ---
        ---
        ~
        ---
        base: &base {port: 80, name: web}
        merged:
          <<: *base
          name: api
        keys: {k: 1, k: 2}

        """

    /// Each node's kind, position, child count and text, for comparing trees node by node.
    func summary(_ file: YAMLFile, root: Int32) -> [String] {
        (root..<file[root].end).map { i in
            let n = file[i]
            let parent = i == root ? "root" : "\(n.parent - root)"
            return "\(n.kind) \(n.line):\(n.column) parent \(parent) end+\(n.end - root) \(n.count) \(file.string(i))"
        }
    }

    @Test func documentsMatchTheWholeStreamsTrees() throws {
        let whole = try YAMLLoader.load(Self.stream, path: "s.yaml", duplicateKeys: .record)
        var documents: [YAMLFile] = []
        let count = try YAMLLoader.forEachDocument(Array(Self.stream.utf8), path: "s.yaml", duplicateKeys: .record) {
            documents.append($0)
        }
        #expect(count == whole.documentCount)
        #expect(count == 4)
        #expect(documents.count == whole.documents.count)
        #expect(documents.count == 2)
        for (document, root) in zip(documents, whole.documents) {
            #expect(document.documents == [0])
            #expect(document.path == "s.yaml")
            #expect(document.source == whole.source)
            #expect(summary(document, root: 0) == summary(whole, root: root))
        }
        // The duplicate key belongs to the second document, at its own node indexes.
        #expect(documents[0].duplicateKeys.isEmpty)
        let duplicate = try #require(documents[1].duplicateKeys.first)
        #expect(duplicate.error.message == "duplicate key `k` (first defined at line 11)")
        #expect(documents[1].string(duplicate.mapping + 1) == "k")
    }

    @Test func aFailureAfterSomeDocumentsStillThrows() {
        var seen = 0
        let error = #expect(throws: YAMLError.self) {
            try YAMLLoader.forEachDocument(Array("a: 1\n---\nb: [1, 2\n".utf8), path: "s.yaml") { _ in seen += 1 }
        }
        #expect(seen == 1)
        #expect(error?.reason == .syntax)
        #expect(error?.mark.line == 4)
    }

    @Test func aliasLimitsCountOverTheWholeStream() {
        // Each document aliases 3 nodes: two documents stay under the limit of 7, three do not.
        let document = "a: &x [1, 2]\nb: *x\n"
        let limits = YAMLLimits(maxAliasExpansion: 7)
        #expect(throws: Never.self) { try YAMLLoader.load(document + "---\n" + document, path: "s.yaml", limits: limits) }
        let text = Array(repeating: document, count: 3).joined(separator: "---\n")
        let whole = #expect(throws: YAMLError.self) { try YAMLLoader.load(text, path: "s.yaml", limits: limits) }
        let streamed = #expect(throws: YAMLError.self) {
            try YAMLLoader.forEachDocument(Array(text.utf8), path: "s.yaml", limits: limits) { _ in }
        }
        #expect(streamed?.message == whole?.message)
        #expect(streamed?.mark == whole?.mark)
        #expect(streamed?.mark.line == 8)
    }

    @Test func anAnchorRedefinedInsideItsContainerKeepsTheInnerNode() throws {
        let file = try YAMLLoader.load("a: &n [1, &n inner]\nb: *n\n", path: "s.yaml")
        let b = try #require(file.value("b", in: file.documents[0]))
        #expect(file[b].kind == .scalar)
        #expect(file.string(b) == "inner")
    }

    @Test func anAliasToItsOwnContainerIsRefused() {
        let error = #expect(throws: YAMLError.self) { try YAMLLoader.load("a: &n [1, *n]\n", path: "s.yaml") }
        #expect(error?.message == "alias `*n` refers to a node that contains it")
    }

    @Test func anAnchorInsideAMergedMappingFollowsItsNode() throws {
        let file = try YAMLLoader.load("m:\n  <<: {p: 1}\n  q: &v [1, 2]\nr: *v\n", path: "s.yaml")
        let root = file.documents[0]
        let r = try #require(file.value("r", in: root))
        #expect(file[r].kind == .sequence)
        #expect(file.children(r).map { file.string($0) } == ["1", "2"])
        let m = try #require(file.value("m", in: root))
        #expect(file.pairs(m).map { file.string($0.key) } == ["q", "p"])
    }

    @Test func explicitKeysWinOverMergedOnes() throws {
        let file = try YAMLLoader.load("m: {<<: [{a: 1, b: 2}, {b: 3, c: 4}], a: 5}\n", path: "s.yaml")
        let m = try #require(file.value("m", in: file.documents[0]))
        #expect(file.pairs(m).map { "\(file.string($0.key))=\(file.string($0.value))" } == ["a=5", "b=2", "c=4"])
    }
}
