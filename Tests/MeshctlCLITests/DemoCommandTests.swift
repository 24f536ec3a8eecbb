import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct DemoCommandTests {
    /// The figures one stage of `meshctl demo -o json` observed.
    static func figures(_ document: [String: Any], _ stage: String) -> [String: Double] {
        let stages = document["stages"] as? [[String: Any]] ?? []
        let entry = stages.first { $0["name"] as? String == stage } ?? [:]
        return (entry["figures"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    @Test func everyStageShowsWhatItClaims() throws {
        let requests = 40
        let result = try CLI.run(["demo", "-o", "json", "--requests", String(requests), "--fault-delay", "100ms"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["passed"] as? Bool == true)
        let stages = try #require(document["stages"] as? [[String: Any]])
        #expect(
            stages.map { $0["name"] as? String ?? "" } == [
                "routing", "header", "split", "mirror", "fault", "circuit-breaker", "ejection", "egress", "canary",
            ])
        for stage in stages {
            #expect(stage["passed"] as? Bool == true, "\(stage)")
            #expect((stage["problems"] as? [Any])?.isEmpty == true)
        }
        let n = Double(requests)
        let routing = Self.figures(document, "routing")
        #expect(routing["requests"] == n && routing["v1"] == n && routing["v2"] == 0 && routing["v3"] == 0)
        let header = Self.figures(document, "header")
        #expect(header["safariToV2"] == header["safari"] && header["othersToV1"] == header["others"])
        #expect((header["safari"] ?? 0) + (header["others"] ?? 0) == n)
        let split = Self.figures(document, "split")
        #expect((split["v1"] ?? 0) + (split["v2"] ?? 0) == 5 * n)
        #expect((split["v2"] ?? 0) < (split["v1"] ?? 0))
        let mirror = Self.figures(document, "mirror")
        #expect(mirror["ok"] == n && mirror["v1"] == n && mirror["v2Mirrored"] == n)
        let fault = Self.figures(document, "fault")
        #expect((fault["aborted"] ?? 0) > 0 && fault["aborted"] == fault["abortsInjected"])
        #expect((fault["ok"] ?? 0) + (fault["aborted"] ?? 0) == n)
        #expect((fault["delayed"] ?? 0) > 0 && (fault["p90Ms"] ?? 0) >= 90)
        let breaker = Self.figures(document, "circuit-breaker")
        #expect((breaker["overflowed"] ?? 0) > 0 && (breaker["ok"] ?? 0) > 0)
        #expect((breaker["pendingOverflow"] ?? 0) >= (breaker["overflowed"] ?? 0))
        let ejection = Self.figures(document, "ejection")
        #expect((ejection["failedWithout"] ?? 0) >= 5 && (ejection["failedWith"] ?? 99) <= 1)
        let egress = Self.figures(document, "egress")
        #expect(egress["blocked"] == 502 && egress["allowed"] == 200)
        let canary = Self.figures(document, "canary")
        #expect(canary["step4V1"] == 0 && canary["step4V2"] == n)
        for step in 1...4 { #expect(canary["step\(step)V2"] == canary["step\(step)V2Metrics"]) }
    }

    @Test func aStageOnItsOwnPrintsTheNumbersItChecked() throws {
        let result = try CLI.run(["demo", "--stage", "routing", "--requests", "30"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("[1/1] routing: route rules: every request to recommendation v1"))
        #expect(result.stdout.contains("30 requests: 200 × 30; recommendation v1 30, v2 0, v3 0"))
        #expect(result.stdout.contains("customer => preference => recommendation v1 from '127.0.0.1:"))
        #expect(result.stdout.contains("✓ every request answered by v1"))
        #expect(!result.stdout.contains("\u{1B}["), "no colour into a pipe")
        #expect(!result.stdout.contains("[2/"))
    }

    @Test func keepsRunningUntilSIGTERMAndThenFreesEveryPort() throws {
        let demo = try ServerProcess(["demo", "--stage", "none", "--keep-running"])
        let listen = try #require(demo.addresses["listen"])
        let answer = try CLI.httpGet(listen, host: "customer:8080")
        #expect(answer.status == 200)
        #expect(answer.body.hasPrefix("customer => preference => recommendation v"))
        let ports = demo.addresses.values.sorted()
        #expect(ports.count == 6)
        #expect(demo.stop(SIGTERM) == 0)
        for address in ports { #expect(try CLI.httpGet(address, host: "customer:8080").status == 0, "\(address) still open") }
        #expect(demo.log.contains("curl -H 'Host: customer:8080' http://\(listen)/"))
    }

    @Test func aDemoStoppedMidStageExits130AndSaysSo() async throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out").path
        let err = dir.appendingPathComponent("err").path
        // A split of 500,000 requests: far longer than the test waits.
        let pid = try ServerProcess.spawn(["demo", "--stage", "split", "--requests", "100000"], output: out, errors: err)
        var started = false
        for _ in 0..<600 where !started {
            started = ServerProcess.read(out).contains("[1/1] split")
            if !started { try await Task.sleep(for: .microseconds(50_000)) }
        }
        #expect(started, "\(ServerProcess.read(err))")
        try await Task.sleep(for: .microseconds(300_000))
        kill(pid, SIGTERM)
        var status: Int32 = 0
        var exited = false
        for _ in 0..<400 where !exited {
            exited = waitpid(pid, &status, WNOHANG) == pid
            if !exited { try await Task.sleep(for: .microseconds(50_000)) }
        }
        if !exited { kill(pid, SIGKILL) }
        #expect(exited, "stops within 20 s of SIGTERM")
        #expect(ServerProcess.exitCode(status) == 130)
        #expect(ServerProcess.read(err).contains("meshctl demo: interrupted after 0 of 1 stages"), "\(ServerProcess.read(err))")
        #expect(!ServerProcess.read(out).contains("✓") && !ServerProcess.read(out).contains("✗"), "no verdict on partial figures")
    }

    @Test(arguments: [
        (["demo", "--stage", "nope"], "unknown stage 'nope'"),
        (["demo", "--base-port", "65530"], "--base-port must be from 1 to"),
        (["demo", "--requests", "1"], "--requests must be from 10"),
        (["demo", "--fault-delay", "forever"], "--fault-delay must be a duration"),
        (["demo", "--zipkin", "127.0.0.1:9411"], "--zipkin '127.0.0.1:9411' is not an http:// URL"),
    ])
    func refusesBadFlags(_ arguments: [String], _ message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func saysWhichPortIsTakenWithABasePort() throws {
        let taken = try SilentPort()
        let result = try CLI.run(["demo", "--base-port", String(taken.port), "--stage", "none"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("address already in use"), "\(result.stderr)")
        #expect(result.stderr.contains("--base-port \(taken.port) uses ports \(taken.port) to \(taken.port + 16)"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
