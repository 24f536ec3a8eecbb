import Foundation
import Testing

@Suite struct SimulateCommandTests {
    let base = ["-f", "samples/tutorial/registry.yaml", "-f", "samples/tutorial/destination-rules.yaml"]

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(arguments + ["-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    @Test func safariGoesToV2WithExplanation() throws {
        let result = try CLI.run([
            "simulate", "-f", "samples/tutorial/", "--host", "recommendation",
            "-H", "baggage-user-agent: Mozilla/5.0 (Macintosh) Safari/605.1",
        ])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "GET recommendation/ → outbound|8080|version-v2|recommendation.default.svc.cluster.local")
        #expect(lines.contains { $0.contains("rule 0 (safari) at samples/tutorial/routes.yaml:") && $0.contains("matches") })
    }

    @Test func jsonHasTheContractFields() throws {
        let doc = try json(["simulate", "-f", "samples/tutorial/", "--host", "recommendation", "-H", "user-preference: 12x"])
        for key in [
            "cluster", "destination", "virtualService", "rule", "status", "fault", "mirror", "timeout", "retries", "explain",
        ] {
            #expect(doc.keys.contains(key), "missing \(key)")
        }
        #expect(doc["cluster"] as? String == "outbound|8080|version-v2|recommendation.default.svc.cluster.local")
        #expect(doc["virtualService"] as? String == "default/recommendation")
        #expect(doc["rule"] as? Int == 2)
        #expect(doc["status"] is NSNull)
        let destination = doc["destination"] as! [String: Any]
        #expect(destination["host"] as? String == "recommendation.default.svc.cluster.local")
        #expect(destination["subset"] as? String == "version-v2")
        #expect(destination["port"] as? Int == 8080)
        let retries = doc["retries"] as! [String: Any]
        #expect(retries["attempts"] as? Int == 2)
        #expect((doc["explain"] as! [String]).count >= 3)
    }

    @Test func distributionOfTheCanary() throws {
        let doc = try json(["simulate", "-f", "samples/tutorial/", "--host", "recommendation", "-n", "100000", "--seed", "7"])
        #expect(doc["requests"] as? Int == 100_000)
        let clusters = doc["clusters"] as! [String: Int]
        let v1 = Double(clusters["outbound|8080|version-v1|recommendation.default.svc.cluster.local"] ?? 0) / 1000
        #expect(abs(v1 - 90) < 1)
        #expect(doc["statuses"] as? [String: Int] == [:])
        // The same seed gives the same distribution.
        let again = try json(["simulate", "-f", "samples/tutorial/", "--host", "recommendation", "-n", "100000", "--seed", "7"])
        #expect(again["clusters"] as? [String: Int] == clusters)
    }

    @Test func faultAbortStatuses() throws {
        let doc = try json(
            ["simulate"] + base + [
                "-f", "samples/scenarios/fault-abort.yaml", "--host", "recommendation", "-n", "20000", "--seed", "3",
            ])
        let statuses = doc["statuses"] as! [String: Int]
        #expect(abs(Double(statuses["503"] ?? 0) / 200 - 50) < 1.5)
        let single = try json(["simulate"] + base + ["-f", "samples/scenarios/fault-abort.yaml", "--host", "recommendation"])
        #expect(single["status"] is NSNull)
        let fault = single["fault"] as! [String: Any]
        #expect((fault["abort"] as! [String: Any])["httpStatus"] as? Int == 503)
        #expect(single["retries"] is NSNull)
    }

    @Test func mirrorScenario() throws {
        let doc = try json(["simulate"] + base + ["-f", "samples/scenarios/mirror.yaml", "--host", "recommendation"])
        let mirror = doc["mirror"] as! [String: Any]
        #expect(mirror["cluster"] as? String == "outbound|8080|version-v2|recommendation.default.svc.cluster.local")
        #expect(doc["cluster"] as? String == "outbound|8080|version-v1|recommendation.default.svc.cluster.local")
    }

    @Test func egressBothModes() throws {
        let open = try json(["simulate", "-f", "samples/tutorial/", "--host", "example.org"])
        #expect(open["cluster"] as? String == "PassthroughCluster")
        #expect(open["status"] is NSNull)
        let closed = try json([
            "simulate", "-f", "samples/tutorial/", "--host", "example.org", "--mesh-config", "samples/mesh/registry-only.yaml",
        ])
        #expect(closed["cluster"] as? String == "BlackHoleCluster")
        #expect(closed["status"] as? Int == 502)
        let registered = try json([
            "simulate", "-f", "samples/tutorial/", "-f", "samples/scenarios/egress.yaml", "--host", "worldclockapi.com",
            "--mesh-config", "samples/mesh/registry-only.yaml",
        ])
        #expect(registered["cluster"] as? String == "outbound|80||worldclockapi.com")
    }

    @Test func badInvocations() throws {
        #expect(try CLI.run(["simulate", "-f", "samples/tutorial/"]).status == 64)
        let header = try CLI.run(["simulate", "-f", "samples/tutorial/", "--host", "x", "-H", "no-colon"])
        #expect(header.status == 64)
        #expect(header.stderr.contains("malformed header 'no-colon'"))
        #expect(try CLI.run(["simulate", "-f", "samples/tutorial/", "--host", "x", "--source-labels", "novalue"]).status == 64)
    }

    @Test func invalidRulesAreNotSimulated() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n      weight: -1\n",
            to: "bad.yaml", in: dir)
        let result = try CLI.run(["simulate", "-f", path, "--host", "r"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("weight must not be negative"))
    }

    @Test func unknownMeshConfigMode() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write("outboundTrafficPolicy:\n  mode: ALLOW_SOME\n", to: "mesh.yaml", in: dir)
        let result = try CLI.run(["simulate", "-f", "samples/tutorial/", "--host", "x", "--mesh-config", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("unknown value `ALLOW_SOME`"))
        let missing = try CLI.run(["simulate", "-f", "samples/tutorial/", "--host", "x", "--mesh-config", "/nonexistent.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read mesh config"))
    }
}

@Suite struct SimulatePortTests {
    @Test func theHostsPortIsTheListenerPortUnlessGiven() throws {
        let path = try CLI.write(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [r.example.com]
              http:
              - match: [{port: 9080}]
                directResponse: {status: 200}
              - directResponse: {status: 404}
            """, to: "r.yaml", in: try CLI.temporaryDirectory())
        func status(_ extra: [String]) throws -> Int? {
            let result = try CLI.run(["simulate", "-f", path, "-o", "json"] + extra)
            let doc = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
            return doc["status"] as? Int
        }
        #expect(try status(["--host", "r.example.com:9080"]) == 200)
        #expect(try status(["--host", "r.example.com"]) == 404)
        #expect(try status(["--host", "r.example.com:9080", "--port", "80"]) == 404)
    }
}
