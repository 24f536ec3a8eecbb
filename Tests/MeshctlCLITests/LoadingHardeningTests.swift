import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A VirtualService whose route names and hosts can be filled in.
private func virtualService(name: String = "reviews", hosts: String, http: String) -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: \(name)
    spec:
      hosts:
    \(hosts)
      http:
    \(http)
    """
}

private let route = "  - route:\n    - destination: {host: reviews}\n"

/// Hostile sizes: each run is bounded by the kernel (CPU seconds, address space) and its peak
/// memory and CPU time are asserted from `wait4`.
@Suite struct SizeBombTests {
    static let megabytes2 = String(repeating: "x", count: 2 << 20)

    /// A 2 MB anchored string reused 1,000 times as a route name: 2 GB once expanded.
    static let nameBomb = virtualService(
        hosts: "  - reviews",
        http: "  - name: &big \(megabytes2)\n    route:\n    - destination: {host: reviews}\n"
            + String(repeating: "  - name: *big\n    route:\n    - destination: {host: reviews}\n", count: 1000))

    /// The same string reused 1,000 times in `hosts:`.
    static let hostBomb = virtualService(
        hosts: "  - &big \(megabytes2)\n" + String(repeating: "  - *big\n", count: 1000), http: route)

    static let commands: [[String]] = [
        ["validate"], ["analyze"], ["proxy-config", "routes"], ["proxy-config", "all", "-o", "json"],
        ["simulate", "--host", "reviews"],
    ]

    @Test(arguments: ["name", "hosts"], commands)
    func anAliasedByteBombIsRefusedQuicklyInLittleMemory(bomb: String, command: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try CLI.write(bomb == "name" ? Self.nameBomb : Self.hostBomb, to: "bomb.yaml", in: dir)
        let run = try CLI.runBounded(command + ["-f", path], cpuSeconds: 20, memoryBytes: 2 << 30)
        #expect(run.signal == 0)
        // analyze exits 79 for findings at its failure threshold (errors, by default).
        #expect(run.status == (command == ["analyze"] ? 79 : 1))
        let output = run.stdout + run.stderr
        #expect(output.contains("alias `*big` expands the document past the limit of 16 MiB of aliased text [MESH0003]"))
        // The file alone is 2 MB; the expansion would be 2 GB.
        #expect(run.peakMemory < 150 << 20, "peak \(run.peakMemory >> 20) MB")
        #expect(run.cpuSeconds < 5, "\(run.cpuSeconds) s of CPU")
        #expect(output.utf8.count < 10_000)
    }

    @Test(arguments: commands)
    func aHostUnderTheAliasLimitButOverTheNameLimitIsRefusedOnce(command: [String]) throws {
        // 100 KiB × 100 = 10 MB of aliases, under 16 MiB: the host's own size stops it.
        let host = String(repeating: "h", count: 100 << 10)
        let text = virtualService(hosts: "  - &big \(host)\n" + String(repeating: "  - *big\n", count: 100), http: route)
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try CLI.write(text, to: "hosts.yaml", in: dir)
        let run = try CLI.runBounded(command + ["-f", path], cpuSeconds: 20, memoryBytes: 2 << 30)
        #expect(run.signal == 0)
        // analyze exits 79 for findings at its failure threshold (errors, by default).
        #expect(run.status == (command == ["analyze"] ? 79 : 1))
        let output = run.stdout + run.stderr
        #expect(
            output.contains(
                "hosts.yaml:7:5: error: VirtualService default/reviews: spec.hosts[0] is 102400 bytes long; meshctl reads names, "
                    + "hosts and labels of at most 1024 bytes (Kubernetes and DNS allow 253) [IST0106]"))
        #expect(output.components(separatedBy: "[IST0106]").count == 2)
        #expect(run.peakMemory < 150 << 20, "peak \(run.peakMemory >> 20) MB")
        #expect(run.cpuSeconds < 5, "\(run.cpuSeconds) s of CPU")
    }

    @Test func aFiveMegabyteHostIsNotPrintedWhole() throws {
        let host = String(repeating: "h", count: 5 << 20)
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try CLI.write(virtualService(hosts: "  - \(host)", http: route), to: "big.yaml", in: dir)
        let run = try CLI.runBounded(["validate", "-f", path], cpuSeconds: 20, memoryBytes: 2 << 30)
        #expect(run.status == 1)
        #expect(run.stdout.contains("spec.hosts[0] is 5242880 bytes long"))
        // The headline, a 200-character window of the line and the caret: a few hundred bytes.
        #expect(run.stdout.utf8.count < 2_000)
        #expect(run.peakMemory < 150 << 20, "peak \(run.peakMemory >> 20) MB")
    }

    @Test func aFiveMegabyteEnumValueIsQuotedShortAndCostsLittle() throws {
        let value = String(repeating: "x", count: 5 << 20)
        let text = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer:
                  simple: \(value)

            """
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try CLI.write(text, to: "enum.yaml", in: dir)
        let run = try CLI.runBounded(["validate", "-f", path], cpuSeconds: 20, memoryBytes: 2 << 30)
        #expect(run.status == 1)
        #expect(run.stdout.contains("has unknown value `xxxxxxxxxx"))
        #expect(run.stdout.contains("…` (5242880 bytes); expected one of"))
        #expect(run.stdout.utf8.count < 2_000)
        // Suggesting a correction once built a 5 MB × 12 table of integers (600 MB).
        #expect(run.peakMemory < 150 << 20, "peak \(run.peakMemory >> 20) MB")
        #expect(run.cpuSeconds < 5, "\(run.cpuSeconds) s of CPU")
    }

    @Test func manyFindingsOnOneMinifiedLineAreQuotedInLinearTime() throws {
        // 20,000 resources on one 4 MB line, each with a misspelt field: quoting each finding
        // must not rescan the line.
        var items: [String] = []
        for i in 0..<20_000 {
            items.append(
                #"{"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"r\#(i)"},"#
                    + #""spec":{"hosts":["h\#(i)"],"http":[{"route":[{"destination":{"host":"h"},"weigth":1}]}]}}"#)
        }
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try CLI.write(
            #"{"apiVersion":"v1","kind":"List","items":["# + items.joined(separator: ",") + "]}", to: "min.json", in: dir)
        let run = try CLI.runBounded(["validate", "-f", path], cpuSeconds: 60, memoryBytes: 2 << 30)
        #expect(run.status == 1)
        #expect(run.stdout.hasSuffix("✘ 20000 errors in 20000 resources in 1 file\n"))
        #expect(run.cpuSeconds < 15, "\(run.cpuSeconds) s of CPU")
        // The excerpt is a window around the finding, with the caret under `weigth`.
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let last = lines.count - 5
        #expect(lines[last].hasPrefix(path + ":1:"))
        let excerpt = lines[last + 1]
        let caret = try #require(lines[last + 2].firstIndex(of: "^"))
        let column = lines[last + 2].distance(from: lines[last + 2].startIndex, to: caret)
        #expect(excerpt.hasPrefix("  …") && excerpt.count < 210)
        #expect(excerpt.dropFirst(column).hasPrefix(#""weigth""#))
    }
}

/// `-f` reads anything readable, and walks directories as kubectl does.
@Suite struct InputPathTests {
    static let tutorial = CLI.root.appendingPathComponent("samples/tutorial")

    /// Runs a bash command line, with `$M` set to the binary.
    func bash(_ script: String, in directory: URL) throws -> CLI.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "M=\(CLI.shellQuote(CLI.binary.path)); " + script]
        process.currentDirectoryURL = directory
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }

    @Test func processSubstitutionAndDevStdinAreStreams() throws {
        let routes = Self.tutorial.appendingPathComponent("routes.yaml").path
        let substituted = try bash("$M validate -f <(cat \(CLI.shellQuote(routes)))", in: CLI.root)
        #expect(substituted.status == 0)
        #expect(substituted.stdout.contains("✔ 3 resources in 1 file valid"))
        let text = try String(contentsOfFile: routes, encoding: .utf8)
        // CLI.run feeds standard input through a pipe.
        let piped = try CLI.run(["validate", "-f", "/dev/stdin"], stdin: text)
        #expect(piped.status == 0)
        #expect(piped.stdout.contains("✔ 3 resources in 1 file valid"))
    }

    @Test func aFIFOIsRead() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("rules.yaml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let text = try Data(contentsOf: Self.tutorial.appendingPathComponent("routes.yaml"))
        let writer = Thread {
            // Opening for writing waits for meshctl to open the other end.
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(text)
                try? handle.close()
            }
        }
        writer.start()
        let result = try CLI.run(["validate", "-f", fifo])
        #expect(result.status == 0)
        #expect(result.stdout.contains("✔ 3 resources in 1 file valid"))
    }

    @Test func aProcFileIsReadThoughItsSizeIsZero() throws {
        // /proc/self/status is `Key:\tvalue` lines: a mapping with no kind, so there was text.
        let result = try CLI.run(["validate", "-f", "/proc/self/status"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("/proc/self/status:1:1: error: document has no `kind`"))
        #expect(!result.stdout.contains("nothing to check"))
    }

    /// A Kubernetes ConfigMap volume: the files are links into `..data`, itself a link to a
    /// timestamped folder; plus a `.git` folder holding a copy.
    func configMapMount() throws -> URL {
        let fm = FileManager.default
        let dir = try CLI.temporaryDirectory()
        let stamped = dir.appendingPathComponent("..2024_05_01_12_00_00.123456789")
        try fm.createDirectory(at: stamped, withIntermediateDirectories: true)
        for name in ["destination-rules.yaml", "registry.yaml", "routes.yaml"] {
            try fm.copyItem(at: Self.tutorial.appendingPathComponent(name), to: stamped.appendingPathComponent(name))
            try fm.createSymbolicLink(atPath: dir.appendingPathComponent(name).path, withDestinationPath: "..data/\(name)")
        }
        try fm.createSymbolicLink(
            atPath: dir.appendingPathComponent("..data").path, withDestinationPath: stamped.lastPathComponent)
        try fm.createDirectory(at: dir.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try fm.copyItem(
            at: Self.tutorial.appendingPathComponent("routes.yaml"), to: dir.appendingPathComponent(".git/stale.yaml"))
        return dir
    }

    @Test func aConfigMapMountIsReadOnceWithoutHiddenEntries() throws {
        let dir = try configMapMount()
        defer { try? FileManager.default.removeItem(at: dir) }
        let validate = try CLI.run(["validate", "-f", dir.path])
        #expect(validate.status == 0)
        #expect(validate.stdout.contains("✔ 8 resources in 3 files valid"))
        let analyze = try CLI.run(["analyze", "-f", dir.path])
        #expect(!analyze.stdout.contains("MESH0008"))
        #expect(!analyze.stdout.contains(".git"))
    }

    @Test func symlinkedDirectoriesAreFollowedOnceAndLoopsEnd() throws {
        let fm = FileManager.default
        let outer = try CLI.temporaryDirectory()
        defer { try? fm.removeItem(at: outer) }
        let real = outer.appendingPathComponent("real")
        try fm.createDirectory(at: real.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try fm.copyItem(
            at: Self.tutorial.appendingPathComponent("routes.yaml"), to: real.appendingPathComponent("sub/routes.yaml"))
        let walked = outer.appendingPathComponent("walked")
        try fm.createDirectory(at: walked, withIntermediateDirectories: true)
        // A link to a directory elsewhere is followed; links back up (to itself, to its parent)
        // and a second link to the same directory add nothing and do not loop.
        try fm.createSymbolicLink(atPath: walked.appendingPathComponent("rules").path, withDestinationPath: real.path)
        try fm.createSymbolicLink(atPath: walked.appendingPathComponent("again").path, withDestinationPath: real.path)
        try fm.createSymbolicLink(atPath: walked.appendingPathComponent("self").path, withDestinationPath: ".")
        try fm.createSymbolicLink(atPath: real.appendingPathComponent("sub/up").path, withDestinationPath: "..")
        let run = try CLI.runBounded(["validate", "-f", walked.path], cpuSeconds: 10, memoryBytes: 2 << 30)
        #expect(run.signal == 0)
        #expect(run.status == 0)
        #expect(run.stdout.contains("✔ 3 resources in 1 file valid"))
    }

    @Test func brokenPathsSayWhatIsWrong() throws {
        let fm = FileManager.default
        let dir = try CLI.temporaryDirectory()
        defer { try? fm.removeItem(at: dir) }
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("a.yaml").path, withDestinationPath: "b.yaml")
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("b.yaml").path, withDestinationPath: "a.yaml")
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("gone.yaml").path, withDestinationPath: "nowhere.yaml")
        let loop = try CLI.run(["validate", "-f", "a.yaml"], in: dir)
        #expect(loop.status == 1)
        #expect(
            loop.stdout.hasPrefix(
                "a.yaml:1:1: error: cannot read `a.yaml`: symbolic link loop (following its links never reaches a file) [MESH0001]"
            ))
        let dangling = try CLI.run(["validate", "-f", "gone.yaml"], in: dir)
        #expect(
            dangling.stdout.contains("cannot read `gone.yaml`: it is a symbolic link to `nowhere.yaml`, which does not exist"))
        // Found in a walk, the same links are reported by name, not skipped in silence.
        let walk = try CLI.run(["validate", "-f", "."], in: dir)
        #expect(walk.status == 1)
        #expect(walk.stdout.contains("cannot read `./a.yaml`: symbolic link loop"))
        #expect(walk.stdout.contains("cannot read `./gone.yaml`: it is a symbolic link to `nowhere.yaml`"))
        #expect(!walk.stdout.contains("no .yaml, .yml or .json files"))
        let dump = try CLI.run(["proxy-config", "routes", "--file", dir.path])
        #expect(dump.status == 1)
        #expect(dump.stderr.contains("cannot read config dump `\(dir.path)`: it is a directory, not a file"))
    }

    @Test func anUnreadableDirectoryIsReportedAsSuch() throws {
        let fm = FileManager.default
        let dir = try CLI.temporaryDirectory()
        defer {
            chmod(dir.appendingPathComponent("rules/locked").path, 0o755)
            try? fm.removeItem(at: dir)
        }
        let locked = dir.appendingPathComponent("rules/locked")
        try fm.createDirectory(at: locked, withIntermediateDirectories: true)
        try fm.copyItem(at: Self.tutorial.appendingPathComponent("routes.yaml"), to: locked.appendingPathComponent("routes.yaml"))
        try fm.copyItem(
            at: Self.tutorial.appendingPathComponent("registry.yaml"), to: dir.appendingPathComponent("rules/registry.yaml"))
        #expect(chmod(locked.path, 0) == 0)
        // Root reads any directory: run as `nobody` then.
        let prefix = getuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : ""
        let inside = try bash("\(prefix)$M validate -f rules", in: dir)
        #expect(inside.status == 1)
        #expect(
            inside.stdout.contains("rules/locked:1:1: error: cannot read directory `rules/locked`: permission denied [MESH0001]"))
        #expect(inside.stdout.contains("in 1 file"))
        let given = try bash("\(prefix)$M validate -f rules/locked", in: dir)
        #expect(given.status == 1)
        #expect(given.stdout.contains("cannot read directory `rules/locked`: permission denied"))
        #expect(!given.stdout.contains("no .yaml"))
    }
}

