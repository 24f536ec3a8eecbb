import Foundation
import Testing

@testable import MeshProxy

/// What the proxy answers itself (faults, redirects, direct responses, refusals), what its
/// access log says about every answer, per-destination headers and exhausted retries, on live
/// traffic.
@Suite struct LocalRepliesThroughProxyTests {
    static func vs(_ http: String) -> String { RoutingThroughProxyTests.vs(http) }

    /// An access log in a fresh temporary file, and a way to read its lines once `count` are there.
    final class LogFile: @unchecked Sendable {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-access-\(UUID().uuidString).log").path
        let log: AccessLog
        init() throws { log = try AccessLog(path: path) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func lines(atLeast count: Int) async throws -> [String] {
            for _ in 0..<200 {
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                let lines = text.split(separator: "\n").map(String.init)
                if lines.count >= count { return lines }
                try await Task.sleep(for: .milliseconds(20))
            }
            return []
        }
    }

    @Test func destinationHeadersAreAppliedAndRendered() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v2")],
            rules: { _ in
                Self.vs(
                    """
                      - match: [{headers: {x-split: {exact: "yes"}}}]
                        route:
                        - destination: {host: svc, subset: v1}
                          weight: 50
                          headers:
                            request: {set: {x-to: v1}}
                            response: {add: {x-from: v1}}
                        - destination: {host: svc, subset: v2}
                          weight: 50
                          headers:
                            request: {set: {x-to: v2}}
                            response: {add: {x-from: v2}}
                      - route:
                        - destination: {host: svc, subset: v1}
                          headers:
                            request: {set: {x-added: "yes"}, remove: [x-secret]}
                            response: {add: {x-seen: "yes"}}
                        headers:
                          request: {set: {x-rule: "r"}}
                    """)
            })
        defer { Task { await proxy.stop() } }
        let single = try await proxy.send("/echo", headers: [("x-secret", "hush")])
        #expect(single.status == 200)
        #expect(single.text.contains("x-added: yes"), "\(single.text)")
        #expect(single.text.contains("x-rule: r"), "\(single.text)")
        #expect(!single.text.contains("hush"), "the destination removes x-secret: \(single.text)")
        #expect(single.header("x-seen") == "yes")
        // Each weighted destination's operations go with that destination only.
        for _ in 0..<10 {
            let answer = try await proxy.send("/echo", headers: [("x-split", "yes")])
            let version = try #require(answer.header("x-demo-version"))
            #expect(answer.header("x-from") == version)
            #expect(answer.text.contains("x-to: \(version)"), "\(answer.text)")
        }
        // The rendered routes carry them as Istio renders them: on the weighted cluster, or
        // folded into the route for a single destination.
        let dump = try await proxy.admin("/config_dump").text
        #expect(dump.contains("\"x-to\""), "weighted cluster header operations are rendered")
        #expect(dump.contains("\"x-added\""), "a single destination's header operations are rendered")
        #expect(dump.contains("\"x-secret\""))
    }

    @Test func exhaustedRetriesOnARetriableStatusAreFailuresFlaggedURX() async throws {
        let file = try LogFile()
        let proxy = try await ProxyHarness.start(
            [.init("v1", status: 503)],
            rules: { _ in Self.vs("  - route: [{destination: {host: svc}}]\n    retries: {attempts: 2, retryOn: 5xx}") },
            accessLog: file.log)
        defer { Task { await proxy.stop() } }
        for _ in 0..<2 { #expect(try await proxy.send("/").status == 503) }
        let cluster = "cluster.outbound|80||svc.default.svc.cluster.local."
        #expect(try await proxy.stat(cluster + "upstream_rq_retry") == 4)
        #expect(try await proxy.stat(cluster + "upstream_rq_retry_success") == 0)
        let lines = try await file.lines(atLeast: 2)
        #expect(lines.count == 2)
        for line in lines { #expect(line.contains("\" 503 URX via_upstream "), "\(line)") }
        let prometheus = try await proxy.admin("/stats/prometheus").text
        #expect(prometheus.contains("response_flags=\"URX\""))

        // A retry whose answer is not retried is a success.
        let mixed = try await ProxyHarness.start(
            [.init("v1", status: 503), .init("v1")],
            rules: { _ in Self.vs("  - route: [{destination: {host: svc}}]\n    retries: {attempts: 2, retryOn: 5xx}") })
        defer { Task { await mixed.stop() } }
        for _ in 0..<20 { #expect(try await mixed.send("/").status == 200) }
        let retries = try await mixed.stat(cluster + "upstream_rq_retry")
        #expect(retries > 0)
        #expect(try await mixed.stat(cluster + "upstream_rq_retry_success") == retries)
    }

    @Test func aRequestForTheProxysOwnListenerIsRefusedNotLooped() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        let looped = try await proxy.send("/", host: "127.0.0.1:\(proxy.listenPort)", timeout: .seconds(5))
        #expect(looped.status == 502)
        #expect(looped.text.contains("own listener"), "\(looped.text)")
        #expect(try await proxy.stat("http.outbound_127.0.0.1_0.downstream_rq_total") == 1, "the request came in once")
        let other = try await proxy.send("/", host: "localhost:\(proxy.listenPort)", timeout: .seconds(5))
        #expect(other.status == 502)
        // The service itself is still served.
        #expect(try await proxy.send("/").status == 200)
    }

    @Test func redirectsKeepTheRequestsPort() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1")],
            rules: { _ in
                Self.vs(
                    """
                      - match: [{uri: {prefix: /moved}}]
                        redirect: {uri: /new}
                      - match: [{uri: {prefix: /elsewhere}}]
                        redirect: {uri: /new, port: 9090}
                      - route: [{destination: {host: svc}}]
                    """)
            })
        defer { Task { await proxy.stop() } }
        let kept = try await proxy.send("/moved", host: "svc:80")
        #expect(kept.status == 301)
        #expect(kept.header("location") == "http://svc:80/new")
        #expect(try await proxy.send("/moved").header("location") == "http://svc/new")
        #expect(try await proxy.send("/elsewhere", host: "svc:80").header("location") == "http://svc:9090/new")
    }

    @Test func accessLogSaysWhatAnswered() async throws {
        let file = try LogFile()
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v2", delay: .seconds(3))],
            rules: { _ in
                Self.vs(
                    """
                      - match: [{uri: {prefix: /abort}}]
                        fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                        route: [{destination: {host: svc}}]
                      - match: [{uri: {prefix: /slow}}]
                        route: [{destination: {host: svc, subset: v2}}]
                        timeout: 100ms
                      - match: [{uri: {prefix: /moved}}]
                        redirect: {uri: /new}
                      - match: [{uri: {prefix: /teapot}}]
                        directResponse: {status: 418}
                      - match: [{uri: {prefix: /ok}}]
                        route: [{destination: {host: svc, subset: v1}}]
                    """)
            },
            accessLog: file.log,
            configure: { $0.mesh.outboundTrafficPolicy = .registryOnly })
        defer { Task { await proxy.stop() } }
        let expected: [(path: String, host: String, status: Int, details: String)] = [
            ("/abort", "svc", 503, "fault_filter_abort"),
            ("/slow", "svc", 504, "response_timeout"),
            ("/moved", "svc", 301, "direct_response"),
            ("/teapot", "svc", 418, "direct_response"),
            ("/none", "svc", 404, "route_not_found"),
            ("/ok", "svc", 200, "via_upstream"),
            ("/", "unknown.example", 502, "direct_response"),
        ]
        for request in expected {
            #expect(try await proxy.send(request.path, host: request.host).status == request.status)
        }
        let lines = try await file.lines(atLeast: expected.count)
        #expect(lines.count == expected.count)
        for (line, request) in zip(lines, expected) {
            #expect(line.contains("\(request.path) HTTP/1.1\" \(request.status) "), "\(line)")
            #expect(line.contains(" \(request.details) - "), "\(request.path): \(line)")
        }
        #expect(lines.last?.hasSuffix(" block_all") == true, "\(lines.last ?? "")")
    }

    @Test func overflowAndNoHealthyUpstreamAreLoggedAsSuch() async throws {
        let file = try LogFile()
        let proxy = try await ProxyHarness.start(
            [.init("v1", delay: .seconds(12)), .init("v2", closed: true)],
            rules: { _ in
                ResilienceThroughProxyTests.dr(
                    """
                        connectionPool: {http: {http2MaxRequests: 1}}
                        outlierDetection: {consecutive5xxErrors: 1, baseEjectionTime: 60s, maxEjectionPercent: 100}
                    """)
                    + Self.vs(
                        """
                          - match: [{uri: {prefix: /down}}]
                            route: [{destination: {host: svc, subset: v2}}]
                            retries: {attempts: 0}
                          - route: [{destination: {host: svc, subset: v1}}]
                        """)
            },
            accessLog: file.log)
        defer { Task { await proxy.stop() } }
        async let slow = proxy.send("/")
        // The second request overflows once the first holds the only request slot.
        let active = "cluster.outbound|80|v1|svc.default.svc.cluster.local.upstream_rq_active"
        var polls = 0
        while try await proxy.stat(active) == 0, polls < 500 {
            try await Task.sleep(for: .milliseconds(20))
            polls += 1
        }
        let overflowed = try await proxy.send("/")
        #expect(overflowed.status == 503)
        #expect(try await slow.status == 200)
        // The closed host fails once (UF) and is ejected: then nothing is left (UH).
        #expect(try await proxy.send("/down").status == 503)
        let noHost = try await proxy.send("/down")
        #expect(noHost.status == 503)
        let lines = try await file.lines(atLeast: 4)
        #expect(lines.contains { $0.contains(" 503 UO upstream_reset_before_response_started{overflow} ") }, "\(lines)")
        #expect(
            lines.contains { $0.contains(" 503 UF upstream_reset_before_response_started{remote_connection_failure} ") },
            "\(lines)")
        #expect(lines.contains { $0.contains(" 503 UH no_healthy_upstream ") }, "\(lines)")
    }

    @Test func localAnswersKeepTheConnectionOpenForPipelinedRequests() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1")],
            rules: { _ in
                Self.vs(
                    """
                      - match: [{uri: {prefix: /abort}}]
                        fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                        route: [{destination: {host: svc}}]
                      - match: [{uri: {prefix: /moved}}]
                        redirect: {uri: /new}
                      - match: [{uri: {prefix: /teapot}}]
                        directResponse: {status: 418, body: {string: short and stout}}
                      - route: [{destination: {host: svc}}]
                    """)
            })
        defer { Task { await proxy.stop() } }
        let connection = try RawConnection("127.0.0.1:\(proxy.listenPort)")
        let paths = ["/abort", "/moved", "/teapot", "/", "/abort"]
        connection.send(paths.map { "GET \($0) HTTP/1.1\r\nHost: svc\r\n\r\n" }.joined())
        let answers = connection.read(until: "fault filter abort", count: 2)
        let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
        #expect(statuses == ["503", "301", "418", "200", "503"], "\(answers)")
        #expect(!answers.lowercased().contains("connection: close"), "\(answers)")
        // Still open: one more request on the same connection is answered.
        connection.send("GET /teapot HTTP/1.1\r\nHost: svc\r\n\r\n")
        #expect(connection.read(until: "short and stout").contains("418"))
        // A client that asks to close gets its answer, then the close.
        connection.send("GET /abort HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n")
        let last = connection.readAll()
        #expect(last.hasPrefix("HTTP/1.1 503"))
        #expect(last.lowercased().contains("connection: close"))
    }

    @Test func blockAllKeepsTheConnectionOpen() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")], configure: { $0.mesh.outboundTrafficPolicy = .registryOnly })
        defer { Task { await proxy.stop() } }
        let connection = try RawConnection("127.0.0.1:\(proxy.listenPort)")
        connection.send("GET / HTTP/1.1\r\nHost: unknown.example\r\n\r\nGET / HTTP/1.1\r\nHost: svc\r\n\r\n")
        let answers = connection.read(until: "x-demo-version")
        let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
        #expect(statuses == ["502", "200"], "\(answers)")
        #expect(!answers.lowercased().contains("connection: close"))
    }
}
