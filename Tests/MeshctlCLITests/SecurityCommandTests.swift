import Foundation
import Testing

@Suite struct SecurityCommandTests {
    static let policies = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: reviews-viewer, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          rules:
          - from: [{source: {principals: ["cluster.local/ns/default/sa/productpage"]}}]
            to: [{operation: {methods: ["GET"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          action: DENY
          rules: [{to: [{operation: {paths: ["/admin*"], ports: ["9080"]}}]}]

        """

    func simulate(_ extra: [String]) throws -> CLI.Result {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(Self.policies, to: "policies.yaml", in: dir)
        return try CLI.run(["simulate", "-f", path, "--inbound", "--workload-labels", "app=reviews", "--port", "9080"] + extra)
    }

    @Test func inboundAllowedByTheAllowPolicy() throws {
        let r = try simulate(["--source-principal", "cluster.local/ns/default/sa/productpage", "--path", "/reviews/1"])
        #expect(r.status == 0)
        #expect(
            r.stdout.hasPrefix("GET reviews:9080/reviews/1 (inbound, from cluster.local/ns/default/sa/productpage) → allowed"))
        #expect(r.stdout.contains("mTLS mode STRICT (mesh-level PeerAuthentication istio-system/default)"))
        #expect(r.stdout.contains("→ allowed by ALLOW default/reviews-viewer rule 0"))
    }

    @Test func inboundDeniedWithPolicyAndRuleInJSON() throws {
        let r = try simulate([
            "--source-principal", "cluster.local/ns/default/sa/productpage", "--path", "/admin/users", "-o", "json",
        ])
        #expect(r.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["status"] as? Int == 403)
        #expect(json["cluster"] as? String == "inbound|9080||")
        // simulate's contract keys are present.
        for key in ["destination", "virtualService", "rule", "ruleName", "fault", "mirror", "timeout", "retries", "explain"] {
            #expect(json.keys.contains(key), "missing \(key)")
        }
        let inbound = try #require(json["inbound"] as? [String: Any])
        #expect(inbound["decision"] as? String == "denied")
        let authz = try #require(inbound["authorization"] as? [String: Any])
        #expect(authz["policy"] as? String == "default/deny-admin")
        #expect(authz["rule"] as? Int == 0)
        #expect(authz["counters"] as? [String] == ["http.inbound_0.0.0.0_9080.rbac.denied"])
        #expect((inbound["mtls"] as? [String: Any])?["mode"] as? String == "STRICT")
    }

    @Test func plaintextToStrictIsRefused() throws {
        let r = try simulate(["--path", "/reviews/1"])
        #expect(r.stdout.contains("→ refused at the TLS handshake"))
    }

    @Test func inboundFlagsNeedInbound() throws {
        let r = try CLI.run([
            "simulate", "-f", "samples/tutorial/", "--host", "recommendation", "--source-principal", "a/ns/b/sa/c",
        ])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--source-principal is for --inbound"))
    }

    @Test func validateAndAnalyzeCoverTheKinds() throws {
        let dir = try CLI.temporaryDirectory()
        let bad = try CLI.write(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: default}
            spec:
              rules: [{when: [{key: "request.header[x]", values: ["a"]}]}]

            """, to: "bad.yaml", in: dir)
        let validate = try CLI.run(["validate", "-f", bad])
        #expect(validate.status == 1)
        #expect(
            validate.stdout.contains(
                "bad.yaml:5:25: error: AuthorizationPolicy default/p: invalid `key` request.header[x]: unknown attribute: request.header[x]; did you mean `request.headers[x]`?"
            ))
        let analyze = try CLI.run(["analyze", "-f", bad, "-o", "json"])
        #expect(analyze.status == 79)
        #expect(analyze.stdout.contains("\"IST0106\""))
    }

    @Test func caInitWritesRootWithPrivateKeyAndRefusesToOverwrite() throws {
        let dir = try CLI.temporaryDirectory().appendingPathComponent("ca").path
        let first = try CLI.run(["x", "ca", "init", "--dir", dir])
        #expect(first.status == 0)
        #expect(first.stdout.contains("wrote \(dir)/root-key.pem"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/root-key.pem")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try CLI.run(["x", "ca", "init", "--dir", dir])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists; give --force"))
        let out = (dir as NSString).appendingPathComponent("certs")
        let issue = try CLI.run([
            "x", "ca", "issue", "--dir", dir, "--namespace", "shop", "--service-account", "cart", "--out", out,
        ])
        #expect(issue.status == 0)
        #expect(issue.stdout.hasPrefix("spiffe://cluster.local/ns/shop/sa/cart, valid until"))
        #expect(FileManager.default.fileExists(atPath: out + "/cert-chain.pem"))
    }
}
