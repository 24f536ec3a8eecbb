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

/// One cause, one finding: a value that was written but did not decode is not reported again
/// as missing, and an invalid weight does not make the total look like zero.
@Suite struct FirstCauseOnlyTests {
    static let route = "  - route:\n    - destination: {host: reviews}\n"

    @Test(
        arguments: [
            // (the rule's http entry, the one finding expected)
            (
                route + "    fault: {delay: {fixedDelay: -1s, percentage: {value: 10}}}\n",
                "spec.http[0].fault.delay.fixedDelay must be at least 1ms, got `-1s`"
            ),
            (
                route + "    fault: {delay: {fixedDelay: soon, percentage: {value: 10}}}\n",
                "spec.http[0].fault.delay.fixedDelay is not a duration: `soon`; write a number with a unit, such as `500ms`, `1.5s` or `3m`"
            ),
            (
                route + "    fault: {abort: {httpStatus: 99999999999, percentage: {value: 10}}}\n",
                "spec.http[0].fault.abort.httpStatus must fit in 32 bits, got 99999999999"
            ),
            (route + "    fault: abort\n", "spec.http[0].fault must be a mapping, got `abort`"),
            (
                "  - route:\n    - destination: {host: reviews}\n      weight: 3000000000\n    - destination: {host: reviews, subset: v1}\n      weight: 0\n",
                "spec.http[0].route[0].weight must fit in 32 bits, got 3000000000"
            ),
            (
                "  - route:\n    - destination: {host: reviews}\n      weight: -1\n    - destination: {host: reviews, subset: v1}\n      weight: 0\n",
                "weight must not be negative, got -1"
            ),
            ("  - route:\n    - destination: reviews\n", "spec.http[0].route[0].destination must be a mapping, got `reviews`"),
            (
                "  - route:\n    - destination: {host: 5}\n",
                "spec.http[0].route[0].destination.host must be a string, got `5`; quote it: \"5\""
            ),
            ("  - route: reviews\n", "spec.http[0].route must be a list, got `reviews`"),
            ("  - directResponse: teapot\n", "spec.http[0].directResponse must be a mapping, got `teapot`"),
            (
                "  - directResponse: {status: '418'}\n",
                "spec.http[0].directResponse.status must be an integer, got the string \"418\"; write 418 without quotes"
            ),
            (route + "    mirror: v2\n    mirrorPercentage: {value: 10}\n", "spec.http[0].mirror must be a mapping, got `v2`"),
            (
                route + "    rewrite: {uriRegexRewrite: {match: ^/a, rewrite: 5}}\n",
                "spec.http[0].rewrite.uriRegexRewrite.rewrite must be a string, got `5`; quote it: \"5\""
            ),
        ])
    func oneFindingForOneCause(http: String, message: String) throws {
        let d = try findings(vs(http))
        #expect(d.map(\.message) == [message])
    }

