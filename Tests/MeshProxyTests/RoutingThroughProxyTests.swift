import Foundation
import Testing

@testable import MeshProxy

/// Routing decisions carried out on live traffic: what `simulate` says, the proxy does.
@Suite struct RoutingThroughProxyTests {
    static func vs(_ http: String, hosts: String = "[svc]") -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: svc}
        spec:
          hosts: \(hosts)
          http:
        \(http)
        """
    }

    @Test func weightedSplitAndHeaderMatch() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v2")],
            rules: { _ in
                Self.vs(
                    """
                      - match: [{headers: {end-user: {exact: jason}}}]
                        route: [{destination: {host: svc, subset: v2}}]
                      - route:
                        - {destination: {host: svc, subset: v1}, weight: 80}
                        - {destination: {host: svc, subset: v2}, weight: 20}
                    """)
            })
        defer { Task { await proxy.stop() } }
        let jason = try await proxy.versions(20, headers: [("end-user", "jason")])
        #expect(jason == ["v2": 20])
        let split = try await proxy.versions(600)
        let v2 = split["v2", default: 0]
        #expect(split["v1", default: 0] + v2 == 600)
        #expect(v2 > 60 && v2 < 190, "about 20% of 600 to v2, got \(split)")
    }

    @Test func absoluteFormHostPortsAndKeepAlive() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        // A forward-proxy request: the URL names the service.
        let connection = try RawConnection(port: proxy.listenPort)
        connection.send("GET http://svc.default.svc.cluster.local/a?b=1 HTTP/1.1\r\nHost: ignored\r\n\r\n")
        connection.send("GET /two HTTP/1.1\r\nHost: svc:80\r\n\r\n")
        let both = connection.read(until: "from '", count: 2)
        #expect(both.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "two answers on one connection: \(both)")
        #expect(both.contains("x-seen-path: /a?b=1"))
        #expect(both.contains("x-seen-path: /two"))
        #expect(both.contains("server: envoy"))
        #expect(both.contains("x-envoy-upstream-service-time: "))
        let unknownPort = try await proxy.send("/", host: "nosuchservice.example:8080")
        #expect(unknownPort.status == 503 || unknownPort.status == 502, "passthrough to a host that does not resolve fails")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        let connection = try RawConnection(port: proxy.listenPort)
        connection.send((1...5).map { "GET /p\($0) HTTP/1.1\r\nHost: svc\r\n\r\n" }.joined())
        let text = connection.read(until: "from '", count: 5)
        let paths = text.split(separator: "\r\n").filter { $0.hasPrefix("x-seen-path: ") }.map { String($0.dropFirst(13)) }
        #expect(paths == ["/p1", "/p2", "/p3", "/p4", "/p5"])
    }

    @Test func redirectDirectResponseRewriteAndHeaders() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1")],
            rules: { _ in
                Self.vs(
                    """
                      - match: [{uri: {exact: /old}}]
                        redirect: {uri: /new, authority: other.example}
                      - match: [{uri: {exact: /teapot}}]
                        directResponse: {status: 418, body: {string: "short and stout"}}
                      - match: [{uri: {prefix: /api/v1/}}]
                        rewrite: {uri: /v1/}
                        route: [{destination: {host: svc}}]
                      - route: [{destination: {host: svc}}]
                        headers:
                          request: {set: {x-added: yes}, remove: [x-secret]}
                          response: {set: {x-answered-by: meshctl}, remove: [x-demo-version]}
                    """)
            })
        defer { Task { await proxy.stop() } }
        let redirect = try await proxy.send("/old")
        #expect(redirect.status == 301)
        #expect(redirect.header("location") == "http://other.example/new")
        let teapot = try await proxy.send("/teapot")
        #expect(teapot.status == 418)
        #expect(teapot.text == "short and stout")
        let rewritten = try await proxy.send("/api/v1/items?q=1")
        #expect(rewritten.header("x-seen-path") == "/v1/items?q=1")
        let echoed = try await proxy.send(
            "/echo",
            headers: [("x-secret", "s"), ("traceparent", "00-abc-def-01"), ("b3", "x"), ("connection", "x-hop"), ("x-hop", "1")])
        #expect(!echoed.text.contains("x-hop"), "headers named in Connection are hop-by-hop")
        #expect(echoed.text.contains("x-added: yes"))
        #expect(!echoed.text.contains("x-secret"))
        #expect(echoed.text.contains("traceparent: 00-abc-def-01"), "trace headers pass untouched")
        #expect(echoed.text.contains("b3: x"))
        #expect(echoed.text.contains("x-request-id: "), "a request id is generated")
        #expect(echoed.text.contains("x-forwarded-for: 127.0.0.1"))
        #expect(echoed.header("x-answered-by") == "meshctl")
        #expect(echoed.header("x-demo-version") == nil)
        let given = try await proxy.send("/", headers: [("x-request-id", "given-id")])
        #expect(given.header("x-seen-request-id") == "given-id")
    }

    @Test func noRouteAndEgressPolicies() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1")], rules: { _ in Self.vs("  - match: [{uri: {prefix: /only}}]\n    route: [{destination: {host: svc}}]") }
        )
        defer { Task { await proxy.stop() } }
        #expect(try await proxy.send("/other").status == 404)
        // ALLOW_ANY: an unknown host is reached at the address it names (PassthroughCluster).
        let passthrough = try await proxy.send("/", host: "127.0.0.1:\(proxy.ports[0])")
        #expect(passthrough.status == 200)
        #expect(passthrough.text.hasPrefix("svc v1 from"))
        #expect(try await proxy.stat("cluster.PassthroughCluster.upstream_rq_200") == 1)

        let blocked = try await ProxyHarness.start([.init("v1")], configure: { $0.mesh.outboundTrafficPolicy = .registryOnly })
        defer { Task { await blocked.stop() } }
        #expect(try await blocked.send("/", host: "127.0.0.1:\(blocked.ports[0])").status == 502)
        #expect(try await blocked.send("/", host: "svc").status == 200, "registered services still work")
    }

    @Test func consistentHashKeepsAUserOnOneHost() async throws {
        let proxy = try await ProxyHarness.start(
            [.init("v1"), .init("v1"), .init("v1")],
            rules: { _ in
                """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: svc}
                spec:
                  host: svc
                  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
                  subsets: [{name: v1, labels: {version: v1}}]
                """
            })
        defer { Task { await proxy.stop() } }
        for user in ["ann", "bob", "cyd"] {
            var hosts = Set<String>()
            for _ in 0..<8 {
                let text = try await proxy.send("/", headers: [("x-user", user)]).text
                hosts.insert(String(text.split(separator: "'")[1]))
            }
            #expect(hosts.count == 1, "\(user) went to \(hosts)")
        }
    }
}

extension RawConnection {
    convenience init(port: Int) throws { try self.init("127.0.0.1:\(port)") }
}
