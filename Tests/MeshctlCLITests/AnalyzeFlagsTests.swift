import Foundation
import Testing

/// istioctl's analyze flags: suppression forms, thresholds, output formats, colour, namespaces.
@Suite struct AnalyzeFlagsTests {
    /// `legacy` in namespace default (AnalyzeCommandTests' rules): an unreachable rule (IST0130,
    /// warning) and a missing subset (IST0101, error); `shop/cart`: a missing host (IST0101).
    let rules =
        AnalyzeCommandTests().rules + """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart, namespace: shop}
            spec:
              hosts: [cart]
              http:
              - route: [{destination: {host: cart}}]

            """

    func write(_ text: String) throws -> String {
        try CLI.write(text, to: "rules.yaml", in: try CLI.temporaryDirectory())
    }

    /// The codes and resources of the findings a run printed, from its headlines.
    func headlines(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.contains(": error: ") || $0.contains(": warning: ") }.map { line in
            let code = line.split(separator: "[").last.map { String($0.dropLast()) } ?? ""
            let resource = line.split(separator: ": ", maxSplits: 3).dropFirst(2).first ?? ""
            return "\(code) \(resource)"
        }.sorted()
    }

    @Test func suppressionsInIstioctlsForm() throws {
        let path = try write(rules)
        let all = try CLI.run(["analyze", "-f", path])
        #expect(
            headlines(all.stdout) == [
                "IST0101 VirtualService default/legacy", "IST0101 VirtualService shop/cart",
                "IST0130 VirtualService default/legacy",
            ])
        let istioctl = try CLI.run([
            "analyze", "-f", path, "-S", "IST0101=VirtualService cart.shop", "-S", "IST0130=VirtualService legacy.default",
        ])
        #expect(headlines(istioctl.stdout) == ["IST0101 VirtualService default/legacy"])
        let wildcard = try CLI.run(["analyze", "-f", path, "-S", "IST01*=VirtualService *.default"])
        #expect(headlines(wildcard.stdout) == ["IST0101 VirtualService shop/cart"])
    }

    @Test func anUnknownCodeIsAUsageError() throws {
        let path = try write(rules)
        let unknown = try CLI.run(["analyze", "-f", path, "-S", "IST9999=VirtualService legacy.default"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown code 'IST9999' in suppression 'IST9999=VirtualService legacy.default'"))
        #expect(unknown.stdout.isEmpty)
        #expect(try CLI.run(["analyze", "-f", path, "-S", "MESH99*=VirtualService *"]).status == 64)
        // A pattern that names known codes, and `*`, are fine.
        #expect(try CLI.run(["analyze", "-f", path, "-S", "*=VirtualService *"]).status == 0)
    }

    @Test func outputThresholdHidesFindingsButNotTheExitStatus() throws {
        let path = try write(rules)
        let errors = try CLI.run(["analyze", "-f", path, "--output-threshold", "Error"])
        #expect(errors.status == 79)
        #expect(headlines(errors.stdout) == ["IST0101 VirtualService default/legacy", "IST0101 VirtualService shop/cart"])
        #expect(
            errors.stdout.hasSuffix(
                "✘ 2 errors when analyzing 3 resources in 1 file; 1 finding below --output-threshold error not shown.\n"))
        // Nothing printed, yet the hidden warning still fails a warning threshold.
        let quiet = try CLI.run([
            "analyze", "-f", path, "-S", "IST0101=*", "--output-threshold", "error", "--failure-threshold", "warning",
            "-o", "json",
        ])
        #expect(quiet.status == 79)
        let document = try JSONSerialization.jsonObject(with: Data(quiet.stdout.utf8)) as? [String: Any]
        #expect((document?["diagnostics"] as? [Any])?.isEmpty == true)
        #expect(try CLI.run(["analyze", "-f", path, "--output-threshold", "fatal"]).status == 64)
    }

    @Test func yamlOutputIsTheJSONDocument() throws {
        let path = try write(rules)
        let yaml = try CLI.run(["analyze", "-f", path, "-o", "yaml", "-S", "IST0101=*"])
        #expect(yaml.status == 0)
        #expect(
            yaml.stdout == """
                diagnostics:
                - code: IST0130
                  column: 5
                  field: spec.http[1]
                  file: \(path)
                  level: warning
                  line: 17
                  message: "VirtualService rule #1 not used (only the last rule can have no matches)"
                  resource: VirtualService default/legacy
                files: 1
                resources: 3

                """)
        let failing = try CLI.run(["analyze", "-f", path, "-o", "yaml"])
        #expect(failing.status == 79)
        #expect(failing.stdout.components(separatedBy: "- code: IST0101").count == 3)
        let list = try CLI.run(["analyze", "--list-analyzers", "-o", "yaml"])
        #expect(list.stdout.contains("- code: IST0101\n  description: A host, port, subset, gateway, selector or credential"))
    }

    /// Runs `meshctl arguments` on a pseudo-terminal (util-linux `script`), with `environment` added.
    func onTerminal(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let command = ([CLI.binary.path] + arguments).map(CLI.shellQuote).joined(separator: " ")
        process.arguments = ["-qec", command, "/dev/null"]
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        env["TERM"] = "xterm"
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func colourOnATerminalOnlyAndNeverWithNoColorUnlessForced() throws {
        let path = try write(rules)
        let red = "\u{1B}[1;31merror\u{1B}[0m: VirtualService default/legacy"
        let yellow = "\u{1B}[1;33mwarning\u{1B}[0m: VirtualService default/legacy"
        // A pipe is not a terminal: no colour, unless forced.
        #expect(!(try CLI.run(["analyze", "-f", path]).stdout.contains("\u{1B}[")))
        let forced = try CLI.run(["analyze", "-f", path, "--color", "always"]).stdout
        #expect(forced.contains(red) && forced.contains(yellow))
        #expect(!(try CLI.run(["analyze", "-f", path, "--color=false"]).stdout.contains("\u{1B}[")))

        let terminal = try onTerminal(["analyze", "-f", path])
        #expect(terminal.contains(red) && terminal.contains(yellow), "\(terminal)")
        #expect(!(try onTerminal(["analyze", "-f", path], environment: ["NO_COLOR": "1"]).contains("\u{1B}[")))
        #expect(!(try onTerminal(["analyze", "-f", path], environment: ["TERM": "dumb"]).contains("\u{1B}[")))
        #expect(!(try onTerminal(["analyze", "-f", path, "--color", "never"]).contains("\u{1B}[")))
        #expect(try onTerminal(["analyze", "-f", path, "--color=true"], environment: ["NO_COLOR": "1"]).contains(red))
        // JSON is never coloured.
        #expect(!(try onTerminal(["analyze", "-f", path, "-o", "json", "--color", "always"]).contains("\u{1B}[")))
        #expect(try CLI.run(["analyze", "-f", path, "--color", "sometimes"]).status == 64)
    }

    @Test func namespaceFiltersWhatIsReported() throws {
        let path = try write(rules)
        let shop = try CLI.run(["analyze", "-f", path, "-n", "shop"])
        #expect(shop.status == 79)
        #expect(headlines(shop.stdout) == ["IST0101 VirtualService shop/cart"])
        #expect(shop.stdout.hasSuffix("✘ 1 error when analyzing 3 resources in 1 file (findings in namespace shop).\n"))
        // The exit status counts only what is reported.
        let other = try CLI.run(["analyze", "-f", path, "--namespace", "other"])
        #expect(other.status == 0)
        #expect(other.stdout.hasPrefix("✔ No validation issues found"))
        // A file that cannot be read is reported whatever the namespace.
        let missing = try CLI.run(["analyze", "-f", path, "-f", "/nonexistent.yaml", "-n", "other"])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("/nonexistent.yaml"))
        let all = try CLI.run(["analyze", "-f", path, "-A"])
        #expect(headlines(all.stdout).count == 3)
        #expect(try CLI.run(["analyze", "-f", path, "-A", "-n", "shop"]).status == 64)
    }

    @Test func recursiveIsAcceptedAndChangesNothing() throws {
        let plain = try CLI.run(["analyze", "-f", "samples/tutorial/"])
        let recursive = try CLI.run(["analyze", "-R", "-f", "samples/tutorial/"])
        #expect(recursive.status == 0)
        #expect(recursive.stdout == plain.stdout)
        #expect(try CLI.run(["analyze", "--recursive", "-f", "samples/tutorial/"]).stdout == plain.stdout)
    }
}
