import MeshModel
import MeshValidation
import Testing

@testable import MeshRouting

/// Routing as Istio builds a proxy's configuration, point by point: ports, wildcards,
/// precedence, names, exportTo, Sidecar, gateways, TCP and TLS, defaults and mesh config.

func request(
    _ t: RouteTable, _ host: String, port: Int? = nil, path: String = "/", scheme: String = "http",
    headers: [(String, String)] = []
) -> Decision {
    var random = SplitMix64(seed: 1)
    return t.decide(
        HTTPRequest(authority: host, path: path, scheme: scheme, headers: headers, port: port), random: &random,
        certainOnly: true)
}

func explanation(_ t: RouteTable, _ host: String, port: Int? = nil, headers: [(String, String)] = []) -> [String] {
    let r = HTTPRequest(authority: host, headers: headers, port: port)
    var random = SplitMix64(seed: 1)
    return t.explain(r, t.decide(r, random: &random, certainOnly: true))
}

func connect(_ t: RouteTable, port: Int, ip: String? = nil, sni: String? = nil, host: String? = nil, tls: Bool? = nil)
    -> TCPDecision
{
    var random = SplitMix64(seed: 1)
    return t.decideTCP(TCPRequest(port: port, destinationIP: ip, sni: sni, host: host, tls: tls), random: &random)
}

