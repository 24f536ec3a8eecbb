import MeshModel
import MeshRouting
import MeshValidation
import Testing

@testable import MeshAnalysis

/// Loads the documents (validated) and runs every analyzer; returns the analysis findings only.
func analyze(_ yaml: String, mesh: MeshConfig = MeshConfig()) throws -> [Diagnostic] {
    var rules = LoadedRules()
    let validator = Validator()
    RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &rules, validate: validator.validate)
    try #require(!rules.hasErrors, "fixture does not validate: \(rules.diagnostics.map(\.headline))")
    var analysis = Analysis(resources: rules.resources, mesh: mesh)
    return analysis.run()
}

/// "CODE Kind ns/name LINE:COL" for compact, exact assertions.
func summary(_ findings: [Diagnostic]) -> [String] {
    findings.map { "\($0.code) \($0.resource ?? "-") \($0.line):\($0.column)" }.sorted()
}

/// reviews with v1/v2 endpoints (lines 1-12), and its DestinationRule with subsets v1, v2 (13-21).
let registry = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: reviews}
    spec:
      hosts: [reviews.default.svc.cluster.local]
      ports: [{number: 9080, name: http, protocol: HTTP}]
      resolution: STATIC
      endpoints:
      - {address: 10.0.0.1, labels: {version: v1}}
      - {address: 10.0.0.2, labels: {version: v2}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews}
    spec:
      host: reviews
      subsets:
      - {name: v1, labels: {version: v1}}
      - {name: v2, labels: {version: v2}}
    ---

    """

/// Lines the registry takes; the next document starts on the line after.
let registryLines = 20

func vs(_ body: String, name: String = "reviews", extra: String = "") -> String {
    """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: \(name)}
    spec:
    \(extra)  hosts: [reviews]
      http:
    \(body)
    """
}

@Suite struct ReferenceTests {
    @Test func cleanRulesHaveNoFindings() throws {
        let findings = try analyze(
            registry
                + vs(
                    """
                      - match: [{headers: {end-user: {exact: jason}}}]
                        route: [{destination: {host: reviews, subset: v2}}]
                      - route:
                        - {destination: {host: reviews, subset: v1}, weight: 90}
                        - {destination: {host: reviews, subset: v2}, weight: 10}
                    """))
        #expect(findings.isEmpty, "\(findings.map(\.headline))")
    }

    @Test func missingHostAndSubsetPointAtTheirScalars() throws {
        let findings = try analyze(
            registry
                + vs(
                    """
                      - route:
                        - destination: {host: ratings}
                          weight: 100
                        - destination: {host: reviews, subset: v3}
                          weight: 0
                        mirror: {host: reviews, subset: v9}
                    """))
        let base = registryLines
        #expect(
            summary(findings)
                == [
                    "IST0101 VirtualService default/reviews \(base + 8):27",
                    "IST0101 VirtualService default/reviews \(base + 10):44",
                    "IST0101 VirtualService default/reviews \(base + 12):37",
                ].sorted())
        #expect(
            findings.contains {
                $0.message == "referenced subset not found: reviews+v3 (DestinationRule default/reviews defines v1, v2)"
            })
        #expect(findings.contains { $0.message.hasSuffix("in mirror") && $0.message.contains("reviews+v9") })
        #expect(findings.allSatisfy { $0.level == .error })
    }

    @Test func subsetWithoutAnyDestinationRule() throws {
        let findings = try analyze(vs("  - route: [{destination: {host: reviews, subset: v1}}]\n"))
        #expect(
            findings.contains {
                $0.code == "IST0101" && $0.message.contains("no DestinationRule for reviews.default.svc.cluster.local")
            })
    }

    @Test func portRequiredWhenTheServiceHasSeveral() throws {
        let multi = registry.replacingOccurrences(
            of: "ports: [{number: 9080, name: http, protocol: HTTP}]",
            with: "ports: [{number: 9080, name: http, protocol: HTTP}, {number: 9443, name: https, protocol: HTTPS}]")
        let findings = try analyze(multi + vs("  - route: [{destination: {host: reviews, subset: v1}}]\n"))
        #expect(summary(findings) == ["IST0112 VirtualService default/reviews \(registryLines + 7):27"])
        let withPort = try analyze(multi + vs("  - route: [{destination: {host: reviews, subset: v1, port: {number: 9080}}}]\n"))
        #expect(withPort.isEmpty)
    }

    @Test func kubernetesServicesAndPodsAreTheRegistry() throws {
        let k8s = """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: default}
            spec:
              selector: {app: reviews}
              ports: [{name: http, port: 9080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: reviews-v1}
            spec:
              selector: {matchLabels: {app: reviews}}
              template:
                metadata: {labels: {app: reviews, version: v1}}
                spec: {containers: [{name: reviews, image: reviews:1}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---

            """
        let findings = try analyze(k8s + vs("  - route: [{destination: {host: reviews, subset: v1}}]\n"))
        #expect(summary(findings) == ["IST0173 DestinationRule default/reviews 24:12"])
        #expect(findings[0].message == "subset v2 selects no endpoint of reviews.default.svc.cluster.local (labels version=v2)")
    }

    @Test func destinationRuleHostNotFound() throws {
        let findings = try analyze(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ghost}\nspec:\n  host: ghost\n")
        #expect(summary(findings) == ["IST0174 DestinationRule default/ghost 5:9"])
        #expect(findings[0].level == .warning)
    }

    @Test func overlappingDestinationRules() throws {
        let second =
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews-lb}\nspec:\n  host: reviews.default.svc.cluster.local\n  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n"
        let findings = try analyze(registry + second)
        #expect(summary(findings) == ["MESH0105 DestinationRule default/reviews-lb \(registryLines + 5):9"])
    }
}

/// Subsets that select no endpoint, decided as the route table decides them (503 UH).
@Suite struct EmptySubsetTests {
    /// `api.example.com` with `resolution`, no endpoints, and subsets v1 (labels) and all (none);
    /// a VirtualService splits between them.
    func rules(resolution: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api}
        spec:
          hosts: [api.example.com]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: \(resolution)
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: api}
        spec:
          host: api.example.com
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: all}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: api}
        spec:
          hosts: [api.example.com]
          http:
          - route:
            - {destination: {host: api.example.com, subset: v1}, weight: 50}
            - {destination: {host: api.example.com, subset: all}, weight: 50}
        """
    }

    /// The subsets the route table answers 503 UH for.
    func unhealthySubsets(_ yaml: String) throws -> [String] {
        var loaded = LoadedRules()
        RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &loaded)
        let table = RouteTable(resources: loaded.resources)
        return table.targets.values.filter { $0.failure?.flag == "UH" }.compactMap(\.subset).sorted()
    }

    @Test func dnsServiceEntryWithoutEndpointsHasOnlyItsHost() throws {
        let yaml = rules(resolution: "DNS")
        let findings = try analyze(yaml)
        #expect(summary(findings) == ["IST0173 DestinationRule default/api 15:12", "MESH0101 VirtualService default/api 25:53"])
        #expect(
            findings.first { $0.code == "IST0173" }?.message
                == "subset v1 selects no endpoint of api.example.com (labels version=v1); its only endpoint is the host itself, resolved by DNS, without labels"
        )
        // The same subset, and only it, is the one the proxy answers 503 (UH) for.
        #expect(try unhealthySubsets(yaml) == ["v1"])
    }

    @Test func staticEndpointsWithoutTheLabel() throws {
        let yaml = rules(resolution: "STATIC").replacingOccurrences(
            of: "  resolution: STATIC", with: "  resolution: STATIC\n  endpoints: [{address: 10.0.0.1, labels: {version: v2}}]")
        #expect(try analyze(yaml).map(\.code).sorted() == ["IST0173", "MESH0101"])
        #expect(try unhealthySubsets(yaml) == ["v1"])
    }

    @Test func originalDestinationNeedsNoEndpoints() throws {
        // resolution NONE: the proxy sends to the address the client asked for, whatever the subset.
        let yaml = rules(resolution: "NONE")
        #expect(try analyze(yaml).isEmpty)
        #expect(try unhealthySubsets(yaml).isEmpty)
    }

    @Test func originalDestinationWithEndpointsFromAnotherEntry() throws {
        // Two entries for one host: endpoints listed by the second are selected by labels.
        let yaml =
            rules(resolution: "NONE") + "\n---\n"
                + """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: api-static}
                spec:
                  hosts: [api.example.com]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: STATIC
                  endpoints: [{address: 10.0.0.1, labels: {version: v2}}]
                """
        #expect(try analyze(yaml).map(\.code).sorted() == ["IST0173", "MESH0101"])
        #expect(try unhealthySubsets(yaml) == ["v1"])
    }

    @Test func aSubsetDefinedByALaterDestinationRule() throws {
        // MESH0101 judges a subset by the first DestinationRule that defines it (MESH0105 reports
        // the overlap).
        let yaml =
            rules(resolution: "STATIC").replacingOccurrences(
                of: "  resolution: STATIC",
                with: "  resolution: STATIC\n  endpoints: [{address: 10.0.0.1, labels: {version: v2}}]"
            ).replacingOccurrences(of: "  - {name: v1, labels: {version: v1}}\n", with: "") + """

                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api-v1}
                spec:
                  host: api.example.com
                  subsets: [{name: v1, labels: {version: v1}}]
                """
        #expect(try analyze(yaml).map(\.code).sorted() == ["IST0173", "MESH0101", "MESH0105"])
    }

    @Test func workloadsSelectedByAServiceEntryAreLookedUpAmongThePods() throws {
        // As istioctl checks it: the entry's workloadSelector and the subset's labels together
        // must select a pod of the input.
        let yaml = rules(resolution: "STATIC").replacingOccurrences(
            of: "  resolution: STATIC", with: "  resolution: STATIC\n  workloadSelector: {labels: {app: api}}")
        #expect(try analyze(yaml).map(\.code).sorted() == ["IST0173", "IST0173"])
        let pods = """

            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: api-1, labels: {app: api, version: v1}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: api-2, labels: {app: api, version: v2}}
            """
        #expect(try analyze(yaml + pods).isEmpty)
    }
}

