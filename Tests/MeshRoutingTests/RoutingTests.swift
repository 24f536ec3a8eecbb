import MeshModel
import MeshValidation
import Testing

@testable import MeshRouting

/// A small registry like the tutorial's: recommendation v1/v2/v3 on 127.0.0.1.
let registry = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: recommendation}
    spec:
      hosts: [recommendation.default.svc.cluster.local]
      ports: [{number: 8080, name: http, protocol: HTTP}]
      resolution: STATIC
      endpoints:
      - {address: 127.0.0.1, ports: {http: 9101}, labels: {version: v1}}
      - {address: 127.0.0.1, ports: {http: 9102}, labels: {version: v2}}
      - {address: 127.0.0.1, ports: {http: 9103}, labels: {version: v3}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: recommendation}
    spec:
      host: recommendation
      subsets:
      - {name: version-v1, labels: {version: v1}}
      - {name: version-v2, labels: {version: v2}}
      - {name: version-v3, labels: {version: v3}}
      - {name: version-v9, labels: {version: v9}}
    ---

    """

let v1 = "outbound|8080|version-v1|recommendation.default.svc.cluster.local"
let v2 = "outbound|8080|version-v2|recommendation.default.svc.cluster.local"
let v3 = "outbound|8080|version-v3|recommendation.default.svc.cluster.local"

func table(
    _ yaml: String, mesh: MeshConfig = MeshConfig(), identity: ProxyIdentity = ProxyIdentity(),
    compatibility: CompatibilityVersion? = nil
) throws -> RouteTable {
    var rules = LoadedRules()
    let validator = Validator()
    RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &rules, validate: validator.validate)
    let errors = rules.diagnostics.filter { $0.level == .error }
    try #require(errors.isEmpty, "fixture does not validate: \(errors.map(\.headline))")
    return RouteTable(resources: rules.resources, mesh: mesh, identity: identity, compatibility: compatibility)
}

func recommendationVS(_ http: String, hosts: String = "[recommendation]") -> String {
    registry + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: recommendation}
        spec:
          hosts: \(hosts)
          http:
        \(http)
        """
}

func decide(
    _ t: RouteTable, host: String = "recommendation", path: String = "/", method: String = "GET",
    headers: [(String, String)] = [], port: Int? = nil, seed: UInt64 = 1
) -> Decision {
    var random = SplitMix64(seed: seed)
    return t.decide(
        HTTPRequest(authority: host, path: path, method: method, headers: headers, port: port), random: &random, certainOnly: true
    )
}

func distribution(_ t: RouteTable, headers: [(String, String)] = [], count: Int = 100_000, seed: UInt64 = 7) -> [String: Double] {
    var random = SplitMix64(seed: seed)
    var counts: [String: Int] = [:]
    let request = HTTPRequest(authority: "recommendation", headers: headers)
    for _ in 0..<count {
        let d = t.decide(request, random: &random)
        counts[d.status.map { "status \($0)" } ?? d.cluster ?? "none", default: 0] += 1
    }
    return counts.mapValues { Double($0) * 100 / Double(count) }
}

let browserRules = recommendationVS(
    """
      - match:
        - headers:
            baggage-user-agent: {regex: ".*Safari.*"}
        route:
        - destination: {host: recommendation, subset: version-v2}
      - match:
        - headers:
            baggage-user-agent: {regex: ".*Firefox.*"}
        route:
        - destination: {host: recommendation, subset: version-v3}
      - match:
        - headers:
            user-agent: {regex: ".*Mobile.*"}
        route:
        - destination: {host: recommendation, subset: version-v3}
      - match:
        - headers:
            user-preference: {prefix: "123"}
        route:
        - destination: {host: recommendation, subset: version-v3}
      - match:
        - headers:
            user-preference: {prefix: "12"}
        route:
        - destination: {host: recommendation, subset: version-v2}
      - route:
        - destination: {host: recommendation, subset: version-v1}
    """)

