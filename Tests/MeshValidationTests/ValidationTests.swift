import MeshModel
import MeshYAML
import Testing

@testable import MeshValidation

/// Loads and validates `text`, returning "LINE:COL CODE message" for each finding.
func findings(_ text: String) throws -> [Diagnostic] {
    var rules = LoadedRules()
    let validator = Validator()
    RuleLoader.load(Array(text.utf8), name: "t.yaml", into: &rules, validate: validator.validate)
    return rules.diagnostics
}

func vs(_ http: String, hosts: String = "[reviews]", extra: String = "") -> String {
    """
    apiVersion: networking.istio.io/v1beta1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: \(hosts)
    \(extra)  http:
    \(http)
    """
}

@Suite struct VirtualServiceValidationTests {
    @Test func validRulesHaveNoFindings() throws {
        let text = vs(
            """
              - match:
                - headers:
                    user-agent: {regex: ".*Safari.*"}
                  uri: {prefix: /api}
                route:
                - destination: {host: reviews, subset: v2}
                  weight: 90
                - destination: {host: reviews, subset: v1}
                  weight: 10
                timeout: 2s
                retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,connect-failure,503"}
                mirror: {host: reviews, subset: v3}
                mirrorPercentage: {value: 10}
            """)
        #expect(try findings(text).isEmpty)
    }

    @Test func negativeWeightPointsAtTheScalar() throws {
        let text = vs(
            """
              - route:
                - destination: {host: reviews}
                  weight: -5
                - destination: {host: reviews, subset: v1}
                  weight: 10
            """)
        let d = try findings(text)
        #expect(d.count == 1)
        #expect((d[0].line, d[0].column, d[0].code) == (10, 15, "IST0106"))
        #expect(d[0].message == "weight must not be negative, got -5")
        #expect(d[0].field == "spec.http[0].route[0].weight")
    }

