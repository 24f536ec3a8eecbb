import Foundation
import Testing

@testable import MeshProxy

/// `/config_dump` of a sidecar with an inbound side: Istio's `virtualInbound` listener with the
/// chains the proxy really accepts on the application's port, the security filters in force,
/// and the `inbound|PORT||` cluster; and the inbound stats under the prefix the dump names.
@Suite struct InboundConfigDumpTests {
    /// The running dump, as JSON objects.
    struct Dump {
        let document: [String: Any]

        init(_ mesh: SecuredWorkload) async throws {
            let answer = try await HTTPClient.send(
                "GET", host: "127.0.0.1", port: mesh.sidecar.adminAddress!.port!, path: "/config_dump")
            #expect(answer.status == 200)
            document = try #require(try JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any])
        }

        func section(_ suffix: String) -> [String: Any] {
            let configs = document["configs"] as? [[String: Any]] ?? []
            return configs.first { ($0["@type"] as? String)?.hasSuffix(suffix) == true } ?? [:]
        }

        var listeners: [[String: Any]] {
            (section("ListenersConfigDump")["dynamic_listeners"] as? [[String: Any]] ?? []).compactMap {
                ($0["active_state"] as? [String: Any])?["listener"] as? [String: Any]
            }
        }

        var clusters: [[String: Any]] {
            (section("ClustersConfigDump")["dynamic_active_clusters"] as? [[String: Any]] ?? []).compactMap {
                $0["cluster"] as? [String: Any]
            }
        }

        var virtualInbound: [String: Any]? { listeners.first { $0["name"] as? String == "virtualInbound" } }
    }

    static func chains(_ listener: [String: Any]?) -> [[String: Any]] { listener?["filter_chains"] as? [[String: Any]] ?? [] }

    static func match(_ chain: [String: Any]) -> [String: Any] { chain["filter_chain_match"] as? [String: Any] ?? [:] }

    /// The chain's HTTP connection manager configuration.
    static func connectionManager(_ chain: [String: Any]) -> [String: Any] {
        let filters = chain["filters"] as? [[String: Any]] ?? []
        return filters.first { $0["name"] as? String == "envoy.filters.network.http_connection_manager" }?["typed_config"]
            as? [String: Any] ?? [:]
    }

    static func httpFilters(_ chain: [String: Any]) -> [[String: Any]] {
        connectionManager(chain)["http_filters"] as? [[String: Any]] ?? []
    }

    /// The inbound cluster is STATIC at the application's address, whatever the mode.
    static func expectInboundCluster(_ dump: Dump, _ mesh: SecuredWorkload) throws {
        let cluster = try #require(dump.clusters.first { $0["name"] as? String == "inbound|\(mesh.appPort)||" })
        #expect(cluster["type"] as? String == "STATIC")
        let assignment = cluster["load_assignment"] as? [String: Any]
        let endpoint = ((assignment?["endpoints"] as? [[String: Any]])?.first?["lb_endpoints"] as? [[String: Any]])?.first
        let address =
            ((endpoint?["endpoint"] as? [String: Any])?["address"] as? [String: Any])?["socket_address"]
            as? [String: Any]
        #expect(address?["address"] as? String == "127.0.0.1")
        #expect(address?["port_value"] as? Int == mesh.appPort)
    }

    @Test func strictHasOnlyTheMutualTLSChainAndTheRBACFilters() async throws {
        let mesh = try await SecuredWorkload(
            policies: meshWideStrict + allowProductpageDenyAdmin)
        let productpage = try await mesh.caller("productpage")
        defer { Task { await mesh.stop() } }
        let dump = try await Dump(mesh)

        let listener = try #require(dump.virtualInbound)
        let address = (listener["address"] as? [String: Any])?["socket_address"] as? [String: Any]
        #expect(address?["address"] as? String == "127.0.0.1")
        #expect(address?["port_value"] as? Int == mesh.inboundPort, "the bound inbound port")
        #expect(listener["traffic_direction"] as? String == "INBOUND")
        // STRICT: the TLS chain only (without an ALPN condition, as Istio writes it for an HTTP
        // port); no raw_buffer chain.
        let chains = Self.chains(listener)
        #expect(chains.count == 1)
        let chain = try #require(chains.first)
        #expect(Self.match(chain)["destination_port"] as? Int == mesh.appPort)
        #expect(Self.match(chain)["transport_protocol"] as? String == "tls")
        #expect(Self.match(chain)["application_protocols"] == nil)
        let tls = (chain["transport_socket"] as? [String: Any])?["typed_config"] as? [String: Any]
        #expect(tls?["require_client_certificate"] as? Bool == true)
        #expect(chain["name"] as? String == "0.0.0.0_\(mesh.appPort)")

        let manager = Self.connectionManager(chain)
        #expect(manager["stat_prefix"] as? String == "inbound_0.0.0.0_\(mesh.appPort)")
        let route = ((manager["route_config"] as? [String: Any])?["virtual_hosts"] as? [[String: Any]])?.first
        #expect(route?["name"] as? String == "inbound|http|\(mesh.appPort)")
        let filters = Self.httpFilters(chain)
        #expect(
            filters.map { $0["name"] as? String } == [
                "envoy.filters.http.rbac", "envoy.filters.http.rbac", "envoy.filters.http.router",
            ])
        let rules = filters.prefix(2).map { ($0["typed_config"] as? [String: Any])?["rules"] as? [String: Any] }
        #expect(rules.map { $0?["action"] as? String } == ["DENY", "ALLOW"], "DENY is evaluated before ALLOW")
        let allow = try #require((rules.last??["policies"] as? [String: Any])?["ns[default]-policy[allow-productpage]-rule[0]"])
        let principal = String(decoding: try JSONSerialization.data(withJSONObject: allow), as: UTF8.self)
        #expect(principal.contains(#""exact":"spiffe:\/\/cluster.local\/ns\/default\/sa\/productpage""#), "\(principal)")
        try Self.expectInboundCluster(dump, mesh)

