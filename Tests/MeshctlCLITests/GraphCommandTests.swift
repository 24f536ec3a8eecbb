import Foundation
import Testing

@Suite struct GraphCommandTests {
    static let golden = CLI.root.appendingPathComponent("Tests/MeshctlCLITests/Golden")

    /// Compares with a golden file; MESHCTL_RECORD_GOLDEN=1 rewrites it.
    static func expectGolden(_ text: String, _ name: String) throws {
        let url = golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["MESHCTL_RECORD_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: url)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs; rerun with MESHCTL_RECORD_GOLDEN=1 if the change is intended")
    }

    @Test func theTutorialsGraph() throws {
        let result = try CLI.run(["graph", "-f", "samples/tutorial/"])
        #expect(result.status == 0, "\(result.stderr)")
        try Self.expectGolden(result.stdout, "graph-tutorial.dot")
        // The parts a reader looks for, whatever the layout.
        let dot = result.stdout
        #expect(dot.contains(#""recommendation.default.svc.cluster.local|version-v1" [label="v1 (version-v1)", shape=ellipse];"#))
        #expect(
            dot.contains(
                #""recommendation.default.svc.cluster.local" -> "recommendation.default.svc.cluster.local|version-v1" [label="canary 90%"];"#
            ))
        #expect(
            dot.contains(
                #""recommendation.default.svc.cluster.local" -> "recommendation.default.svc.cluster.local|version-v2" [label="canary 10%"];"#
            ))
        #expect(
            dot.contains(
                #""recommendation.default.svc.cluster.local" -> "recommendation.default.svc.cluster.local|version-v3" [label="preference-123"];"#
            ))
    }

    @Test func scenariosShowMirrorsFaultsBreakersAndEgress() throws {
        let t = "samples/tutorial/"
        let mirror = try CLI.run([
            "graph", "-f", t + "registry.yaml", "-f", t + "destination-rules.yaml", "-f", "samples/scenarios/mirror.yaml",
        ])
        #expect(
            mirror.stdout.contains(
                #""recommendation.default.svc.cluster.local" -> "recommendation.default.svc.cluster.local|version-v2" [label="mirror 100%", style=dashed];"#
            ))
        let fault = try CLI.run([
            "graph", "-f", t + "registry.yaml", "-f", t + "destination-rules.yaml", "-f", "samples/scenarios/fault-abort.yaml",
        ])
        #expect(fault.stdout.contains(#"[label="abort 503 50%"]"#))
        let breaker = try CLI.run([
            "graph", "-f", t + "registry.yaml", "-f", "samples/scenarios/canary-50-50.yaml", "-f",
            "samples/scenarios/circuit-breaker.yaml",
        ])
        #expect(
            breaker.stdout.contains(#"[label="v2 (version-v2)\ncircuit breaker: maxConnections 1, pending 1", shape=ellipse]"#))
        #expect(breaker.stdout.contains(#"[label="canary 50%"]"#) == false)
        #expect(breaker.stdout.contains(#"|version-v2" [label="50%"];"#))
        let egress = try CLI.run(["graph", "-f", t, "-f", "samples/scenarios/egress.yaml"])
        #expect(
            egress.stdout.contains(
                #""worldclockapi.com" [label="worldclockapi.com\n:80\noutside the mesh", style="rounded,dashed"];"#))
    }

    @Test func drawsObservedTrafficFromARunningProxy() throws {
        let mesh = try LiveMesh(backends: [("v1", []), ("v2", ["--status", "503"])], weights: [("v1", 50), ("v2", 50)])
        let load = try CLI.background([
            "x", "load", "http://\(mesh.proxy.listen)/", "--host", "recommendation:8080", "--qps", "100", "-t", "3s",
        ])
        let result = try CLI.run(["graph", "--admin", mesh.admin, "-d", "1s"])
        load.waitUntilExit()
        #expect(result.status == 0, "\(result.stderr)")
        // The rules come from the proxy's GET /config; the traffic from its metrics.
        #expect(
            result.stdout.contains(
                #""recommendation.default.svc.cluster.local" -> "recommendation.default.svc.cluster.local|version-v1" [label="50%"];"#
            ))
        let lines = result.stdout.split(separator: "\n")
        let toV1 = try #require(
            lines.first { $0.contains(#""meshctl" -> "recommendation.default.svc.cluster.local|version-v1""#) })
        #expect(toV1.contains(" rps, 0.0% errors") && toV1.contains("penwidth=2"))
        let toV2 = try #require(
            lines.first { $0.contains(#""meshctl" -> "recommendation.default.svc.cluster.local|version-v2""#) })
        #expect(toV2.contains(" rps, 100.0% errors") && toV2.contains(##"color="#c62828""##))
        #expect(result.stdout.contains(#""meshctl" [shape=ellipse"#))
    }

    @Test func rendersSVGWithGraphvizOrSaysWhatIsMissing() throws {
        let hasDot = FileManager.default.isExecutableFile(atPath: "/usr/bin/dot")
        let result = try CLI.run(["graph", "-f", "samples/tutorial/", "-o", "svg"])
        if hasDot {
            #expect(result.status == 0)
            #expect(result.stdout.contains("<svg") && result.stdout.contains("recommendation"))
        } else {
            #expect(result.status == 1)
            #expect(result.stderr.contains("needs Graphviz's dot, which is not installed (Debian: apt-get install graphviz)"))
            #expect(result.stdout.isEmpty)
        }
        let noDot = try CLI.run(["graph", "-f", "samples/tutorial/", "-o", "png"], environment: ["PATH": "/nonexistent"])
        #expect(noDot.status == 1)
        #expect(
            noDot.stderr
                == "error: -o png needs Graphviz's dot, which is not installed (Debian: apt-get install graphviz); -o dot prints the graph for any Graphviz tool\n"
        )
    }

    @Test func refusesToDrawNothing() throws {
        let result = try CLI.run(["graph"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("give rule files with -f PATH, running proxies with --admin HOST:PORT, or both"))
        let bad = try CLI.run(["graph", "-f", "samples/tutorial/", "-o", "gif"])
        #expect(bad.status == 64)
    }
}