    @Test func allZeroWeightsWithSeveralDestinations() throws {
        let text = vs(
            """
              - route:
                - destination: {host: reviews, subset: v1}
                  weight: 0
                - destination: {host: reviews, subset: v2}
            """)
        let d = try findings(text)
        #expect(
            d.map(\.message) == [
                "all 2 destinations have weight 0, so no traffic can be routed; give at least one a positive weight"
            ])
        #expect(d[0].line == 9)
    }

    @Test func singleDestinationWithoutWeightIsFine() throws {
        #expect(try findings(vs("  - route:\n    - destination: {host: reviews}\n")).isEmpty)
    }

    @Test(arguments: [
        ("(a)\\\\1", "invalid escape sequence"),
        ("foo(?=bar)", "invalid perl operator"),
        ("(?<!x)y", "invalid perl operator"),
        ("[a-", "missing ]"),
    ])
    func regexesAreCheckedByRE2(pattern: String, reason: String) throws {
        let text = vs(
            """
              - match:
                - headers:
                    x-user: {regex: "\(pattern)"}
                route:
                - destination: {host: reviews}
            """)
        let d = try findings(text)
        #expect(d.count == 1)
        #expect(d.first?.message.contains(reason) == true)
        #expect((d.first?.line, d.first?.column) == (10, 25))
    }

    @Test func uppercaseHeaderNameIsAWarning() throws {
        let text = vs(
            """
              - match:
                - headers:
                    End-User: {exact: jason}
                route:
                - destination: {host: reviews}
            """)
        let d = try findings(text)
        #expect(d.map(\.level) == [.warning])
        #expect(d[0].code == "IST0133")
        #expect((d[0].line, d[0].column) == (10, 9))
    }

    @Test func invalidHeaderNameIsAnError() throws {
        let text = vs(
            """
              - match:
                - headers:
                    "bad header": {exact: x}
                route:
                - destination: {host: reviews}
            """)
        #expect(try findings(text).map(\.message) == ["`bad header` is not a valid HTTP header name"])
    }

    @Test func emptyPrefixIsAnError() throws {
        let text = vs(
            """
              - match:
                - uri: {prefix: ""}
                route:
                - destination: {host: reviews}
            """)
        #expect(try findings(text).first?.message.contains("empty prefix") == true)
    }

    @Test func wildcardHostNotAllowedOnMesh() throws {
        let text = vs("  - route:\n    - destination: {host: reviews}\n", hosts: "['*']")
        #expect(
            try findings(text).map(\.message) == [
                "wildcard host `*` is not allowed for a VirtualService bound to the mesh gateway"
            ])
        let onGateway = vs("  - route:\n    - destination: {host: reviews}\n", hosts: "['*']", extra: "  gateways: [edge]\n")
        #expect(try findings(onGateway).isEmpty)
    }

    @Test func duplicateHosts() throws {
        let text = vs("  - route:\n    - destination: {host: reviews}\n", hosts: "[reviews, Reviews]")
        #expect(try findings(text).first?.message.hasPrefix("duplicate host `Reviews`") == true)
    }

    @Test func oneActionPerRoute() throws {
        let text = vs(
            """
              - route:
                - destination: {host: reviews}
                redirect: {uri: /elsewhere}
              - timeout: 1s
            """)
        let messages = try findings(text).map(\.message)
        #expect(messages.contains { $0.contains("sets `route` and `redirect`") })
        #expect(messages.contains("an HTTP route needs one of route, redirect, directResponse or delegate"))
    }

    @Test func retries() throws {
        let text = vs(
            """
              - route:
                - destination: {host: reviews}
                retries: {attempts: -1, retryOn: "5xx,gateway-eror,999"}
            """)
        let messages = try findings(text).map(\.message)
        #expect(messages.contains("retries.attempts must not be negative, got -1"))
        #expect(messages.contains("retryOn has unknown condition `gateway-eror`; did you mean `gateway-error`?"))
        #expect(messages.contains("retryOn status code 999 is not an HTTP status"))
    }

    @Test func faults() throws {
        let text = vs(
            """
              - route:
                - destination: {host: reviews}
                fault:
                  abort: {httpStatus: 700, percentage: {value: 150}}
                  delay: {percent: 50}
            """)
        let d = try findings(text)
        let messages = d.map(\.message)
        #expect(messages.contains("fault.abort.httpStatus must be between 200 and 599, got 700"))
        #expect(messages.contains("spec.http[0].fault.abort.percentage.value must be between 0 and 100, got 150"))
        #expect(messages.contains("fault.delay needs fixedDelay"))
        #expect(
            d.contains {
                $0.code == "IST0002" && $0.level == .warning && $0.message.hasPrefix("fault.delay.percent is deprecated")
            })
    }

    @Test func durations() throws {
        let text = vs(
            """
              - route:
                - destination: {host: reviews}
                timeout: 500us
                retries: {attempts: 1, perTryTimeout: 1.0005s}
            """)
        let messages = try findings(text).map(\.message)
        #expect(messages.contains("spec.http[0].timeout must be at least 1ms, got `500us`"))
        #expect(messages.contains { $0.contains("finer than a millisecond") })
    }

    @Test func mirrorAndMirrorsTogether() throws {
        let text = vs(
            """
              - route:
                - destination: {host: reviews}
                mirror: {host: reviews, subset: v2}
                mirrors:
                - destination: {host: reviews, subset: v3}
                mirrorPercent: 20
            """)
        let d = try findings(text)
        #expect(d.contains { $0.message == "an HTTP route sets both mirror and mirrors; use mirrors" })
        #expect(d.contains { $0.code == "IST0002" && $0.message.hasPrefix("mirrorPercent is deprecated") })
    }

    @Test func subsetNameMustBeDNSLabel() throws {
        let text = vs("  - route:\n    - destination: {host: reviews, subset: Version_1}\n")
        let d = try findings(text)
        #expect(d.first?.message.hasPrefix("subset `Version_1` is not a valid subset name") == true)
        #expect((d.first?.line, d.first?.column) == (9, 44))
    }
}

