import Foundation
import Testing

@testable import MeshProxy

@Suite struct AdminAPITests {
    @Test func envoyEndpointsAnswerInEnvoysFormats() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        _ = try await proxy.send("/")
        #expect(try await proxy.admin("/ready").text == "LIVE\n")
        let info = try JSONSerialization.jsonObject(with: Data(try await proxy.admin("/server_info").body)) as? [String: Any]
        #expect(info?["state"] as? String == "LIVE")
        #expect(info?["config_version"] as? String == "1")
        let dump = try JSONSerialization.jsonObject(with: Data(try await proxy.admin("/config_dump").body)) as? [String: Any]
        #expect((dump?["configs"] as? [Any])?.count == 4)
        let clusters = try JSONSerialization.jsonObject(with: Data(try await proxy.admin("/clusters?format=json").body))
        let statuses = (clusters as? [String: Any])?["cluster_statuses"] as? [[String: Any]] ?? []
        #expect(statuses.contains { $0["name"] as? String == "outbound|80||svc.default.svc.cluster.local" })
        let filtered = try await proxy.admin("/stats?filter=upstream_rq_2xx").text
        #expect(filtered.contains("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_2xx: 1"))
        #expect(!filtered.contains("upstream_cx_total"))
        #expect(try await proxy.admin("/stats?filter=(").status == 400)
        let json = try JSONSerialization.jsonObject(with: Data(try await proxy.admin("/stats?format=json").body))
        #expect(((json as? [String: Any])?["stats"] as? [Any])?.isEmpty == false)
        let prometheus = try await proxy.admin("/stats/prometheus").text
        #expect(
            prometheus.contains("envoy_cluster_upstream_rq_total{cluster_name=\"outbound|80||svc.default.svc.cluster.local\"} 1"))
        #expect(prometheus.contains("istio_requests_total{"))
        #expect(prometheus.contains("destination_version=\"v1\""))
        #expect(prometheus.contains("response_code=\"200\""))
        #expect(prometheus.contains("istio_request_duration_milliseconds_bucket{"))
        #expect(try await proxy.admin("/listeners").text.contains("::127.0.0.1:\(proxy.listenPort)"))
    }

    @Test func mutatingEndpointsArePostOnly() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        for path in ["/healthcheck/fail", "/reset_counters", "/quitquitquit", "/logging", "/drain_listeners"] {
            #expect(try await proxy.admin(path).status == 405, "GET \(path)")
        }
        #expect(try await proxy.admin("/healthcheck/fail", method: "POST").status == 200)
        #expect(try await proxy.admin("/ready").status == 503)
        #expect(try await proxy.admin("/healthcheck/ok", method: "POST").status == 200)
        #expect(try await proxy.admin("/ready").status == 200)
        _ = try await proxy.send("/")
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_total") == 1)
        #expect(try await proxy.admin("/reset_counters", method: "POST").status == 200)
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_total") == 0)
        #expect(try await proxy.admin("/logging?level=debug", method: "POST").text.contains("debug"))
        #expect(try await proxy.admin("/logging?level=loud", method: "POST").status == 400)
        ProxyLogLevel.set("info")
        #expect(try await proxy.admin("/nosuch").status == 404)
    }

    @Test func putConfigSwapsAtomicallyOrChangesNothing() async throws {
        let proxy = try await ProxyHarness.start([.init("v1"), .init("v2")])
        defer { Task { await proxy.stop() } }
        let registry = ProxyHarness.registry(["v1", "v2"], proxy.ports)
        let toV2 = registry + RoutingThroughProxyTests.vs("  - route: [{destination: {host: svc, subset: v2}}]")
        let pushed = try await proxy.admin("/config", method: "PUT", body: toV2)
        #expect(pushed.status == 200, "\(pushed.text)")
        #expect(pushed.text.contains("\"version\" : \"2\"") || pushed.text.contains("\"version\": \"2\""))
        #expect(try await proxy.versions(10) == ["v2": 10])
        let invalid = registry + RoutingThroughProxyTests.vs("  - route: [{destination: {host: svc, subset: v2}, weight: -5}]")
        let rejected = try await proxy.admin("/config", method: "PUT", body: invalid)
        #expect(rejected.status == 400)
        let diagnostics = try JSONSerialization.jsonObject(with: Data(rejected.body)) as? [String: Any]
        #expect((diagnostics?["diagnostics"] as? [Any])?.isEmpty == false)
        #expect(try await proxy.versions(10) == ["v2": 10], "the old configuration keeps serving")
        let running = try await proxy.admin("/config")
        #expect(running.header("x-meshctl-config-version") == "2")
        #expect(running.text.contains("subset: v2"))
    }
}

