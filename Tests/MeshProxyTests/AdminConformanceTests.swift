import Foundation
import Testing

@testable import MeshProxy

/// The admin API answers as Envoy's does for the same configuration: every cluster the rules
/// define in `/clusters`, the EDS section on request, Istio's Prometheus names; and a rule set
/// that holds nothing is not swapped in.
@Suite struct AdminConformanceTests {
    /// Two versions, a route to v1 only: `outbound|80||svc` and the v2 subset carry no traffic.
    static func v1Only() async throws -> ProxyHarness {
        try await ProxyHarness.start(
            [.init("v1"), .init("v2")],
            rules: { _ in RoutingThroughProxyTests.vs("  - route: [{destination: {host: svc, subset: v1}}]") })
    }

    static func json(_ response: HTTPClient.Response) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// The cluster names of a config dump's clusters section.
    static func dumpedClusters(_ dump: [String: Any]) -> Set<String> {
        let configs = dump["configs"] as? [[String: Any]] ?? []
        let clusters = configs.first { ($0["@type"] as? String)?.hasSuffix("ClustersConfigDump") == true }
        let entries = clusters?["dynamic_active_clusters"] as? [[String: Any]] ?? []
        return Set(entries.compactMap { ($0["cluster"] as? [String: Any])?["name"] as? String })
    }

    @Test func clustersListEveryClusterTheConfigDefines() async throws {
        let proxy = try await Self.v1Only()
        defer { Task { await proxy.stop() } }
        #expect(try await proxy.versions(3) == ["v1": 3])
        let dumped = Self.dumpedClusters(try Self.json(try await proxy.admin("/config_dump")))
        #expect(dumped.contains("outbound|80||svc.default.svc.cluster.local"))
        let statuses = try Self.json(try await proxy.admin("/clusters?format=json"))["cluster_statuses"] as? [[String: Any]] ?? []
        let listed = statuses.compactMap { $0["name"] as? String }
        #expect(Set(listed) == dumped, "/clusters and /config_dump name the same clusters")
        #expect(listed.count == dumped.count, "each once")
        #expect(listed.suffix(2) == ["BlackHoleCluster", "PassthroughCluster"])
        // A cluster no route uses still has its hosts, as Envoy's does.
        let unused = statuses.first { $0["name"] as? String == "outbound|80|v2|svc.default.svc.cluster.local" }
        let hosts = unused?["host_statuses"] as? [[String: Any]] ?? []
        let ports = hosts.compactMap {
            (($0["address"] as? [String: Any])?["socket_address"] as? [String: Any])?["port_value"] as? Int
        }
        #expect(ports == [proxy.ports[1]])
        let text = try await proxy.admin("/clusters").text
        #expect(text.contains("outbound|80||svc.default.svc.cluster.local::127.0.0.1:\(proxy.ports[0])::health_flags::healthy"))
        #expect(text.contains("outbound|80||svc.default.svc.cluster.local::127.0.0.1:\(proxy.ports[1])::health_flags::healthy"))
        #expect(text.contains("BlackHoleCluster::observability_name::BlackHoleCluster"))
    }

