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
        // Istio renders the route's retries with a fault too; an injected abort is never retried.
        #expect((single["retries"] as? [String: Any])?["attempts"] as? Int == 2)
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

    @Test func aWeightedPickIsRepeatableAndShowsTheWholeSplit() throws {
        let arguments = ["simulate"] + base + ["-f", "samples/scenarios/canary-75-25.yaml", "--host", "recommendation"]
        let first = try CLI.run(arguments)
        #expect(first.status == 0)
        // No --seed: the fixed default seed gives the same answer every time.
        for _ in 0..<3 { #expect(try CLI.run(arguments).stdout == first.stdout) }
        let headline = first.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(headline.hasPrefix("GET recommendation/ → outbound|8080|version-v"))
        #expect(headline.hasSuffix("(picked by weight with seed 1 from version-v1 75%, version-v2 25%)"))
        let doc = try json(arguments)
        #expect(doc["seed"] as? Int == 1)
        let weights = try #require(doc["weights"] as? [[String: Any]])
        #expect(weights.map { $0["percent"] as? Double } == [75, 25])
        let picked = weights.filter { $0["picked"] as? Bool == true }
        #expect(picked.count == 1)
        #expect(picked.first?["cluster"] as? String == doc["cluster"] as? String)
        // Another seed may pick the other side; the split shown stays the same.
        let other = try json(arguments + ["--seed", "3"])
        #expect((other["weights"] as? [[String: Any]])?.map { $0["percent"] as? Double } == [75, 25])
    }

    @Test func abortedRequestsDidNotReachTheCluster() throws {
        let arguments =
            ["simulate"] + base + ["-f", "samples/scenarios/fault-abort.yaml", "--host", "recommendation", "-n", "10000"]
        let doc = try json(arguments)
        let clusters = try #require(doc["clusters"] as? [String: Int])
        let aborted = try #require(doc["aborted"] as? Int)
        let reached = clusters["outbound|8080|version-v1|recommendation.default.svc.cluster.local"] ?? 0
        #expect(reached + aborted == 10_000)
        #expect(abs(Double(aborted) / 100 - 50) < 2)
        #expect((doc["statuses"] as? [String: Int])?["503"] == aborted)
        #expect(doc["forwarded"] as? Int == reached)
        let text = try CLI.run(arguments).stdout
        #expect(text.contains("  aborted by fault injection before reaching a cluster: \(aborted) ("))
        // The cluster's row counts only the requests that reached it.
        #expect(text.split(separator: "\n").contains { $0.contains("|version-v1|") && $0.contains(" \(reached) ") })
    }

    @Test(
        arguments: [
            (["--port", "70000"], "--port must be between 1 and 65535, got 70000"),
            (["--port", "-5"], "--port must be between 1 and 65535, got -5"),
            (["--port", "0"], "--port must be between 1 and 65535, got 0"),
            (
                ["--host", "reviews:99999"],
                "the port in --host 'reviews:99999' must be a number between 1 and 65535, got '99999'"
            ),
            (["--host", "reviews:http"], "the port in --host 'reviews:http' must be a number between 1 and 65535, got 'http'"),
            (["--host", "[::1:80"], "--host '[::1:80' opens an IPv6 address with '[' but does not close it"),
            (["--gateway", ""], "--gateway must be mesh, a Gateway's name or namespace/name, got ''"),
            (["--gateway", "a/b/c"], "--gateway must be mesh, a Gateway's name or namespace/name, got 'a/b/c'"),
            (["--path", "noslash"], "--path must start with '/', got 'noslash'"),
            (["-n", "-1"], "-n must be at least 1, got -1"),
            (["-n", "0"], "-n must be at least 1, got 0"),
        ])
    func flagValuesAreUsageErrors(extra: [String], message: String) throws {
        let result = try CLI.run(["simulate", "-f", "samples/tutorial/", "--host", "recommendation"] + extra)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aGatewayMustBeOneTheRulesDefine() throws {
        let missing = try CLI.run(["simulate", "-f", "samples/tutorial/", "--host", "recommendation", "--gateway", "nosuch"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no Gateway has the name default/nosuch in the rules given; the rules define none"))
        let path = try CLI.write(
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: web}
            spec:
              selector: {istio: ingressgateway}
              servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: site, namespace: web}
            spec:
              hosts: [www.example.com]
              gateways: [edge]
              http: [{directResponse: {status: 204}}]
            """, to: "gateway.yaml", in: try CLI.temporaryDirectory())
        let elsewhere = try CLI.run(["simulate", "-f", path, "--host", "www.example.com", "--gateway", "edge"])
        #expect(elsewhere.status == 64)
        #expect(elsewhere.stderr.contains("no Gateway has the name default/edge in the rules given; they define web/edge"))
        let found = try json(["simulate", "-f", path, "--host", "www.example.com", "--gateway", "web/edge"])
        #expect(found["status"] as? Int == 204)
        let inNamespace = try json([
            "simulate", "-f", path, "--host", "www.example.com", "--gateway", "edge", "--source-namespace", "web",
        ])
        #expect(inNamespace["status"] as? Int == 204)
    }

    @Test func helpStatesTheDefaultSeedAndWhatTheHostsPortDoes() throws {
        // The help is wrapped to the terminal: compare with whitespace collapsed.
        let help = try CLI.run(["simulate", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(!help.contains("ignored for routing"))
        #expect(help.contains("--seed (default 1)"))
        #expect(
            help.contains(
                "is the listener port (for the route configuration, match.port and a destination without port) unless --port is given"
            ))
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
    /// r.example.com serves HTTP on 80 and 9080; a rule for port 9080 applies to 9080 only.
    static let rules = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: r}
        spec:
          hosts: [r.example.com]
          ports: [{number: 80, name: http, protocol: HTTP}, {number: 9080, name: http-alt, protocol: HTTP}]
          resolution: DNS
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: r}
        spec:
          hosts: [r.example.com]
          http:
          - match: [{port: 9080}]
            directResponse: {status: 200}
          - route: [{destination: {host: r.example.com}}]
        """

    func run(_ extra: [String], rules: String = Self.rules) throws -> [String: Any] {
        let path = try CLI.write(rules, to: "r.yaml", in: try CLI.temporaryDirectory())
        let result = try CLI.run(["simulate", "-f", path, "-o", "json"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    @Test func theHostsPortIsTheListenerPortUnlessGiven() throws {
        #expect(try run(["--host", "r.example.com:9080"])["status"] as? Int == 200)
        let onEighty = try run(["--host", "r.example.com:9080", "--port", "80"])
        #expect(onEighty["status"] is NSNull)
        #expect(onEighty["cluster"] as? String == "outbound|80||r.example.com")
        #expect(onEighty["routeConfiguration"] as? String == "80")
        #expect(onEighty["listener"] as? String == "0.0.0.0_80")
    }

    @Test func aDestinationWithoutPortTakesTheRequestsPort() throws {
        let rules = Self.rules.replacingOccurrences(
            of: "  - match: [{port: 9080}]\n    directResponse: {status: 200}\n", with: "")
        let doc = try run(["--host", "r.example.com", "--port", "9080"], rules: rules)
        #expect(doc["cluster"] as? String == "outbound|9080||r.example.com")
        #expect((doc["destination"] as? [String: Any])?["port"] as? Int == 9080)
        let explain = try #require(doc["explain"] as? [String])
        #expect(
            explain.contains {
                $0.contains(
                    "port 9080: r.example.com has ports 80, 9080; the destination has no port, so the request's port 9080 is used"
                )
            })
        // Without a port, a host served on several ports is taken to be on 80, HTTP's default.
        let plain = try run(["--host", "r.example.com"], rules: rules)
        #expect(plain["cluster"] as? String == "outbound|80||r.example.com")
        #expect(
            (plain["explain"] as? [String])?.first
                == "no port given: 80, HTTP's default (r.example.com is served on ports 80, 9080)")
    }

    @Test func aHostOutsideTheRegistryIsRoutedOnPort80Only() throws {
        let rules = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: ext}
            spec:
              hosts: [ext.example.com]
              http:
              - directResponse: {status: 204}
            """
        #expect(try run(["--host", "ext.example.com"], rules: rules)["status"] as? Int == 204)
        let other = try run(["--host", "ext.example.com:8080"], rules: rules)
        #expect(other["cluster"] as? String == "PassthroughCluster")
        #expect(other["listener"] as? String == "virtualOutbound")
        #expect((other["explain"] as? [String])?.contains { $0.hasPrefix("no HTTP listener on port 8080") } == true)
    }
}
