import Foundation
import Testing

/// Inputs that once crashed `analyze` or made it quadratic, run under kernel CPU and memory limits.
///
/// The memory bound is the address-space limit (RLIMIT_AS) the kernel enforces: a run that needs
/// more fails. `peakMemory` is not asserted: a child spawned from the test process starts out
/// sharing its memory, and the kernel carries that high-water mark over into the child's.
@Suite struct AnalyzeBoundsTests {
    /// A registered host and one VirtualService for it with `rules` (the `http:` items).
    func virtualService(_ rules: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: big}
        spec:
          hosts: [big.default.svc.cluster.local]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints: [{address: 10.0.0.1}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: big}
        spec:
          hosts: [big]
          http:

        """ + rules
    }

    /// `count` rules, each matching one URI prefix made by `prefix`.
    func prefixRules(_ count: Int, _ prefix: (Int) -> String) -> String {
        var rules = ""
        for i in 0..<count {
            rules += "  - match: [{uri: {prefix: \(prefix(i))}}]\n    route: [{destination: {host: big}}]\n"
        }
        return rules
    }

    @Test func retriesWhoseTotalOverflowsAreAWarningNotACrash() throws {
        let path = try CLI.write(
            virtualService(
                """
                  - route: [{destination: {host: big}}]
                    timeout: 10s
                    retries: {attempts: 2147483647, perTryTimeout: 1h}