@Suite struct OtherKindsValidationTests {
    @Test func destinationRuleChecks() throws {
        let text = """
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              trafficPolicy:
                connectionPool: {tcp: {maxConnections: -1}}
                outlierDetection: {consecutiveErrors: 5, maxEjectionPercent: 120}
              subsets:
              - name: v1
                labels: {version: v1}
              - name: v1
                labels: {version: v2}
            """
        let d = try findings(text)
        let messages = d.map(\.message)
        #expect(messages.contains("connectionPool.tcp.maxConnections must not be negative, got -1"))
        #expect(messages.contains { $0.hasPrefix("outlierDetection.consecutiveErrors is deprecated") })
        #expect(messages.contains { $0.hasSuffix("maxEjectionPercent must be between 0 and 100, got 120") })
        #expect(d.contains { $0.message == "duplicate subset name `v1` (first defined at line 10)" && $0.line == 12 })
        #expect(d.first { $0.code == "IST0002" }?.level == .warning)
    }

    @Test func emptyTrafficPolicyIsAnError() throws {
        let text =
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {}\n"
        #expect(try findings(text).first?.message.hasPrefix("trafficPolicy must set at least one of") == true)
    }

    @Test func serviceEntryChecks() throws {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ext}
            spec:
              hosts: [api.example.com]
              ports:
              - {number: 80, name: http, protocol: HTTP}
              - {number: 80, name: http2, protocol: HTPP}
              resolution: STATIC
              endpoints:
              - address: api.example.com
                ports: {grpc: 9000}
            """
        let messages = try findings(text).map(\.message)
        #expect(messages.contains("port number 80 is listed twice"))
        #expect(messages.contains { $0.hasPrefix("unknown protocol `HTPP`") && $0.hasSuffix("did you mean `HTTP`?") })
        #expect(messages.contains("endpoint address `api.example.com` must be an IP address with resolution STATIC"))
        #expect(messages.contains("endpoint port `grpc` names no port of the ServiceEntry"))
    }

    @Test func gatewayChecks() throws {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: edge}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: ["*.example.com"]
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: []
            """
        let messages = try findings(text).map(\.message)
        #expect(messages.contains("an HTTPS server needs tls settings"))
        #expect(messages.contains("a server needs at least one host"))
    }

    @Test func invalidMetadataName() throws {
        let text = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: My_Rule}\nspec: {host: r}\n"
        let d = try findings(text)
        #expect(d.first?.message.hasPrefix("metadata.name `My_Rule` is not a valid name") == true)
        #expect((d.first?.line, d.first?.column) == (3, 18))
    }
}

@Suite struct NamesTests {
    @Test func hosts() {
        #expect(Names.hostProblem("reviews.default.svc.cluster.local") == nil)
        #expect(Names.hostProblem("*.example.com") == nil)
        #expect(Names.hostProblem("foo.*.com") != nil)
        #expect(Names.hostProblem("a_b.com") != nil)
        #expect(Names.hostProblem("-a.com") != nil)
    }

    @Test func addresses() {
        #expect(Names.isIPv4("127.0.0.1"))
        #expect(!Names.isIPv4("256.0.0.1"))
        #expect(Names.isCIDROrAddress("10.0.0.0/8"))
        #expect(!Names.isCIDROrAddress("10.0.0.0/33"))
        #expect(Names.isIPv6("::1"))
    }
}

@Suite struct ExportToAndAuthorityTests {
    @Test func exportToValues() throws {
        let text = vs(
            "  - route:\n    - destination: {host: reviews}\n", extra: "  exportTo: [\".\", default, \"*\", Bad_NS, \"~\"]\n")
        let messages = try findings(text).map(\.message)
        #expect(messages.contains("duplicate exportTo entries: `.` and the resource's own namespace `default`"))
        #expect(messages.contains("exportTo entry `Bad_NS` is not `.`, `*` or a namespace name"))
        #expect(messages.contains("exportTo `~` (visible to no one) is only allowed on a ServiceEntry"))
        #expect(messages.contains("exportTo cannot have both `*` (public) and other entries"))
        let fine = vs("  - route:\n    - destination: {host: reviews}\n", extra: "  exportTo: [\".\", istio-system]\n")
        #expect(try findings(fine).isEmpty)
    }

    @Test func authorityRewrittenTwice() throws {
        let text = vs(
            """
              - route:
                - destination: {host: reviews}
                rewrite: {authority: a.example.com}
                headers:
                  request: {set: {Host: b.example.com}}
            """)
        #expect(
            try findings(text).contains {
                $0.message.hasPrefix("the authority is rewritten both by rewrite.authority and by headers.request")
            })
    }
}