        // The counters the proxy keeps are under the stat prefix the dump claims.
        #expect(try await mesh.send(through: productpage).status == 200)
        let prefix = try #require(manager["stat_prefix"] as? String)
        #expect(try await mesh.stat("http.\(prefix).rbac.allowed", on: mesh.sidecar) > 0)
        #expect(try await mesh.stat("http.\(prefix).downstream_rq_2xx", on: mesh.sidecar) == 1)
    }

    @Test func permissiveHasTheMutualTLSAndPlaintextChainsAndTheJWTAndRateLimitFilters() async throws {
        let mesh = try await SecuredWorkload(
            policies: reviewsPermissive + """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: default}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  jwtRules:
                  - issuer: https://issuer.example.com
                    jwks: '{"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"gX87Xa_ZCckAfEW4LPy0gfXzciDU22gZxAesBm3TZ-M","y":"bVQO0wyQ9WJT8qsj0_IQCFA_dvNSpW2eP5sDvCDob3M"}]}'
                ---

                """ + tenRequestsPerMinute)
        defer { Task { await mesh.stop() } }
        let dump = try await Dump(mesh)

        let chains = Self.chains(dump.virtualInbound)
        #expect(chains.map { Self.match($0)["transport_protocol"] as? String } == ["tls", "raw_buffer"])
        #expect(chains.allSatisfy { Self.match($0)["destination_port"] as? Int == mesh.appPort })
        #expect(
            Self.match(chains[0])["application_protocols"] as? [String] == [
                "istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2",
            ])
        #expect(chains[1]["transport_socket"] == nil)
        for chain in chains {
            #expect(
                Self.httpFilters(chain).map { $0["name"] as? String } == [
                    "envoy.filters.http.jwt_authn", "envoy.filters.http.local_ratelimit", "envoy.filters.http.router",
                ])
        }
        let jwt = Self.httpFilters(chains[1])[0]["typed_config"] as? [String: Any]
        let provider = (jwt?["providers"] as? [String: Any])?["origins-0"] as? [String: Any]
        #expect(provider?["issuer"] as? String == "https://issuer.example.com")
        // The TypedStruct is shown as the message it carries.
        let limit = Self.httpFilters(chains[1])[1]["typed_config"] as? [String: Any]
        #expect(
            limit?["@type"] as? String == "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit")
        #expect((limit?["token_bucket"] as? [String: Any])?["max_tokens"] as? Int == 10)
        try Self.expectInboundCluster(dump, mesh)

        // Plaintext is accepted, and counted under the dump's stat prefix.
        #expect(try await mesh.sendInbound().status == 200)
        let prefix = try #require(Self.connectionManager(chains[1])["stat_prefix"] as? String)
        #expect(prefix == "inbound_0.0.0.0_\(mesh.appPort)")
        #expect(try await mesh.stat("http.\(prefix).downstream_rq_2xx", on: mesh.sidecar) == 1)
    }

    @Test func withoutACertificateOnlyPlaintextIsShown() async throws {
        let mesh = try await SecuredWorkload(policies: "", mutualTLS: false)
        defer { Task { await mesh.stop() } }
        let dump = try await Dump(mesh)
        let listener = try #require(dump.virtualInbound)
        #expect(Self.chains(listener).map { Self.match($0)["transport_protocol"] as? String } == ["raw_buffer"])
        let listenerFilters = (listener["listener_filters"] as? [[String: Any]] ?? []).map { $0["name"] as? String }
        #expect(!listenerFilters.contains("envoy.filters.listener.tls_inspector"))
        // No policy applies: the router alone.
        #expect(Self.httpFilters(Self.chains(listener)[0]).map { $0["name"] as? String } == ["envoy.filters.http.router"])
        let admin = mesh.sidecar.adminAddress!.port!
        let listeners = try await HTTPClient.send("GET", host: "127.0.0.1", port: admin, path: "/listeners").text
        #expect(listeners.contains("virtualInbound::127.0.0.1:\(mesh.inboundPort)\n"), "\(listeners)")
    }
}