@Suite struct VirtualServiceAnalyzerTests {
    @Test func twoMeshVirtualServicesForOneHost() throws {
        let findings = try analyze(
            registry + vs("  - route: [{destination: {host: reviews, subset: v1}}]\n") + "\n---\n"
                + vs("  - route: [{destination: {host: reviews, subset: v2}}]\n", name: "reviews-canary"))
        #expect(
            summary(findings) == [
                "IST0109 VirtualService default/reviews \(registryLines + 5):11",
                "IST0109 VirtualService default/reviews-canary \(registryLines + 14):11",
            ])
        #expect(findings[0].level == .error)
    }

    @Test func unreachableRulesAndIneffectiveMatches() throws {
        let findings = try analyze(
            registry
                + vs(
                    """
                      - match: [{uri: {prefix: /api}}]
                        route: [{destination: {host: reviews, subset: v1}}]
                      - match: [{uri: {prefix: /api/v1}}, {uri: {exact: /api}}]
                        route: [{destination: {host: reviews, subset: v2}}]
                      - match: [{uri: {prefix: /api/v2}, headers: {x: {exact: "1"}}}, {uri: {prefix: /other}}]
                        route: [{destination: {host: reviews, subset: v2}}]
                      - route: [{destination: {host: reviews, subset: v1}}]
                      - name: legacy
                        route: [{destination: {host: reviews, subset: v2}}]
                    """))
        let b = registryLines
        #expect(
            summary(findings)
                == [
                    "IST0130 VirtualService default/reviews \(b + 9):5",
                    "IST0130 VirtualService default/reviews \(b + 14):5",
                    "IST0131 VirtualService default/reviews \(b + 9):13",
                    "IST0131 VirtualService default/reviews \(b + 9):39",
                    "IST0131 VirtualService default/reviews \(b + 11):13",
                ].sorted())
        #expect(findings.contains { $0.message == "VirtualService rule #1 not used (all matches used by prior rules)" })
        #expect(
            findings.contains { $0.message == "VirtualService rule \"legacy\" not used (only the last rule can have no matches)" }
        )
        #expect(findings.first { $0.code == "IST0131" }?.level == .info)
    }

    @Test func catchAllAfterSpecificMatchesIsFine() throws {
        let findings = try analyze(
            registry
                + vs(
                    """
                      - match: [{headers: {user-agent: {regex: ".*Safari.*"}}}]
                        route: [{destination: {host: reviews, subset: v2}}]
                      - match: [{uri: {prefix: /api}}, {uri: {prefix: /admin}}]
                        route: [{destination: {host: reviews, subset: v2}}]
                      - route: [{destination: {host: reviews, subset: v1}}]
                    """))
        #expect(findings.isEmpty, "\(findings.map(\.headline))")
    }

    @Test func meshctlsOwnRouteChecks() throws {
        let findings = try analyze(
            registry.replacingOccurrences(
                of: "- {name: v2, labels: {version: v2}}",
                with: "- {name: v2, labels: {version: v2}}\n  - {name: v3, labels: {version: v3}}")
                + vs(
                    """
                      - match: [{uri: {prefix: /a}}]
                        route:
                        - {destination: {host: reviews, subset: v1}, weight: 80}
                        - {destination: {host: reviews, subset: v3}, weight: 20}
                      - match: [{uri: {prefix: /b}}]
                        route: [{destination: {host: reviews, subset: v1}}]
                        timeout: 1s
                        retries: {attempts: 3, perTryTimeout: 500ms}
                      - match: [{uri: {prefix: /c}}]
                        route: [{destination: {host: reviews, subset: v1}}]
                        mirror: {host: reviews, subset: v1}
                      - fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                        route: [{destination: {host: reviews, subset: v1}}]
                    """))
        let codes = Set(findings.map(\.code))
        #expect(codes.isSuperset(of: ["MESH0101", "MESH0102", "MESH0103", "MESH0104", "IST0173"]))
        #expect(
            findings.first { $0.code == "MESH0101" }?.message
                == "rule #0 sends weight 20 to subset v3, which has no endpoints: that share of requests will fail with 503")
        #expect(
            findings.first { $0.code == "MESH0102" }?.message.contains(
                "3 attempts × perTryTimeout 500ms exceed the route timeout 1s") == true)
    }

    @Test func mirrorToAnotherSubsetIsFine() throws {
        let findings = try analyze(
            registry + vs("  - route: [{destination: {host: reviews, subset: v1}}]\n    mirror: {host: reviews, subset: v2}\n"))
        #expect(findings.isEmpty)
    }
}