/// Findings keep coming after a duplicate key, and sit where the problem is.
@Suite struct LocatedFindingTests {
    @Test func aDuplicateKeyDoesNotHideTheOtherDocuments() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text =
            virtualService(name: "first", hosts: "  - reviews", http: route).replacingOccurrences(
                of: "  name: first\n", with: "  name: first\n  name: again\n") + "\n---\n"
            + virtualService(name: "second", hosts: "  - reviews", http: route + "      weigth: 10\n")
        let path = try CLI.write(text, to: "dup.yaml", in: dir)
        let result = try CLI.run(["validate", "-f", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("dup.yaml:5:3: error: duplicate key `name` (first defined at line 4) [MESH0004]"))
        #expect(result.stdout.contains("VirtualService default/second: unknown field `weigth`"))
        #expect(result.stdout.contains("✘ 2 errors in 1 resource in 1 file"))
    }

    @Test func invalidUTF8AndControlCharactersAreLocated() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let utf8 = dir.appendingPathComponent("utf8.yaml")
        try Data(
            Array("apiVersion: v1\nkind: Service\nmetadata:\n  name: café\n  labels: {a: \"x".utf8) + [0xFF] + Array("\"}\n".utf8)
        )
        .write(to: utf8)
        let bad = try CLI.run(["validate", "-f", utf8.path])
        #expect(bad.stdout.contains("utf8.yaml:5:17: error: the file is not valid UTF-8 text"))
        let control = try CLI.write("a: 1\r\nb: \"\u{7}\"\r\n", to: "control.yaml", in: dir)
        let result = try CLI.run(["validate", "-f", control])
        #expect(result.stdout.contains("control.yaml:2:5: error: the file contains control characters"))
    }
}
