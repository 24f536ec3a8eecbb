import Foundation
import MeshModel
import MeshSecurity
import Testing

@Suite struct JWTAuthenticationTests {
    let signer = TestSigner()

    func authenticator(_ rule: String, signer: TestSigner? = nil, selector: String = "") async -> JWTAuthenticator {
        let jwks = (signer ?? self.signer).jwks.replacingOccurrences(of: "'", with: "''")
        let text = requestAuthentication(rule.replacingOccurrences(of: "JWKS", with: "'\(jwks)'"), selector: selector)
        return await JWTAuthenticator.build(resources: resources(text), workload: reviews, rootNamespace: "istio-system")
    }

    static let basic = """
          - issuer: https://issuer.example
            jwks: JWKS
        """

    @Test func validBearerTokenIsVerifiedAndItsClaimsExposed() async throws {
        let auth = await authenticator(Self.basic)
        let token = try await signer.sign(TestClaims(groups: ["dev", "admin"], realm: ["roles": ["editor"]]))
        let result = auth.authenticate(headers: [("authorization", "Bearer \(token)")], path: "/")
        #expect(result.outcome == .verified)
        #expect(result.identity?.principal == "https://issuer.example/alice")
        #expect(result.identity?.claim(["groups"])?.matchableStrings == ["dev", "admin"])
        #expect(result.identity?.claim(dotted: "realm.roles")?.matchableStrings == ["editor"])
        #expect(
            result.identity?.routingHeaders.contains { $0.name == "@request.auth.claims.groups" && $0.value == "admin" } == true)
        // forwardOriginalToken defaults to false: the token's header is removed.
        #expect(result.removeHeaders == ["authorization"])
    }

    @Test func noTokenPassesAuthentication() async {
        let result = await authenticator(Self.basic).authenticate(headers: [], path: "/")
        #expect(result.outcome == .noToken && result.status == nil && result.identity == nil)
    }

    /// Each way a token is invalid answers 401 with Envoy's reason.
    @Test(arguments: [
        ("wrong issuer", "Jwt issuer is not configured"), ("expired", "Jwt is expired"), ("not yet valid", "Jwt not yet valid"),
        ("other key", "Jwt verification fails"),
        ("malformed", "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"),
        ("audience", "Audiences in Jwt are not allowed"),
    ])
    func invalidTokenIs401(_ kind: String, _ message: String) async throws {
        let auth = await authenticator(
            """
              - issuer: https://issuer.example
                audiences: [reviews.example.com]
                jwks: JWKS
            """)
        let good = TestClaims(aud: ["reviews.example.com"])
        let token: String
        switch kind {
        case "wrong issuer": token = try await signer.sign(TestClaims(iss: "https://evil.example", aud: ["reviews.example.com"]))
        case "expired":
            token = try await signer.sign(TestClaims(aud: ["reviews.example.com"], exp: Date().addingTimeInterval(-120)))
        case "not yet valid":
            token = try await signer.sign(TestClaims(aud: ["reviews.example.com"], nbf: Date().addingTimeInterval(600)))
        case "other key": token = try await TestSigner().sign(good)
        case "audience": token = try await signer.sign(TestClaims(aud: ["other.example.com"]))
        default: token = "not-a-jwt"
        }
        let result = auth.authenticate(headers: [("authorization", "Bearer \(token)")], path: "/")
        #expect(result.outcome == .rejected)
        #expect(result.status == 401)
        #expect(result.message == message)
        #expect(result.wwwAuthenticate(host: "reviews", path: "/") == #"Bearer realm="http://reviews/", error="invalid_token""#)
    }

    @Test func audienceWithinTheClockSkewAndListedAudiencePass() async throws {
        let auth = await authenticator(
            """
              - issuer: https://issuer.example
                audiences: [https://reviews.example.com/]
                jwks: JWKS
            """)
        // Expired 30s ago: within Envoy's 60s clock skew.
        let token = try await signer.sign(TestClaims(aud: ["reviews.example.com"], exp: Date().addingTimeInterval(-30)))
        #expect(auth.authenticate(headers: [("authorization", "Bearer \(token)")], path: "/").outcome == .verified)
    }

    @Test func fromHeadersWithPrefix() async throws {
        let auth = await authenticator(
            """
              - issuer: https://issuer.example
                jwks: JWKS
                fromHeaders: [{name: x-jwt-assertion, prefix: "Token "}]
                forwardOriginalToken: true
            """)
        let token = try await signer.sign(TestClaims())
        let hit = auth.authenticate(headers: [("x-jwt-assertion", "Token \(token)")], path: "/")
        #expect(hit.outcome == .verified && hit.removeHeaders.isEmpty)
        // The default location is not read when a rule names its own.
        #expect(auth.authenticate(headers: [("authorization", "Bearer \(token)")], path: "/").outcome == .noToken)
        // A header without the prefix carries no token.
        #expect(auth.authenticate(headers: [("x-jwt-assertion", token)], path: "/").outcome == .noToken)
    }

    @Test func fromParamsAndDefaultAccessToken() async throws {
        let token = try await signer.sign(TestClaims())
        let defaults = await authenticator(Self.basic)
        let viaDefault = defaults.authenticate(headers: [], path: "/x?access_token=\(token)&a=1")
        #expect(viaDefault.outcome == .verified)
        #expect(viaDefault.rewrittenPath == "/x?a=1")
        let custom = await authenticator(
            """
              - issuer: https://issuer.example
                jwks: JWKS
                fromParams: [my_token]
            """)
        #expect(custom.authenticate(headers: [], path: "/x?my_token=\(token)").outcome == .verified)
        #expect(custom.authenticate(headers: [], path: "/x?access_token=\(token)").outcome == .noToken)
    }

    @Test func fromCookies() async throws {
        let auth = await authenticator(
            """
              - issuer: https://issuer.example
                jwks: JWKS
                fromCookies: [session]
            """)
        let token = try await signer.sign(TestClaims())
        #expect(auth.authenticate(headers: [("cookie", "a=b; session=\(token)")], path: "/").outcome == .verified)
        #expect(auth.authenticate(headers: [("cookie", "other=\(token)")], path: "/").outcome == .noToken)
    }

    @Test func outputPayloadAndClaimsToHeaders() async throws {
        let auth = await authenticator(
            """
              - issuer: https://issuer.example
                jwks: JWKS
                outputPayloadToHeader: x-jwt-payload
                outputClaimToHeaders: [{header: x-jwt-groups, claim: groups}, {header: x-jwt-sub, claim: sub}]
            """)
        let token = try await signer.sign(TestClaims(groups: ["dev", "admin"]))
        let result = auth.authenticate(headers: [("authorization", "Bearer \(token)")], path: "/")
        let headers = Dictionary(result.setHeaders.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        #expect(headers["x-jwt-payload"] == String(token.split(separator: ".")[1]))
        #expect(headers["x-jwt-groups"] == "dev,admin")
        #expect(headers["x-jwt-sub"] == "alice")
        let payload = Data(base64Encoded: Self.padded(headers["x-jwt-payload"] ?? ""))
        #expect(payload.map { String(decoding: $0, as: UTF8.self).contains("\"sub\":\"alice\"") } == true)
    }

    static func padded(_ base64url: String) -> String {
        var s = base64url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return s
    }

    @Test func jwksFromAFileAndNeverFetched() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-jwks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("jwks.json").path
        try Data(signer.jwks.utf8).write(to: URL(fileURLWithPath: path))
        let token = try await signer.sign(TestClaims())
        let fromFile = await authenticator(
            """
              - issuer: https://issuer.example
                jwksUri: file://\(path)
            """)
        #expect(fromFile.authenticate(headers: [("authorization", "Bearer \(token)")], path: "/").outcome == .verified)
        let remote = await authenticator(
            """
              - issuer: https://issuer.example
                jwksUri: https://issuer.example/jwks.json
            """)
        let result = remote.authenticate(headers: [("authorization", "Bearer \(token)")], path: "/")
        #expect(result.outcome == .rejected && result.message == "Jwks remote fetch is failed")
    }

    @Test func rulesOfOtherWorkloadsDoNotApply() async throws {
        let auth = await authenticator(Self.basic, selector: "  selector: {matchLabels: {app: ratings}}\n")
        #expect(auth.isEmpty)
        let token = try await signer.sign(TestClaims())
        #expect(auth.authenticate(headers: [("authorization", "Bearer \(token)")], path: "/").outcome == .noToken)
    }
}