@Suite struct GatewayAnalyzerTests {
    func gateway(_ name: String, hosts: String, port: Int = 80, selector: String = "{istio: ingressgateway}") -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: \(name)}
        spec:
          selector: \(selector)
          servers:
          - port: {number: \(port), name: http-\(name), protocol: HTTP}
            hosts: \(hosts)
        ---

        """
    }

    @Test func correctGatewayAndVirtualServicePair() throws {
        let findings = try analyze(
            registry + gateway("edge", hosts: "[\"*.example.com\"]") + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: shop}
                spec:
                  hosts: [shop.example.com]
                  gateways: [edge]
                  http:
                  - route: [{destination: {host: reviews, subset: v1}}]
                """)
        #expect(findings.isEmpty, "\(findings.map(\.headline))")
    }

    @Test func gatewayMissingAndHostNotInGateway() throws {
        // istioctl reports a Gateway only when none of the VirtualService's hosts is among its
        // hosts (here shop.example.com is), and a missing Gateway with both codes.
        let findings = try analyze(
            registry + gateway("edge", hosts: "[\"shop.example.com\"]") + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: shop}
                spec:
                  hosts: [shop.example.com, blog.example.com]
                  gateways: [edge, other/missing]
                  http:
                  - route: [{destination: {host: reviews, subset: v1}}]
                """)
        let b = registryLines + 9
        #expect(
            summary(findings) == [
                "IST0101 VirtualService default/shop \(b + 6):20",
                "IST0132 VirtualService default/shop \(b + 6):20",
            ])
        #expect(findings.first { $0.code == "IST0101" }?.message == "referenced gateway not found: other/missing")
        let blogOnly = try analyze(
            registry + gateway("edge", hosts: "[\"shop.example.com\"]") + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: blog}
                spec:
                  hosts: [blog.example.com]
                  gateways: [edge]
                  http:
                  - route: [{destination: {host: reviews, subset: v1}}]
                """)
        #expect(summary(blogOnly) == ["IST0132 VirtualService default/blog \(b + 6):14"])
    }

    @Test func conflictingGateways() throws {
        // The same host on the same workload and port conflicts; a wildcard and a host it covers
        // do not (Istio serves both), nor the same host on another port.
        let findings = try analyze(
            gateway("a", hosts: "[shop.example.com]") + gateway("b", hosts: "[shop.example.com]")
                + gateway("c", hosts: "[\"*.example.com\"]") + gateway("d", hosts: "[shop.example.com]", port: 443))
        #expect(summary(findings) == ["IST0145 Gateway default/a 8:13", "IST0145 Gateway default/b 17:13"])
        #expect(findings.allSatisfy { $0.level == .error })
        #expect(
            findings.first?.message
                == "conflict with gateways default/b (workload selector istio=ingressgateway, port 80, hosts shop.example.com)")
    }
}

