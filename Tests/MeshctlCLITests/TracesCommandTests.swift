import Foundation
import Testing

/// `meshctl x traces collect|list`: a real collector process, a real proxy exporting to it, and
/// traces read back and printed as trees.
@Suite struct TracesCommandTests {
    /// A Zipkin v2 span as JSON.
    static func span(
        trace: String, id: String, parent: String? = nil, service: String, start: Int, duration: Int, url: String,
        status: Int = 200
    ) -> String {
        let parentField = parent.map { "\"parentId\": \"\($0)\", " } ?? ""
        return """
            {"traceId": "\(trace)", "id": "\(id)", \(parentField)"name": "x", "kind": "CLIENT", "timestamp": \(start), \
            "duration": \(duration), "localEndpoint": {"serviceName": "\(service)"}, \
            "tags": {"http.method": "GET", "http.url": "\(url)", "http.status_code": "\(status)", \
            "upstream_cluster": "outbound|80||\(service)-next", "response_flags": "\(status >= 500 ? "UF" : "-")"}}
            """
    }

    @Test func aProxysSpansReachTheCollectorAndPrintAsATrace() async throws {
        let collector = try ServerProcess(["x", "traces", "collect", "--listen", "127.0.0.1:0"])
        let backend = try ServerProcess(
            ["demo", "backend", "--name", "recommendation", "--version", "v1", "--listen", "127.0.0.1:0"])
        let dir = try CLI.temporaryDirectory()
        let rules = try CLI.write(
            LiveMesh.registry([("v1", backend.port)]) + "---\n" + LiveMesh.routes([("v1", 100)]), to: "rules.yaml", in: dir)
        let proxy = try ServerProcess([
            "proxy", "run", "-f", rules, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--concurrency", "1",
            "--zipkin", "http://\(collector.listen)/api/v2/spans",
        ])
        let trace = "5c1a9e3b7d2f4a6c8e0b1d3f5a7c9e2b"
        let answer = try CLI.httpGet(
            proxy.listen, host: "recommendation:8080", headers: ["traceparent: 00-\(trace)-a1b2c3d4e5f60718-01"])
        #expect(answer.status == 200)
        var listed = try CLI.run(["x", "traces", "list", "--zipkin", "http://\(collector.listen)", "--trace-id", trace])
        for _ in 0..<100 where listed.status != 0 {
            try await Task.sleep(for: .microseconds(50_000))
            listed = try CLI.run(["x", "traces", "list", "--zipkin", "http://\(collector.listen)", "--trace-id", trace])
        }
        #expect(listed.status == 0, "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("trace \(trace): 1 span, ") == true, "\(listed.stdout)")
        #expect(lines.count == 2)
        let cells = lines.dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true).map(String.init) ?? []
        #expect(
            Array(cells.prefix(5)) == [
                "meshctl", "GET", "http://recommendation:8080/", "200",
                "outbound|8080|version-v1|recommendation.default.svc.cluster.local",
            ], "\(listed.stdout)")
        let json = try CLI.run([
            "x", "traces", "list", "--zipkin", "http://\(collector.listen)", "--trace-id", trace, "-o", "json",
        ])
        let spans = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[[String: Any]]]
        #expect(spans?.count == 1 && spans?.first?.count == 1)
        #expect(spans?.first?.first?["parentId"] as? String == "a1b2c3d4e5f60718", "the caller's span is the parent")
        #expect(proxy.stop() == 0)
        #expect(collector.stop() == 0)
    }

    @Test func aCollectorThatIsDownIsReportedOnce() async throws {
        let backend = try ServerProcess(
            ["demo", "backend", "--name", "recommendation", "--version", "v1", "--listen", "127.0.0.1:0"])
        let dir = try CLI.temporaryDirectory()
        let rules = try CLI.write(
            LiveMesh.registry([("v1", backend.port)]) + "---\n" + LiveMesh.routes([("v1", 100)]), to: "rules.yaml", in: dir)
        // A port nothing listens on any more.
        let closed = try ServerProcess(
            ["demo", "backend", "--name", "gone", "--version", "v1", "--listen", "127.0.0.1:0"])
        let closedPort = closed.port
        #expect(closed.stop() == 0)
        let proxy = try ServerProcess([
            "proxy", "run", "-f", rules, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--concurrency", "1",
            "--zipkin", "http://127.0.0.1:\(closedPort)/api/v2/spans",
        ])
        for _ in 0..<3 {
            #expect(try CLI.httpGet(proxy.listen, host: "recommendation:8080").status == 200)
            try await Task.sleep(for: .microseconds(400_000))  // a report goes out about every 200 ms
        }
        var warnings = 0
        for _ in 0..<50 where warnings == 0 {
            warnings = proxy.log.components(separatedBy: "cannot send spans to the Zipkin collector").count - 1
            if warnings == 0 { try await Task.sleep(for: .microseconds(100_000)) }
        }
        #expect(warnings == 1, "one warning for a run of failures: \(proxy.log)")
        #expect(proxy.log.contains("127.0.0.1:\(closedPort)/api/v2/spans: connection refused"), "\(proxy.log)")
        #expect(proxy.stop() == 0)
    }

    @Test func spansNestUnderTheirParentsInStartOrder() throws {
        let collector = try ServerProcess(["x", "traces", "collect", "--listen", "127.0.0.1:0"])
        let trace = "0123456789abcdef0123456789abcdef"
        let other = "fedcba9876543210fedcba9876543210"
        // Posted out of order, as proxies flush independently: leaves before their parents.
        let batch =
            "["
            + [
                Self.span(
                    trace: trace, id: "000000000000000c", parent: "000000000000000b", service: "preference", start: 1_300,
                    duration: 2_000, url: "http://recommendation:8080/"),
                Self.span(
                    trace: trace, id: "000000000000000d", parent: "000000000000000a", service: "customer", start: 9_000,
                    duration: 1_000, url: "http://preference:8080/late", status: 503),
                Self.span(
                    trace: trace, id: "000000000000000b", parent: "000000000000000a", service: "customer", start: 1_100,
                    duration: 5_000, url: "http://preference:8080/"),
                Self.span(
                    trace: trace, id: "000000000000000a", parent: "00000000000000ff", service: "ingress", start: 1_000,
                    duration: 12_000, url: "http://customer:8080/"),
                Self.span(trace: other, id: "0000000000000001", service: "elsewhere", start: 50, duration: 7, url: "http://x/"),
            ].joined(separator: ",") + "]"
        let posted = try CLI.httpSend(
            "POST", collector.listen, host: "zipkin", path: "/api/v2/spans", headers: ["Content-Type: application/json"],
            body: batch)
        #expect(posted.status == 202, "\(posted.text)")
        let listed = try CLI.run(["x", "traces", "list", "--zipkin", "http://\(collector.listen)", "--trace-id", trace])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = listed.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first == "trace \(trace): 4 spans, 12.0ms")
        // Each row: indentation by depth, then the service; siblings in start order.
        let services = rows.dropFirst().map { row -> String in
            let indent = row.prefix { $0 == " " }.count
            return String(repeating: ">", count: indent / 2 - 1) + (row.split(separator: " ").first.map(String.init) ?? "")
        }
        #expect(services == ["ingress", ">customer", ">>preference", ">customer"], "\(listed.stdout)")
        #expect(rows.last?.contains("http://preference:8080/late  503 UF") == true, "\(listed.stdout)")
        #expect(rows.dropFirst().first?.hasSuffix("12.0ms") == true)
        // The latest traces first, filtered by service, and Zipkin's own read API answered.
        let byService = try CLI.run(["x", "traces", "list", "--zipkin", "http://\(collector.listen)", "--service", "elsewhere"])
        #expect(byService.stdout.hasPrefix("trace \(other): 1 span, 7µs"), "\(byService.stdout)")
        #expect(!byService.stdout.contains(trace))
        let servicesAnswer = try CLI.httpGet(collector.listen, host: "zipkin", path: "/api/v2/services")
        #expect(servicesAnswer.body == "[\"customer\",\"elsewhere\",\"ingress\",\"preference\"]")
        #expect(collector.stop() == 0)
    }

    @Test func badInputIsRefusedInOneLine() throws {
        let collector = try ServerProcess(["x", "traces", "collect", "--listen", "127.0.0.1:0"])
        let garbage = try CLI.httpSend("POST", collector.listen, host: "zipkin", path: "/api/v2/spans", body: "{not json")
        #expect(garbage.status == 400)
        #expect(garbage.body.hasPrefix("not valid JSON") && garbage.body.split(separator: "\n").count == 1, "\(garbage.body)")
        let noIDs = try CLI.httpSend("POST", collector.listen, host: "zipkin", path: "/api/v2/spans", body: "[{\"name\": \"x\"}]")
        #expect(noIDs.status == 400)
        #expect(noIDs.body.contains("span 0 has no valid traceId"))
        let missing = try CLI.run([
            "x", "traces", "list", "--zipkin", "http://\(collector.listen)", "--trace-id", "00000000000000000000000000000042",
        ])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: http://\(collector.listen) has no trace"), "\(missing.stderr)")
        let empty = try CLI.run(["x", "traces", "list", "--zipkin", "http://\(collector.listen)"])
        #expect(empty.status == 0 && empty.stdout == "no traces yet\n", "\(empty.stdout)")
        // Zipkin's read API refuses a limit that is not a count; spans of the wrong shape are refused.
        #expect(try CLI.httpGet(collector.listen, host: "zipkin", path: "/api/v2/traces?limit=abc").status == 400)
        #expect(try CLI.httpGet(collector.listen, host: "zipkin", path: "/api/v2/traces?limit=-5").status == 400)
        for (field, value) in [("duration", "-10"), ("timestamp", "\"x\""), ("localEndpoint", "\"z\""), ("tags", "[1]")] {
            let span = "[{\"traceId\": \"0000000000000abc\", \"id\": \"0000000000000001\", \"\(field)\": \(value)}]"
            let answer = try CLI.httpSend("POST", collector.listen, host: "zipkin", path: "/api/v2/spans", body: span)
            #expect(answer.status == 400, "\(field): \(value)")
            #expect(answer.body.hasPrefix("span 0: \(field)"), "\(answer.body)")
        }
        // Spans whose parents form a cycle are still printed (as roots), and service names match
        // whatever their case, as in Zipkin.
        let cycle =
            "["
            + [
                Self.span(
                    trace: "00000000000000000000000000000bbb", id: "0000000000000001", parent: "0000000000000002",
                    service: "Loop", start: 10, duration: 5, url: "http://a/"),
                Self.span(
                    trace: "00000000000000000000000000000bbb", id: "0000000000000002", parent: "0000000000000001",
                    service: "loop", start: 20, duration: 5, url: "http://b/"),
            ].joined(separator: ",") + "]"
        #expect(try CLI.httpSend("POST", collector.listen, host: "zipkin", path: "/api/v2/spans", body: cycle).status == 202)
        let looped = try CLI.run([
            "x", "traces", "list", "--zipkin", "http://\(collector.listen)", "--trace-id", "00000000000000000000000000000bbb",
        ])
        #expect(looped.stdout.contains("http://a/") && looped.stdout.contains("http://b/"), "\(looped.stdout)")
        let anyCase = try CLI.run(["x", "traces", "list", "--zipkin", "http://\(collector.listen)", "--service", "LOOP"])
        #expect(anyCase.stdout.hasPrefix("trace 00000000000000000000000000000bbb: 2 spans"), "\(anyCase.stdout)")
        // The port is taken: a second collector says so.
        let taken = try CLI.run(["x", "traces", "collect", "--listen", collector.listen])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("address already in use"), "\(taken.stderr)")
        #expect(collector.stop() == 0)
        let down = try CLI.run(["x", "traces", "list", "--zipkin", "http://\(collector.listen)"])
        #expect(down.status == 1)
        #expect(down.stderr.hasPrefix("error: cannot reach the Zipkin API at http://\(collector.listen)"), "\(down.stderr)")
        #expect(down.stderr.split(separator: "\n").count == 1)
        for (arguments, message) in [
            (["list", "--zipkin", "ftp://x"], "--zipkin 'ftp://x' is not an http:// URL"),
            (["list", "--trace-id", "xyz"], "--trace-id must be 16 to 32 hex digits"),
            (["list", "--limit", "0"], "--limit must be from 1 to 10000"),
            (["collect", "--max-traces", "0"], "--max-traces must be from 1 to 1000000"),
            (["collect", "--listen", "nowhere"], "--listen"),
            (["list", "--trace-id", "0123456789abcdef", "--service", "a"], "--trace-id and --service are alternatives"),
        ] {
            let result = try CLI.run(["x", "traces"] + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
