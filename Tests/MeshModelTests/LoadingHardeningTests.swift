import Foundation
import MeshYAML
import Testing

@testable import MeshModel

/// Loads `text` as `-f` input would be loaded, without validation.
private func load(_ text: String) -> LoadedRules {
    var rules = LoadedRules()
    RuleLoader.load(Array(text.utf8), name: "t.yaml", into: &rules)
    return rules
}

private func virtualService(name: String = "r", hosts: String = "[reviews]", extra: String = "") -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: \(name)
    spec:
      hosts: \(hosts)
      http:
      - route:
        - destination: {host: reviews}
    \(extra)

    """
}

@Suite struct OversizedNameTests {
    @Test func aHostOverTheLimitIsReportedOnceAndTheResourceSkipped() {
        let host = String(repeating: "h", count: 2000)
        let rules = load(virtualService(hosts: "[ok, \(host), \(host)]"))
        #expect(rules.resourceCount == 0)
        #expect(rules.diagnostics.count == 1)
        let d = rules.diagnostics[0]
        #expect(d.code == "IST0106")
        #expect(d.resource == "VirtualService default/r")
        #expect(d.field == "spec.hosts[1]")
        #expect((d.line, d.column) == (6, 15))
        #expect(d.message.contains("is 2000 bytes long"))
        #expect(d.message.contains("at most \(ResourceDecoder.maxNameLength) bytes"))
    }

    @Test func namesAndLabelValuesAreBoundedToo() {
        let long = String(repeating: "n", count: ResourceDecoder.maxNameLength + 1)
        let named = load(virtualService(name: long))
        #expect(named.diagnostics.map(\.field) == ["metadata.name"])
        #expect(named.diagnostics.first?.resource == "VirtualService default/<unnamed>")
        let labelled = load(
            virtualService().replacingOccurrences(of: "  name: r\n", with: "  name: r\n  labels: {app: \(long)}\n"))
        #expect(labelled.diagnostics.map(\.field) == ["metadata.labels.app"])
        let destination = load(virtualService().replacingOccurrences(of: "{host: reviews}", with: "{host: \(long)}"))
        #expect(destination.diagnostics.map(\.field) == ["spec.http[0].route[0].destination.host"])
    }

    @Test func longTextThatIsNotANameIsLeftAlone() {
        let text = String(repeating: "t", count: 5000)
        // An annotation (kubectl's last-applied-configuration is often long) and a ConfigMap
        // whose data holds a `hosts` file are not names.
        let annotated = load(
            virtualService().replacingOccurrences(of: "  name: r\n", with: "  name: r\n  annotations: {note: \(text)}\n"))
        #expect(annotated.diagnostics.isEmpty)
        #expect(annotated.resourceCount == 1)
        let configMap = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: etc}\ndata:\n  hosts: \(text)\n  name: \(text)\n")
        #expect(configMap.diagnostics.isEmpty)
        #expect(configMap.resourceCount == 1)
    }

    @Test func namesAtTheLimitAreAccepted() {
        let host = String(repeating: "h", count: ResourceDecoder.maxNameLength)
        let rules = load(virtualService(hosts: "[\(host)]"))
        #expect(rules.resourceCount == 1)
        #expect(rules.diagnostics.isEmpty)
    }
}

@Suite struct DuplicateKeyLoadingTests {
    @Test func aDuplicateKeySkipsItsDocumentOnly() {
        let text =
            virtualService(name: "a").replacingOccurrences(of: "  name: a\n", with: "  name: a\n  name: b\n") + "---\n"
            + virtualService(name: "c", extra: "      weigth: 10") + "---\n" + virtualService(name: "d")
        let rules = load(text)
        #expect(rules.resourceCount == 2)
        #expect(rules.diagnostics.map(\.code) == ["MESH0004", "IST0106"])
        #expect(rules.diagnostics[0].message == "duplicate key `name` (first defined at line 4)")
        #expect(rules.diagnostics[0].line == 5)
        #expect(rules.diagnostics[1].message.contains("weigth"))
        #expect(rules.files.count == 1)
        #expect(rules.unparsed.isEmpty)
    }

    @Test func inAListOnlyTheItemWithTheDuplicateIsSkipped() {
        let text = """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: networking.istio.io/v1, kind: DestinationRule, metadata: {name: a}, spec: {host: x, host: y}}
            - {apiVersion: networking.istio.io/v1, kind: DestinationRule, metadata: {name: b}, spec: {host: x}}
            """
        let rules = load(text)
        #expect(rules.resources.map(\.name) == ["b"])
        #expect(rules.diagnostics.map(\.code) == ["MESH0004"])
    }
}

@Suite struct RendererHardeningTests {
    @Test func longQuotedValuesAreShortenedInMessages() {
        let value = String(repeating: "v", count: 5000)
        let message = "host `\(value)` is not valid; quote it: \"\(value)\" or not"
        let shown = DiagnosticRenderer.abbreviatingQuotes(message)
        let head = String(repeating: "v", count: DiagnosticRenderer.quotedValueLimit / 2)
        #expect(shown == "host `\(head)…` (5000 bytes) is not valid; quote it: \"\(head)…\" (5000 bytes) or not")
        // Short values and short messages are untouched, whatever their quotes.
        let short = "unknown field `weigth` in spec; did you mean `weight`? \"x\" " + String(repeating: "y", count: 300)
        #expect(DiagnosticRenderer.abbreviatingQuotes(short) == short)
        let unbalanced = "value `" + value
        #expect(DiagnosticRenderer.abbreviatingQuotes(unbalanced) == "value `\(head)… (5000 bytes)")
    }

    @Test func textAndJSONBothShortenTheMessage() throws {
        let value = String(repeating: "v", count: 3000)
        let diagnostic = Diagnostic(level: .error, code: "IST0106", message: "bad `\(value)`", file: "f.yaml", line: 1, column: 1)
        let text = DiagnosticRenderer.text([diagnostic], files: [])
        #expect(text.utf8.count < 400)
        #expect(text.contains("(3000 bytes)"))
        let json = DiagnosticRenderer.json([diagnostic], files: 1, resources: 0)
        #expect(json.utf8.count < 600)
        #expect(json.contains("(3000 bytes)"))
    }

    /// The caret of a rendered excerpt sits under `marker`'s first character.
    func caretIsUnderMarker(_ rendered: String, marker: String) -> Bool {
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The first line is the headline; the excerpt follows it.
        guard let quoted = lines.dropFirst().firstIndex(where: { $0.contains(marker) }), quoted + 1 < lines.count,
            let caret = lines[quoted + 1].firstIndex(of: "^"),
            let at = lines[quoted].range(of: marker)?.lowerBound
        else { return false }
        return lines[quoted + 1].distance(from: lines[quoted + 1].startIndex, to: caret)
            == lines[quoted].distance(from: lines[quoted].startIndex, to: at)
    }

    @Test func aLongLineIsQuotedAsAWindowAroundTheColumn() throws {
        let line =
            "k: [" + String(repeating: "aaaa, ", count: 1000) + "TARGET, " + String(repeating: "bbbb, ", count: 1000) + "z]"
        let file = try YAMLLoader.load(line + "\n", path: "w.yaml")
        let column = line.distance(from: line.startIndex, to: line.range(of: "TARGET")!.lowerBound) + 1
        let d = Diagnostic(level: .error, code: "X", message: "m", file: "w.yaml", line: 1, column: column)
        let text = DiagnosticRenderer.text([d], files: [file])
        let quoted = try #require(text.split(separator: "\n").dropFirst().first)
        #expect(quoted.hasPrefix("  …") && quoted.hasSuffix("…"))
        #expect(quoted.count == 2 + 1 + DiagnosticRenderer.excerptWidth + 1)
        #expect(caretIsUnderMarker(text, marker: "TARGET"))
        // Near the start, the window starts at the line's start, as before.
        let early = DiagnosticRenderer.text(
            [Diagnostic(level: .error, code: "X", message: "m", file: "w.yaml", line: 1, column: 5)], files: [file])
        #expect(early.contains("\n  k: [aaaa"))
        #expect(caretIsUnderMarker(early, marker: "aaaa"))
        // At the end, the window runs to the line's end.
        let late = DiagnosticRenderer.text(
            [Diagnostic(level: .error, code: "X", message: "m", file: "w.yaml", line: 1, column: line.count)], files: [file])
        #expect(late.contains("bbbb, z]\n"))
        #expect(late.hasSuffix("z]\n  " + String(repeating: " ", count: 101) + "^\n"))
        #expect(caretIsUnderMarker(late, marker: "]"))
    }

    @Test func shortLinesAreQuotedWhole() throws {
        let file = try YAMLLoader.load("a: 1\nbb: two\n", path: "s.yaml")
        let d = Diagnostic(level: .error, code: "X", message: "m", file: "s.yaml", line: 2, column: 5)
        #expect(DiagnosticRenderer.text([d], files: [file]) == "s.yaml:2:5: error: m [X]\n  bb: two\n      ^\n")
    }
}

@Suite struct SuggestionBoundsTests {
    @Test func aHugeWordGetsNoSuggestionAndNoQuadraticTable() {
        // Were the edit-distance table built, it would take 5 MB × 12 × 8 bytes: the answer
        // comes from the lengths alone.
        let huge = String(repeating: "x", count: 5 << 20)
        #expect(Suggest.closest(to: huge, in: ["ROUND_ROBIN", "LEAST_REQUEST"]) == nil)
        #expect(Suggest.closest(to: "ROUND_ROBN", in: ["ROUND_ROBIN", "LEAST_REQUEST"]) == "ROUND_ROBIN")
        #expect(Suggest.closest(to: "wieght", in: ["weight", "headers"]) == "weight")
    }
}