    @Test func configDumpHasEndpointsOnlyWhenAsked() async throws {
        let proxy = try await Self.v1Only()
        defer { Task { await proxy.stop() } }
        func types(_ dump: [String: Any]) -> [String] {
            (dump["configs"] as? [[String: Any]] ?? []).compactMap {
                ($0["@type"] as? String)?.split(separator: ".").last.map(String.init)
            }
        }
        #expect(!types(try Self.json(try await proxy.admin("/config_dump"))).contains("EndpointsConfigDump"))
        let dump = try Self.json(try await proxy.admin("/config_dump?include_eds"))
        #expect(
            types(dump) == [
                "BootstrapConfigDump", "ClustersConfigDump", "EndpointsConfigDump", "ListenersConfigDump", "RoutesConfigDump",
            ])
        let eds = (dump["configs"] as? [[String: Any]] ?? []).first {
            ($0["@type"] as? String)?.hasSuffix("EndpointsConfigDump") == true
        }
        let assignments = (eds?["static_endpoint_configs"] as? [[String: Any]] ?? []).compactMap {
            $0["endpoint_config"] as? [String: Any]
        }
        let v2 = assignments.first { $0["cluster_name"] as? String == "outbound|80|v2|svc.default.svc.cluster.local" }
        let lb = ((v2?["endpoints"] as? [[String: Any]])?.first?["lb_endpoints"] as? [[String: Any]])?.first
        let address = ((lb?["endpoint"] as? [String: Any])?["address"] as? [String: Any])?["socket_address"] as? [String: Any]
        #expect(address?["port_value"] as? Int == proxy.ports[1])
        #expect(lb?["health_status"] as? String == "HEALTHY")
    }

    @Test func prometheusNamesAreIstios() async throws {
        let proxy = try await Self.v1Only()
        defer { Task { await proxy.stop() } }
        #expect(try await proxy.versions(3) == ["v1": 3])
        _ = try await proxy.send("/status/503")
        let stats = try await proxy.admin("/stats?filter=downstream_rq_2xx").text
        let line = try #require(stats.split(separator: "\n").first { $0.hasPrefix("http.") })
        let prefix = line.dropFirst(5).prefix { $0 != ":" }.dropLast(".downstream_rq_2xx".count)
        #expect(line.hasSuffix(": 3"), "the text /stats keeps Envoy's names: \(line)")
        let prometheus = try await proxy.admin("/stats/prometheus").text
        #expect(
            prometheus.contains("envoy_http_downstream_rq{response_code_class=\"2xx\",http_conn_manager_prefix=\"\(prefix)\"} 3"))
        #expect(
            prometheus.contains("envoy_http_downstream_rq{response_code_class=\"5xx\",http_conn_manager_prefix=\"\(prefix)\"} 1"))
        let v1 = "outbound|80|v1|svc.default.svc.cluster.local"
        #expect(prometheus.contains("envoy_cluster_upstream_rq{response_code_class=\"2xx\",cluster_name=\"\(v1)\"} 3"))
        #expect(prometheus.contains("envoy_cluster_upstream_rq{response_code=\"503\",cluster_name=\"\(v1)\"} 1"))
        #expect(prometheus.contains("envoy_http_downstream_rq_total{http_conn_manager_prefix=\"\(prefix)\"} 4"))
        #expect(!prometheus.contains("rq_2xx") && !prometheus.contains("rq_xx"), "no class left in a metric name")
        let types = prometheus.split(separator: "\n").filter { $0.hasPrefix("# TYPE envoy_cluster_upstream_rq ") }
        #expect(types == ["# TYPE envoy_cluster_upstream_rq counter"], "codes and classes are one metric")
    }

    @Test func aClientThatExpectsAnInvitationGetsItAtOnce() async throws {
        let proxy = try await Self.v1Only()
        defer { Task { await proxy.stop() } }
        let rules = try await proxy.admin("/config").text
        let connection = try RawConnection(port: proxy.adminPort)
        connection.send(
            "PUT /config HTTP/1.1\r\nHost: admin\r\nExpect: 100-continue\r\nContent-Length: \(rules.utf8.count)\r\n\r\n")
        // Nothing of the body is sent until the proxy answers 100 Continue (curl waits a second).
        #expect(connection.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue"))
        connection.send(rules)
        let answer = connection.read(until: "}\n")
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        #expect(try await proxy.admin("/config").header("x-meshctl-config-version") == "2")
    }

    @Test func aRuleSetOfObjectsTheProxyDoesNotUseIsRefused() async throws {
        let proxy = try await Self.v1Only()
        defer { Task { await proxy.stop() } }
        let body = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n"
        let refused = try await proxy.admin("/config", method: "PUT", body: body)
        #expect(refused.status == 400)
        let diagnostics = try Self.json(refused)["diagnostics"] as? [[String: Any]] ?? []
        #expect(
            (diagnostics.first?["message"] as? String)?.contains("no Istio resources and no Service (only ConfigMap)") == true)
        #expect(try await proxy.admin("/config").header("x-meshctl-config-version") == "1")
        #expect(try await proxy.versions(2) == ["v1": 2], "the running rules keep serving")
    }

    @Test(arguments: ["", "\n", "# nothing here\n---\n"])
    func aRuleSetWithNothingInItIsRefused(body: String) async throws {
        let proxy = try await Self.v1Only()
        defer { Task { await proxy.stop() } }
        let refused = try await proxy.admin("/config", method: "PUT", body: body)
        #expect(refused.status == 400)
        let diagnostics = try Self.json(refused)["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["level"] as? String == "error")
        #expect((diagnostics.first?["message"] as? String)?.contains("holds no resources") == true)
        #expect(try await proxy.admin("/config").header("x-meshctl-config-version") == "1")
        #expect(try await proxy.versions(3) == ["v1": 3], "the running rules keep serving")
    }
}