/// `web` serves HTTP on 80 and 8080; `single` on 9080 only.
let twoPorts = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: web}
    spec:
      hosts: [web.default.svc.cluster.local]
      location: MESH_INTERNAL
      ports: [{number: 80, name: http, protocol: HTTP}, {number: 8080, name: http-alt, protocol: HTTP}]
      resolution: DNS
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: single}
    spec:
      hosts: [single.default.svc.cluster.local]
      location: MESH_INTERNAL
      ports: [{number: 9080, name: http, protocol: HTTP}]
      resolution: DNS
    ---

    """

@Suite struct PortTests {
    @Test func aDestinationWithoutPortTakesTheRequestsPort() throws {
        let t = try table(
            twoPorts + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [web]
                  http:
                  - route: [{destination: {host: web}}]
                """)
        #expect(request(t, "web", port: 8080).cluster == "outbound|8080||web.default.svc.cluster.local")
        #expect(request(t, "web", port: 80).cluster == "outbound|80||web.default.svc.cluster.local")
        // Without a port of its own, the request is for the port in its Host.
        #expect(request(t, "web:8080").cluster == "outbound|8080||web.default.svc.cluster.local")
        #expect(
            explanation(t, "web", port: 8080).contains {
                $0.contains(
                    "port 8080: web.default.svc.cluster.local has ports 80, 8080; the destination has no port, so the request's port 8080 is used"
                )
            })
        // Without a port: 80 when the host is served on several ports.
        #expect(request(t, "web").port == 80)
    }

    @Test func eachPortHasItsRouteConfigurationAndVirtualHosts() throws {
        let t = try table(twoPorts)
        #expect(t.routeConfigurations.map(\.name) == ["80", "8080", "9080"])
        #expect(t.routeConfiguration(port: 8080)?.virtualHosts.map(\.name) == ["web.default.svc.cluster.local:8080"])
        #expect(t.routeConfiguration(port: 9080)?.virtualHosts.map(\.name) == ["single.default.svc.cluster.local:9080"])
        // A service's default route sends to its own port.
        #expect(request(t, "single").cluster == "outbound|9080||single.default.svc.cluster.local")
        #expect(request(t, "single", port: 9080).port == 9080)
        #expect(
            explanation(t, "single").first
                == "no port given: single is served on port 9080 only, so the request is taken to be on 9080")
        // single has no port 80: a request there is not routed to it.
        #expect(request(t, "single", port: 80).kind == .passthrough)
        #expect(explanation(t, "single", port: 80).contains { $0.contains("has no HTTP port 80 (its ports: 9080/HTTP)") })
    }

    @Test func aHostOutsideTheRegistryIsOnPort80Only() throws {
        let t = try table(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: ext}
            spec:
              hosts: [ext.example.com]
              http:
              - route: [{destination: {host: ext.example.com}}]
            """)
        #expect(request(t, "ext.example.com", port: 80).cluster == "outbound|80||ext.example.com")
        #expect(request(t, "ext.example.com", port: 8080).kind == .passthrough)
        #expect(explanation(t, "ext.example.com", port: 8080).first?.hasPrefix("no HTTP listener on port 8080") == true)
    }

    @Test func matchPortDropsTheRuleOnOtherPortsAndAnEmptiedVirtualServiceGivesWay() throws {
        let t = try table(
            twoPorts + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [web]
                  http:
                  - match: [{port: 8080}]
                    directResponse: {status: 418}
                """)
        let on8080 = request(t, "web", port: 8080)
        #expect(on8080.status == 418)
        // On port 80 the only rule is dropped: the service's default route, not 404.
        let on80 = request(t, "web", port: 80)
        #expect(on80.cluster == "outbound|80||web.default.svc.cluster.local")
        #expect(on80.virtualHost?.virtualService == nil)
        #expect(
            explanation(t, "web", port: 80).contains {
                $0.contains("VirtualService default/web is not used on port 80: every rule was dropped")
                    && $0.contains("match.port 8080 is not this listener's port 80")
            })
        // The rendered port-80 routes agree: the 418 rule is not there.
        #expect(t.routeConfiguration(port: 80)?.virtualHost(for: "web")?.routes.map(\.name) == ["default"])
    }

    @Test func aSidecarLooksTheDestinationUpOnTheListenersPort() throws {
        // web (80, 8080) routes to single (9080 only) without a port: on port 80 Istio finds no
        // `single` among the port-80 services and uses 80, a cluster single does not have.
        let t = try table(
            twoPorts + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [web]
                  http:
                  - route: [{destination: {host: single}}]
                """)
        let d = request(t, "web", port: 80)
        #expect(d.cluster == "outbound|80||single.default.svc.cluster.local")
        #expect(d.status == 503)
        #expect(d.responseFlag == "NC")
        #expect(d.target?.failure?.reason.contains("has no port 80 (its ports: 9080)") == true)
    }
}

@Suite struct WildcardHostTests {
    static let services = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: alt}
        spec:
          hosts: [alt.example.com, pinned.example.com]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: DNS
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: wildcard}
        spec:
          hosts: ["*.example.com"]
          http:
          - directResponse: {status: 201}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: pinned}
        spec:
          hosts: [pinned.example.com]
          http:
          - directResponse: {status: 202}
        """

    @Test func aWildcardAppliesToTheServicesItCoversUnlessAMoreSpecificOneClaimsThem() throws {
        let t = try table(Self.services)
        #expect(request(t, "alt.example.com").status == 201)
        #expect(request(t, "pinned.example.com").status == 202)
        #expect(request(t, "alt.example.com").virtualHost?.name == "alt.example.com:80")
    }

    @Test func aWildcardOverRegisteredServicesIsNotACatchAllOfItsOwn() throws {
        let t = try table(Self.services)
        let other = request(t, "other.example.com")
        #expect(other.kind == .passthrough)
        #expect(t.routeConfiguration(port: 80)?.virtualHosts.map(\.name).contains("*.example.com:80") == false)
        // Without registered services under it, the wildcard is a host of its own.
        let alone = try table(Self.services.components(separatedBy: "---\n").dropFirst().joined(separator: "---\n"))
        #expect(request(alone, "other.example.com").status == 201)
    }
}

@Suite struct PrecedenceTests {
    static func twoVirtualServices(_ first: (name: String, time: String?), _ second: (name: String, time: String?)) -> String {
        func vs(_ name: String, _ time: String?, status: Int) -> String {
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: \(name)\(time.map { ", creationTimestamp: \"\($0)\"" } ?? "")}
            spec:
              hosts: [web]
              http:
              - directResponse: {status: \(status)}
            """
        }
        return twoPorts + vs(first.name, first.time, status: 201) + "\n---\n" + vs(second.name, second.time, status: 202)
    }

    @Test func theOldestVirtualServiceWinsWhateverTheFileOrder() throws {
        let t = try table(Self.twoVirtualServices(("newer", "2024-05-01T00:00:00Z"), ("older", "2023-05-01T00:00:00Z")))
        #expect(request(t, "web", port: 80).status == 202)
        #expect(
            explanation(t, "web", port: 80).contains {
                $0.contains("older (creationTimestamp 2023-05-01T00:00:00Z < 2024-05-01T00:00:00Z)")
            })
    }

    @Test func noTimestampIsTheOldestAndTiesGoByName() throws {
        let missing = try table(Self.twoVirtualServices(("b", "2024-05-01T00:00:00Z"), ("z", nil)))
        #expect(request(missing, "web", port: 80).status == 202)
        let tie = try table(Self.twoVirtualServices(("b", "2024-05-01T00:00:00Z"), ("a", "2024-05-01T00:00:00Z")))
        #expect(request(tie, "web", port: 80).status == 202)
        let offset = try table(Self.twoVirtualServices(("b", "2024-05-01T02:00:00+02:00"), ("a", "2024-05-01T00:30:00Z")))
        // 02:00+02:00 is 00:00 UTC, older than 00:30 UTC.
        #expect(request(offset, "web", port: 80).status == 201)
    }

    @Test func theOldestDestinationRuleAndServiceEntryWin() throws {
        let t = try table(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: second, creationTimestamp: "2024-02-01T00:00:00Z"}
            spec:
              hosts: [db.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 10.0.0.2}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: first, namespace: other, creationTimestamp: "2024-01-01T00:00:00Z"}
            spec:
              hosts: [db.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 10.0.0.1}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: late, creationTimestamp: "2024-02-01T00:00:00Z"}
            spec:
              host: db.example.com
              subsets: [{name: s, labels: {}}]
              trafficPolicy: {loadBalancer: {simple: RANDOM}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: early, creationTimestamp: "2024-01-01T00:00:00Z"}
            spec:
              host: db.example.com
              trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
            """)
        let d = request(t, "db.example.com")
        #expect(d.target?.endpoints.map(\.address) == ["10.0.0.1"])
        // Rules of one namespace merge: the oldest's policy, subsets from all.
        #expect(d.target?.policy?.loadBalancer?.simple?.value == "ROUND_ROBIN")
        #expect(t.destinationRule(for: d.target!.service!)?.subsets.map { $0.name?.value } == ["s"])
    }
}

