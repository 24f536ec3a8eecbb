import Foundation
import Testing

@Suite struct ValidateCommandTests {
    let badRule = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews}
              weigth: 10

        """

    @Test func everySampleValidatesClean() throws {
        let result = try CLI.run(["validate", "-f", "samples/"])
        #expect(result.status == 0)
        #expect(!result.stdout.contains("warning"))
        #expect(!result.stdout.contains("error"))
        #expect(result.stdout.contains("valid"))
    }

    @Test func samplesValidateWithinSmallBounds() throws {
        let usage = try CLI.runBounded(["validate", "-f", "samples/"], cpuSeconds: 10, memoryBytes: 2 << 30)
        #expect(usage.signal == 0 && usage.status == 0, "\(usage.stderr)")
        #expect(usage.peakMemory > 0 && usage.peakMemory < 200 << 20)
        #expect(usage.cpuSeconds < 5)
        #expect(usage.stdout.contains("valid"))
    }

    @Test func errorsPrintFileLineColumnSourceAndCaret() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(badRule, to: "bad.yaml", in: dir)
        let result = try CLI.run(["validate", "-f", path])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            lines[0]
                == "\(path):10:7: error: VirtualService default/reviews: unknown field `weigth` in spec.http[0].route[0]; did you mean `weight`? [IST0106]"
        )
        #expect(lines[1] == "        weigth: 10")
        #expect(lines[2] == "        ^")
    }

    @Test func jsonOutputFollowsTheContract() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(badRule, to: "bad.yaml", in: dir)
        let result = try CLI.run(["validate", "-f", path, "-o", "json"])
        #expect(result.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(json["files"] as? Int == 1)
        #expect(json["resources"] as? Int == 1)
        let diagnostics = json["diagnostics"] as! [[String: Any]]
        #expect(diagnostics.count == 1)
        let d = diagnostics[0]
        #expect(d["level"] as? String == "error")
        #expect(d["code"] as? String == "IST0106")
        #expect(d["line"] as? Int == 10)
        #expect(d["column"] as? Int == 7)
        #expect(d["file"] as? String == path)
        #expect(d["resource"] as? String == "VirtualService default/reviews")
        #expect(d["field"] as? String == "spec.http[0].route[0].weigth")
        #expect(d.keys.sorted() == ["code", "column", "field", "file", "level", "line", "message", "resource"])
    }

    @Test func standardInput() throws {
        let result = try CLI.run(["validate", "-f", "-"], stdin: badRule)
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("<stdin>:10:7: error:"))
        let good = try CLI.run(["validate", "-f", "-"], stdin: badRule.replacingOccurrences(of: "weigth", with: "weight"))
        #expect(good.status == 0)
    }

    @Test func noInputIsAUsageError() throws {
        let result = try CLI.run(["validate"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("-f"))
        #expect(try CLI.run(["validate", "-f", "x.yaml", "--bogus"]).status == 64)
    }

    @Test func warningsAloneExitZero() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(
            "apiVersion: config.istio.io/v1alpha2\nkind: rule\nmetadata: {name: x}\nspec: {}\n", to: "mixer.yaml", in: dir)
        let result = try CLI.run(["validate", "-f", path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("warning: unsupported kind `rule`"))
    }

    /// Each bad input: one clear first line, exit 1, no crash, well within time.
    @Test(arguments: [
        ("garbage", "the file contains control characters"),
        ("utf8", "not valid UTF-8"),
        ("tab", "tab character used for indentation"),
        ("quote", "unterminated quoted string"),
        ("deep", "nesting deeper than 256 levels"),
        ("bomb", "alias `*"),
        ("dupkey", "duplicate key `name`"),
        ("missing", "no such file or directory"),
        ("emptydir", "no .yaml, .yml or .json files"),
    ])
    func badInputIsReportedNotCrashedOn(kind: String, phrase: String) throws {
        let dir = try CLI.temporaryDirectory()
        var path = dir.appendingPathComponent("\(kind).yaml").path
        switch kind {
        case "garbage":
            var bytes = [UInt8]()
            var seed: UInt64 = 42
            for _ in 0..<4096 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: seed >> 33) & 0x1f)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        case "utf8": try Data([0x61, 0x3a, 0x20, 0xc3, 0x28, 0x0a]).write(to: URL(fileURLWithPath: path))
        case "tab": _ = try CLI.write("apiVersion: v1\nmetadata:\n\tname: a\n", to: "tab.yaml", in: dir)
        case "quote": _ = try CLI.write("kind: \"VirtualService\nmetadata: {}\n", to: "quote.yaml", in: dir)
        case "deep":
            _ = try CLI.write(
                "a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), to: "deep.yaml", in: dir)
        case "bomb":
            var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            let names = ["b", "c", "d", "e", "f", "g", "h", "i"]
            for (i, name) in names.enumerated() {
                let previous = i == 0 ? "a" : names[i - 1]
                text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            }
            _ = try CLI.write(text, to: "bomb.yaml", in: dir)
        case "dupkey": _ = try CLI.write("metadata:\n  name: a\n  name: b\n", to: "dupkey.yaml", in: dir)
        case "emptydir":
            path = dir.appendingPathComponent("nothing-here").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            _ = try CLI.write("not yaml", to: "nothing-here/readme.txt", in: dir)
        default: break
        }
        let started = Date()
        let result = try CLI.run(["validate", "-f", path])
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.status == 1)
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains(": error: "))
        #expect(first.contains(phrase))
        #expect(!result.output.contains("Fatal error"))
    }

    @Test func emptyFileHasNothingToCheck() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write("", to: "empty.yaml", in: dir)
        let result = try CLI.run(["validate", "-f", path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("nothing to check"))
    }

    @Test func directoriesAreReadRecursivelyInSortedOrder() throws {
        let dir = try CLI.temporaryDirectory()
        _ = try CLI.write(badRule, to: "b/second.yml", in: dir)
        _ = try CLI.write(badRule, to: "a/first.json.yaml", in: dir)
        _ = try CLI.write("ignored", to: "a/notes.txt", in: dir)
        let result = try CLI.run(["validate", "-f", dir.path])
        #expect(result.status == 1)
        let headlines = result.stdout.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(headlines.count == 2)
        #expect(headlines[0].contains("a/first.json.yaml:10:7"))
        #expect(headlines[1].contains("b/second.yml:10:7"))
        #expect(result.stdout.contains("2 errors in 2 resources in 2 files"))
    }
}

@Suite struct GeneratedFilesTests {
    /// The checked-in completion scripts must match what the parser generates today.
    @Test(arguments: [
        ("bash", "completions/meshctl.bash"), ("zsh", "completions/_meshctl"), ("fish", "completions/meshctl.fish"),
    ])
    func completionScriptsAreCurrent(shell: String, path: String) throws {
        let generated = try CLI.run(["--generate-completion-script", shell]).stdout
        let checkedIn = try String(contentsOf: CLI.root.appendingPathComponent(path), encoding: .utf8)
        #expect(
            generated == checkedIn,
            "completions are stale: run scripts/generate-docs.sh and commit \(path)")
    }

    @Test func manPageDocumentsEveryCommand() throws {
        let page = try String(contentsOf: CLI.root.appendingPathComponent("man/meshctl.1"), encoding: .utf8)
        let help = try CLI.run(["--help"]).stdout
        for line in help.split(separator: "\n") where line.hasPrefix("  ") {
            let word = line.split(separator: " ").first.map(String.init) ?? ""
            guard !word.isEmpty, !word.hasPrefix("-"), word.first!.isLowercase else { continue }
            #expect(page.contains(word), "man/meshctl.1 lacks `\(word)`: run scripts/generate-docs.sh")
        }
    }
}
