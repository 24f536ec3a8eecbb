import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct LoadCommandTests {
    static func json(_ result: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func sendsExactlyTheRequestsAskedForAndTheBackendCountsThem() throws {
        let backend = try ServerProcess([
            "demo", "backend", "--name", "recommendation", "--version", "v1", "--listen", "127.0.0.1:0",
        ])
        let result = try CLI.run(["x", "load", "http://\(backend.listen)/", "-n", "137", "-c", "5", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.json(result)
        #expect(document["requests"] as? Int == 137)
        #expect(document["answered"] as? Int == 137)
        #expect((document["statuses"] as? [String: Int]) == ["200": 137])
        let latency = try #require(document["latency"] as? [String: Double])
        for key in ["p50", "p75", "p90", "p99", "p99.9"] { #expect((latency[key] ?? 0) > 0, "\(key)") }
        #expect((latency["p50"] ?? 0) <= (latency["p99.9"] ?? 0))
        // The backend's own count: 137 before this request.
        #expect(try CLI.httpGet(backend.listen, host: "x").body.hasSuffix("': 138\n"))
    }

    @Test func goesThroughAProxyWithAHostHeaderAndCountsStatuses() throws {
        let mesh = try LiveMesh(backends: [("v1", ["--fail-rate", "0.5"])], weights: [("v1", 100)])
        let result = try CLI.run([
            "x", "load", "http://\(mesh.proxy.listen)/", "--host", "recommendation:8080", "-n", "200", "-c", "2",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let ok = try #require(Self.count(result.stdout, status: 200))
        let failed = try #require(Self.count(result.stdout, status: 503))
        #expect(ok + failed == 200)
        #expect(ok > 40 && failed > 40)
        #expect(result.stdout.contains("200 requests in "))
        #expect(result.stdout.contains("p99.9 "))
        let absolute = try CLI.run([
            "x", "load", "http://recommendation:8080/", "-x", mesh.proxy.listen, "-n", "10", "-o", "json",
        ])
        #expect(try Self.json(absolute)["requests"] as? Int == 10)
        #expect(((try Self.json(absolute)["statuses"] as? [String: Int]) ?? [:]).values.reduce(0, +) == 10)
    }

    /// The count in a text report's status line (`  200      137  100.00%`).
    static func count(_ text: String, status: Int) -> Int? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[0] == "\(status)", let n = Int(fields[1]) { return n }
        }
        return nil
    }

    @Test func pacesToAQPSTarget() throws {
        let backend = try ServerProcess(["demo", "backend", "--name", "a", "--version", "v1", "--listen", "127.0.0.1:0"])
        let result = try CLI.run(["x", "load", "http://\(backend.listen)/", "--qps", "40", "-c", "2", "-t", "1s", "-o", "json"])
        let document = try Self.json(result)
        let sent = try #require(document["requests"] as? Int)
        #expect(sent >= 36 && sent <= 42, "\(sent) requests at 40 qps for 1s")
    }

    @Test func countsRefusedConnectionsAsErrorsAndFails() throws {
        let port = try { () throws -> Int in
            let silent = try SilentPort()
            return silent.port  // closed again when `silent` goes away
        }()
        let result = try CLI.run(["x", "load", "http://127.0.0.1:\(port)/", "-n", "3", "-c", "1", "-o", "json"])
        #expect(result.status == 1)
        let document = try Self.json(result)
        #expect(document["requests"] as? Int == 3)
        #expect((document["errors"] as? [String: Int])?["connection refused"] == 3)
    }

    @Test func countsAnAnswerThatNeverComesAsATimeout() throws {
        let silent = try SilentPort()
        let result = try CLI.run([
            "x", "load", "http://127.0.0.1:\(silent.port)/", "-n", "2", "-c", "1", "--timeout", "200ms", "-o", "json",
        ])
        #expect(result.status == 1)
        #expect(((try Self.json(result))["errors"] as? [String: Int])?["timeout"] == 2)
    }

    @Test(arguments: [
        (["x", "load", "https://example.org/"], "https is not supported"),
        (["x", "load", "http://127.0.0.1:1/", "-n", "5", "-t", "1s"], "give -t DURATION or -n REQUESTS, not both"),
        (["x", "load", "http://127.0.0.1:1/", "-c", "0"], "-c must be from 1"),
        (["x", "load", "http://127.0.0.1:1/", "-H", "nocolon"], "is not 'name: value'"),
        (["x", "load", "http://127.0.0.1:1/", "-t", "soon"], "-t must be a positive duration"),
        (["x", "load", "http://127.0.0.1:1/", "--qps=-1"], "--qps must be 0"),
    ])
    func refusesBadInvocations(_ arguments: [String], _ message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func showsAProgressLineOnATerminalOnly() throws {
        let backend = try ServerProcess(["demo", "backend", "--name", "a", "--version", "v1", "--listen", "127.0.0.1:0"])
        let command = [CLI.binary.path, "x", "load", "http://\(backend.listen)/", "-t", "1800ms", "--qps", "50"].map(
            CLI.shellQuote
        )
        .joined(separator: " ")
        // `script` gives the command a terminal; its standard error is that terminal.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\r\u{1B}[KGET http://\(backend.listen)/, 4 connections, 50 qps, 1800ms: "), "\(text)")
        #expect(text.contains(" answered, 0 errors"))
        let piped = try CLI.run(["x", "load", "http://\(backend.listen)/", "-t", "1200ms", "--qps", "20"])
        #expect(!piped.stderr.contains("answered,"))
        #expect(!piped.stdout.contains("\u{1B}"))
    }
}