    @Test func hostsAndRoutesThatDidNotDecode() throws {
        #expect(
            try findings(vs(Self.route, hosts: "[5]")).map(\.message) == [
                "spec.hosts[0] must be a string, got `5`; quote it: \"5\""
            ])
        let noRoutes =
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n  http: r\n"
        #expect(try findings(noRoutes).map(\.message) == ["spec.http must be a list, got `r`"])
    }

    @Test(
        arguments: [
            (
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: 5\n",
                "spec.host must be a string, got `5`; quote it: \"5\""
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  subsets: [{name: 1}]\n",
                "spec.subsets[0].name must be a string, got `1`; quote it: \"1\""
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {portLevelSettings: [{port: {number: x}, loadBalancer: {simple: RANDOM}}]}\n",
                "spec.trafficPolicy.portLevelSettings[0].port.number must be an integer, got `x`"
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: 5}}}\n",
                "spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName must be a string, got `5`; quote it: \"5\""
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {connectionPool: pool}\n",
                "spec.trafficPolicy.connectionPool must be a mapping, got `pool`"
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {tls: {mode: MUTUAL, clientCertificate: 5, privateKey: /k}}\n",
                "spec.trafficPolicy.tls.clientCertificate must be a string, got `5`; quote it: \"5\""
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\nspec:\n  hosts: [s.example.com]\n  ports: [{number: 80, name: http}]\n  resolution: STATC\n  endpoints: [{address: 1.2.3.4}]\n",
                "spec.resolution has unknown value `STATC`; expected one of NONE, STATIC, DNS, DNS_ROUND_ROBIN; did you mean `STATIC`?"
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\nspec:\n  hosts: [s.example.com]\n  ports: [{number: '80', name: http}]\n",
                "spec.ports[0].number must be an integer, got the string \"80\"; write 80 without quotes"
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\nspec:\n  hosts: [s.example.com]\n  ports: [{number: 80, name: 8}]\n  resolution: STATIC\n  endpoints: [{address: 1.2.3.4, ports: {'8': 9080}}]\n",
                "spec.ports[0].name must be a string, got `8`; quote it: \"8\""
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec:\n  address: 5\n",
                "spec.address must be a string, got `5`; quote it: \"5\""
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: 80, hosts: ['*']}]\n",
                "spec.servers[0].port must be a mapping, got `80`"
            ),
        ])
    func oneFindingInOtherKinds(text: String, message: String) throws {
        #expect(try findings(text).map(\.message) == [message])
    }

    @Test func whatIsReallyMissingIsStillReported() throws {
        let messages = try findings(
            vs(Self.route + "    fault: {delay: {percentage: {value: 10}}, abort: {percentage: {value: 5}}}\n")
        )
        .map(\.message)
        #expect(messages == ["fault.delay needs fixedDelay", "fault.abort needs httpStatus"])
        let empty = try findings(
            vs(
                "  - route:\n    - destination: {host: reviews}\n      weight: 0\n    - destination: {host: reviews, subset: v1}\n"
            ))
        #expect(
            empty.map(\.message) == [
                "all 2 destinations have weight 0, so no traffic can be routed; give at least one a positive weight"
            ])
    }

    @Test func tunnelOrProxyProtocolAloneIsAPolicy() throws {
        let text =
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {proxyProtocol: {}}\n"
        #expect(try findings(text).isEmpty)
    }
}

/// Envoy sums a route's weights in 32 bits and refuses a route whose total does not fit.
@Suite struct WeightTotalTests {
    func weighted(_ weights: [Int]) -> String {
        vs(
            "  - route:\n"
                + weights.enumerated().map {
                    "    - destination: {host: reviews, subset: v\($0.offset)}\n      weight: \($0.element)\n"
                }
                .joined())
    }

    @Test func totalJustUnderTheLimitIsFine() throws {
        #expect(try findings(weighted([2_147_483_647, 2_147_483_647])).isEmpty)
        #expect(try findings(weighted([2_147_483_647, 2_147_483_647, 1])).isEmpty)
    }

    @Test func totalOverTheLimitIsAnErrorAtTheRoute() throws {
        let d = try findings(weighted([2_147_483_647, 2_147_483_647, 2]))
        #expect(
            d.map(\.message) == [
                "the weights of these 3 destinations add up to 4294967296, more than the 4294967295 Envoy accepts; scale them down (weights are relative)"
            ])
        #expect(d.first?.field == "spec.http[0].route")
        #expect(d.first?.line == 9)
    }

    @Test func tcpRoutesToo() throws {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: db}
            spec:
              hosts: [db]
              tcp:
              - route:
                - {destination: {host: db, subset: a}, weight: 2147483647}
                - {destination: {host: db, subset: b}, weight: 2147483647}
                - {destination: {host: db, subset: c}, weight: 2147483647}
            """
        #expect(
            try findings(text).map(\.message).first?.hasPrefix("the weights of these 3 destinations add up to 6442450941") == true
        )
    }
}

/// Envoy sums the endpoint weights of a locality in 32 bits too.
@Suite struct EndpointWeightTotalTests {
    func serviceEntry(_ weights: [String]) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: s}
        spec:
          hosts: [s.example.com]
          ports: [{number: 80, name: http}]
          resolution: STATIC
          endpoints:

        """ + weights.enumerated().map { "  - {address: 10.0.0.\($0.offset)\($0.element)}\n" }.joined()
    }

    @Test func upToTheLimitIsFine() throws {
        // An unset weight counts 1.
        #expect(try findings(serviceEntry([", weight: 4294967294", ""])).isEmpty)
    }

    @Test func overTheLimitIsAnErrorAtTheEndpoints() throws {
        let d = try findings(serviceEntry([", weight: 4294967295", ""]))
        #expect(
            d.map(\.message) == [
                "the weights of these 2 endpoints add up to 4294967296, more than the 4294967295 Envoy accepts in one locality; scale them down (weights are relative)"
            ])
        #expect(d.first?.field == "spec.endpoints")
    }
}

