/// The rule sets `meshctl demo` pushes, stage by stage: the Istio tutorial's resources
/// (samples/tutorial) with the demo's own ports, and one VirtualService or DestinationRule per
/// stage as in samples/scenarios.
public struct DemoRules: Sendable {
    /// Where each backend listens.
    public var ports: [DemoMesh.Role: Int]

    public init(ports: [DemoMesh.Role: Int]) { self.ports = ports }

    /// The registry: customer, preference and recommendation v1, v2, v3 as ServiceEntries with
    /// STATIC endpoints on 127.0.0.1 (plus a second v2 instance, and the external world clock
    /// service, when asked).
    public func registry(secondV2: Bool = false, worldClock: Bool = false) -> String {
        var yaml = service("customer", [("v1", .customer)]) + "---\n" + service("preference", [("v1", .preference)])
        var recommendation: [(String, DemoMesh.Role)] = [("v1", .recommendationV1), ("v2", .recommendationV2)]
        if secondV2 { recommendation.append(("v2", .recommendationV2b)) }
        recommendation.append(("v3", .recommendationV3))
        yaml += "---\n" + service("recommendation", recommendation)
        if worldClock {
            yaml += """
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: worldclockapi-egress
                spec:
                  hosts: [worldclockapi.com]
                  location: MESH_EXTERNAL
                  ports: [{number: 80, name: http-80, protocol: HTTP}]
                  resolution: STATIC
                  endpoints:
                  - {address: 127.0.0.1, ports: {http-80: \(ports[.worldClock] ?? 0)}}

                """
        }
        return yaml
    }

    private func service(_ name: String, _ endpoints: [(version: String, role: DemoMesh.Role)]) -> String {
        var yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: \(name)
            spec:
              hosts: [\(name).default.svc.cluster.local]
              location: MESH_INTERNAL
              ports: [{number: 8080, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints:

            """
        for endpoint in endpoints {
            yaml +=
                "  - {address: 127.0.0.1, ports: {http: \(ports[endpoint.role] ?? 0)}, labels: {app: \(name), version: \(endpoint.version)}}\n"
        }
        return yaml
    }

    /// DestinationRules: recommendation's version subsets (with `policy` under the rule's
    /// trafficPolicy and `v2Policy` under subset version-v2's), and preference's and customer's.
    public func destinationRules(policy: String? = nil, v2Policy: String? = nil) -> String {
        var yaml = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: recommendation
            spec:
              host: recommendation
              trafficPolicy:
                loadBalancer: {simple: ROUND_ROBIN}

            """
        if let policy { yaml += Self.indent(policy, by: 4) }
        yaml += """
              subsets:
              - name: version-v1
                labels: {version: v1}
              - name: version-v2
                labels: {version: v2}

            """
        if let v2Policy { yaml += "    trafficPolicy:\n" + Self.indent(v2Policy, by: 6) }
        yaml += """
              - name: version-v3
                labels: {version: v3}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: preference
            spec:
              host: preference
              trafficPolicy:
                loadBalancer: {simple: LEAST_REQUEST}

            """
        return yaml
    }

    /// Plain routes to customer and preference (the callers in the chain).
    public static let callers = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: customer
        spec:
          hosts: [customer]
          http:
          - route:
            - destination: {host: customer}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: preference
        spec:
          hosts: [preference]
          http:
          - route:
            - destination: {host: preference}

        """

    /// A recommendation VirtualService with `http` (YAML list items, indented as under `http:`).
    public static func recommendation(_ http: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: recommendation
        spec:
          hosts: [recommendation]
          http:

        """ + indent(http, by: 2)
    }

    /// Every request to the versions by weight, e.g. `[("v1", 90), ("v2", 10)]`.
    public static func split(_ weights: [(String, Int)]) -> String {
        recommendation(
            "- route:\n"
                + weights.map { "  - destination: {host: recommendation, subset: version-\($0.0)}\n    weight: \($0.1)\n" }
                .joined())
    }

    /// The tutorial's routes (samples/tutorial/routes.yaml): Safari to v2, `user-preference`
    /// 123… to v3 and 12… to v2, everyone else a 90/10 canary.
    public static let tutorialRoutes = recommendation(
        """
        - name: safari
          match:
          - headers: {baggage-user-agent: {regex: .*Safari.*}}
          route:
          - destination: {host: recommendation, subset: version-v2}
        - name: preference-123
          match:
          - headers: {user-preference: {prefix: "123"}}
          route:
          - destination: {host: recommendation, subset: version-v3}
        - name: preference-12
          match:
          - headers: {user-preference: {prefix: "12"}}
          route:
          - destination: {host: recommendation, subset: version-v2}
        - name: canary
          route:
          - destination: {host: recommendation, subset: version-v1}
            weight: 90
          - destination: {host: recommendation, subset: version-v2}
            weight: 10
        """)

    /// A whole rule set: the registry, the DestinationRules, the callers' routes and `routes`.
    public func ruleSet(_ routes: String, destinationRules: String? = nil, secondV2: Bool = false, worldClock: Bool = false)
        -> String
    {
        [
            registry(secondV2: secondV2, worldClock: worldClock), destinationRules ?? self.destinationRules(), Self.callers,
            routes,
        ].joined(separator: "---\n")
    }

    static func indent(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n") + (text.hasSuffix("\n") ? "" : "\n")
    }
}