@Suite struct HostNameTests {
    @Test func aTrailingDotIsTheSameHost() throws {
        let t = try table(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: local}
            spec:
              hosts: [test.local.]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: DNS
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: local}
            spec:
              hosts: [test.local]
              http:
              - route: [{destination: {host: test.local.}}]
            """)
        #expect(request(t, "test.local").cluster == "outbound|80||test.local")
        #expect(request(t, "test.local.").cluster == "outbound|80||test.local")
        #expect(t.routeConfiguration(port: 80)?.virtualHosts.first?.domains == ["test.local", "test.local."])
    }

    @Test func anExternalNameServiceIsAnAliasOfTheServiceItNames() throws {
        let t = try table(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: backend, namespace: default}
            spec:
              ports: [{name: http, port: 8000}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: alias, namespace: default}
            spec:
              type: ExternalName
              externalName: backend.default.svc.cluster.local
              ports: [{name: http, port: 8000}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: via-alias}
            spec:
              hosts: [front.example.com]
              http:
              - route: [{destination: {host: alias, port: {number: 8000}}}]
            """)
        // Calling the alias reaches the concrete service's cluster.
        let direct = request(t, "alias", port: 8000)
        #expect(direct.cluster == "outbound|8000||backend.default.svc.cluster.local")
        #expect(direct.virtualHost?.domains.contains("alias.default.svc.cluster.local") == true)
        // A route to the alias resolves to the concrete service too.
        let routed = request(t, "front.example.com", port: 80)
        #expect(routed.cluster == "outbound|8000||backend.default.svc.cluster.local")
        #expect(routed.target?.alias == "alias.default.svc.cluster.local")
        // The alias has no virtual host of its own.
        #expect(t.routeConfiguration(port: 8000)?.virtualHosts.map(\.name) == ["backend.default.svc.cluster.local:8000"])
    }
}