                """), to: "retries.yaml", in: try CLI.temporaryDirectory())
        let run = try CLI.runBounded(["analyze", "-f", path], cpuSeconds: 10, memoryBytes: 256 << 20)
        #expect(run.signal == 0, "killed by signal \(run.signal): \(run.stderr)")
        #expect(run.status == 0)
        #expect(
            run.stdout.contains(
                "warning: VirtualService default/big: rule #0: 2147483647 attempts × perTryTimeout 1h exceed the route timeout 10s"
            ))
        #expect(run.cpuSeconds < 2)
    }

    /// 50,000 rules with distinct prefixes: nothing to report, and analysis must cost about what
    /// loading does (comparing every rule with every earlier one took minutes).
    @Test func manyPrefixRulesAnalyzeInNearLinearTime() throws {
        let path = try CLI.write(
            virtualService(prefixRules(50_000) { "/route-\($0)/" }), to: "rules.yaml", in: try CLI.temporaryDirectory())
        let validate = try CLI.runBounded(["validate", "-f", path], cpuSeconds: 30, memoryBytes: 512 << 20)
        let analyze = try CLI.runBounded(["analyze", "-f", path], cpuSeconds: 30, memoryBytes: 512 << 20)
        #expect(validate.status == 0 && analyze.status == 0, "\(analyze.stderr)")
        #expect(analyze.signal == 0, "analyze killed by signal \(analyze.signal) after \(analyze.cpuSeconds) s")
        #expect(analyze.stdout.hasPrefix("✔ No validation issues found when analyzing 2 resources in 1 file."))
        #expect(
            analyze.cpuSeconds < 2 * validate.cpuSeconds + 0.5,
            "analyze \(analyze.cpuSeconds) s, validate \(validate.cpuSeconds) s of CPU")
    }

    /// 20,000 rules whose prefixes cover later ones (`/p1` covers `/p10`..`/p19`, `/p100`..):
    /// every covered rule is found, with the first rule that covers it, still in bounded time.
    @Test func manyOverlappingPrefixRulesAreAllFound() throws {
        let path = try CLI.write(
            virtualService(prefixRules(20_000) { "/p\($0)" }), to: "rules.yaml", in: try CLI.temporaryDirectory())
        let validate = try CLI.runBounded(["validate", "-f", path], cpuSeconds: 30, memoryBytes: 512 << 20)
        let analyze = try CLI.runBounded(
            ["analyze", "-f", path, "--failure-threshold", "info"], cpuSeconds: 30, memoryBytes: 512 << 20)
        #expect(analyze.signal == 0, "analyze killed by signal \(analyze.signal) after \(analyze.cpuSeconds) s")
        #expect(analyze.status == 79)
        // Every rule from #10 on starts with the prefix of the rule named by its first digit.
        #expect(analyze.stdout.hasSuffix("✘ 19990 warnings, 19990 infos when analyzing 2 resources in 1 file.\n"))
        #expect(
            analyze.stdout.contains(
                "VirtualService rule #12345 match #0 is not used (rule #1 already matches every request it would) [IST0131]"))
        #expect(
            analyze.stdout.contains(
                "VirtualService rule #9999 match #0 is not used (rule #9 already matches every request it would) [IST0131]"))
        // 40,000 findings are rendered: allow for that beside loading.
        #expect(
            analyze.cpuSeconds < 4 * validate.cpuSeconds + 1,
            "analyze \(analyze.cpuSeconds) s, validate \(validate.cpuSeconds) s of CPU")
    }

    /// Runs validate and analyze on `yaml` and expects analyze to cost about what loading does.
    func expectNearLinear(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = try CLI.write(yaml, to: "rules.yaml", in: try CLI.temporaryDirectory())
        let validate = try CLI.runBounded(["validate", "-f", path], cpuSeconds: 30, memoryBytes: 512 << 20)
        let analyze = try CLI.runBounded(["analyze", "-f", path], cpuSeconds: 30, memoryBytes: 512 << 20)
        #expect(validate.status == 0, sourceLocation: sourceLocation)
        #expect(analyze.signal == 0 && analyze.status == 0, "\(analyze.stderr)", sourceLocation: sourceLocation)
        #expect(analyze.stdout.hasPrefix("✔ No validation issues found"), sourceLocation: sourceLocation)
        #expect(
            analyze.cpuSeconds < 2 * validate.cpuSeconds + 0.5,
            "analyze \(analyze.cpuSeconds) s, validate \(validate.cpuSeconds) s of CPU", sourceLocation: sourceLocation)
    }

    /// One Gateway with 10,000 hosts and a VirtualService bound to it for each: every host is
    /// looked up, not compared with every other (that took 22 s).
    @Test func gatewayWithManyHostsAnalyzesInNearLinearTime() throws {
        let count = 10_000
        var docs = [
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: edge}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: [\((0..<count).map { "h\($0).example.com" }.joined(separator: ", "))]
            """
        ]
        for i in 0..<count {
            docs.append(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: vs-\(i)}
                spec:
                  hosts: [h\(i).example.com]
                  gateways: [edge]
                  http:
                  - route: [{destination: {host: big}}]
                """)
        }
        try expectNearLinear(
            virtualService("  - route: [{destination: {host: big}}]\n") + "---\n" + docs.joined(separator: "\n---\n"))
    }

    /// 5,000 wildcard ServiceEntries and 5,000 VirtualServices whose hosts they cover: each host
    /// finds its wildcard by its own suffixes (scanning every wildcard took 12 s).
    @Test func manyWildcardServicesAnalyzeInNearLinearTime() throws {
        var docs: [String] = []
        for i in 0..<5_000 {
            docs.append(
                """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: se-\(i)}
                spec:
                  hosts: ["*.svc\(i).example.com"]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: NONE
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: vs-\(i)}
                spec:
                  hosts: [a.svc\(i).example.com]
                  http:
                  - route: [{destination: {host: a.svc\(i).example.com}}]
                """)
        }
        try expectNearLinear(docs.joined(separator: "\n---\n"))
    }

    /// 5,000 Kubernetes Services and a Deployment for each: each selector looks only at the
    /// workloads carrying its labels (checking every pod for every Service took 2.3 s).
    @Test func manyServicesAndWorkloadsAnalyzeInNearLinearTime() throws {
        var docs: [String] = []
        for i in 0..<5_000 {
            docs.append(
                """
                apiVersion: v1
                kind: Service
                metadata: {name: svc-\(i), namespace: shop}
                spec:
                  selector: {app: app-\(i)}
                  ports: [{name: http, port: 8080}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app-\(i), namespace: shop}
                spec:
                  selector: {matchLabels: {app: app-\(i)}}
                  template:
                    metadata: {labels: {app: app-\(i), version: v1}}
                    spec: {containers: [{name: c, image: c}]}
                """)
        }
        try expectNearLinear(docs.joined(separator: "\n---\n"))
    }
}
