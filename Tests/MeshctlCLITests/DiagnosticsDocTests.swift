import Foundation
import Testing

/// docs/diagnostics.md documents every code with an example: each YAML example must make
/// `meshctl analyze` report its code.
@Suite struct DiagnosticsDocTests {
    /// `### CODE Name` sections and the first YAML block of each (nil when it has none).
    func examples() throws -> [(code: String, yaml: String?)] {
        let text = try String(contentsOf: CLI.root.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
        var result: [(String, String?)] = []
        for section in text.components(separatedBy: "\n### ").dropFirst() {
            let code = String(section.prefix { $0 != " " && $0 != "\n" })
            var yaml: String?
            if let start = section.range(of: "```yaml\n"),
                let end = section.range(of: "\n```", range: start.upperBound..<section.endIndex)
            {
                yaml = String(section[start.upperBound..<end.lowerBound])
            }
            result.append((code, yaml))
        }
        return result
    }

    @Test func everyCodeHasASection() throws {
        let list = try CLI.run(["analyze", "--list-analyzers", "-o", "json"])
        let codes = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]).map {
            $0["code"] as! String
        }
        let documented = Set(try examples().map(\.code))
        for code in codes { #expect(documented.contains(code), "docs/diagnostics.md has no example for \(code)") }
        // Every code an analyzer reports has a YAML example.
        let withYAML = Set(try examples().filter { $0.yaml != nil }.map(\.code))
        for code in codes where code.hasPrefix("IST") || code.hasPrefix("MESH01") {
            #expect(withYAML.contains(code), "\(code) lacks a YAML example")
        }
    }

    @Test func everyExampleReportsItsCode() throws {
        let dir = try CLI.temporaryDirectory()
        for (code, yaml) in try examples() {
            guard let yaml else { continue }
            let path = try CLI.write(yaml + "\n", to: "\(code).yaml", in: dir)
            let result = try CLI.run(["analyze", "-f", path])
            #expect(result.stdout.contains("[\(code)]"), "\(code):\n\(result.stdout)")
        }
    }
}