extension HostNameTests {
    @Test func anAliasOfAHostOutsideTheMeshRoutesToThatHost() throws {
        let t = try table(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: partner, namespace: default}
            spec:
              type: ExternalName
              externalName: api.partner.com
              ports: [{name: http, port: 80}]
            """)
        let d = request(t, "partner")
        #expect(d.cluster == "outbound|80||api.partner.com")
        #expect(d.target?.alias == "partner.default.svc.cluster.local")
    }
}

@Suite struct ExportToTests {
    static let rules = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: a, namespace: ns1}
        spec:
          hosts: [a.example.com]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: DNS
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: private, namespace: ns1}
        spec:
          hosts: [private.example.com]
          exportTo: ["."]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: DNS
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: a, namespace: ns1}
        spec:
          hosts: [a.example.com]
          exportTo: [".", ns2]
          http:
          - directResponse: {status: 203}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: to-private, namespace: ns2}
        spec:
          hosts: [front.example.com]
          http:
          - route: [{destination: {host: private.example.com}}]
        """

    @Test func aVirtualServiceIsSeenOnlyWhereItIsExported() throws {
        #expect(request(try table(Self.rules, identity: ProxyIdentity(namespace: "ns1")), "a.example.com").status == 203)
        #expect(request(try table(Self.rules, identity: ProxyIdentity(namespace: "ns2")), "a.example.com").status == 203)
        let elsewhere = try table(Self.rules, identity: ProxyIdentity(namespace: "ns3"))
        #expect(request(elsewhere, "a.example.com").cluster == "outbound|80||a.example.com")
        #expect(
            explanation(elsewhere, "a.example.com").contains {
                $0.contains(
                    "VirtualService ns1/a is not visible here: it is exported to . (its own namespace), ns2, not to namespace ns3"
                )
            })
    }

    @Test func aServiceNotExportedToTheProxyHasNoClusterThere() throws {
        let t = try table(Self.rules, identity: ProxyIdentity(namespace: "ns2"))
        let d = request(t, "front.example.com")
        #expect(d.status == 503)
        #expect(d.responseFlag == "NC")
        #expect(d.target?.failure?.reason.contains("ServiceEntry ns1/private is exported to . (its own namespace)") == true)
        #expect(request(t, "private.example.com").kind == .passthrough)
    }

    @Test func theMeshDefaultAppliesToResourcesWithoutExportTo() throws {
        var mesh = MeshConfig()
        mesh.defaultServiceExportTo = ["."]
        let t = try table(Self.rules, mesh: mesh, identity: ProxyIdentity(namespace: "ns3"))
        #expect(t.scope.service("a.example.com") == nil)
        #expect(
            try table(Self.rules, mesh: mesh, identity: ProxyIdentity(namespace: "ns1")).scope.service("a.example.com") != nil)
    }
}

