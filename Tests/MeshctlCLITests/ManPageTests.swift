import Foundation
import Testing

/// The checked-in man page reads cleanly in mdoc and names every exit status.
@Suite struct ManPageTests {
    let page = (try? String(contentsOf: CLI.root.appendingPathComponent("man/meshctl.1"), encoding: .utf8)) ?? ""

    @Test func noEmptyInputLines() {
        // mdoc warns about each empty line; a paragraph break is `.Pp`.
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { !$0.isEmpty }, "run scripts/generate-docs.sh")
    }

    @Test func exitStatusNamesEveryStatus() throws {
        let section = try #require(page.components(separatedBy: ".Sh \"EXIT STATUS\"").last)
        for status in ["0", "1", "64", "79"] {
            #expect(section.contains("\n.It \(status)\n"), "EXIT STATUS lacks \(status)")
        }
        #expect(!section.contains(".Ex -std"))
    }

    @Test func analyzeFlagsAreDocumented() {
        for flag in ["-output-threshold", "Fl n , -namespace", "Fl A , -all-namespaces", "Fl R , -recursive", "Fl -color"] {
            #expect(page.contains(flag), "\(flag) missing")
        }
    }
}