@Suite struct SuppressionTests {
    let findings = [
        Diagnostic(
            level: .warning, code: "IST0130", message: "m", file: "f", line: 1, column: 1,
            resource: "VirtualService default/legacy"),
        Diagnostic(
            level: .error, code: "IST0101", message: "m", file: "f", line: 2, column: 1, resource: "VirtualService prod/shop"),
    ]

    @Test func byCodeAndResourceWithWildcards() {
        #expect(
            Suppression.apply([Suppression("IST0130=VirtualService default/legacy")!], to: findings, resources: []).map(\.code)
                == ["IST0101"])
        #expect(
            Suppression.apply([Suppression("IST0130=VirtualService legacy")!], to: findings, resources: []).map(\.code) == [
                "IST0101"
            ])
        #expect(
            Suppression.apply([Suppression("*=VirtualService prod/*")!], to: findings, resources: []).map(\.code) == ["IST0130"])
        #expect(Suppression.apply([Suppression("IST0101=VirtualService default/*")!], to: findings, resources: []).count == 2)
        #expect(Suppression("no-equals") == nil)
    }

    @Test func byAnnotation() throws {
        let yaml =
            registry + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: reviews
                  annotations:
                    galley.istio.io/analyze-suppress: "IST0101, IST0130"
                spec:
                  hosts: [reviews]
                  http:
                  - route: [{destination: {host: reviews, subset: v7}}]
                  - route: [{destination: {host: reviews, subset: v1}}]
                """
        var rules = LoadedRules()
        RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &rules, validate: Validator().validate)
        var analysis = Analysis(resources: rules.resources)
        let all = analysis.run()
        #expect(Set(all.map(\.code)) == ["IST0101", "IST0130"])
        #expect(Suppression.apply([], to: all, resources: rules.resources).isEmpty)
    }
}
