import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `proxy-config --admin`, `proxy-status`, `apply`, `proxy stats`, `proxy-config log` and
/// `x metrics` against a real proxy in front of real demo backends.
@Suite(.serialized) struct LiveProxyCommandTests {
    @Test func adminTablesMatchRules() throws {
        let mesh = try LiveMesh(weights: [("v1", 75), ("v2", 25)])
        for kind in ["routes", "clusters", "listeners"] {
            let fromRules = try CLI.run(["proxy-config", kind, "-f", mesh.rulesPath, "--listen", mesh.proxy.listen])
            let fromAdmin = try CLI.run(["proxy-config", kind, "--admin", mesh.admin])
            #expect(fromAdmin.status == 0, "\(fromAdmin.stderr)")
            #expect(fromAdmin.stdout == fromRules.stdout, "\(kind) differs between -f and --admin")
        }
        let json = try CLI.run(["proxy-config", "clusters", "--admin", mesh.admin, "-o", "json", "--subset", "version-v2"])
        let clusters = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(clusters?.map { $0["name"] as? String } == ["outbound|8080|version-v2|recommendation.default.svc.cluster.local"])
    }

    @Test func severalAdminsEachGetTheirOwnSection() throws {
        let first = try LiveMesh()
        let second = try LiveMesh()
        let tables = try CLI.run(["proxy-config", "clusters", "--admin", first.admin, "--admin", second.admin])
        #expect(tables.status == 0, "\(tables.stderr)")
        let one = try CLI.run(["proxy-config", "clusters", "--admin", first.admin]).stdout
        let two = try CLI.run(["proxy-config", "clusters", "--admin", second.admin]).stdout
        #expect(tables.stdout == "\(first.admin):\n\(one)\n\(second.admin):\n\(two)")
        let json = try CLI.run(["proxy-config", "routes", "--admin", first.admin, "--admin", second.admin, "-o", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(Set(document?.keys.map { $0 } ?? []) == [first.admin, second.admin])
    }

    @Test func applyChangesRoutingAndIsANoOpTwice() throws {
        let mesh = try LiveMesh()
        #expect(try mesh.versions(6) == ["v1": 6])
        let toV2 = try CLI.write(LiveMesh.routes([("v2", 100)]), to: "v2.yaml", in: mesh.dir)

        let dryRun = try CLI.run(["apply", "-f", toV2, "--admin", mesh.admin, "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("VirtualService default/recommendation configured"))
        #expect(dryRun.stdout.contains("dry run: nothing pushed; config version 1 keeps running"))
        #expect(try mesh.versions(4) == ["v1": 4])

        let applied = try CLI.run(["apply", "-f", toV2, "--admin", mesh.admin])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("~ route recommendation.default.svc.cluster.local:8080 /*"))
        #expect(applied.stdout.contains("route.cluster: \"outbound|8080|version-v1|recommendation.default.svc.cluster.local\""))
        #expect(applied.stdout.contains("applied: config version 1 → 2 (3 resources)"))
        #expect(try mesh.versions(6) == ["v2": 6])

        let again = try CLI.run(["apply", "-f", toV2, "--admin", mesh.admin, "-o", "json"])
        #expect(again.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        let proxy = (report?["proxies"] as? [[String: Any]])?.first
        #expect(proxy?["result"] as? String == "unchanged")
        #expect((proxy?["configVersion"] as? [String: Any])?["after"] is NSNull)
        #expect(try mesh.status()["configVersion"] as? String == "2")
    }

    @Test func invalidRulesAreNotPushed() throws {
        let mesh = try LiveMesh()
        let bad = try CLI.write(LiveMesh.routes([("v2", -5)]), to: "bad.yaml", in: mesh.dir)
        let result = try CLI.run(["apply", "-f", bad, "--admin", mesh.admin])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("\(bad):9:"), "\(result.stderr)")
        #expect(result.stderr.contains("weight"))
        // The proxy was not contacted: a closed port gives the same answer.
        let closed = try CLI.run(["apply", "-f", bad, "--admin", "127.0.0.1:1"])
        #expect(closed.status == 1)
        #expect(!closed.stderr.contains("cannot reach"))
        #expect(try mesh.versions(4) == ["v1": 4])
        #expect(try mesh.status()["configVersion"] as? String == "1")
    }

    @Test func pruneReplacesTheWholeSet() throws {
        let mesh = try LiveMesh()
        let extra = try CLI.write(
            LiveMesh.routes([("v1", 100)]).replacingOccurrences(of: "name: recommendation", with: "name: extra")
                .replacingOccurrences(of: "hosts: [recommendation]", with: "hosts: [extra.example.com]"), to: "extra.yaml",
            in: mesh.dir)
        let added = try CLI.run(["apply", "-f", extra, "--admin", mesh.admin])
        #expect(added.stdout.contains("VirtualService default/extra created"), "\(added.stdout)\(added.stderr)")
        #expect(added.stdout.contains("+ route extra.example.com:80 /*"))
        let pruned = try CLI.run(["apply", "-f", mesh.rulesPath, "--admin", mesh.admin, "--prune"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("VirtualService default/extra pruned"))
        #expect(pruned.stdout.contains("- route extra.example.com:80 /*"))
        #expect(try mesh.status(rules: mesh.rulesPath)["synced"] as? String == "SYNCED")
    }

    @Test func proxyStatusTurnsStaleThenSynced() throws {
        let mesh = try LiveMesh()
        let synced = try CLI.run(["proxy-status", "--admin", mesh.admin, "--rules", mesh.rulesPath])
        #expect(synced.status == 0, "\(synced.stderr)")
        let lines = synced.stdout.split(separator: "\n")
        #expect(
            lines.first?.split(separator: " ", omittingEmptySubsequences: true) == [
                "NAME", "ADDRESS", "STATE", "CONFIG", "VERSION", "UPTIME", "SYNCED",
            ])
        #expect(lines.count == 2 && lines[1].hasPrefix("meshctl.default") && lines[1].hasSuffix("SYNCED"))
        #expect(lines[1].contains(" \(mesh.admin) ") && lines[1].contains(" LIVE "))

        // The files change: the proxy runs an older rule set.
        let rules = try String(contentsOfFile: mesh.rulesPath, encoding: .utf8)
        try Data(rules.replacingOccurrences(of: "version-v1}, weight: 100", with: "version-v2}, weight: 100").utf8).write(
            to: URL(fileURLWithPath: mesh.rulesPath))
        let stale = try CLI.run(["proxy-status", "--admin", mesh.admin, "--rules", mesh.rulesPath, "-v"])
        #expect(stale.status == 1)
        #expect(stale.stdout.contains("STALE"))
        #expect(stale.stdout.contains("~ VirtualService default/recommendation"))
        #expect(stale.stdout.contains("spec.http[0].route[0].destination.subset: \"version-v1\" → \"version-v2\""))
        let json = try mesh.status(rules: mesh.rulesPath)
        #expect(json["synced"] as? String == "STALE")
        let changed = (json["diff"] as? [String: Any])?["changed"] as? [[String: Any]]
        #expect(changed?.map { $0["resource"] as? String } == ["VirtualService default/recommendation"])

        let applied = try CLI.run(["apply", "-f", mesh.rulesPath, "--admin", mesh.admin])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try mesh.status(rules: mesh.rulesPath)["synced"] as? String == "SYNCED")
        #expect(try mesh.versions(3) == ["v2": 3])
    }

    @Test func unreachableProxiesAreReportedPerProxy() throws {
        let mesh = try LiveMesh()
        let result = try CLI.run(["proxy-status", "--admin", "127.0.0.1:1", "--admin", mesh.admin, "-o", "json"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: cannot reach 127.0.0.1:1: connection refused\n")
        let proxies = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let rows = proxies?["proxies"] as? [[String: Any]]
        #expect(rows?.map { $0["synced"] as? String } == ["UNREACHABLE", nil])
        #expect(rows?.last?["state"] as? String == "LIVE")

        let toV2 = try CLI.write(LiveMesh.routes([("v2", 100)]), to: "v2.yaml", in: mesh.dir)
        let applied = try CLI.run(["apply", "-f", toV2, "--admin", "127.0.0.1:1", "--admin", mesh.admin])
        #expect(applied.status == 1)
        #expect(applied.stderr == "error: cannot reach 127.0.0.1:1: connection refused\n")
        #expect(applied.stdout.contains("applied: config version 1 → 2"))
        #expect(try mesh.versions(3) == ["v2": 3])
    }

    @Test func statsFilteredInEveryFormat() throws {
        let mesh = try LiveMesh()
        _ = try mesh.versions(7)
        let cluster = "outbound|8080|version-v1|recommendation.default.svc.cluster.local"
        let text = try CLI.run(["proxy", "stats", "--admin", mesh.admin, "--filter", "version-v1.*upstream_rq_total$"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout == "cluster.\(cluster).upstream_rq_total: 7\n")
        let json = try CLI.run(["proxy", "stats", "--admin", mesh.admin, "--filter", "upstream_rq_total", "-o", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let stats = ((document?["proxies"] as? [[String: Any]])?.first?["stats"] as? [[String: Any]]) ?? []
        #expect(stats.first { $0["name"] as? String == "cluster.\(cluster).upstream_rq_total" }?["value"] as? Int == 7)
        #expect(stats.allSatisfy { ($0["name"] as? String)?.contains("upstream_rq_total") == true })
        let prom = try CLI.run(["proxy", "stats", "--admin", mesh.admin, "-o", "prom", "--filter", "istio_requests_total"])
        let samples = prom.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(samples.count == 1)
        #expect(samples.first?.hasPrefix("istio_requests_total{reporter=\"source\"") == true)
        #expect(samples.first?.hasSuffix("} 7") == true)
        #expect(prom.stdout.hasPrefix("# HELP istio_requests_total"))

        let invalid = try CLI.run(["proxy", "stats", "--admin", "127.0.0.1:1", "--filter", "upstream_(rq"])
        #expect(invalid.status == 1)
        #expect(invalid.stderr == "error: --filter 'upstream_(rq' is not a valid RE2 regex: missing ): upstream_(rq\n")
    }

    @Test func logLevels() throws {
        let mesh = try LiveMesh()
        let shown = try CLI.run(["proxy-config", "log", "--admin", mesh.admin])
        #expect(shown.stdout == "\(mesh.admin):\nactive loggers:\n  meshctl.proxy: info\n")
        let set = try CLI.run(["proxy-config", "log", "--admin", mesh.admin, "--level", "debug"])
        #expect(set.stdout == "\(mesh.admin):\nactive loggers:\n  meshctl.proxy: debug\n")
        let one = try CLI.run(["proxy-config", "log", "--admin", mesh.admin, "--level", "meshctl.proxy:warning", "-o", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any]
        let loggers = (document?["proxies"] as? [[String: Any]])?.first?["loggers"] as? [String: String]
        #expect(loggers == ["meshctl.proxy": "warning"])
        let unknown = try CLI.run(["proxy-config", "log", "--admin", mesh.admin, "--level", "http:debug"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "error: unrecognized logger name: http (\(mesh.admin) has meshctl.proxy)\n")
        #expect(try CLI.run(["proxy-config", "log", "--admin", mesh.admin, "--level", "loud"]).status == 64)
    }

    @Test func metricsMatchTheRequestsSent() throws {
        let mesh = try LiveMesh(backends: [("v1", []), ("v2", [])], weights: [("v1", 100)])
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("out").path
        let err = dir.appendingPathComponent("err").path
        let command =
            ([CLI.binary.path, "x", "metrics", "recommendation", "--admin", mesh.admin, "-d", "4s", "-o", "json"]).map(
                CLI.shellQuote
            ).joined(separator: " ") + " >\(CLI.shellQuote(out)) 2>\(CLI.shellQuote(err))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        // Requests go out once the first scrape is taken, and end well before the second.
        let deadline = Date().addingTimeInterval(10)
        while !ServerProcess.read(err).contains("sampling 1 proxy for 4s") && Date() < deadline { usleep(10_000) }
        for _ in 0..<12 { _ = try mesh.request() }
        for _ in 0..<3 { _ = try mesh.request("/status/500") }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(ServerProcess.read(err))")
        let document = try JSONSerialization.jsonObject(with: Data(ServerProcess.read(out).utf8)) as? [String: Any]
        let rows = document?["destinations"] as? [[String: Any]] ?? []
        let v1 = try #require(rows.first { $0["version"] as? String == "v1" })
        #expect(v1["service"] as? String == "recommendation.default.svc.cluster.local")
        #expect(v1["requests"] as? Int == 15)
        #expect(v1["errors"] as? Int == 3)
        let interval = try #require((document?["proxies"] as? [[String: Any]])?.first?["intervalSeconds"] as? Double)
        #expect(interval >= 4 && interval < 6)
        let rps = try #require(v1["totalRPS"] as? Double)
        #expect(abs(rps - 15 / interval) < 0.01)
        #expect(abs((v1["errorRPS"] as? Double ?? 0) - 3 / interval) < 0.01)
        let p50 = try #require(v1["p50Ms"] as? Double)
        let p99 = try #require(v1["p99Ms"] as? Double)
        #expect(p50 > 0 && p50 <= p99)
        #expect(rows.allSatisfy { $0["version"] as? String != "v2" || $0["requests"] as? Int == 0 })
    }

    @Test func endpointTurnsFailedWhenEjected() throws {
        let mesh = try LiveMesh(backends: [("v1", []), ("v1", ["--status", "500"])])
        let policy = """
                outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 100}

            """
        let rules = try CLI.write(
            LiveMesh.registry(mesh.backends.map { ($0.version, $0.process.port) }, policy: policy) + "---\n"
                + LiveMesh.routes([("v1", 100)]), to: "ejection.yaml", in: mesh.dir)
        #expect(try CLI.run(["apply", "-f", rules, "--admin", mesh.admin]).status == 0)
        let failing = "127.0.0.1:\(mesh.backends[1].process.port)"
        let healthy = "127.0.0.1:\(mesh.backends[0].process.port)"
        let before = try CLI.run(["proxy-config", "endpoints", "--admin", mesh.admin, "--address", "127.0.0.1"])
        #expect(before.stdout.contains("\(failing)     HEALTHY     OK "), "\(before.stdout)")
        for _ in 0..<6 { _ = try mesh.request() }
        let after = try CLI.run(["proxy-config", "endpoints", "--admin", mesh.admin])
        #expect(after.status == 0)
        let rows = after.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first == "ENDPOINT            STATUS      OUTLIER CHECK     CLUSTER")
        #expect(rows.contains { $0.hasPrefix("\(failing)     HEALTHY     FAILED ") }, "\(after.stdout)")
        #expect(rows.contains { $0.hasPrefix("\(healthy)     HEALTHY     OK ") })
    }
}

/// Inputs meshctl must refuse with one line and exit 1, without hanging.
@Suite(.serialized) struct AdminBadInputTests {
    @Test func aPortThatIsNotAnAdminAPI() throws {
        let backend = try ServerProcess([
            "demo", "backend", "--name", "recommendation", "--version", "v1", "--listen", "127.0.0.1:0",
        ])
        let dir = try CLI.temporaryDirectory()
        let rules = try CLI.write(LiveMesh.routes([("v1", 100)]), to: "vs.yaml", in: dir)
        for arguments in [
            ["proxy-config", "routes"], ["proxy-config", "endpoints"], ["proxy-config", "log"], ["proxy-status"],
            ["proxy", "stats"], ["proxy", "stats", "-o", "prom"], ["x", "metrics", "-d", "10ms"], ["apply", "-f", rules],
        ] {
            let result = try CLI.run(arguments + ["--admin", backend.listen])
            #expect(result.status == 1, "\(arguments)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(result.stderr)")
            #expect(
                lines.first?.hasPrefix("error: \(backend.listen) is not an Envoy or meshctl admin API: ") == true,
                "\(arguments): \(result.stderr)")
        }
    }

    @Test func anAdminAPIThatStopsAnswering() throws {
        let silent = try SilentPort()
        let started = Date()
        let result = try CLI.run(["proxy-status", "--admin", "127.0.0.1:\(silent.port)", "--timeout", "300ms"])
        #expect(result.status == 1)
        #expect(result.stderr == "error: 127.0.0.1:\(silent.port) did not answer in time (--timeout 300ms)\n")
        #expect(Date().timeIntervalSince(started) < 5)
        let config = try CLI.run(["proxy-config", "clusters", "--admin", "127.0.0.1:\(silent.port)", "--timeout", "200ms"])
        #expect(config.stderr == "error: 127.0.0.1:\(silent.port) did not answer in time (--timeout 200ms)\n")
    }

    @Test func aDumpOverTheLimitIsRefusedWithItsSize() throws {
        let dir = try CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("huge.json").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("{\"configs\": []}".utf8)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 101 << 20)
        try handle.close()
        let result = try CLI.run(["proxy-config", "clusters", "--file", path])
        #expect(result.status == 1)
        #expect(result.stderr == "error: config dump `\(path)` is 105906176 bytes (101 MiB); dumps over 100 MiB are refused\n")

        // Over HTTP: a server that announces 200 MiB.
        let portFile = dir.appendingPathComponent("port").path
        let script = """
            import socket, sys
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
            open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
            __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
            c, _ = s.accept(); c.recv(65536)
            c.sendall(b"HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: %d\\r\\n\\r\\n" % (200 << 20))
            try:
                chunk = b" " * (1 << 20)
                for _ in range(200): c.sendall(chunk)
            except OSError:
                pass
            """
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", script, portFile]
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: portFile) && Date() < deadline { usleep(10_000) }
        let port = try String(contentsOfFile: portFile, encoding: .utf8)
        let fromAdmin = try CLI.run(["proxy-config", "clusters", "--admin", "127.0.0.1:\(port)"])
        #expect(fromAdmin.status == 1)
        #expect(
            fromAdmin.stderr
                == "error: 127.0.0.1:\(port) GET /config_dump: the answer is larger than 100 MiB (200 MiB); refused\n")
    }

    @Test func colourOnlyOnATerminalWithoutNoColor() throws {
        let mesh = try LiveMesh()
        func onTerminal(_ environment: String) throws -> String {
            let command = "\(environment) \(CLI.binary.path) proxy-status --admin \(mesh.admin)"
            return try CLI.runShell("script -qec \(CLI.shellQuote(command)) /dev/null")
        }
        let coloured = try onTerminal("env -u NO_COLOR TERM=xterm")
        #expect(coloured.contains("\u{1B}[32mLIVE\u{1B}[0m"), "\(coloured)")
        let plain = try onTerminal("env TERM=xterm NO_COLOR=1")
        #expect(plain.contains("LIVE") && !plain.contains("\u{1B}["))
        let piped = try CLI.run(["proxy-status", "--admin", mesh.admin])
        #expect(piped.stdout.contains("LIVE") && !piped.stdout.contains("\u{1B}["))
    }
}

extension CLI {
    /// Runs a shell command line; its standard output.
    static func runShell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