@Suite struct SidecarResourceTests {
    static let rules = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: a, namespace: ns1}
        spec:
          hosts: [a.example.com]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: DNS
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: b, namespace: ns2}
        spec:
          hosts: [b.example.com]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: DNS
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: ns3}
        spec:
          egress:
          - hosts: ["ns2/*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: locked, namespace: ns3}
        spec:
          workloadSelector: {labels: {app: locked}}
          egress:
          - hosts: ["~/*"]
          outboundTrafficPolicy: {mode: REGISTRY_ONLY}
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: istio-system}
        spec:
          egress:
          - hosts: ["./*", "ns1/a.example.com"]
        """

    @Test func egressHostsRestrictWhatTheProxySees() throws {
        let t = try table(Self.rules, identity: ProxyIdentity(namespace: "ns3"))
        #expect(t.scope.sidecar?.name == "default")
        #expect(request(t, "b.example.com").cluster == "outbound|80||b.example.com")
        #expect(request(t, "a.example.com").kind == .passthrough)
        #expect(
            explanation(t, "a.example.com").contains {
                $0.contains("Sidecar ns3/default does not import it (egress hosts ns2/*)")
            })
    }

    @Test func aWorkloadSelectorWinsAndItsOutboundPolicyReplacesTheMeshs() throws {
        let t = try table(Self.rules, identity: ProxyIdentity(namespace: "ns3", labels: ["app": "locked"]))
        #expect(t.scope.sidecar?.name == "locked")
        #expect(t.outboundMode == .registryOnly)
        let d = request(t, "b.example.com")
        #expect(d.cluster == "BlackHoleCluster")
        #expect(explanation(t, "b.example.com").contains { $0.contains("REGISTRY_ONLY, from Sidecar ns3/locked") })
    }

    @Test func theRootNamespaceSidecarIsTheMeshDefault() throws {
        let t = try table(Self.rules, identity: ProxyIdentity(namespace: "ns1"))
        #expect(t.scope.sidecar.map { "\($0.namespace)/\($0.name)" } == "istio-system/default")
        #expect(request(t, "a.example.com").cluster == "outbound|80||a.example.com")
        #expect(request(t, "b.example.com").kind == .passthrough)
    }

    @Test func aVirtualServiceImportsTheServicesItRoutesTo() throws {
        let t = try table(
            Self.rules + """

                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: front, namespace: ns2}
                spec:
                  hosts: [b.example.com]
                  http:
                  - route: [{destination: {host: a.example.com}}]
                """, identity: ProxyIdentity(namespace: "ns3"))
        // a.example.com is not among the egress hosts, but the imported VirtualService routes there.
        #expect(request(t, "b.example.com").cluster == "outbound|80||a.example.com")
        #expect(request(t, "b.example.com").status == nil)
    }
}

@Suite struct GatewayTests {
    static let rules = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: public, namespace: edge}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*.example.com"]
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: extra, namespace: team}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 8443, name: https, protocol: HTTPS}
            hosts: ["team/*"]
            tls: {mode: SIMPLE, credentialName: cert}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: shop, namespace: edge}
        spec:
          hosts: [shop.example.com, shop.other.org]
          gateways: [public]
          http:
          - route: [{destination: {host: shop.edge.svc.cluster.local, port: {number: 80}}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: team, namespace: team}
        spec:
          hosts: ["*"]
          gateways: [team/extra]
          http:
          - directResponse: {status: 207}
        """

    @Test func onlyTheGatewaysServersApply() throws {
        let t = try table(Self.rules, identity: ProxyIdentity(namespace: "edge", gateway: "edge/public"))
        #expect(request(t, "shop.example.com", port: 80).cluster == "outbound|80||shop.edge.svc.cluster.local")
        // A host outside the server's hosts: 404.
        #expect(request(t, "shop.other.org", port: 80).status == 404)
        // No server on the port: no listener.
        #expect(request(t, "shop.example.com", port: 9999).kind == .noListener)
        #expect(t.routeConfiguration(port: 80)?.name == "http.80")
    }

    @Test func allGatewaysSelectingTheWorkloadApply() throws {
        let t = try table(Self.rules, identity: ProxyIdentity(namespace: "edge", gateway: "edge/public"))
        // team/extra selects the same workload: its HTTPS server on 8443 applies too.
        let d = request(t, "anything.team.io", port: 8443, scheme: "https")
        #expect(d.status == 207)
        #expect(t.routeConfiguration(port: 8443)?.name == "https.8443.https.extra.team")
    }

    @Test func serverHostNamespacesLimitWhichVirtualServicesBind() throws {
        let rules = Self.rules.replacingOccurrences(of: "hosts: [\"team/*\"]", with: "hosts: [\"edge/*\"]")
        let t = try table(rules, identity: ProxyIdentity(namespace: "edge", gateway: "edge/public"))
        // The team VirtualService is in namespace team; the server only takes edge's.
        #expect(request(t, "anything.team.io", port: 8443, scheme: "https").status == 404)
    }

    @Test func theGatewayWorkloadHasItsSelectorsLabels() throws {
        let rules = Self.rules.replacingOccurrences(
            of: "  gateways: [public]\n  http:\n",
            with:
                "  gateways: [public]\n  http:\n  - match: [{sourceLabels: {istio: ingressgateway}}]\n    directResponse: {status: 299}\n"
        )
        let t = try table(rules, identity: ProxyIdentity(namespace: "edge", gateway: "edge/public"))
        #expect(request(t, "shop.example.com", port: 80).status == 299)
    }

    @Test func httpsRedirect() throws {
        let rules = Self.rules.replacingOccurrences(
            of: "hosts: [\"*.example.com\"]\n", with: "hosts: [\"*.example.com\"]\n    tls: {httpsRedirect: true}\n")
        let t = try table(rules, identity: ProxyIdentity(namespace: "edge", gateway: "edge/public"))
        let d = request(t, "shop.example.com", port: 80, path: "/cart")
        #expect(d.kind == .redirect)
        #expect(d.status == 301)
        #expect(
            d.location(for: HTTPRequest(authority: "shop.example.com", path: "/cart", port: 80))
                == "https://shop.example.com/cart")
    }
}

