import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A Rollout of the LiveMesh's recommendation service from version-v1 to version-v2.
func rolloutYAML(steps: [Int], interval: String = "300ms", minRequests: Int = 10, gated: Bool = true) -> String {
    var yaml = """
        apiVersion: meshctl.dev/v1alpha1
        kind: Rollout
        metadata: {name: recommendation}
        spec:
          virtualService: recommendation
          stable: {subset: version-v1}
          canary: {subset: version-v2}
          steps:

        """
    for weight in steps { yaml += "  - setWeight: \(weight)\n" }
    if gated {
        yaml += """
              analysis:
                interval: \(interval)
                minRequests: \(minRequests)
                metrics:
                - {name: success-rate, min: 95}
                - {name: latency-p99, max: 2s}

            """
    }
    return yaml
}

/// Runs the binary with extra environment variables; the exit code, or 128 + the signal.
func runWithEnvironment(_ arguments: [String], environment: [String: String], in directory: URL) throws -> CLI.Result {
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return CLI.Result(
        status: status, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
}

extension LiveMesh {
    /// `meshctl rollout ARGS` in the mesh's directory, journals under it.
    func rollout(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run(["rollout"] + arguments, in: dir)
    }

    /// The canary's share of `count` real requests, in percent.
    func canaryShare(_ count: Int) throws -> Double {
        let seen = try versions(count)
        return 100 * Double(seen["v2", default: 0]) / Double(count)
    }

    /// `rollout status -o json`, parsed.
    func rolloutStatus() throws -> (status: Int32, json: [String: Any]) {
        let result = try rollout(["status", "recommendation", "-o", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        return (result.status, json)
    }
}

func observedCanary(_ json: [String: Any]) -> Double? {
    ((json["weights"] as? [String: Any])?["canary"] as? [String: Any]).flatMap { $0["observed"] as? [String: Any] }
        .flatMap { $0["percent"] as? Double }
}

@Suite(.serialized) struct RolloutLiveTests {
    @Test func aHealthyCanaryReaches100PercentWithTheObservedSplitAtEachStep() throws {
        let mesh = try LiveMesh(weights: [("v1", 100), ("v2", 0)])
        let rollout = try CLI.write(rolloutYAML(steps: [20, 50, 100]), to: "rollout.yaml", in: mesh.dir)
        let start = try mesh.rollout(["start", "-f", rollout, "-f", mesh.rulesPath, "--admin", mesh.admin])
        #expect(start.status == 0, "\(start.output)")
        #expect(start.stdout.contains("canary 20%"))
        for configured in [20.0, 50.0] {
            let share = try mesh.canaryShare(400)
            #expect(abs(share - configured) <= 8, "at \(configured)%: \(share)% of real requests reached v2")
            let (code, status) = try mesh.rolloutStatus()
            #expect(code == 2)
            let observed = try #require(observedCanary(status), "\(status)")
            #expect(abs(observed - configured) <= 8, "status observed \(observed)% at \(configured)%")
            usleep(350_000)  // the analysis interval
            let step = try mesh.rollout(["step", "recommendation"])
            #expect(step.status == 0, "\(step.output)")
        }
        let (code, status) = try mesh.rolloutStatus()
        #expect(code == 0)
        #expect(status["phase"] as? String == "promoted")
        #expect(try mesh.versions(20) == ["v2": 20])
        let history = try mesh.rollout(["history", "recommendation"])
        #expect(history.stdout.contains("decision pass"))
        #expect(history.stdout.components(separatedBy: " commit ").count - 1 == 3)
    }

    @Test func aFailingCanaryIsAbortedByTheGateAndTrafficReturnsToStable() throws {
        let mesh = try LiveMesh(backends: [("v1", []), ("v2", ["--fail-rate", "0.5"])], weights: [("v1", 100), ("v2", 0)])
        let rollout = try CLI.write(rolloutYAML(steps: [30, 60, 100]), to: "rollout.yaml", in: mesh.dir)
        #expect(try mesh.rollout(["start", "-f", rollout, "-f", mesh.rulesPath, "--admin", mesh.admin]).status == 0)
        _ = try mesh.versions(200)
        usleep(350_000)  // the analysis interval
        let step = try mesh.rollout(["step", "recommendation"])
        #expect(step.status == 1, "\(step.output)")
        #expect(step.stdout.contains("aborted: success-rate"))
        // Every request goes to v1 again, and succeeds.
        var statuses: [Int: Int] = [:]
        var versions: [String: Int] = [:]
        for _ in 0..<100 {
            let answer = try CLI.httpGet(mesh.proxy.listen, host: "recommendation:8080")
            statuses[answer.status, default: 0] += 1
            versions[
                String(answer.body.components(separatedBy: "recommendation ").dropFirst().first?.prefix(2) ?? "none"), default: 0] +=
                1
        }
        #expect(statuses == [200: 100])
        #expect(versions == ["v1": 100])
        #expect(try mesh.rolloutStatus().status == 1)
        let json = try mesh.rollout(["history", "recommendation", "-o", "json"])
        #expect(json.stdout.contains("\"verdict\" : \"fail\""))
    }

    @Test(arguments: ["after-intent", "after-push"])
    func killedBetweenIntentAndCommitIsRecovered(at point: String) throws {
        let mesh = try LiveMesh(weights: [("v1", 100), ("v2", 0)])
        let rollout = try CLI.write(rolloutYAML(steps: [20, 50, 100], gated: false), to: "rollout.yaml", in: mesh.dir)
        #expect(try mesh.rollout(["start", "-f", rollout, "-f", mesh.rulesPath, "--admin", mesh.admin]).status == 0)
        let killed = try runWithEnvironment(
            ["rollout", "step", "recommendation"], environment: ["MESHCTL_ROLLOUT_KILL_AT": point], in: mesh.dir)
        #expect(killed.status == 128 + SIGKILL, "\(killed.output)")
        let journal = try String(
            contentsOf: mesh.dir.appendingPathComponent(".meshctl/rollouts/default_recommendation.journal"), encoding: .utf8)
        #expect(journal.split(separator: "\n").last?.contains("\"kind\":\"intent\"") == true)
        let status = try mesh.rollout(["status", "recommendation"])
        #expect(status.status == 2, "\(status.output)")
        #expect(status.stderr.contains(point == "after-push" ? "is live everywhere; committed" : "was pushed again"))
        #expect(status.stdout.contains("step 2 of 3"))
        let share = try mesh.canaryShare(300)
        #expect(abs(share - 50) <= 9, "\(share)% after recovery")
        #expect(try mesh.rollout(["step", "recommendation"]).status == 0)
    }

    @Test func runDrivesEveryProxyToTheEnd() throws {
        let mesh = try LiveMesh(weights: [("v1", 100), ("v2", 0)])
        let second = try ServerProcess([
            "proxy", "run", "-f", mesh.rulesPath, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--concurrency", "1",
        ])
        let rollout = try CLI.write(rolloutYAML(steps: [30, 60], gated: false), to: "rollout.yaml", in: mesh.dir)
        let start = try mesh.rollout([
            "start", "-f", rollout, "-f", mesh.rulesPath, "--admin", mesh.admin, "--admin", second.admin,
        ])
        #expect(start.status == 0, "\(start.output)")
        #expect(
            start.stdout.contains("\(mesh.admin): config version 1 → 2")
                && start.stdout.contains("\(second.admin): config version 1 → 2"))
        let run = try mesh.rollout(["run", "recommendation"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stdout.contains("promoted: the canary takes 100%"))
        for listen in [mesh.proxy.listen, second.listen] {
            let answer = try CLI.httpGet(listen, host: "recommendation:8080")
            #expect(answer.body.contains("recommendation v2"), "\(listen): \(answer.body)")
        }
    }

    @Test func aSecondWriterFailsAtOnce() throws {
        let mesh = try LiveMesh(weights: [("v1", 100), ("v2", 0)])
        let rollout = try CLI.write(rolloutYAML(steps: [50, 100], gated: false), to: "rollout.yaml", in: mesh.dir)
        #expect(try mesh.rollout(["start", "-f", rollout, "-f", mesh.rulesPath, "--admin", mesh.admin]).status == 0)
        // Close-on-exec: processes other tests start meanwhile must not inherit (and hold) the lock.
        let fd = open(mesh.dir.appendingPathComponent(".meshctl/rollouts/default_recommendation.lock").path, O_RDWR | O_CLOEXEC)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let started = Date()
        let second = try mesh.rollout(["step", "recommendation"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another meshctl rollout command"))
        #expect(Date().timeIntervalSince(started) < 5)
        close(fd)
        let after = try mesh.rollout(["step", "recommendation"])
        #expect(after.status == 0, "\(after.output)")
    }

    @Test func aChangeBehindTheRolloutsBackIsDriftOrConflict() throws {
        let mesh = try LiveMesh(weights: [("v1", 100), ("v2", 0)])
        let rollout = try CLI.write(rolloutYAML(steps: [20, 100], gated: false), to: "rollout.yaml", in: mesh.dir)
        #expect(try mesh.rollout(["start", "-f", rollout, "-f", mesh.rulesPath, "--admin", mesh.admin]).status == 0)
        // Someone pushes other weights.
        let other = try CLI.write(LiveMesh.routes([("v1", 60), ("v2", 40)]), to: "other.yaml", in: mesh.dir)
        #expect(try CLI.run(["apply", "-f", other, "--admin", mesh.admin]).status == 0)
        let drift = try mesh.rollout(["step", "recommendation"])
        #expect(drift.status == 3, "\(drift.output)")
        #expect(drift.stderr.contains("runs the canary at 40%; the journal says 20%"))
        #expect(try mesh.rollout(["status", "recommendation"]).status == 3)
        // Abort is the way out: stable back to 100%.
        #expect(try mesh.rollout(["abort", "recommendation"]).status == 0)
        #expect(try mesh.versions(20) == ["v1": 20])
        // A changed spec is a conflict.
        try Data(rolloutYAML(steps: [30, 100], gated: false).utf8).write(to: URL(fileURLWithPath: rollout))
        let conflict = try mesh.rollout(["retry", "recommendation"])
        #expect(conflict.status == 3)
        #expect(conflict.stderr.contains("the Rollout's spec changed since the rollout started"))
    }
}

@Suite struct RolloutFileTests {
    static let rules = """
        # recommendation's canary route; comments and layout are kept by --write.
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: recommendation   # the one the rollout shifts
        spec:
          hosts: ["recommendation"]
          http:
          - name: canary
            route:
            - destination: {host: recommendation, subset: version-v1}
              weight: 100      # stable
            - destination:
                host: recommendation
                subset: 'version-v2'
              weight:    0
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: recommendation}
        spec:
          host: recommendation
          subsets:
          - {name: version-v1, labels: {version: v1}}
          - {name: version-v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: recommendation}
        spec:
          hosts: [recommendation.default.svc.cluster.local]
          ports: [{number: 8080, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints:
          - {address: 127.0.0.1, ports: {http: 9001}, labels: {version: v1}}
          - {address: 127.0.0.1, ports: {http: 9002}, labels: {version: v2}}

        """

    @Test func writeLeavesTheFileByteIdenticalExceptTheWeights() throws {
        let dir = try CLI.temporaryDirectory()
        let rules = try CLI.write(Self.rules, to: "rules.yaml", in: dir)
        let rollout = try CLI.write(rolloutYAML(steps: [10, 40, 100], gated: false), to: "rollout.yaml", in: dir)
        func expected(_ stable: Int, _ canary: Int) -> String {
            Self.rules.replacingOccurrences(of: "weight: 100      # stable", with: "weight: \(stable)      # stable")
                .replacingOccurrences(of: "weight:    0\n", with: "weight:    \(canary)\n")
        }
        let start = try CLI.run(["rollout", "start", "-f", rollout, "-f", rules, "--write"], in: dir)
        #expect(start.status == 0, "\(start.output)")
        #expect(try String(contentsOfFile: rules, encoding: .utf8) == expected(90, 10))
        #expect(try CLI.run(["rollout", "step", "recommendation"], in: dir).status == 0)
        #expect(try String(contentsOfFile: rules, encoding: .utf8) == expected(60, 40))
        #expect(try CLI.run(["rollout", "step", "recommendation"], in: dir).status == 0)
        #expect(try String(contentsOfFile: rules, encoding: .utf8) == expected(0, 100))
        // The file was replaced, never left half-written: no temporary files remain.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [".meshctl", "rollout.yaml", "rules.yaml"])
        #expect(try CLI.run(["rollout", "status", "recommendation"], in: dir).status == 0)
    }

    @Test func planShowsStepsDiffGatesAndTimes() throws {
        let dir = try CLI.temporaryDirectory()
        let rules = try CLI.write(Self.rules, to: "rules.yaml", in: dir)
        let rollout = try CLI.write(rolloutYAML(steps: [10, 40], interval: "10s", minRequests: 20), to: "rollout.yaml", in: dir)
        let plan = try CLI.run(["rollout", "plan", "-f", rollout, "-f", rules], in: dir)
        #expect(plan.status == 0, "\(plan.output)")
        #expect(plan.stdout.contains("3     setWeight 100 (added: the canary ends at 100%)  0%      100%    promoted"))
        #expect(plan.stdout.contains("-       weight: 100      # stable\n  +       weight: 90      # stable"))
        #expect(
            plan.stdout.contains(
                "sum(increase(istio_requests_total{reporter=\"source\",destination_service=\"recommendation.default.svc.cluster.local\",destination_version=\"v2\"}[10000ms]))"
            ))
        #expect(plan.stdout.contains("shortest time to promotion: 20s"))
        // Nothing was started.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".meshctl").path))
    }

    @Test func aPlanThatCanNeverFinishIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let rules = try CLI.write(
            Self.rules.replacingOccurrences(of: "labels: {version: v2}}\n---", with: "labels: {version: v3}}\n---"),
            to: "rules.yaml",
            in: dir)
        let rollout = try CLI.write(rolloutYAML(steps: [10, 40]), to: "rollout.yaml", in: dir)
        let plan = try CLI.run(["rollout", "plan", "-f", rollout, "-f", rules], in: dir)
        #expect(plan.status == 1)
        #expect(
            plan.stderr.contains(
                "rollout.yaml:7:20: error: Rollout default/recommendation: subset version-v2 of recommendation.default.svc.cluster.local selects no endpoint"
            ))
        let decreasing = try CLI.write(rolloutYAML(steps: [40, 10]), to: "decreasing.yaml", in: dir)
        let refused = try CLI.run(["rollout", "plan", "-f", decreasing, "-f", rules], in: dir)
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "decreasing.yaml:10:16: error: Rollout default/recommendation: setWeight 10 does not increase"))
    }

    @Test func anArgoRolloutIsPlannedWithWhatIsNotCarriedOutNamed() throws {
        let dir = try CLI.temporaryDirectory()
        let rules = try CLI.write(Self.rules, to: "rules.yaml", in: dir)
        let argo = try CLI.write(
            """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata: {name: recommendation}
            spec:
              replicas: 3
              strategy:
                canary:
                  trafficRouting:
                    istio:
                      virtualService: {name: recommendation, routes: [canary]}
                      destinationRule: {name: recommendation, canarySubsetName: version-v2, stableSubsetName: version-v1}
                  steps:
                  - setWeight: 20
                  - analysis: {templates: [{templateName: success-rate}]}
                  - pause: {duration: 30}
                  - setWeight: 60

            """, to: "argo.yaml", in: dir)
        let plan = try CLI.run(["rollout", "plan", "-f", argo, "-f", rules], in: dir)
        #expect(plan.status == 0, "\(plan.output)")
        #expect(plan.stderr.contains("argo.yaml:5:3: warning: Rollout default/recommendation: spec.replicas is not applied"))
        #expect(
            plan.stderr.contains(
                "argo.yaml:14:9: warning: Rollout default/recommendation: spec.strategy.canary.steps[1].analysis is not applied"))
        #expect(plan.stdout.contains("argo.yaml:1, Argo Rollout)"))
        #expect(plan.stdout.contains("2     pause 30s"))
        #expect(plan.stdout.contains("4     setWeight 100 (added: the canary ends at 100%)"))
        // It is carried out like meshctl's own, here by editing the file.
        #expect(try CLI.run(["rollout", "start", "-f", argo, "-f", rules, "--write"], in: dir).status == 0)
        #expect(try String(contentsOfFile: rules, encoding: .utf8).contains("weight:    20\n"))
    }

    @Test func laterCommandsNeedAStartedRollout() throws {
        let dir = try CLI.temporaryDirectory()
        let result = try CLI.run(["rollout", "step", "recommendation"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no rollout default/recommendation in .meshctl/rollouts"))
        let bad = try CLI.run(["rollout", "status", "a/b/c"], in: dir)
        #expect(bad.status == 64)
    }
}

/// Debian's `prometheus` server, started on a free loopback port with its own config and data
/// directory, scraping `targets`' /stats/prometheus every 100ms.
final class PrometheusServer {
    let process = Process()
    let url: String

    init(scraping targets: [String], in dir: URL) throws {
        let binary = "/usr/bin/prometheus"
        try #require(
            FileManager.default.isExecutableFile(atPath: binary),
            "prometheus is not installed (apt-get install -y prometheus; .ci/run does it)")
        let port = try Self.freePort()
        let config = """
            global:
              scrape_interval: 100ms
              scrape_timeout: 100ms
            scrape_configs:
            - job_name: meshctl
              metrics_path: /stats/prometheus
              static_configs:
              - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]

            """
        let configPath = try CLI.write(config, to: "prometheus/prometheus.yml", in: dir)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configPath)", "--storage.tsdb.path=\(dir.appendingPathComponent("prometheus/data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        let log = FileHandle(forWritingAtPath: try CLI.write("", to: "prometheus/log", in: dir))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        url = "http://127.0.0.1:\(port)"
        let deadline = Date().addingTimeInterval(30)
        while try CLI.httpGet("127.0.0.1:\(port)", host: "127.0.0.1", path: "/-/ready").status != 200 {
            guard Date() < deadline, process.isRunning else {
                throw ServerProcess.ServerError(
                    description:
                        "prometheus did not start: \(ServerProcess.read(dir.appendingPathComponent("prometheus/log").path))")
            }
            usleep(50_000)
        }
        // Prometheus discovers its targets a few seconds after it is ready: wait for a scrape.
        while !(try CLI.httpGet("127.0.0.1:\(port)", host: "127.0.0.1", path: "/api/v1/query?query=up").body.contains("\"1\"]")) {
            guard Date() < deadline else { throw ServerProcess.ServerError(description: "prometheus did not scrape \(targets)") }
            usleep(100_000)
        }
    }

    /// A port nothing listens on: bound to 0, read, released.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

@Suite struct RolloutPrometheusTests {
    @Test func aHealthyCanaryGatedThroughARealPrometheusReaches100Percent() throws {
        let mesh = try LiveMesh(weights: [("v1", 100), ("v2", 0)])
        let prometheus = try PrometheusServer(scraping: [mesh.admin], in: mesh.dir)
        let rollout = try CLI.write(rolloutYAML(steps: [25, 50, 100], interval: "1s"), to: "rollout.yaml", in: mesh.dir)
        let start = try mesh.rollout([
            "start", "-f", rollout, "-f", mesh.rulesPath, "--admin", mesh.admin, "--prometheus", prometheus.url,
        ])
        #expect(start.status == 0, "\(start.output)")
        for configured in [25.0, 50.0] {
            // Spread over several scrapes: Prometheus's increase() cannot count a series' first
            // sample, so a new version's requests must not all land before its first scrape.
            var shares: [Double] = []
            for _ in 0..<10 {
                shares.append(try mesh.canaryShare(30))
                usleep(100_000)
            }
            let share = shares.reduce(0, +) / Double(shares.count)
            #expect(abs(share - configured) <= 9, "at \(configured)%: \(share)% of real requests reached v2")
            // Prometheus sees the requests once it has scraped them; the step waits for data meanwhile.
            var step = try mesh.rollout(["step", "recommendation"])
            let deadline = Date().addingTimeInterval(10)
            while step.status == 2 && Date() < deadline {
                _ = try mesh.versions(10)
                usleep(200_000)
                step = try mesh.rollout(["step", "recommendation"])
            }
            #expect(step.status == 0, "\(step.output)")
            #expect(step.stdout.contains("gates passed: success-rate 100%"))
        }
        let status = try mesh.rollout(["status", "recommendation", "-v"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("from Prometheus at \(prometheus.url)"))
        #expect(
            status.stdout.contains("histogram_quantile(0.99, sum by (le) (increase(istio_request_duration_milliseconds_bucket{"))
        let history = try mesh.rollout(["history", "recommendation", "-o", "json"])
        #expect(history.stdout.contains("\"verdict\" : \"pass\""))
        #expect(try mesh.versions(10) == ["v2": 10])
    }
}
