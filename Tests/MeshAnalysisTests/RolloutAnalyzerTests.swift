import MeshModel
import Testing

@testable import MeshAnalysis

@Suite struct RolloutAnalyzerTests {
    /// The registry, a VirtualService splitting reviews v1/v2 (route `canary`), then `rollout`.
    func findings(rollout: String, route: String = "subset: v2}, weight: 0}", subsets: String = "") throws -> [String] {
        let vs = """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - name: canary
                route:
                - {destination: {host: reviews, subset: v1}, weight: 100}
                - {destination: {host: reviews, \(route)
            ---
            apiVersion: meshctl.dev/v1alpha1
            kind: Rollout
            metadata: {name: reviews}
            spec:
            \(rollout.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

            """
        return summary(try analyze(registry + subsets + vs)).filter { $0.contains("Rollout") || $0.contains("MESH02") }
    }

    @Test func aRolloutOverItsRoutesIsClean() throws {
        #expect(try findings(rollout: "virtualService: reviews\nstable: {subset: v1}\ncanary: {subset: v2}\nlinear: 50").isEmpty)
    }

    @Test func aMissingVirtualServiceOrSubsetIsNamed() throws {
        #expect(
            try findings(rollout: "virtualService: ratings\nstable: {subset: v1}\ncanary: {subset: v2}\nlinear: 50")
                == ["IST0101 Rollout default/reviews 37:19"])
        #expect(
            try findings(
                rollout: "virtualService: reviews\nstable: {subset: v1}\ncanary: {subset: v3}\nlinear: 50",
                route: "subset: v3}, weight: 0}") == ["IST0101 Rollout default/reviews 39:20"])
    }

    @Test func aRouteWithoutTheCanaryIsAMismatch() throws {
        #expect(
            try findings(
                rollout: "virtualService: reviews\nstable: {subset: v1}\ncanary: {subset: v2}\nlinear: 50",
                route: "subset: v1}, weight: 0}") == ["MESH0201 VirtualService default/reviews 30:5"])
        #expect(
            try findings(
                rollout: "virtualService: reviews\nroutes: [main]\nstable: {subset: v1}\ncanary: {subset: v2}\nlinear: 50")
                == ["MESH0201 Rollout default/reviews 38:12"])
    }

    @Test func aSubsetWithoutEndpointsOrVersionIsReported() throws {
        let extra = """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews-more}
            spec:
              host: reviews
              subsets:
              - {name: v9, labels: {version: v9}}
              - {name: plain, labels: {track: x}}

            """
        #expect(
            try findings(
                rollout: "virtualService: reviews\nstable: {subset: v1}\ncanary: {subset: v9}\nlinear: 50",
                route: "subset: v9}, weight: 0}", subsets: extra
            ).contains { $0.hasPrefix("MESH0202 Rollout default/reviews") })
        let gated =
            "virtualService: reviews\nstable: {subset: v1}\ncanary: {subset: plain}\nlinear: 50\nanalysis:\n  metrics: [{name: success-rate, min: 99}]"
        #expect(
            try findings(rollout: gated, route: "subset: plain}, weight: 0}", subsets: extra).contains {
                $0.hasPrefix("MESH0203 Rollout default/reviews")
            })
    }
}
