import Foundation
import Testing

/// samples/README.md says how the samples combine; every combination it gives must analyze clean.
@Suite struct SamplesTests {
    let readme = (try? String(contentsOf: CLI.root.appendingPathComponent("samples/README.md"), encoding: .utf8)) ?? ""

    static let scenarios: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("samples/scenarios").path))
        ?? []).filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted()

    /// The files the README combines a scenario with.
    func base(of scenario: String) -> [String] {
        switch scenario {
        case "circuit-breaker", "pool-ejection":
            ["-f", "samples/tutorial/registry.yaml", "-f", "samples/scenarios/canary-50-50.yaml"]
        case "egress": ["-f", "samples/tutorial/"]
        default: ["-f", "samples/tutorial/registry.yaml", "-f", "samples/tutorial/destination-rules.yaml"]
        }
    }

    @Test func everyScenarioIsDocumented() {
        #expect(Self.scenarios.count >= 13)
        for scenario in Self.scenarios {
            #expect(readme.contains("`\(scenario)`"), "samples/README.md does not say how to use \(scenario)")
        }
    }

    @Test(arguments: scenarios)
    func scenarioAnalyzesCleanWithWhatItIsWrittenFor(scenario: String) throws {
        let result = try CLI.run(
            ["analyze"] + base(of: scenario) + ["-f", "samples/scenarios/\(scenario).yaml", "--failure-threshold", "info"])
        #expect(result.status == 0, "\(scenario): \(result.stdout)")
        #expect(result.stdout.hasPrefix("✔ No validation issues found"), "\(scenario): \(result.stdout)")
    }

    @Test func theWholeFolderReportsEachReplacement() throws {
        // What the README explains: one MESH0008 per later definition, 10 of the VirtualService
        // recommendation, 2 of the DestinationRule recommendation and 1 of the mesh ConfigMap.
        let result = try CLI.run(["analyze", "-f", "samples/"])
        let replacements = result.stdout.split(separator: "\n").filter { $0.hasSuffix("[MESH0008]") }
        #expect(replacements.count == 13)
        #expect(result.stdout.split(separator: "\n").filter { $0.contains(": error: ") }.isEmpty)
        #expect(readme.contains("meshctl analyze -f samples/"))
    }
}
