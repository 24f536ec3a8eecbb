import MeshModel
import MeshRollout
import Testing

let rulesYAML = """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata: {name: recommendation}
    spec:
      hosts: [recommendation.default.svc.cluster.local]
      ports: [{number: 8080, name: http, protocol: HTTP}]
      resolution: STATIC
      endpoints:
      - {address: 127.0.0.1, ports: {http: 9001}, labels: {version: v1}}
      - {address: 127.0.0.1, ports: {http: 9002}, labels: {version: v2}}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: recommendation}
    spec:
      host: recommendation
      subsets:
      - {name: version-v1, labels: {version: v1}}
      - {name: version-v2, labels: {version: v2}}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: recommendation}
    spec:
      hosts: [recommendation]
      http:
      - name: canary
        route:
        - {destination: {host: recommendation, subset: version-v1}, weight: 100}
        - {destination: {host: recommendation, subset: version-v2}, weight: 0}

    """

func rollout(_ spec: String) -> String {
    """
    apiVersion: meshctl.dev/v1alpha1
    kind: Rollout
    metadata: {name: recommendation}
    spec:
    \(spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

    """
}

@Suite struct RolloutSpecTests {
    @Test func theIssuesExampleDecodesAndPlans() throws {
        let rules = load(
            rollout(
                """
                virtualService: recommendation
                stable: {subset: version-v1}
                canary: {subset: version-v2}
                steps:
                - setWeight: 10
                - pause: {duration: 30s}
                - setWeight: 25
                - pause: {}
                - setWeight: 50
                - setWeight: 100
                analysis:
                  interval: 10s
                  minRequests: 20
                  onNoData: pause
                  failureLimit: 1
                  metrics:
                  - {name: success-rate, min: 99}
                  - {name: latency-p99, max: 500ms}
                  - {name: success-rate-vs-stable, maxDrop: 1}
                """) + "---\n" + rulesYAML)
        #expect(rules.diagnostics.isEmpty, "\(rules.diagnostics.map(\.headline))")
        let resource = try #require(rules.resources.first { $0.rollout != nil })
        let made = try RolloutPlan.make(resource, resources: rules.resources).get()
        #expect(
            made.plan.steps == [
                .setWeight(10), .pause(milliseconds: 30_000), .setWeight(25), .pause(milliseconds: nil), .setWeight(50),
                .setWeight(100),
            ])
        #expect(
            made.plan.gates
                == GateConfig(
                    intervalMs: 10_000, minRequests: 20, onNoData: .pause, failureLimit: 1,
                    metrics: [
                        .init(name: "success-rate", kind: .successRate, bound: 99),
                        .init(name: "latency-p99", kind: .latency, bound: 500, quantile: 0.99),
                        .init(name: "success-rate-vs-stable", kind: .successRateVsStable, bound: 1),
                    ]))
        #expect(made.plan.service == "recommendation.default.svc.cluster.local")
        #expect(made.plan.stableVersion == "v1" && made.plan.canaryVersion == "v2")
        #expect(made.routes.map(\.index) == [0])
    }

    @Test func linearGeneratesSteps() throws {
        let rules = load(
            rollout("virtualService: recommendation\nstable: {subset: version-v1}\ncanary: {subset: version-v2}\nlinear: 30")
                + "---\n" + rulesYAML)
        let made = try RolloutPlan.make(rules.resources[0], resources: rules.resources).get()
        #expect(made.plan.steps == [.setWeight(30), .setWeight(60), .setWeight(90), .setWeight(100)])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var spec: String
        var message: String
        var line: Int
        var testDescription: String { label }
    }

    static let invalid: [Case] = [
        Case(
            label: "weights not increasing",
            spec: "virtualService: r\nstable: {subset: a}\ncanary: {subset: b}\nsteps:\n- setWeight: 50\n- setWeight: 20",
            message: "setWeight 20 does not increase the canary's weight (the step before sets 50); weights must increase",
            line: 10),
        Case(
            label: "a weight over 100",
            spec: "virtualService: r\nstable: {subset: a}\ncanary: {subset: b}\nsteps:\n- setWeight: 150",
            message: "setWeight must be between 0 and 100, got 150", line: 9),
        Case(
            label: "an unknown field", spec: "virtualService: r\nstable: {subset: a}\ncanary: {subset: b}\nlinear: 10\nstesp: []",
            message: "unknown field `stesp` in spec; did you mean `steps`?", line: 9),
        Case(
            label: "the same subset twice", spec: "virtualService: r\nstable: {subset: a}\ncanary: {subset: a}\nlinear: 10",
            message: "the stable and canary subsets are both `a`; a rollout moves traffic between two subsets", line: 7),
        Case(
            label: "a step with both",
            spec: "virtualService: r\nstable: {subset: a}\ncanary: {subset: b}\nsteps:\n- {setWeight: 5, pause: {}}",
            message: "spec.steps[0] sets both setWeight and pause; write them as two steps", line: 9),
        Case(
            label: "an unknown metric",
            spec:
                "virtualService: r\nstable: {subset: a}\ncanary: {subset: b}\nlinear: 10\nanalysis:\n  metrics:\n  - {name: sucess-rate, min: 9}",
            message:
                "spec.analysis.metrics[0].name has unknown value `sucess-rate`; expected one of success-rate, success-rate-vs-stable, latency-p50, latency-p90, latency-p95, latency-p99; did you mean `success-rate`?",
            line: 11),
        Case(
            label: "a latency without max",
            spec:
                "virtualService: r\nstable: {subset: a}\ncanary: {subset: b}\nlinear: 10\nanalysis:\n  metrics:\n  - {name: latency-p99, min: 9}",
            message: "latency-p99 takes `max`, not `min`", line: 11),
        Case(
            label: "no steps", spec: "virtualService: r\nstable: {subset: a}\ncanary: {subset: b}",
            message: "a rollout needs steps (setWeight and pause) or `linear: N`", line: 5),
        Case(
            label: "a bad interval",
            spec: "virtualService: r\nstable: {subset: a}\ncanary: {subset: b}\nlinear: 10\nanalysis: {interval: soon}",
            message:
                "spec.analysis.interval is not a duration: `soon`; write a number with a unit, such as `500ms`, `1.5s` or `3m`",
            line: 9),
    ]

    @Test(arguments: invalid)
    func invalidRolloutsPointAtTheScalar(_ c: Case) {
        let rules = load(rollout(c.spec))
        let errors = rules.diagnostics.filter { $0.level == .error }
        #expect(errors.contains { $0.message == c.message && $0.line == c.line }, "\(errors.map(\.headline))")
        #expect(errors.allSatisfy { $0.resource == "Rollout default/recommendation" })
    }

    @Test func anArgoRolloutIsReadAndWhatIsNotCarriedOutIsNamed() throws {
        let argo = """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata: {name: recommendation}
            spec:
              replicas: 5
              selector: {matchLabels: {app: recommendation}}
              template: {metadata: {labels: {app: recommendation}}}
              strategy:
                canary:
                  analysis: {templates: [{templateName: success-rate}]}
                  trafficRouting:
                    istio:
                      virtualService: {name: recommendation, routes: [canary]}
                      destinationRule: {name: recommendation, canarySubsetName: version-v2, stableSubsetName: version-v1}
                  steps:
                  - setWeight: 20
                  - pause: {duration: 10}
                  - setCanaryScale: {replicas: 3}
                  - setWeight: 40
                  - pause: {duration: 1m}
                  - pause: {}
                  - experiment: {duration: 5m}

            """
        let rules = load(argo + "---\n" + rulesYAML)
        #expect(!rules.hasErrors, "\(rules.diagnostics.map(\.headline))")
        let notApplied = rules.diagnostics.filter { $0.code == "MESH0204" }
        #expect(
            notApplied.map(\.field) == [
                "spec.replicas", "spec.selector", "spec.template", "spec.strategy.canary.analysis",
                "spec.strategy.canary.steps[2].setCanaryScale", "spec.strategy.canary.steps[6].experiment",
            ])
        #expect(notApplied.allSatisfy { $0.level == .warning && $0.message.contains("is not applied") })
        let resource = try #require(rules.resources.first { $0.rollout != nil })
        #expect(resource.rollout?.origin == .argo)
        let made = try RolloutPlan.make(resource, resources: rules.resources).get()
        #expect(
            made.plan.steps == [
                .setWeight(20), .pause(milliseconds: 10_000), .setWeight(40), .pause(milliseconds: 60_000),
                .pause(milliseconds: nil),
                .setWeight(100),
            ])
        #expect(made.plan.writtenSteps == 5)
        #expect(made.plan.gates.isEmpty)
    }

    @Test func anArgoRolloutWithoutSubsetRoutingIsAnError() {
        let rules = load(
            """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata: {name: r}
            spec:
              strategy:
                canary:
                  canaryService: r-canary
                  stableService: r-stable
                  trafficRouting:
                    istio:
                      virtualService: {name: r}
                  steps: [{setWeight: 10}]
            """)
        #expect(
            rules.diagnostics.contains { $0.level == .error && $0.message.contains("has no destinationRule") && $0.line == 11 })
    }

    @Test func aRouteWithoutTheCanaryDoesNotBind() throws {
        let vs = rulesYAML.replacingOccurrences(of: "subset: version-v2}, weight: 0}", with: "subset: version-v3}, weight: 0}")
        let rules = load(
            rollout("virtualService: recommendation\nstable: {subset: version-v1}\ncanary: {subset: version-v2}\nlinear: 50")
                + "---\n" + vs)
        let resource = try #require(rules.resources.first { $0.rollout != nil })
        guard case .failure(let problem) = RolloutPlan.make(resource, resources: rules.resources) else {
            Issue.record("a route without the canary subset planned")
            return
        }
        #expect(
            problem.description
                == "route `canary` has no destination in subset version-v2; a rollout shifts weight between destinations in version-v1 and version-v2"
        )
    }

    @Test func fingerprintsIgnoreTheShiftedWeightsOnly() throws {
        func fingerprints(_ vs: String) throws -> Fingerprints {
            let rules = load(
                rollout("virtualService: recommendation\nstable: {subset: version-v1}\ncanary: {subset: version-v2}\nlinear: 50")
                    + "---\n" + vs)
            let resource = try #require(rules.resources.first { $0.rollout != nil })
            let made = try RolloutPlan.make(resource, resources: rules.resources).get()
            return Fingerprint.of(rollout: resource, virtualService: made.virtualService, routes: made.routes)
        }
        let original = try fingerprints(rulesYAML)
        #expect(try fingerprints(rulesYAML.replacingOccurrences(of: "weight: 100}", with: "weight: 75}")) == original)
        #expect(
            try fingerprints(rulesYAML.replacingOccurrences(of: "hosts: [recommendation]", with: "hosts: [recommendation, r2]"))
                .virtualService != original.virtualService)
    }
}
