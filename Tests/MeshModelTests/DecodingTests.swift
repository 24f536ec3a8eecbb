import Foundation
import MeshYAML
import Testing

@testable import MeshModel

func decode(_ text: String) throws -> (resources: [Resource], diagnostics: [Diagnostic]) {
    let file = try YAMLLoader.load(text, path: "t.yaml")
    let ctx = DecodeContext(file: file)
    let resources = ResourceDecoder.decode(ctx)
    return (resources, ctx.diagnostics)
}

let header = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:

    """

@Suite struct DecodingTests {
    @Test func decodesAVirtualService() throws {
        let (resources, diagnostics) = try decode(
            header + """
                  hosts: [reviews]
                  http:
                  - match:
                    - uri: {prefix: /api}
                      headers:
                        end-user: {exact: jason}
                    route:
                    - destination: {host: reviews, subset: v2, port: {number: 9080}}
                      weight: 75
                    - destination: {host: reviews, subset: v1}
                      weight: 25
                    timeout: 1.5s
                    retries: {attempts: 3, perTryTimeout: 100ms, retryOn: 5xx}
                    fault:
                      abort: {httpStatus: 503, percentage: {value: 12.5}}
                """)
        #expect(diagnostics.isEmpty)
        let vs = try #require(resources.first?.virtualService)
        #expect(resources.first?.reference == "VirtualService default/reviews")
        #expect(vs.hosts.map(\.value) == ["reviews"])
        let route = vs.http[0]
        #expect(route.match[0].uri?.match == .prefix("/api"))
        #expect(route.match[0].headers[0].key == "end-user")
        #expect(route.match[0].headers[0].value.match == .exact("jason"))
        #expect(route.route.map { $0.weight?.value } == [75, 25])
        #expect(route.route[0].destination?.port?.number == 9080)
        #expect(route.timeout?.nanoseconds == 1_500_000_000)
        #expect(route.retries?.perTryTimeout?.nanoseconds == 100_000_000)
        #expect(route.fault?.abort?.percentage?.value == 12.5)
    }

    @Test func unknownFieldNamesThePathAndSuggests() throws {
        let (_, diagnostics) = try decode(
            header + """
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                      weigth: 10
                """)
        let d = try #require(diagnostics.first)
        #expect(d.message == "unknown field `weigth` in spec.http[0].route[0]; did you mean `weight`?")
        #expect(d.code == "IST0106")
        #expect(d.level == .error)
        #expect((d.line, d.column) == (10, 7))
        #expect(d.resource == "VirtualService default/reviews")
    }

    @Test func wrongTypesNameWhatWasExpected() throws {
        let (_, diagnostics) = try decode(
            header + """
                  hosts: reviews
                  http:
                  - route:
                    - destination: {host: reviews}
                      weight: ten
                """)
        #expect(
            diagnostics.map(\.message) == [
                "spec.hosts must be a list, got `reviews`",
                "spec.http[0].route[0].weight must be an integer, got `ten`",
            ])
    }

    @Test(
        arguments: [
            ("1.5s", 1_500_000_000), ("100ms", 100_000_000), ("3m", 180_000_000_000), ("15.000s", 15_000_000_000),
            ("1h30m", 5_400_000_000_000), ("250us", 250_000),
        ] as [(String, Int64)])
    func durationsInIstiosForm(text: String, nanoseconds: Int64) {
        #expect(MeshDuration(text)?.nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "1", "abc", "1.5", "5 s", "1d", ".", ".s", "-", "+", "1.5.5s", "1s2", "s", "1s ", "00"])
    func badDurations(text: String) {
        #expect(MeshDuration(text) == nil)
        #expect(MeshDuration.parse(text) != .success(0))
    }

    /// Go's `time.ParseDuration` syntax, exactly (Istio reads durations with it).
    @Test(
        arguments: [
            ("2562046h", 2_562_046 * 3_600_000_000_000), ("1h30m", 5_400_000_000_000), ("1.5s", 1_500_000_000),
            ("300ms", 300_000_000), ("1us", 1_000), ("1µs", 1_000), ("1μs", 1_000), ("7ns", 7), ("0", 0), ("-0", 0),
            ("+5s", 5_000_000_000), (".5s", 500_000_000), ("5.s", 5_000_000_000), ("-1s", -1_000_000_000),
            ("1h1m1s1ms1us1ns", 3_661_001_001_001), ("1.5h", 5_400_000_000_000), ("0.000000001s", 1),
            // Fraction digits beyond what 63 bits can scale are dropped, as Go drops them.
            ("1.00000000000000000000000001s", 1_000_000_000),
            ("2562047h47m16.854775807s", Int64.max), ("-2562047h47m16.854775808s", Int64.min),
            ("9223372036854775807ns", Int64.max),
        ] as [(String, Int64)])
    func goDurations(text: String, nanoseconds: Int64) {
        #expect(MeshDuration.parse(text) == .success(nanoseconds))
    }

    @Test(
        arguments: [
            "2562048h", "2562047h47m16.854775808s", "9223372036854775808ns", "-2562047h47m16.854775809s",
            "99999999999999999999999s", "2562047h48m", "1000000000000000000000h",
            // Two parts of 2^63 each: their sum must not wrap around to 0.
            "9223372036854775808ns9223372036854775808ns", "-9223372036854775808ns1ns",
        ])
    func durationsBeyondGosRange(text: String) {
        #expect(MeshDuration.parse(text) == .failure(.outOfRange))
    }

    @Test func unknownUnitIsNamed() {
        #expect(MeshDuration.parse("5d") == .failure(.unknownUnit("d")))
        #expect(MeshDuration.parse("5sec") == .failure(.unknownUnit("sec")))
    }

    @Test func durationFindingsGiveTheLimit() throws {
        let (resources, diagnostics) = try decode(
            header + """
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                    timeout: 2562048h
                    retries: {attempts: 1, perTryTimeout: 2562047h47m16.854775807s}
                  - route:
                    - destination: {host: reviews}
                    timeout: 5 days
                """)
        #expect(
            diagnostics.map(\.message) == [
                "spec.http[0].timeout `2562048h` is out of range: a duration can be at most 2562047h47m16.854775807s",
                "spec.http[1].timeout is not a duration: `5 days`; write a number with a unit, such as `500ms`, `1.5s` or `3m`",
            ])
        #expect((diagnostics[0].line, diagnostics[0].column) == (10, 14))
        let retries = try #require(resources.first?.virtualService?.http[0].retries)
        #expect(retries.perTryTimeout?.nanoseconds == Int64.max)
        #expect(retries.perTryTimeout?.text == "2562047h47m16.854775807s")
    }

    @Test func protobufDurationForm() {
        #expect(MeshDuration("1.5s")?.protobufJSON == "1.500s")
        #expect(MeshDuration("30s")?.protobufJSON == "30s")
        #expect(MeshDuration("100ms")?.protobufJSON == "0.100s")
        #expect(MeshDuration("-1.5s")?.protobufJSON == "-1.500s")
        #expect(MeshDuration("2562047h47m16.854775807s")?.protobufJSON == "9223372036.854775807s")
        #expect(MeshDuration("-2562047h47m16.854775808s")?.protobufJSON == "-9223372036.854775808s")
    }

    /// Kubernetes refuses a string where the schema wants an integer, a number or a boolean.
    @Test(
        arguments: [
            ("weight: '50'", "spec.http[0].route[0].weight must be an integer, got the string \"50\"; write 50 without quotes"),
            ("weight: \"50\"", "spec.http[0].route[0].weight must be an integer, got the string \"50\"; write 50 without quotes"),
            (
                "weight: !!str 50",
                "spec.http[0].route[0].weight must be an integer, got the string \"50\"; write 50 without quotes"
            ),
            (
                "destination: {host: reviews, port: {number: '9080'}}",
                "spec.http[0].route[0].destination.port.number must be an integer, got the string \"9080\"; write 9080 without quotes"
            ),
            ("weight: 'fifty'", "spec.http[0].route[0].weight must be an integer, got `fifty`"),
        ])
    func quotedNumbersInRouteDestinationsAreRefused(line: String, message: String) throws {
        let (_, diagnostics) = try decode(
            header + """
                  hosts: [reviews]
                  http:
                  - route:
                    - \(line)
                """)
        #expect(diagnostics.map(\.message).contains(message), "\(diagnostics.map(\.message))")
        #expect(diagnostics.count == 1)
    }

    /// Every integer (and number, and boolean) field decodes through the same strict reader.
    @Test(
        arguments: [
            ("retries: {attempts: '3'}", "spec.http[0].retries.attempts"),
            ("fault: {abort: {httpStatus: '503', percentage: {value: 10}}}", "spec.http[0].fault.abort.httpStatus"),
            ("fault: {abort: {httpStatus: 503, percentage: {value: '10'}}}", "spec.http[0].fault.abort.percentage.value"),
            ("fault: {delay: {fixedDelay: 1s, percent: '10'}}", "spec.http[0].fault.delay.percent"),
            ("mirrorPercent: '10'", "spec.http[0].mirrorPercent"),
            ("match: [{port: '80'}]", "spec.http[0].match[0].port"),
            ("match: [{ignoreUriCase: 'true'}]", "spec.http[0].match[0].ignoreUriCase"),
        ])
    func quotedScalarsAreRefusedEverywhere(line: String, field: String) throws {
        let (_, diagnostics) = try decode(
            header + """
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                    \(line)
                """)
        #expect(diagnostics.count == 1, "\(diagnostics.map(\.message))")
        #expect(diagnostics.first?.field == field)
        #expect(diagnostics.first?.message.contains("got the string") == true)
    }

    @Test func quotedIntegersInOtherKindsAreRefused() throws {
        let (_, diagnostics) = try decode(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: s}
            spec:
              hosts: [s.example.com]
              ports: [{number: "80", name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 1.2.3.4, ports: {http: "8080"}, weight: '2'}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: d}
            spec:
              host: s.example.com
              trafficPolicy:
                connectionPool: {tcp: {maxConnections: "10"}}
                outlierDetection: {consecutive5xxErrors: '5', maxEjectionPercent: "50"}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: k}
            spec:
              ports: [{port: "80"}]
            """)
        #expect(
            diagnostics.compactMap(\.field) == [
                "spec.ports[0].number", "spec.endpoints[0].ports.http", "spec.endpoints[0].weight",
                "spec.trafficPolicy.connectionPool.tcp.maxConnections",
                "spec.trafficPolicy.outlierDetection.consecutive5xxErrors",
                "spec.trafficPolicy.outlierDetection.maxEjectionPercent", "spec.ports[0].port",
            ])
        #expect(diagnostics.allSatisfy { $0.message.contains("got the string") })
    }

    @Test func integersBeyondAnyTypeAreOutOfRange() throws {
        let (_, diagnostics) = try decode(
            header + """
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews, port: {number: 99999999999999999999999}}
                      weight: -99999999999999999999999
                    - destination: {host: reviews}
                      weight: 2147483648
                """)
        #expect(
            diagnostics.map(\.message) == [
                "spec.http[0].route[0].destination.port.number must be between 0 and 4294967295, got 99999999999999999999999",
                "spec.http[0].route[0].weight must fit in 32 bits, got -99999999999999999999999",
                "spec.http[0].route[1].weight must fit in 32 bits, got 2147483648",
            ])
    }

    @Test func meshConfigReadsQuotedNumbersAsProtobufJSONDoes() {
        let (config, problems, _) = MeshConfig.parse(
            Array("defaultHttpRetryPolicy:\n  attempts: \"3\"\n  perTryTimeout: 1h30m\n".utf8), path: "m.yaml")
        #expect(problems.isEmpty)
        #expect(config.defaultRetryAttempts == 3)
        #expect(config.defaultPerTryTimeout?.nanoseconds == 5_400_000_000_000)
    }

    @Test func unsupportedKindIsAWarningNotSilence() throws {
        let (resources, diagnostics) = try decode("apiVersion: config.istio.io/v1alpha2\nkind: rule\nmetadata: {name: x}\n")
        #expect(resources.isEmpty)
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].level == .warning)
        #expect(diagnostics[0].message.contains("unsupported kind `rule`"))
        #expect((diagnostics[0].line, diagnostics[0].column) == (2, 7))
    }

    @Test func missingKindAndNameAreErrors() throws {
        #expect(try decode("apiVersion: v1\nfoo: 1\n").diagnostics.first?.code == "MESH0007")
        #expect(
            try decode("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {}\nspec: {}\n").diagnostics.first?.message
                == "Gateway has no metadata.name")
    }

    /// An envelope field written but of the wrong type is the one finding, not "no kind".
    @Test(
        arguments: [
            (
                "apiVersion: networking.istio.io/v1\nkind: [VirtualService]\nmetadata: {name: a}\n",
                "kind must be a string such as VirtualService, got a list", "MESH0007"
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: {a: b}\nmetadata: {name: a}\n",
                "kind must be a string such as VirtualService, got a mapping", "MESH0007"
            ),
            (
                "apiVersion: [networking.istio.io/v1]\nkind: Gateway\nmetadata: {name: a}\n",
                "apiVersion must be a string such as networking.istio.io/v1, got a list", "MESH0007"
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: 5}\nspec: {}\n",
                "metadata.name must be a string, got `5`; quote it: \"5\"", "IST0106"
            ),
            (
                "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: [a]\nspec: {}\n",
                "metadata must be a mapping, got a list", "IST0106"
            ),
        ])
    func envelopeTypeErrorsAreTheOnlyFinding(text: String, message: String, code: String) throws {
        let diagnostics = try decode(text).diagnostics
        #expect(diagnostics.map(\.message) == [message])
        #expect(diagnostics.first?.code == code)
    }

    @Test func stringFieldsRefuseUnquotedNumbers() throws {
        let (_, diagnostics) = try decode(
            header + """
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews, subset: 2}
                """)
        #expect(diagnostics.first?.message.contains("must be a string, got `2`; quote it") == true)
    }

    @Test func stringMatchTakesOneKind() throws {
        let (_, diagnostics) = try decode(
            header + """
                  hosts: [reviews]
                  http:
                  - match:
                    - uri: {exact: /a, prefix: /b}
                    route:
                    - destination: {host: reviews}
                """)
        #expect(diagnostics.first?.message.contains("sets `exact` and `prefix`") == true)
    }

    @Test func subsetPolicyReplacesTopLevelFieldsWithoutDeepMerge() throws {
        let (resources, diagnostics) = try decode(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: r}
            spec:
              host: r
              trafficPolicy:
                loadBalancer: {simple: RANDOM}
                connectionPool: {tcp: {maxConnections: 10}, http: {http1MaxPendingRequests: 5}}
              subsets:
              - name: v1
                labels: {version: v1}
                trafficPolicy:
                  connectionPool: {http: {maxRetries: 1}}
            """)
        #expect(diagnostics.isEmpty)
        let dr = try #require(resources.first?.destinationRule)
        let merged = dr.trafficPolicy!.overridden(by: dr.subsets[0].trafficPolicy)
        #expect(merged.loadBalancer?.simple?.value == "RANDOM")
        #expect(merged.connectionPool?.tcp == nil)
        #expect(merged.connectionPool?.http?.maxRetries?.value == 1)
    }

    @Test func meshConfigPlainAndConfigMapForms() {
        let (plain, problems, _) = MeshConfig.parse(Array("outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n".utf8), path: "m.yaml")
        #expect(problems.isEmpty)
        #expect(plain.outboundTrafficPolicy == .registryOnly)
        let configMap =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio}\ndata:\n  mesh: |-\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n"
        let (wrapped, wrappedProblems, _) = MeshConfig.parse(Array(configMap.utf8), path: "m.yaml")
        #expect(wrappedProblems.isEmpty)
        #expect(wrapped.outboundTrafficPolicy == .registryOnly)
        let (_, bad, _) = MeshConfig.parse(Array("outboundTrafficPolicy:\n  mode: ALLOW_ALL\n".utf8), path: "m.yaml")
        #expect(bad.first?.code == "MESH0009")
        #expect(bad.first?.message.contains("did you mean `ALLOW_ANY`?") == true)
    }

    @Test func suggestions() {
        #expect(Suggest.closest(to: "wieght", in: ["weight", "headers"]) == "weight")
        #expect(Suggest.closest(to: "completelydifferent", in: ["weight"]) == nil)
        // A word far longer than every name is no typo of one (and is not measured).
        #expect(Suggest.closest(to: String(repeating: "weight", count: 100_000), in: ["weight", "headers"]) == nil)
        #expect(Suggest.closest(to: "weightweight", in: ["weight", "headers"]) == nil)
    }
}

@Suite struct CatalogTests {
    @Test func everyCodeIsDocumented() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/diagnostics.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for code in DiagnosticCode.all {
            #expect(
                text.contains("| \(code.code) | \(code.level.rawValue) | \(code.name) |"),
                "docs/diagnostics.md lacks \(code.code)")
        }
        #expect(Set(DiagnosticCode.all.map(\.code)).count == DiagnosticCode.all.count)
    }
}

@Suite struct ListTests {
    @Test func itemsOfAKubectlListAreResources() throws {
        let (resources, diagnostics) = try decode(
            """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: a, namespace: prod}
              spec: {host: a}
            - apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: b}
              spec: {host: b, subsets: [{name: v1, labls: {}}]}
            metadata: {resourceVersion: ""}
            """)
        #expect(resources.map(\.reference) == ["DestinationRule prod/a", "DestinationRule default/b"])
        #expect(
            diagnostics.map { "\($0.line):\($0.column) \($0.message)" } == [
                "11:40 unknown field `labls` in spec.subsets[0]; did you mean `labels`?"
            ])
    }
}
