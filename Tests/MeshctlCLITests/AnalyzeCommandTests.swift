import Foundation
import Testing

@Suite struct AnalyzeCommandTests {
    /// A VirtualService whose second rule is unreachable (IST0130, a warning) and whose subset does
    /// not exist (IST0101, an error).
    let rules = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: legacy}
        spec:
          hosts: [legacy.default.svc.cluster.local]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints: [{address: 10.0.0.1, labels: {version: v1}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: legacy}
        spec:
          hosts: [legacy]
          http:
          - route: [{destination: {host: legacy}}]
          - route: [{destination: {host: legacy, subset: v2}}]

        """

    func write(_ text: String) throws -> String {
        try CLI.write(text, to: "rules.yaml", in: try CLI.temporaryDirectory())
    }

    @Test func tutorialSamplesAnalyzeClean() throws {
        let result = try CLI.run(["analyze", "-f", "samples/tutorial/"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("✔ No validation issues found when analyzing 8 resources in 3 files."))
    }

    @Test func findingsInTextAndJSONExit79() throws {
        let path = try write(rules)
        let text = try CLI.run(["analyze", "-f", path])
        #expect(text.status == 79)
        #expect(
            text.stdout.contains("\(path):17:50: error: VirtualService default/legacy: referenced subset not found: legacy+v2"))
        #expect(
            text.stdout.contains(
                "\(path):17:5: warning: VirtualService default/legacy: VirtualService rule #1 not used (only the last rule can have no matches) [IST0130]"
            ))
        let json = try CLI.run(["analyze", "-f", path, "-o", "json"])
        #expect(json.status == 79)
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let codes = (doc["diagnostics"] as! [[String: Any]]).map { $0["code"] as! String }
        #expect(Set(codes) == ["IST0101", "IST0130"])
        #expect(doc["resources"] as? Int == 2)
    }

    @Test func failureThreshold() throws {
        let path = try write(rules)
        // Suppress the error: only the warning remains, below the default threshold.
        let warningsOnly = try CLI.run(["analyze", "-f", path, "-S", "IST0101=VirtualService default/legacy"])
        #expect(warningsOnly.status == 0)
        #expect(warningsOnly.stdout.contains("[IST0130]"))
        #expect(!warningsOnly.stdout.contains("[IST0101]"))
        let strict = try CLI.run([
            "analyze", "-f", path, "-S", "IST0101=VirtualService *", "--failure-threshold", "warning", "-o", "json",
        ])
        #expect(strict.status == 79)
        let capitalized = try CLI.run(["analyze", "-f", path, "-S", "IST0101=VirtualService *", "--failure-threshold", "Warning"])
        #expect(capitalized.status == 79)
        let none = try CLI.run(["analyze", "-f", path, "-S", "*=VirtualService default/legacy", "--failure-threshold", "info"])
        #expect(none.status == 0)
        #expect(none.stdout.contains("No validation issues found"))
    }

    @Test func suppressionAnnotation() throws {
        let annotated = rules.replacingOccurrences(
            of: "metadata: {name: legacy}\nspec:\n  hosts: [legacy]",
            with:
                "metadata:\n  name: legacy\n  annotations: {galley.istio.io/analyze-suppress: \"IST0101,IST0130\"}\nspec:\n  hosts: [legacy]"
        )
        let result = try CLI.run(["analyze", "-f", try write(annotated), "--failure-threshold", "info"])
        #expect(result.status == 0, "\(result.stdout)")
    }

    @Test func kubernetesManifestsFormTheRegistry() throws {
        let dir = try CLI.temporaryDirectory()
        _ = try CLI.write(
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: cart, namespace: shop}
            spec:
              selector: {app: cart}
              ports: [{name: http, port: 8080}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: cart, namespace: shop}
            spec:
              selector: {matchLabels: {app: cart}}
              template:
                metadata: {labels: {app: cart, version: v1}}
                spec: {containers: [{name: cart, image: cart}]}
            """, to: "k8s/cart.yaml", in: dir)
        _ = try CLI.write(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: cart, namespace: shop}
            spec:
              host: cart
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart, namespace: shop}
            spec:
              hosts: [cart]
              http:
              - route: [{destination: {host: cart, subset: v1}}]
            """, to: "istio/cart.yaml", in: dir)
        let result = try CLI.run([
            "analyze", "-f", dir.appendingPathComponent("k8s").path, "-f", dir.appendingPathComponent("istio").path,
            "--failure-threshold", "warning",
        ])
        #expect(result.status == 79)
        let headlines = result.stdout.split(separator: "\n").filter { $0.contains(": warning: ") || $0.contains(": error: ") }
        #expect(headlines.count == 1)
        #expect(
            headlines.first?.contains(
                "istio/cart.yaml:8:12: warning: DestinationRule shop/cart: subset v2 selects no endpoint of cart.shop.svc.cluster.local"
            ) == true)
        // validate accepts the Kubernetes kinds quietly.
        let validate = try CLI.run(["validate", "-f", dir.appendingPathComponent("k8s").path])
        #expect(validate.status == 0)
        #expect(!validate.stdout.contains("unsupported"))
    }

    /// Where `simulate` answers 503 UH because a subset selects no endpoint, `analyze` warns.
    @Test func analyzeWarnsWhereSimulateAnswers503() throws {
        let path = try write(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api}
            spec:
              hosts: [api.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: DNS
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: api}
            spec:
              host: api.example.com
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: all}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: api}
            spec:
              hosts: [api.example.com]
              http:
              - match: [{headers: {x-all: {exact: "1"}}}]
                route: [{destination: {host: api.example.com, subset: all}}]
              - route: [{destination: {host: api.example.com, subset: v1}}]
            """)
        let analyze = try CLI.run(["analyze", "-f", path, "-o", "json", "--failure-threshold", "warning"])
        #expect(analyze.status == 79)
        let document = try JSONSerialization.jsonObject(with: Data(analyze.stdout.utf8)) as? [String: Any]
        let diagnostics = try #require(document?["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["code"] as? String == "IST0173")
        #expect(diagnostics.first?["field"] as? String == "spec.subsets[0].name")
        #expect((diagnostics.first?["message"] as? String)?.hasPrefix("subset v1 selects no endpoint of api.example.com") == true)

        func simulate(_ extra: [String]) throws -> [String: Any] {
            let run = try CLI.run(["simulate", "-f", path, "--host", "api.example.com", "-o", "json"] + extra)
            return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        }
        let toV1 = try simulate([])
        #expect((toV1["destination"] as? [String: Any])?["subset"] as? String == "v1")
        #expect(toV1["status"] as? Int == 503)
        #expect(toV1["responseFlags"] as? String == "UH")
        // The subset without labels selects the host itself: forwarded, no status of the proxy's own.
        let toAll = try simulate(["-H", "x-all: 1"])
        #expect(toAll["cluster"] as? String == "outbound|80|all|api.example.com")
        #expect(toAll["status"] is NSNull)
    }

    @Test func listAnalyzers() throws {
        let result = try CLI.run(["analyze", "--list-analyzers"])
        #expect(result.status == 0)
        for code in [
            "IST0101", "IST0109", "IST0112", "IST0130", "IST0131", "IST0132", "IST0145", "IST0173", "IST0174", "IST0002",
            "IST0133", "MESH0101",
        ] {
            #expect(result.stdout.contains(code), "\(code) missing")
        }
        // Columns line up under the header, for IST and MESH codes alike.
        let codeTable = result.stdout.components(separatedBy: "\n\n")[0]
        let lines = codeTable.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        #expect(header.hasPrefix("CODE      LEVEL    NAME"))
        for column in ["LEVEL", "NAME", "DESCRIPTION"] {
            let offset = try #require(header.range(of: column)).lowerBound.utf16Offset(in: header)
            for line in lines.dropFirst() {
                let index = line.index(line.startIndex, offsetBy: offset)
                #expect(line[line.index(before: index)] == " " && line[index] != " ", "\(column) misaligned in: \(line)")
            }
        }
        #expect(lines.contains { $0.hasPrefix("IST0131   info     VirtualServiceIneffectiveMatch") })
        #expect(lines.contains { $0.hasPrefix("MESH0101  warning  WeightedSubsetWithoutEndpoints") })
        let json = try CLI.run(["analyze", "--list-analyzers", "-o", "json"])
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(entries.contains { $0["code"] as? String == "IST0101" && $0["level"] as? String == "error" })
    }

    @Test func usageAndInputErrors() throws {
        #expect(try CLI.run(["analyze"]).status == 64)
        #expect(try CLI.run(["analyze", "-f", "samples/tutorial/", "-S", "nonsense"]).status == 64)
        #expect(try CLI.run(["analyze", "-f", "samples/tutorial/", "--failure-threshold", "fatal"]).status == 64)
        let missing = try CLI.run(["analyze", "-f", "/nonexistent/rules.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("no such file or directory"))
    }
}