@Suite struct MutualTLSPolicyTests {
    static func pa(
        _ name: String, _ namespace: String, selector: String? = nil, mode: String?, ports: String? = nil, created: String? = nil
    ) -> String {
        var text =
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: \(name)\n  namespace: \(namespace)\n"
        if let created { text += "  creationTimestamp: \"\(created)\"\n" }
        text += "spec:\n"
        if let selector { text += "  selector: {matchLabels: {\(selector)}}\n" }
        if let mode { text += "  mtls: {mode: \(mode)}\n" }
        if let ports { text += "  portLevelMtls: {\(ports)}\n" }
        return text + "---\n"
    }

    func policy(_ text: String) -> MutualTLSPolicy {
        MutualTLSPolicy(resources: resources(text), workload: reviews, rootNamespace: "istio-system")
    }

    @Test func defaultIsPermissive() {
        let p = policy("")
        #expect(p.mode == .permissive && p.source.level == "default")
    }

    @Test(arguments: [
        // (documents, port, expected mode, expected level)
        (pa("m", "istio-system", mode: "STRICT"), 9080, PeerAuthentication.Mode.strict, "mesh"),
        (pa("m", "istio-system", mode: "STRICT") + pa("n", "default", mode: "PERMISSIVE"), 9080, .permissive, "namespace"),
        (pa("m", "istio-system", mode: "STRICT") + pa("n", "default", mode: "UNSET"), 9080, .strict, "mesh"),
        (
            pa("n", "default", mode: "DISABLE") + pa("w", "default", selector: "app: reviews", mode: "STRICT"), 9080, .strict,
            "workload"
        ),
        (
            pa("n", "default", mode: "DISABLE") + pa("w", "default", selector: "app: ratings", mode: "STRICT"), 9080, .disable,
            "namespace"
        ),
        (pa("w", "default", selector: "app: reviews", mode: "STRICT", ports: "9080: {mode: DISABLE}"), 9080, .disable, "port"),
        (pa("w", "default", selector: "app: reviews", mode: "STRICT", ports: "9080: {mode: DISABLE}"), 9090, .strict, "workload"),
        (
            pa("n", "default", mode: "STRICT")
                + pa("w", "default", selector: "app: reviews", mode: nil, ports: "9080: {mode: UNSET}"), 9080, .strict,
            "namespace"
        ),
        // A selector in the root namespace is ignored.
        (pa("r", "istio-system", selector: "app: reviews", mode: "STRICT"), 9080, .permissive, "default"),
        // Another namespace's policy does not apply.
        (pa("n", "prod", mode: "STRICT"), 9080, .permissive, "default"),
    ])
    func modeFollowsIstiosPrecedence(_ text: String, _ port: Int, _ mode: PeerAuthentication.Mode, _ level: String) {
        let p = policy(text)
        #expect(p.mode(port: port) == mode)
        #expect(p.source(port: port).level == level)
    }

    @Test func oldestOfOneLevelWins() {
        let text =
            Self.pa("newer", "default", mode: "DISABLE", created: "2024-05-02T00:00:00Z")
            + Self.pa("older", "default", mode: "STRICT", created: "2024-05-01T00:00:00Z")
        let p = policy(text)
        #expect(p.mode == .strict && p.source.policy == "default/older")
        #expect(!p.acceptsPlaintext(port: 80) && p.acceptsMutualTLS(port: 80))
    }
}
