import Foundation
import Testing

/// What `proxy run` and `demo backend` tell a script starting them: a ready file they cannot
/// write stops them, and a rule set where later documents replace earlier ones is reported.
@Suite struct ServerStartupTests {
    /// Runs the binary for at most `seconds`; nil when it was still running then (it is killed).
    static func exits(_ arguments: [String], within seconds: Double = 30) throws -> (status: Int32, stderr: String)? {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = CLI.root
        let dir = try CLI.temporaryDirectory()
        let errPath = dir.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: errPath.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errPath)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        return (process.terminationStatus, ServerProcess.read(errPath.path))
    }

    @Test(arguments: [
        ["proxy", "run", "-f", "samples/tutorial", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"],
        ["demo", "backend", "--name", "a", "--version", "v1", "--listen", "127.0.0.1:0"],
    ])
    func anUnwritableReadyFileStopsTheServer(_ arguments: [String]) throws {
        let result = try #require(try Self.exits(arguments + ["--ready-file", "/nonexistent/dir/ready.json"]))
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot write the ready file `/nonexistent/dir/ready.json`"), "\(result.stderr)")
    }

    @Test func replacedDefinitionsAreReportedAtStart() throws {
        let analyzed = try CLI.run(["analyze", "-f", "samples/", "-o", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(analyzed.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require(document["diagnostics"] as? [[String: Any]])
        let duplicates = diagnostics.filter { $0["code"] as? String == "MESH0008" }
        let documents = try #require(document["resources"] as? Int)
        #expect(duplicates.count > 1)

        let proxy = try ServerProcess(["proxy", "run", "-f", "samples/", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        let log = proxy.log
        let warnings = log.split(separator: "\n").filter { $0.hasSuffix("[MESH0008]") }
        #expect(warnings.count == duplicates.count, "\(log)")
        let first = try #require(duplicates.first)
        #expect(
            warnings.first?.hasPrefix("\(first["file"] ?? ""):\(first["line"] ?? 0):\(first["column"] ?? 0): warning: ") == true)
        #expect(
            log.contains(
                "\(documents - duplicates.count) resources (\(duplicates.count) replaced by a later definition), config version 1"
            ),
            "\(log)")
    }
}

/// `demo backend` refuses path values it cannot honour instead of answering as on any path.
@Suite struct DemoBackendPathTests {
    @Test func badStatusAndByteCountsAreBadRequests() throws {
        let backend = try ServerProcess(["demo", "backend", "--name", "svc", "--version", "v1", "--listen", "127.0.0.1:0"])
        for (path, value) in [("/status/999", "999"), ("/status/abc", "abc"), ("/status/100", "100")] {
            let answer = try CLI.httpGet(backend.listen, host: "svc", path: path)
            #expect(answer.status == 400, "\(path)")
            #expect(answer.body == "svc v1: /status/CODE takes a status from 200 to 599, got '\(value)'\n")
        }
        for (path, value) in [("/bytes/-1", "-1"), ("/bytes/abc", "abc")] {
            let answer = try CLI.httpGet(backend.listen, host: "svc", path: path)
            #expect(answer.status == 400, "\(path)")
            #expect(answer.body == "svc v1: /bytes/N takes a number of bytes from 0 up, got '\(value)'\n")
        }
        #expect(try CLI.httpGet(backend.listen, host: "svc", path: "/status/418").status == 418)
    }
}