/// Kubernetes' label rules, wherever labels appear, each finding at the key or value.
@Suite struct LabelTests {
    @Test func valuesAndKeysAreCheckedWhereTheyAreWritten() throws {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: r
              labels: {app: "bad value"}
            spec:
              host: reviews
              workloadSelector: {matchLabels: {"a/b/c": x}}
              subsets:
              - name: v1
                labels:
                  version: "v1 beta"
                  "-key": x
            """
        let d = try findings(text)
        #expect(
            d.map { "\($0.line):\($0.column) \($0.message)" } == [
                "5:17 label `app` value `bad value` may contain only letters, digits, '-', '_' and '.'",
                "8:36 label key `a/b/c` may contain at most one '/'",
                "12:16 label `version` value `v1 beta` may contain only letters, digits, '-', '_' and '.'",
                "13:7 label key `-key` must start and end with a letter or digit",
            ])
    }

    @Test func lengthLimits() throws {
        let sixtyThree = String(repeating: "a", count: 63)
        let prefix = (0..<4).map { _ in String(repeating: "b", count: 63) }.joined(separator: ".")  // 255 characters
        #expect(Names.labelValueProblem(sixtyThree) == nil)
        #expect(Names.labelValueProblem(sixtyThree + "a") == "is longer than 63 characters")
        #expect(Names.labelValueProblem("") == nil)
        #expect(Names.labelValueProblem("A.b_c-9") == nil)
        #expect(Names.labelKeyProblem("example.com/\(sixtyThree)") == nil)
        #expect(Names.labelKeyProblem("example.com/\(sixtyThree)a") == "is longer than 63 characters")
        #expect(Names.labelKeyProblem("\(prefix.dropLast(2))/x") == nil)
        #expect(Names.labelKeyProblem("\(prefix)/x") == "has an invalid prefix (must be a DNS subdomain)")
    }

    @Test func everyPlaceLabelsAppear() throws {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: s}
            spec:
              hosts: [s.example.com]
              ports: [{number: 80, name: http}]
              resolution: STATIC
              endpoints: [{address: 1.2.3.4, labels: {v: "a b"}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: t}
            spec:
              hosts: [t.example.com]
              ports: [{number: 80, name: http}]
              resolution: STATIC
              workloadSelector: {labels: {v: "a b"}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: w}
            spec: {address: 1.2.3.4, labels: {v: "a b"}}
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: g}
            spec:
              selector: {v: "a b"}
              servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: v}
            spec:
              hosts: [v]
              http: [{match: [{sourceLabels: {v: "a b"}}], route: [{destination: {host: v}}]}]
              tcp: [{match: [{sourceLabels: {v: "a b"}}], route: [{destination: {host: v}}]}]
              tls: [{match: [{sniHosts: [v], sourceLabels: {v: "a b"}}], route: [{destination: {host: v}}]}]
            """
        let d = try findings(text).filter { $0.message.hasPrefix("label `v` value `a b`") }
        #expect(
            d.map(\.field) == [
                "spec.endpoints[0].labels.v", "spec.workloadSelector.labels.v", "spec.labels.v", "spec.selector.v",
                "spec.http[0].match[0].sourceLabels.v", "spec.tls[0].match[0].sourceLabels.v",
                "spec.tcp[0].match[0].sourceLabels.v",
            ])
    }
}