@Suite struct HeaderRoutingTests {
    @Test(
        arguments: [
            ([("baggage-user-agent", "Mozilla/5.0 (Macintosh) AppleWebKit Safari/605.1")], v2, 0),
            ([("Baggage-User-Agent", "Mozilla/5.0 Firefox/120.0")], v3, 1),
            ([("user-agent", "Mozilla/5.0 (iPhone) Mobile/15E148")], v3, 2),
            ([("user-preference", "1234")], v3, 3),
            ([("user-preference", "129")], v2, 4),
            ([("user-preference", "1")], v1, 5),
            ([], v1, 5),
        ] as [([(String, String)], String, Int)])
    func routesByHeader(headers: [(String, String)], cluster: String, rule: Int) throws {
        let d = decide(try table(browserRules), headers: headers)
        #expect(d.cluster == cluster)
        #expect(d.routeIndex == rule)
        #expect(d.kind == .forward)
        #expect(d.virtualHost?.virtualServiceName == "default/recommendation")
    }

    @Test func regexIsAFullMatch() throws {
        let t = try table(
            recommendationVS(
                """
                  - match:
                    - headers:
                        baggage-user-agent: {regex: "Safari"}
                    route:
                    - destination: {host: recommendation, subset: version-v2}
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        #expect(decide(t, headers: [("baggage-user-agent", "Mozilla Safari")]).cluster == v1)
        #expect(decide(t, headers: [("baggage-user-agent", "Safari")]).cluster == v2)
    }

    @Test func explainNamesTheFirstFailingConditionOfEachEarlierRule() throws {
        let t = try table(browserRules)
        let request = HTTPRequest(authority: "recommendation", headers: [("user-preference", "129")])
        var random = SplitMix64(seed: 1)
        let lines = t.explain(request, t.decide(request, random: &random))
        #expect(lines[0] == "no port given: recommendation is served on port 8080 only, so the request is taken to be on 8080")
        #expect(lines[1].hasPrefix("host recommendation → VirtualService default/recommendation (t.yaml:"))
        #expect(lines.contains { $0.contains("rule 0 at t.yaml:") && $0.contains("header baggage-user-agent is absent") })
        #expect(
            lines.contains {
                $0.contains("rule 3") && $0.contains("header user-preference \"129\" does not match prefix \"123\"")
            })
        #expect(lines.contains { $0.contains("rule 4") && $0.contains("matches: header user-preference prefix \"12\"") })
        #expect(
            lines.contains("→ \(v2) (1 endpoint; port 8080: the destination has no port, so the request's port 8080 is used)"))
    }
}

@Suite struct MatchSemanticsTests {
    @Test func andWithinAMatchOrAcrossMatches() throws {
        let t = try table(
            recommendationVS(
                """
                  - match:
                    - uri: {prefix: /api}
                      method: {exact: POST}
                    - headers:
                        x-canary: {exact: "yes"}
                    route:
                    - destination: {host: recommendation, subset: version-v2}
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        #expect(decide(t, path: "/api/x", method: "POST").cluster == v2)
        #expect(decide(t, path: "/api/x", method: "GET").cluster == v1)
        #expect(decide(t, path: "/other", method: "POST").cluster == v1)
        #expect(decide(t, path: "/other", headers: [("x-canary", "yes")]).cluster == v2)
    }

    @Test func uriIgnoresQueryAndHonoursIgnoreUriCase() throws {
        let t = try table(
            recommendationVS(
                """
                  - match:
                    - uri: {exact: /Login}
                      ignoreUriCase: true
                    route:
                    - destination: {host: recommendation, subset: version-v2}
                  - match:
                    - uri: {regex: "/items/[0-9]+"}
                      queryParams:
                        debug: {exact: "1"}
                    route:
                    - destination: {host: recommendation, subset: version-v3}
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        #expect(decide(t, path: "/login?next=/").cluster == v2)
        #expect(decide(t, path: "/LOGIN").cluster == v2)
        #expect(decide(t, path: "/items/42?debug=1").cluster == v3)
        #expect(decide(t, path: "/items/42?debug=0").cluster == v1)
        #expect(decide(t, path: "/items/x?debug=1").cluster == v1)
    }

    @Test func withoutHeadersAndPresentMatch() throws {
        let t = try table(
            recommendationVS(
                """
                  - match:
                    - withoutHeaders:
                        x-beta: {exact: "on"}
                      headers:
                        x-user: {}
                    route:
                    - destination: {host: recommendation, subset: version-v1}
                  - route:
                    - destination: {host: recommendation, subset: version-v2}
                """))
        #expect(decide(t, headers: [("x-user", "a")]).cluster == v1)
        #expect(decide(t, headers: [("x-user", "a"), ("x-beta", "on")]).cluster == v2)
        #expect(decide(t, headers: [("x-user", "a"), ("x-beta", "off")]).cluster == v1)
        #expect(decide(t).cluster == v2)
    }

    @Test func portSourceLabelsNamespaceAndGateways() throws {
        let rules = recommendationVS(
            """
              - match:
                - sourceLabels: {app: preference, version: v2}
                route:
                - destination: {host: recommendation, subset: version-v2}
              - match:
                - sourceNamespace: canary
                route:
                - destination: {host: recommendation, subset: version-v3}
              - match:
                - port: 9080
                route:
                - destination: {host: recommendation, subset: version-v3}
              - route:
                - destination: {host: recommendation, subset: version-v1}
            """)
        #expect(decide(try table(rules, identity: ProxyIdentity(labels: ["app": "preference", "version": "v2"]))).cluster == v2)
        #expect(decide(try table(rules, identity: ProxyIdentity(labels: ["app": "preference", "version": "v1"]))).cluster == v1)
        #expect(
            decide(try table(rules, identity: ProxyIdentity(namespace: "canary")), host: "recommendation.default").cluster == v3)
        // The service has port 8080 only: the rule for port 9080 is dropped from its routes.
        #expect(decide(try table(rules), port: 8080).cluster == v1)
        let t = try table(rules)
        let on8080 = HTTPRequest(authority: "recommendation", port: 8080)
        var r8080 = SplitMix64(seed: 1)
        #expect(
            t.explain(on8080, t.decide(on8080, random: &r8080)).contains {
                $0.contains("rule 2 at t.yaml:")
                    && $0.contains("dropped when the configuration was built: match.port 9080 is not this listener's port 8080")
            })
        let request = HTTPRequest(authority: "recommendation")
        var random = SplitMix64(seed: 1)
        let lines = t.explain(request, t.decide(request, random: &random))
        #expect(lines.contains { $0.contains("sourceLabels app=preference,version=v2 do not match this proxy's labels") })
    }

    @Test func catchAllStopsEvaluation() throws {
        let t = try table(
            recommendationVS(
                """
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                  - match:
                    - headers:
                        x: {exact: "1"}
                    route:
                    - destination: {host: recommendation, subset: version-v2}
                """))
        #expect(decide(t, headers: [("x", "1")]).cluster == v1)
        #expect(decide(t, headers: [("x", "1")]).routeIndex == 0)
    }

    @Test func noMatchingRuleIs404() throws {
        let t = try table(
            recommendationVS(
                """
                  - match:
                    - uri: {prefix: /only}
                    route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        let d = decide(t, path: "/else")
        #expect(d.status == 404)
        #expect(d.responseFlag == "NR")
        #expect(d.cluster == nil)
    }
}

@Suite struct HostSelectionTests {
    @Test(arguments: [
        "recommendation", "recommendation:8080", "RECOMMENDATION", "recommendation.default",
        "recommendation.default.svc", "recommendation.default.svc.cluster.local", "Recommendation.Default.svc.cluster.local:8080",
    ])
    func namesOfTheSameService(host: String) throws {
        let t = try table(recommendationVS("  - route:\n    - destination: {host: recommendation, subset: version-v2}\n"))
        #expect(decide(t, host: host).cluster == v2)
    }

    @Test func shortNameOnlyInTheProxysNamespace() throws {
        let t = try table(
            recommendationVS("  - route:\n    - destination: {host: recommendation, subset: version-v2}\n"),
            identity: ProxyIdentity(namespace: "other"))
        #expect(decide(t, host: "recommendation").kind == .passthrough)
        #expect(decide(t, host: "recommendation.default").cluster == v2)
    }

    @Test func mostSpecificWildcardWins() throws {
        let yaml =
            registry + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: broad}
                spec:
                  hosts: ["*.example.com"]
                  gateways: [mesh]
                  http:
                  - route:
                    - destination: {host: recommendation, subset: version-v1, port: {number: 8080}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: narrow}
                spec:
                  hosts: ["*.api.example.com"]
                  http:
                  - route:
                    - destination: {host: recommendation, subset: version-v2, port: {number: 8080}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: exact}
                spec:
                  hosts: [v1.api.example.com]
                  http:
                  - route:
                    - destination: {host: recommendation, subset: version-v3, port: {number: 8080}}
                """
        let t = try table(yaml)
        #expect(decide(t, host: "www.example.com").cluster == v1)
        #expect(decide(t, host: "x.api.example.com").cluster == v2)
        #expect(decide(t, host: "v1.api.example.com").cluster == v3)
        #expect(decide(t, host: "example.com").kind == .passthrough)
    }

    @Test func egressUnderBothOutboundPolicies() throws {
        let yaml =
            registry + """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: worldclock}
                spec:
                  hosts: [worldclockapi.com]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: DNS
                """
        let allowAny = try table(yaml)
        #expect(decide(allowAny, host: "worldclockapi.com").cluster == "outbound|80||worldclockapi.com")
        let open = decide(allowAny, host: "example.org")
        #expect(open.cluster == "PassthroughCluster")
        #expect(open.status == nil)
        let registryOnly = try table(yaml, mesh: MeshConfig(outboundTrafficPolicy: .registryOnly))
        #expect(decide(registryOnly, host: "worldclockapi.com").cluster == "outbound|80||worldclockapi.com")
        // Port 80 has an HTTP listener (worldclockapi.com): REGISTRY_ONLY's block_all answers 502.
        let blocked = decide(registryOnly, host: "example.org")
        #expect(blocked.cluster == nil)
        #expect(blocked.status == 502)
        #expect(blocked.blockAll)
        // Port 9999 has none: the connection goes to BlackHoleCluster.
        #expect(decide(registryOnly, host: "example.org", port: 9999).cluster == "BlackHoleCluster")
    }

    @Test func serviceWithoutVirtualServiceGetsTheDefaultRoute() throws {
        let t = try table(registry)
        let d = decide(t)
        #expect(d.cluster == "outbound|8080||recommendation.default.svc.cluster.local")
        #expect(d.target?.endpoints.count == 3)
        #expect(d.virtualHost?.virtualServiceName == nil)
    }
}

@Suite struct WeightsAndActionsTests {
    @Test(arguments: [(90, 10), (75, 25), (50, 50), (1, 3)])
    func observedSplitWithinOnePoint(a: Int, b: Int) throws {
        let t = try table(
            recommendationVS(
                """
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                      weight: \(a)
                    - destination: {host: recommendation, subset: version-v2}
                      weight: \(b)
                """))
        let shares = distribution(t)
        let expected = Double(a) * 100 / Double(a + b)
        #expect(abs((shares[v1] ?? 0) - expected) < 1)
        #expect(abs((shares[v2] ?? 0) - (100 - expected)) < 1)
    }

    @Test func zeroWeightDestinationsGetNothing() throws {
        let t = try table(
            recommendationVS(
                """
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                      weight: 0
                    - destination: {host: recommendation, subset: version-v2}
                      weight: 100
                """))
        #expect(distribution(t, count: 10_000) == [v2: 100])
    }

    @Test func sameSeedSameDecisions() throws {
        let t = try table(
            recommendationVS(
                """
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                      weight: 50
                    - destination: {host: recommendation, subset: version-v2}
                      weight: 50
                """))
        let a = (0..<200).map { decide(t, seed: UInt64($0)).cluster }
        let b = (0..<200).map { decide(t, seed: UInt64($0)).cluster }
        #expect(a == b)
        #expect(Set(a).count == 2)
    }

    @Test func undefinedSubsetIs503NoCluster() throws {
        let t = try table(recommendationVS("  - route:\n    - destination: {host: recommendation, subset: version-v7}\n"))
        let d = decide(t)
        #expect(d.kind == .unavailable)
        #expect(d.status == 503)
        #expect(d.responseFlag == "NC")
        #expect(d.target?.failure?.reason.contains("has no subset version-v7") == true)
    }

    @Test func subsetWithoutEndpointsIs503NoHealthyUpstream() throws {
        let t = try table(recommendationVS("  - route:\n    - destination: {host: recommendation, subset: version-v9}\n"))
        #expect(decide(t).responseFlag == "UH")
    }

    @Test func faultAbortAndItsEffectOnRetries() throws {
        let full = try table(
            recommendationVS(
                """
                  - fault:
                      abort: {httpStatus: 503, percentage: {value: 100}}
                    route:
                    - destination: {host: recommendation, subset: version-v1}
                    retries: {attempts: 5}
                    timeout: 1s
                """))
        let d = decide(full)
        #expect(d.status == 503)
        #expect(d.kind == .abort)
        #expect(d.cluster == v1)
        let half = try table(
            recommendationVS(
                """
                  - fault:
                      abort: {httpStatus: 500, percentage: {value: 50}}
                    route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        #expect(decide(half).status == nil)  // a single request: only a certain fault fixes the status
        let shares = distribution(half)
        #expect(abs((shares["status 500"] ?? 0) - 50) < 1)
        let unset = try table(
            recommendationVS(
                """
                  - fault:
                      abort: {httpStatus: 500}
                    route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        #expect(distribution(unset, count: 1000) == [v1: 100])
    }

    @Test func delayPercentage() throws {
        let t = try table(
            recommendationVS(
                """
                  - fault:
                      delay: {fixedDelay: 7s, percentage: {value: 25}}
                    route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        var random = SplitMix64(seed: 3)
        let request = HTTPRequest(authority: "recommendation")
        let delayed = (0..<40_000).filter { _ in t.decide(request, random: &random).delayed }.count
        #expect(abs(Double(delayed) / 400 - 25) < 1)
    }

    @Test func mirrorAndPercentage() throws {
        let t = try table(
            recommendationVS(
                """
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                    mirror: {host: recommendation, subset: version-v2}
                    mirrorPercentage: {value: 20}
                """))
        var random = SplitMix64(seed: 5)
        let request = HTTPRequest(authority: "recommendation")
        var mirrored = 0
        for _ in 0..<50_000 {
            let d = t.decide(request, random: &random)
            #expect(d.cluster == v1)
            mirrored += d.mirrored.filter { $0.cluster == v2 }.count
        }
        #expect(abs(Double(mirrored) / 500 - 20) < 1)
        #expect(decide(t).route?.mirrors.first?.percent == 20)
    }

    @Test func retriesDefaultDisabledAndTimeout() throws {
        let t = try table(
            recommendationVS(
                """
                  - match: [{uri: {prefix: /none}}]
                    route:
                    - destination: {host: recommendation, subset: version-v1}
                    retries: {attempts: 0}
                  - match: [{uri: {prefix: /set}}]
                    route:
                    - destination: {host: recommendation, subset: version-v1}
                    retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}
                    timeout: 5s
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        #expect(decide(t, path: "/none").route?.retries.attempts == 0)
        let set = decide(t, path: "/set").route!
        #expect(
            set.retries
                == RetryPolicy(
                    attempts: 3, perTryTimeout: MeshDuration("2s"), retryOn: "5xx", retriableStatusCodes: [], isDefault: false))
        #expect(set.timeout?.text == "5s")
        let defaulted = decide(t).route!
        #expect(defaulted.retries == .istioDefault)
        #expect(defaulted.timeout == nil)
    }

    @Test func retryOnStatusCodesFollowIstio() {
        let policy = RetryPolicy(attempts: 2, perTryTimeout: nil, retryOn: "5xx, 503,504", isDefault: false)
        #expect(policy.retryOn == "5xx,retriable-status-codes")
        #expect(policy.retriableStatusCodes == [503, 504])
        // Since Istio 1.24 no status code is retried by default; 1.23 and earlier retried 503.
        #expect(RetryPolicy.istioDefault.retriableStatusCodes == [])
        #expect(RetryPolicy.istioDefault(compatibility: CompatibilityVersion("1.23")).retriableStatusCodes == [503])
        #expect(RetryPolicy.istioDefault(compatibility: CompatibilityVersion("1.24")).retriableStatusCodes == [])
    }

    @Test func redirectAndDirectResponse() throws {
        let t = try table(
            recommendationVS(
                """
                  - match: [{uri: {prefix: /old}}]
                    redirect: {uri: /new, authority: new.example.com, redirectCode: 308}
                  - match: [{uri: {exact: /health}}]
                    directResponse: {status: 200, body: {string: ok}}
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        let request = HTTPRequest(authority: "recommendation:8080", path: "/old/page")
        var random = SplitMix64(seed: 1)
        let redirect = t.decide(request, random: &random)
        #expect(redirect.status == 308)
        #expect(redirect.location(for: request) == "http://new.example.com/new")
        let direct = decide(t, path: "/health")
        #expect(direct.status == 200)
        #expect(direct.body == "ok")
    }

    @Test func clusterNamesFollowIstio() {
        #expect(
            Target.clusterName(port: 9080, subset: "v1", host: "reviews.default.svc.cluster.local")
                == "outbound|9080|v1|reviews.default.svc.cluster.local")
        #expect(Target.clusterName(port: 80, subset: nil, host: "worldclockapi.com") == "outbound|80||worldclockapi.com")
    }

    @Test func portStripping() {
        #expect(HostNames.stripPort("Reviews:9080") == "reviews")
        #expect(HostNames.stripPort("[::1]:80") == "[::1]")
        #expect(HostNames.stripPort("a.b") == "a.b")
        #expect(HostNames.fqdn("reviews", namespace: "prod") == "reviews.prod.svc.cluster.local")
        #expect(HostNames.fqdn("reviews.prod", namespace: "x") == "reviews.prod")
    }
}

@Suite struct RewriteAndGatewayTests {
    let rules =
        registry + """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: edge}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: ["*"]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: edge-routes}
            spec:
              hosts: [recommendation]
              gateways: [edge]
              http:
              - match: [{uri: {prefix: /v1/api}}]
                rewrite: {uri: /api, authority: internal}
                route:
                - destination: {host: recommendation, subset: version-v1}
              - match: [{uri: {exact: /exact}}]
                rewrite: {uri: /replaced}
                route:
                - destination: {host: recommendation, subset: version-v1}
              - match: [{uri: {prefix: /re}}]
                rewrite:
                  uriRegexRewrite: {match: "^/re/([a-z]+)/(.*)$", rewrite: "/\\\\2/\\\\1"}
                route:
                - destination: {host: recommendation, subset: version-v2}
            """

    func rewritten(_ path: String) throws -> (path: String, authority: String)? {
        let t = try table(rules, identity: ProxyIdentity(gateway: "default/edge"))
        let request = HTTPRequest(authority: "recommendation.default.svc.cluster.local", path: path)
        var random = SplitMix64(seed: 1)
        return t.rewrite(request, t.decide(request, random: &random))
    }

    @Test func prefixRewriteKeepsTheRestAndTheQuery() throws {
        let r = try rewritten("/v1/api/items?x=1")
        #expect(r?.path == "/api/items?x=1")
        #expect(r?.authority == "internal")
    }

    @Test func exactMatchRewriteReplacesTheWholePath() throws {
        #expect(try rewritten("/exact")?.path == "/replaced")
    }

    @Test func regexRewriteUsesRE2Groups() throws {
        #expect(try rewritten("/re/abc/def")?.path == "/def/abc")
    }

    @Test func aVirtualServiceBoundToAGatewayIsNotUsedBySidecars() throws {
        let atGateway = try table(rules, identity: ProxyIdentity(gateway: "default/edge"))
        // A gateway matches the VirtualService's host by its full name (short names are a sidecar's).
        #expect(decide(atGateway, host: "recommendation.default.svc.cluster.local", path: "/v1/api").cluster == v1)
        #expect(decide(atGateway, path: "/v1/api").status == 404)
        let sidecar = try table(rules)
        // The sidecar uses the registry's default route for the service instead.
        #expect(decide(sidecar, path: "/v1/api").cluster == "outbound|8080||recommendation.default.svc.cluster.local")
        #expect(decide(atGateway, host: "unknown.example.com").status == 404)
    }
}

@Suite struct UnregisteredHostTests {
    /// Rule files without a registry (Istio files for a Kubernetes cluster): routing is decided
    /// as in a cluster, with the missing service taken to exist.
    let rules = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - route:
            - {destination: {host: reviews, subset: v1}, weight: 75}
            - {destination: {host: reviews, subset: v2}, weight: 25}
        """

    @Test func routesWithoutAFailure() throws {
        let t = try table(rules)
        let d = decide(t, host: "reviews")
        #expect(d.kind == .forward)
        #expect(d.status == nil)
        #expect(d.cluster?.hasSuffix("|reviews.default.svc.cluster.local") == true)
        var random = SplitMix64(seed: 2)
        let request = HTTPRequest(authority: "reviews")
        #expect(t.explain(request, t.decide(request, random: &random)).contains { $0.contains("is not in the registry given") })
    }

    @Test func aSubsetNoRuleDefinesIsStillNoCluster() throws {
        let t = try table(rules.replacingOccurrences(of: "subset: v2}, weight: 25", with: "subset: v3}, weight: 25"))
        var random = SplitMix64(seed: 1)
        let request = HTTPRequest(authority: "reviews")
        let flags = Set((0..<200).compactMap { _ in t.decide(request, random: &random).responseFlag })
        #expect(flags == ["NC"])
    }
}

/// The route table is also built from rules nobody validated (a library caller, a config pushed
/// to the proxy before its checks): extreme numbers must route or not, never trap.
@Suite struct ExtremeNumbersTests {
    func unvalidatedTable(_ yaml: String) -> RouteTable {
        var rules = LoadedRules()
        RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &rules)
        return RouteTable(resources: rules.resources)
    }

    @Test func matchPortBeyond32BitsMatchesNothing() {
        let t = unvalidatedTable(
            recommendationVS(
                """
                  - match: [{port: 4294967295}]
                    route:
                    - destination: {host: recommendation, subset: version-v2}
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                """))
        #expect(decide(t, port: 8080).cluster == v1)
        let request = HTTPRequest(authority: "recommendation", port: 8080)
        #expect(
            t.explain(request, decide(t, port: 8080)).contains {
                $0.contains("match.port 4294967295 is not this listener's port 8080")
            })
    }

    @Test func percentagesBeyondAnyRangeAreExplainedWithoutTrapping() {
        let t = unvalidatedTable(
            recommendationVS(
                """
                  - route:
                    - destination: {host: recommendation, subset: version-v1}
                      weight: 2147483647
                    - destination: {host: recommendation, subset: version-v2}
                      weight: 2147483647
                    - destination: {host: recommendation, subset: version-v3}
                      weight: 2147483647
                    fault:
                      abort: {httpStatus: 503, percentage: {value: 1e300}}
                      delay: {fixedDelay: 2562047h47m16.854775807s, percentage: {value: .inf}}
                    mirror: {host: recommendation, subset: version-v2}
                    mirrorPercentage: {value: -1e300}
                """))
        let d = decide(t)
        #expect(d.kind == .abort)
        let lines = t.explain(HTTPRequest(authority: "recommendation"), d)
        #expect(lines.contains { $0.hasPrefix("fault: abort with 503 for 1e+300% of requests") })
        #expect(lines.contains { $0.hasPrefix("weights: ") && $0.contains("33.33%") })
        // An abort percentage over 100 aborts every request, as 100 does.
        #expect(distribution(t, count: 1_000) == ["status 503": 100])
    }
}
