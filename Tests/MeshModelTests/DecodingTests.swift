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

    @Test(arguments: ["", "1", "abc", "1.5", "5 s", "-1s", "1d"])
    func badDurations(text: String) {
        #expect(MeshDuration(text) == nil)
    }

    @Test func protobufDurationForm() {
        #expect(MeshDuration("1.5s")?.protobufJSON == "1.500s")
        #expect(MeshDuration("30s")?.protobufJSON == "30s")
        #expect(MeshDuration("100ms")?.protobufJSON == "0.100s")
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