@Suite struct DownstreamRobustnessTests {
    @Test func malformedAndOversizedRequests() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        let garbage = try RawConnection(port: proxy.listenPort)
        garbage.send("THIS IS NOT HTTP\r\n\r\n")
        #expect(garbage.readAll().hasPrefix("HTTP/1.1 400 Bad Request"))
        let noHost = try RawConnection(port: proxy.listenPort)
        noHost.send("GET / HTTP/1.1\r\n\r\n")
        #expect(noHost.readAll().hasPrefix("HTTP/1.1 400"))
        let huge = try RawConnection(port: proxy.listenPort)
        huge.send("GET / HTTP/1.1\r\nHost: svc\r\nX-Big: " + String(repeating: "a", count: 100 * 1024) + "\r\n\r\n")
        #expect(huge.readAll().hasPrefix("HTTP/1.1 431"))
    }

    @Test func slowHeadersAreCutOff() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")], configure: { $0.headerTimeoutNanos = 300_000_000 })
        defer { Task { await proxy.stop() } }
        let slow = try RawConnection(port: proxy.listenPort)
        slow.send("GET / HTTP/1.1\r\nHo")
        let start = ContinuousClock.now
        let answer = slow.readAll()
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
        #expect(ContinuousClock.now - start < .seconds(10), "cut off by the header timeout, not by the client giving up")
    }

    @Test func clientsThatLeaveReleaseEverything() async throws {
        let proxy = try await ProxyHarness.start([.init("v1", delay: .milliseconds(300))])
        defer { Task { await proxy.stop() } }
        _ = try await proxy.send("/")  // warm: pools and event loops exist
        // Counted from the kernel's socket table for this proxy's ports only: the test process
        // runs other tests at the same time, whose descriptors come and go.
        let before = Self.openSockets(localPort: proxy.listenPort) + Self.openSockets(remotePort: proxy.ports[0])
        for _ in 0..<20 {
            let leaving = try RawConnection(port: proxy.listenPort)
            leaving.send("GET / HTTP/1.1\r\nHost: svc\r\n\r\n")
        }
        for _ in 0..<20 {
            let leaving = try RawConnection(port: proxy.listenPort)
            leaving.send("GET /bytes/10000000 HTTP/1.1\r\nHost: svc\r\n\r\n")
            _ = leaving.read(until: "\r\n\r\n")
        }
        var stats = ""
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(100))
            stats = try await proxy.admin("/stats").text
            if stats.contains("downstream_rq_active: 0") { break }
        }
        #expect(stats.contains("downstream_rq_active: 0"))
        var after = 0
        for _ in 0..<50 {
            after = Self.openSockets(localPort: proxy.listenPort) + Self.openSockets(remotePort: proxy.ports[0])
            if after <= before + 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Self.openSockets(localPort: proxy.listenPort) == 0, "no client connection is left open")
        #expect(after <= before + 2, "sockets before \(before), after \(after)")
    }

    /// Sockets held open (established, or closed by the peer and not yet by us) with this local
    /// or remote port, from /proc/net/tcp and tcp6.
    static func openSockets(localPort: Int? = nil, remotePort: Int? = nil) -> Int {
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 3, fields[3] == "01" || fields[3] == "08" else { continue }
                let port = { (field: Substring) in Int(field.split(separator: ":").last ?? "", radix: 16) }
                if let localPort, port(fields[1]) == localPort { count += 1 }
                if let remotePort, port(fields[2]) == remotePort { count += 1 }
            }
        }
        return count
    }

    @Test func largeBodiesStreamBothWays() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        let download = try await HTTPClient.send(
            "GET", host: "127.0.0.1", port: proxy.listenPort, path: "/bytes/20000000", headers: [("host", "svc")],
            timeoutNanos: 60_000_000_000, maxBodyBytes: 64 << 20)
        #expect(download.status == 200)
        #expect(download.body.count == 20_000_000)
        let upload = try await proxy.send("/upload", method: "POST", body: [UInt8](repeating: 7, count: 5_000_000))
        #expect(upload.text == "5000000\n")
    }
}
