import Foundation
import JWTKit
import MeshDemo
import MeshModel
import MeshSecurity
import Testing

@testable import MeshProxy

/// A workload (`reviews` in namespace default) behind its sidecar's inbound listener, with the
/// security policies of a rule set, and callers whose proxies reach it through the mesh.
/// Certificates come from a mesh CA made for the test.
final class SecuredWorkload: @unchecked Sendable {
    let ca: MeshCA
    let app: DemoBackend
    let appPort: Int
    let sidecar: ProxyServer
    var callers: [ProxyServer] = []

    /// Starts the app and its sidecar with `policies`; `mutualTLS` gives the sidecar a
    /// workload certificate (`lifetime` seconds, renewed when `rotate`).
    init(policies: String, mutualTLS: Bool = true, lifetime: TimeInterval = 3600, rotate: Bool = false) async throws {
        ca = try MeshCA.create()
        app = DemoBackend(.init(name: "reviews", version: "v1"))
        appPort = Int(try await app.start(host: "127.0.0.1", port: 0).split(separator: ":").last!)!
        var options = ProxyOptions()
        options.listen = .init(host: "127.0.0.1", port: 0)
        options.admin = .init(host: "127.0.0.1", port: 0)
        options.inbound = .init(host: "127.0.0.1", port: 0)
        options.app = .init(host: "127.0.0.1", port: appPort)
        options.concurrency = 1
        options.identity = .init(namespace: "default", labels: ["app": "reviews", "version": "v1"])
        options.serviceAccount = "reviews"
        if mutualTLS { try Self.identity(&options, ca: ca, serviceAccount: "reviews", lifetime: lifetime, rotate: rotate) }
        sidecar = ProxyServer(options: options, rules: try Self.load(policies))
        try await sidecar.start()
    }

    static func identity(
        _ options: inout ProxyOptions, ca: MeshCA, serviceAccount: String, lifetime: TimeInterval, rotate: Bool
    ) throws {
        let rotation = try CertificateRotation(ca: ca, namespace: "default", serviceAccount: serviceAccount, lifetime: lifetime)
        options.tls = rotation.tls
        if rotate { options.rotation = rotation }
    }

    static func load(_ text: String) throws -> LoadedRules {
        switch ConfigStore.load(Array(text.utf8), name: "rules.yaml") {
        case .success(let rules): return rules
        case .failure(let rejected):
            Issue.record("rules do not validate: \(rejected.json)")
            throw CancellationError()
        }
    }

    var inboundPort: Int { Int(sidecar.boundInbound!.split(separator: ":").last!)! }

    /// A caller's proxy with service account `serviceAccount` (no certificate when nil): its
    /// registry lists `reviews` at the sidecar's inbound port, labelled as a mesh workload.
    func caller(
        _ serviceAccount: String?, lifetime: TimeInterval = 3600, rotate: Bool = false, rules extra: String = ""
    ) async throws -> ProxyServer {
        let rules = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: reviews}
            spec:
              hosts: [reviews.default.svc.cluster.local]
              location: MESH_INTERNAL
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints:
              - {address: 127.0.0.1, ports: {http: \(inboundPort)}, labels: {app: reviews, security.istio.io/tlsMode: istio}}
            \(extra)
            """
        var options = ProxyOptions()
        options.listen = .init(host: "127.0.0.1", port: 0)
        options.admin = .init(host: "127.0.0.1", port: 0)
        options.concurrency = 1
        if let serviceAccount {
            try Self.identity(&options, ca: ca, serviceAccount: serviceAccount, lifetime: lifetime, rotate: rotate)
        }
        let server = ProxyServer(options: options, rules: try Self.load(rules))
        try await server.start()
        callers.append(server)
        return server
    }

    /// A request to `reviews` through `proxy`.
    func send(
        through proxy: ProxyServer, _ path: String = "/", headers: [(String, String)] = []
    ) async throws -> HTTPClient.Response {
        try await HTTPClient.send(
            "GET", host: "127.0.0.1", port: proxy.listenAddress!.port!, path: path, headers: [("host", "reviews")] + headers)
    }

    /// A request straight to the sidecar's inbound listener, in plaintext.
    func sendInbound(_ path: String = "/", headers: [(String, String)] = []) async throws -> HTTPClient.Response {
        try await HTTPClient.send(
            "GET", host: "127.0.0.1", port: inboundPort, path: path, headers: [("host", "reviews")] + headers)
    }

    /// The value of a counter on `proxy`'s admin `/stats`.
    func stat(_ name: String, on proxy: ProxyServer) async throws -> Int {
        let text = try await HTTPClient.send("GET", host: "127.0.0.1", port: proxy.adminAddress!.port!, path: "/stats").text
        for line in text.split(separator: "\n") where line.hasPrefix(name + ": ") {
            return Int(line.dropFirst(name.count + 2)) ?? -1
        }
        return 0
    }

    /// The inbound connection manager's stats, named as Istio names them: by the wildcard
    /// address and the application's port (not the inbound listener's address).
    var inboundPrefix: String { "http.inbound_0.0.0.0_\(appPort)." }

    func stop() async {
        for server in callers + [sidecar] { await server.shutdown() }
        await app.stop()
    }
}

/// A mesh-wide STRICT PeerAuthentication.
let meshWideStrict = """
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata: {name: default, namespace: istio-system}
    spec:
      mtls: {mode: STRICT}
    ---

