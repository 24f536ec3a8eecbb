import Testing

@testable import MeshModel
@testable import MeshYAML

/// Checking a file one document at a time (what `validate` does) finds what loading it whole finds.
@Suite struct StreamedCheckTests {
    /// Findings as text, in the order `validate` prints them (by position, then as made).
    func findings(_ rules: LoadedRules) -> [String] {
        rules.diagnostics.enumerated()
            .sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
            .map { "\($0.element.file):\($0.element.line):\($0.element.column) \($0.element.code) \($0.element.message)" }
    }

    /// `text` loaded whole and checked one document at a time, with the resources each validated.
    func both(_ text: String) -> (whole: LoadedRules, streamed: LoadedRules, validated: (whole: [String], streamed: [String])) {
        var whole = LoadedRules()
        var streamed = LoadedRules()
        var validatedWhole: [String] = []
        var validatedStreamed: [String] = []
        RuleLoader.load(Array(text.utf8), name: "r.yaml", into: &whole, keepResources: true) { r, _ in
            validatedWhole.append(r.reference)
        }
        RuleLoader.load(Array(text.utf8), name: "r.yaml", into: &streamed, keepResources: false) { r, _ in
            validatedStreamed.append(r.reference)
        }
        return (whole, streamed, (validatedWhole, validatedStreamed))
    }

    static let mixed = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: a}
        spec:
          hosts: [a]
          http:
          - route: [{destination: {host: a}, weigth: 1}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: b, name: c}
        spec: {host: b}
        ---
        ~
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: {name: s}
          spec: {hosts: [s.example.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: NONE, bogus: 1}
        - apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: g, labels: {x: 1, x: 2}}
          spec: {}
        ---
        kind: Widget
        apiVersion: example.com/v1
        metadata: {name: w}

        """

    @Test func findingsAndCountsMatchLoadingTheWholeFile() {
        let (whole, streamed, validated) = both(Self.mixed)
        #expect(validated.streamed == validated.whole)
        #expect(validated.streamed == ["VirtualService default/a", "ServiceEntry default/s"])
        #expect(findings(streamed) == findings(whole))
        #expect(findings(whole).count >= 4)
        #expect(streamed.resourceCount == whole.resourceCount)
        #expect(streamed.resourceCount == 2)
        #expect(streamed.resources.isEmpty)
        #expect(streamed.files.map(\.path) == ["r.yaml"])
        #expect(streamed.files.first?.sourceLine(7) == whole.files.first?.sourceLine(7))
    }

    @Test func aSyntaxErrorAfterValidDocumentsReportsOnlyThat() {
        let text = Self.mixed + "---\nkind: [unclosed\n"
        let (whole, streamed, _) = both(text)
        #expect(findings(streamed) == findings(whole))
        #expect(findings(streamed).count == 1)
        #expect(streamed.resourceCount == 0)
        #expect(streamed.unparsed.map(\.path) == ["r.yaml"])
        #expect(streamed.files.isEmpty)
    }

    @Test func aFileWithoutDocumentsSaysSo() {
        for text in ["", "---\n~\n", "# only a comment\n"] {
            let (whole, streamed, _) = both(text)
            #expect(findings(streamed) == findings(whole))
            #expect(findings(streamed) == ["r.yaml:1:1 MESH0006 nothing to check: the file holds no resources"])
        }
    }
}