@Suite struct TCPAndTLSTests {
    static let rules = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: db}
        spec:
          hosts: [db.example.com]
          addresses: [10.0.0.5]
          ports: [{number: 5432, name: tcp, protocol: TCP}]
          resolution: STATIC
          endpoints: [{address: 10.1.0.1, labels: {v: a}}, {address: 10.1.0.2, labels: {v: b}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: db}
        spec:
          host: db.example.com
          subsets: [{name: a, labels: {v: a}}, {name: b, labels: {v: b}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: db}
        spec:
          hosts: [db.example.com]
          tcp:
          - match: [{port: 5432, sourceLabels: {app: batch}}]
            route: [{destination: {host: db.example.com, subset: b}}]
          - match: [{port: 5432}]
            route:
            - {destination: {host: db.example.com, subset: a}, weight: 75}
            - {destination: {host: db.example.com, subset: b}, weight: 25}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: wiki}
        spec:
          hosts: ["*.wikipedia.org"]
          ports: [{number: 443, name: tls, protocol: TLS}]
          resolution: NONE
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: wiki}
        spec:
          hosts: ["*.wikipedia.org"]
          tls:
          - match: [{port: 443, sniHosts: [en.wikipedia.org]}]
            route: [{destination: {host: en.wikipedia.org}}]
          - match: [{port: 443, sniHosts: ["*.wikipedia.org"], destinationSubnets: [192.168.0.0/16]}]
            route: [{destination: {host: local.wikipedia.org}}]
        """

    @Test func tcpRoutesMatchPortAndSourceLabelsWithWeights() throws {
        let t = try table(Self.rules)
        let d = connect(t, port: 5432, ip: "10.0.0.5")
        #expect(d.listener?.name == "10.0.0.5_5432")
        #expect(d.chain?.ruleIndex == 1)
        #expect(d.chain?.targets.map(\.cluster) == ["outbound|5432|a|db.example.com", "outbound|5432|b|db.example.com"])
        var random = SplitMix64(seed: 9)
        var a = 0
        for _ in 0..<10_000
        where t.decideTCP(TCPRequest(port: 5432, host: "db.example.com"), random: &random).target?.subset == "a" {
            a += 1
        }
        #expect(abs(Double(a) / 100 - 75) < 2)
        let batch = try table(Self.rules, identity: ProxyIdentity(labels: ["app": "batch"]))
        #expect(connect(batch, port: 5432, host: "db.example.com").cluster == "outbound|5432|b|db.example.com")
    }

    @Test func tlsRoutesMatchSNIAndDestinationSubnets() throws {
        let t = try table(Self.rules)
        #expect(connect(t, port: 443, sni: "en.wikipedia.org").cluster == "outbound|443||en.wikipedia.org")
        // The subnet chain is more specific than any chain without one.
        #expect(connect(t, port: 443, ip: "192.168.1.1", sni: "en.wikipedia.org").cluster == "outbound|443||local.wikipedia.org")
        // No chain for this server name: the listener's fallthrough (ALLOW_ANY).
        #expect(connect(t, port: 443, sni: "de.wikipedia.org").kind == .passthrough)
        let closed = try table(Self.rules, mesh: MeshConfig(outboundTrafficPolicy: .registryOnly))
        #expect(connect(closed, port: 443, sni: "de.wikipedia.org").cluster == "BlackHoleCluster")
    }

    @Test func anHTTPRequestToATCPPortIsNotHTTPRouted() throws {
        let t = try table(Self.rules)
        let d = request(t, "db.example.com", port: 5432)
        #expect(d.tcp != nil)
        #expect(d.cluster?.hasPrefix("outbound|5432|") == true)
        #expect(explanation(t, "db.example.com", port: 5432).first?.contains("is TCP: Istio does not HTTP-route it") == true)
    }

    @Test func aPortWithoutDeclaredProtocolIsSniffed() throws {
        let t = try table(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: mixed, namespace: default}
            spec:
              ports: [{name: web, port: 7000}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: mixed}
            spec:
              hosts: [mixed]
              http:
              - directResponse: {status: 208}
              tcp:
              - route: [{destination: {host: mixed, port: {number: 7000}}}]
            """)
        // HTTP requests are HTTP-routed; other traffic follows the tcp route.
        #expect(request(t, "mixed", port: 7000).status == 208)
        #expect(connect(t, port: 7000, host: "mixed").chain?.routeKind == "tcp")
    }
}

@Suite struct CurrentDefaultsTests {
    @Test func compatibilityVersionRestoresOlderDefaults() throws {
        let rules = recommendationVS(
            """
              - route: [{destination: {host: recommendation, subset: version-v1}}]
                mirror: {host: recommendation, subset: version-v2}
            """)
        let current = try table(rules)
        #expect(request(current, "recommendation").route?.retries.retriableStatusCodes == [])
        #expect(explanation(current, "recommendation").contains { $0.contains("(Host kept as is)") })
        let old = try table(rules, compatibility: CompatibilityVersion("1.23"))
        #expect(request(old, "recommendation").route?.retries.retriableStatusCodes == [503])
        #expect(explanation(old, "recommendation").contains { $0.contains("Host gets -shadow, compatibility 1.23") })
    }