    """

/// A workload-level PERMISSIVE PeerAuthentication for `app: reviews`.
let reviewsPermissive = """
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata: {name: reviews, namespace: default}
    spec:
      selector: {matchLabels: {app: reviews}}
      mtls: {mode: PERMISSIVE}
    ---

    """

/// `reviews` admits `productpage` (ALLOW on its principal) and refuses `/admin/*` to anyone (DENY).
let allowProductpageDenyAdmin = """
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata: {name: allow-productpage, namespace: default}
    spec:
      selector: {matchLabels: {app: reviews}}
      action: ALLOW
      rules:
      - from: [{source: {principals: [cluster.local/ns/default/sa/productpage]}}]
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata: {name: deny-admin, namespace: default}
    spec:
      selector: {matchLabels: {app: reviews}}
      action: DENY
      rules:
      - to: [{operation: {paths: [/admin/*]}}]

    """

/// Istio's documented local rate limit for `app: reviews`: a bucket of 10, refilled every minute.
let tenRequestsPerMinute = """
    apiVersion: networking.istio.io/v1alpha3
    kind: EnvoyFilter
    metadata: {name: local-ratelimit, namespace: default}
    spec:
      workloadSelector: {labels: {app: reviews}}
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_INBOUND
          listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}}
        patch:
          operation: INSERT_BEFORE
          value:
            name: envoy.filters.http.local_ratelimit
            typed_config:
              "@type": type.googleapis.com/udpa.type.v1.TypedStruct
              type_url: type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
              value:
                stat_prefix: http_local_rate_limiter
                token_bucket: {max_tokens: 10, tokens_per_fill: 10, fill_interval: 60s}
                filter_enabled:
                  runtime_key: local_rate_limit_enabled
                  default_value: {numerator: 100, denominator: HUNDRED}
                filter_enforced:
                  runtime_key: local_rate_limit_enforced
                  default_value: {numerator: 100, denominator: HUNDRED}
                response_headers_to_add:
                - append: false
                  header: {key: x-local-rate-limit, value: 'true'}

    """

@Suite struct SecurityThroughProxyTests {
    @Test func strictMutualTLSAndAuthorizationPolicies() async throws {
        let mesh = try await SecuredWorkload(
            policies: meshWideStrict + allowProductpageDenyAdmin)
        let productpage = try await mesh.caller("productpage")
        let ratings = try await mesh.caller("ratings")
        let outsider = try await mesh.caller(nil)
        defer { Task { await mesh.stop() } }

        let allowed = try await mesh.send(through: productpage, "/echo")
        #expect(allowed.status == 200, "\(allowed.text)")
        #expect(
            allowed.text.contains("URI=spiffe://cluster.local/ns/default/sa/productpage"), "the peer identity reached the app")
        // DENY wins over an ALLOW that matches the same caller.
        let denied = try await mesh.send(through: productpage, "/admin/users")
        #expect(denied.status == 403)
        #expect(denied.text == "RBAC: access denied")
        // Another mesh identity: authenticated, but no ALLOW rule matches it.
        let other = try await mesh.send(through: ratings)
        #expect(other.status == 403)
        // A caller without a certificate: the STRICT listener closes the connection, so its
        // proxy answers 503 (upstream connect/reset), never the app's answer.
        let plain = try await mesh.send(through: outsider)
        #expect(plain.status == 503, "\(plain.status) \(plain.text)")
        do {
            let direct = try await mesh.sendInbound()
            Issue.record("plaintext to a STRICT listener got an answer: \(direct.status)")
        } catch {
            #expect("\(error)".contains("closed"), "\(error)")
        }
        #expect(mesh.app.requestCount == 1, "only the allowed request reached the app")
        #expect(try await mesh.stat(mesh.inboundPrefix + "rbac.denied", on: mesh.sidecar) == 2)
        #expect(try await mesh.stat(mesh.inboundPrefix + "rbac.allowed", on: mesh.sidecar) == 1)
    }

    @Test func permissiveAcceptsPlaintextButPrincipalRulesStillNeedAnIdentity() async throws {
        let mesh = try await SecuredWorkload(
            policies: reviewsPermissive + """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: mesh-only, namespace: default}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  rules:
                  - from: [{source: {principals: ["*"]}}]
                  - to: [{operation: {paths: [/health]}}]

                """)
        let productpage = try await mesh.caller("productpage")
        defer { Task { await mesh.stop() } }
        #expect(try await mesh.send(through: productpage).status == 200)
        // Plaintext is accepted in PERMISSIVE mode, but it carries no principal.
        #expect(try await mesh.sendInbound().status == 403)
        #expect(try await mesh.sendInbound("/health").status == 200)
    }

    @Test func requestAuthenticationOnTheInboundSide() async throws {
        let signer = SigningKey()
        let stranger = SigningKey(kid: "other")
        let mesh = try await SecuredWorkload(
            policies: """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: default}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  jwtRules:
                  - issuer: https://issuer.example
                    jwks: '\(signer.jwks)'
                    outputClaimToHeaders: [{header: x-jwt-subject, claim: sub}]
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: require-jwt, namespace: default}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  rules:
                  - from: [{source: {requestPrincipals: ["*"]}}]

                """, mutualTLS: false)
        defer { Task { await mesh.stop() } }
        // No token: RequestAuthentication lets it through, the policy does not (403).
        #expect(try await mesh.sendInbound().status == 403)
        let good = try await signer.sign(subject: "alice")
        let answer = try await mesh.sendInbound("/echo", headers: [("authorization", "Bearer \(good)")])
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.text.contains("x-jwt-subject: alice"), "claim copied to a header: \(answer.text)")
        #expect(!answer.text.lowercased().contains("authorization: bearer"), "the token is not forwarded by default")
        // A token from a key the issuer's JWKS does not have, and one from another issuer: 401.
        let forged = try await mesh.sendInbound(headers: [
            ("authorization", "Bearer \(try await stranger.sign(subject: "alice"))")
        ])
        #expect(forged.status == 401)
        let otherIssuer = try await signer.sign(subject: "alice", issuer: "https://elsewhere.example")
        let rejected = try await mesh.sendInbound(headers: [("authorization", "Bearer \(otherIssuer)")])
        #expect(rejected.status == 401)
        let expired = try await signer.sign(subject: "alice", expires: Date().addingTimeInterval(-600))
        #expect(try await mesh.sendInbound(headers: [("authorization", "Bearer \(expired)")]).status == 401)
        #expect(mesh.app.requestCount == 1)
        #expect(try await mesh.stat(mesh.inboundPrefix + "jwt_authn.denied", on: mesh.sidecar) == 3)
    }

    @Test func verifiedClaimsRouteOutboundRequests() async throws {
        let signer = SigningKey()
        let harness = try await ProxyHarness.start(
            [.init("v1"), .init("v2")],
            rules: { _ in
                """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: default}
                spec:
                  selector: {matchLabels: {app: gateway}}
                  jwtRules:
                  - issuer: https://issuer.example
                    jwks: '\(signer.jwks)'
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: svc}
                spec:
                  hosts: [svc]
                  http:
                  - match: [{headers: {"@request.auth.claims.groups": {exact: beta}}}]
                    route: [{destination: {host: svc, subset: v2}}]
                  - route: [{destination: {host: svc, subset: v1}}]

                """
            },
            configure: { $0.identity = .init(namespace: "default", labels: ["app": "gateway"]) })
        defer { Task { await harness.stop() } }
        let beta = try await signer.sign(subject: "bob", groups: ["staff", "beta"])
        let staff = try await signer.sign(subject: "carol", groups: ["staff"])
        #expect(try await harness.versions(4, headers: [("authorization", "Bearer \(beta)")]) == ["v2": 4])
        #expect(try await harness.versions(4, headers: [("authorization", "Bearer \(staff)")]) == ["v1": 4])
        #expect(try await harness.versions(2) == ["v1": 2], "no token: default route")
        // A client cannot claim a group by sending the pseudo-header itself: not a valid
        // header name, so a 400 before any routing.
        #expect(try await harness.versions(2, headers: [("@request.auth.claims.groups", "beta")]) == ["status 400": 2])
        let forged = try await SigningKey(kid: "test-key").sign(subject: "bob", groups: ["beta"])
        let refused = try await harness.send(headers: [("authorization", "Bearer \(forged)")])
        #expect(refused.status == 401)
        #expect(refused.header("www-authenticate")?.hasPrefix("Bearer") == true)
    }

    @Test func localRateLimitAdmitsTheBucketAndNoMore() async throws {
        let mesh = try await SecuredWorkload(
            policies: tenRequestsPerMinute, mutualTLS: false)
        defer { Task { await mesh.stop() } }
        // A burst of 50 at once, over 50 connections.
        let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    let answer = try await mesh.sendInbound()
                    return (answer.status, answer.header("x-local-rate-limit"))
                }
            }
            return try await group.reduce(into: [Int: Int]()) { counts, answer in
                counts[answer.0, default: 0] += 1
                if answer.0 == 429 { #expect(answer.1 == "true") }
            }
        }
        #expect(statuses == [200: 10, 429: 40])
        #expect(mesh.app.requestCount == 10)
        #expect(try await mesh.stat(mesh.inboundPrefix + "local_rate_limit.rate_limited", on: mesh.sidecar) == 40)
    }

    @Test func certificatesAreRenewedBeforeTheyExpire() async throws {
        // Every side holds 15-second certificates; one caller renews them (at 10 seconds), the
        // other does not. Every request opens a new connection (a new handshake), so an expired
        // certificate shows at once.
        let oneRequestPerConnection = """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 1}}}

            """
        let mesh = try await SecuredWorkload(policies: meshWideStrict, lifetime: 15, rotate: true)
        let renewing = try await mesh.caller("productpage", lifetime: 15, rotate: true, rules: oneRequestPerConnection)
        let staleIssued = ContinuousClock.now
        let stale = try await mesh.caller("details", lifetime: 15, rotate: false, rules: oneRequestPerConnection)
        defer { Task { await mesh.stop() } }
        #expect(try await mesh.send(through: stale).status == 200, "fresh certificates work")
        // Past the stale certificate's expiry (and so past the renewing side's first one).
        let deadline = staleIssued + .seconds(16)
        var statuses: [Int: Int] = [:]
        while ContinuousClock.now < deadline {
            statuses[try await mesh.send(through: renewing).status, default: 0] += 1
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(statuses.keys.sorted() == [200], "renewed certificates keep working past the first one's expiry: \(statuses)")
        #expect(try await mesh.stat("meshctl.certificate.rotations", on: renewing) >= 1)
        #expect(try await mesh.stat("meshctl.certificate.rotations", on: mesh.sidecar) >= 1)
        #expect(try await mesh.send(through: stale).status == 503, "an expired certificate is refused")
    }
}

/// A signing key made for the test, its JWKS document, and tokens signed with it.
struct SigningKey {
    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var groups: [String]?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    let key = ES256PrivateKey()
    let kid: String

    init(kid: String = "test-key") { self.kid = kid }

    var jwks: String {
        let p = key.publicKey.parameters!
        return #"{"keys":[{"kty":"EC","crv":"P-256","kid":"\#(kid)","x":"\#(p.x)","y":"\#(p.y)"}]}"#
    }

    func sign(
        subject: String, issuer: String = "https://issuer.example", expires: Date = Date().addingTimeInterval(3600),
        groups: [String]? = nil
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        let claims = Claims(
            iss: IssuerClaim(value: issuer), sub: SubjectClaim(value: subject), exp: ExpirationClaim(value: expires),
            groups: groups)
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }
}
