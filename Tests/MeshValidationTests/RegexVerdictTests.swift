import MeshRegex
import Testing

@testable import MeshValidation

/// Validation judges a regex by compiling it and keeping only RE2's verdict.
@Suite struct RegexVerdictTests {
    @Test(arguments: ["group-[0-9]+", ".*(Chrome|Firefox)/1[0-9][.][0-9]+.*", "(a|b|c){3,9}x[^/]*"])
    func theVerdictCarriesTheCompiledProgramsSize(pattern: String) throws {
        let compiled = try RE2Regex(pattern)
        #expect(try RE2Regex.check(pattern).get() == compiled.programSize)
        #expect(try RegexCache().verdict(pattern).get() == compiled.programSize)
    }

    @Test func aRefusedPatternKeepsRE2sReason() {
        let reason = #expect(throws: RE2Error.self) { try RE2Regex("foo(?=bar)") }?.reason
        guard case .failure(let failure) = RE2Regex.check("foo(?=bar)") else {
            Issue.record("RE2 accepted a lookahead")
            return
        }
        #expect(failure.reason == reason)
        #expect(failure.reason.contains("invalid perl operator"))
    }

    @Test func aLargeProgramIsAWarningWithItsSize() throws {
        let pattern = "(alpha|beta|gamma|delta|epsilon|zeta|eta|theta)-[a-z0-9]{6,16}-(north|south|east|west)"
        let size = try RE2Regex(pattern).programSize
        #expect(size > Check.envoyMaxProgramSize)
        let text = vs(
            """
              - match:
                - uri: {regex: "\(pattern)"}
                route:
                - destination: {host: reviews}
            """)
        let d = try findings(text)
        #expect(
            d.map(\.message) == [
                "spec.http[0].match[0].uri.regex: regex program size \(size) exceeds Envoy's default limit of 100; Envoy would reject this route"
            ])
    }
}

/// `retryOn` is split on commas and trimmed of spaces, the fast way for ASCII and by characters
/// otherwise.
@Suite struct RetryConditionTests {
    @Test(arguments: [
        "5xx,connect-failure", " 5xx , reset ,, 503 ", "", ",", "gateway-error", " ", "a,b\u{301},c", "x ,\u{301}y",
    ])
    func splitsAsCharactersWould(text: String) {
        let byCharacters = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        #expect(Check.retryConditions(text) == byCharacters)
    }
}
