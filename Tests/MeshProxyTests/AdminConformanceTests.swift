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
}