    @Test func regexStarMeansPresentAndWithoutHeadersTakesAMissingHeaderAsEmpty() throws {
        // Istio's validation refuses `regex: "*"` (Go's regexp does), but configuration that got
        // in without it is translated to a presence match.
        var rules = LoadedRules()
        RuleLoader.load(
            Array(
                recommendationVS(
                    """
                      - match: [{headers: {x-any: {regex: "*"}}}]
                        route: [{destination: {host: recommendation, subset: version-v3}}]
                      - match: [{withoutHeaders: {x-empty: {exact: ""}}}]
                        route: [{destination: {host: recommendation, subset: version-v2}}]
                      - route: [{destination: {host: recommendation, subset: version-v1}}]
                    """
                ).utf8), name: "t.yaml", into: &rules)
        let t = RouteTable(resources: rules.resources)
        #expect(request(t, "recommendation", headers: [("x-any", "whatever")]).cluster == v3)
        // A missing x-empty counts as "", which the excluded exact "" matches: rule 1 does not apply.
        #expect(request(t, "recommendation").cluster == v1)
        #expect(request(t, "recommendation", headers: [("x-empty", "set")]).cluster == v2)
    }

    @Test func faultsKeepTheRoutesRetriesAndTimeout() throws {
        let t = try table(
            recommendationVS(
                """
                  - route: [{destination: {host: recommendation, subset: version-v1}}]
                    fault: {delay: {fixedDelay: 1s, percentage: {value: 100}}}
                    timeout: 3s
                    retries: {attempts: 4}
                """))
        let d = request(t, "recommendation")
        #expect(d.delayed)
        #expect(d.route?.timeout?.text == "3s")
        #expect(d.route?.retries.attempts == 4)
        let lines = explanation(t, "recommendation")
        #expect(lines.contains("timeout 3s bounds all tries"))
        #expect(lines.contains { $0.hasPrefix("retries: 4 on ") })
        #expect(!lines.contains { $0.contains("do not apply") })
    }
}

@Suite struct MeshConfigTests {
    @Test func allowAnyDynamicDNSSendsUnknownHTTPToTheDynamicForwardProxy() throws {
        let (mesh, problems, _) = MeshConfig.parse(
            Array("outboundTrafficPolicy: {mode: ALLOW_ANY_DYNAMIC_DNS}\n".utf8), path: "m.yaml")
        #expect(problems.isEmpty)
        #expect(mesh.outboundTrafficPolicy == .allowAnyDynamicDNS)
        let t = try table(registry, mesh: mesh)
        let http = request(t, "example.org", port: 8080)
        #expect(http.cluster == "AllowAnyDynamicDNSCluster")
        // TCP and TLS to unknown destinations still pass through.
        #expect(connect(t, port: 443, sni: "example.org").cluster == "PassthroughCluster")
        #expect(request(t, "example.org", port: 9999).cluster == "PassthroughCluster")
    }

    @Test func anUnimplementedFieldIsAWarningThatSaysWhatHappensInstead() {
        let (mesh, problems, _) = MeshConfig.parse(
            Array("connectTimeout: 5s\nenableTracing: true\noutboundTrafficPolicy: {mode: REGISTRY_ONLY}\n".utf8), path: "m.yaml")
        #expect(problems.isEmpty)
        #expect(mesh.outboundTrafficPolicy == .registryOnly)
        #expect(mesh.notices.map(\.level) == [.warning, .warning])
        #expect(
            mesh.notices.first?.message.contains("`connectTimeout` is not implemented by meshctl: clusters connect within 10s")
                == true)
        #expect(mesh.notices.map(\.line) == [1, 2])
    }

    @Test func exportToDefaultsAndRootNamespaceAreRead() {
        let (mesh, problems, _) = MeshConfig.parse(
            Array(
                "defaultVirtualServiceExportTo: [\".\"]\ndefaultDestinationRuleExportTo: [\"*\"]\nrootNamespace: mesh-root\n".utf8
            ),
            path: "m.yaml")
        #expect(problems.isEmpty)
        #expect(mesh.defaultVirtualServiceExportTo == ["."])
        #expect(mesh.rootNamespace == "mesh-root")
        #expect(mesh.notices.isEmpty)
    }
}
