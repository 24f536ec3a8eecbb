import MeshModel
import MeshSecurity
import Testing

/// One request attribute set and an ALLOW rule: the rule must match (`matches`) or not.
struct MatchCase: CustomTestStringConvertible, Sendable {
    var name: String
    var rule: String
    var request: AuthzRequest
    var matches: Bool
    var testDescription: String { "\(name) → \(matches ? "match" : "near miss")" }
}

func request(
    method: String = "GET", path: String = "/", host: String = "reviews:9080", headers: [(String, String)] = [],
    sourceIP: String? = "10.1.2.3", remoteIP: String? = nil, port: Int = 9080,
    principal: String? = "cluster.local/ns/default/sa/productpage", sni: String? = nil, jwt: JWTIdentity? = nil,
    http: Bool = true
) -> AuthzRequest {
    AuthzRequest(
        method: method, path: path, host: host, headers: headers.map { (name: $0.0, value: $0.1) }, sourceIP: sourceIP,
        remoteIP: remoteIP, destinationIP: "10.9.9.9", destinationPort: port, peerPrincipal: principal, sni: sni, jwt: jwt,
        isHTTP: http)
}

let alice = JWTIdentity(
    issuer: "https://accounts.example.com", subject: "alice", audiences: ["reviews.example.com"], presenter: "web",
    claims: [
        "iss": .string("https://accounts.example.com"), "sub": .string("alice"),
        "groups": .array([.string("dev"), .string("admin")]),
        "realm": .object(["roles": .array([.string("editor")])]), "email_verified": .bool(true),
    ], encodedPayload: "e30")

/// Every field of `from.source`, `to.operation` and `when`, as the AuthorizationPolicy reference
/// describes it: a request it matches and a near miss.
let matchCases: [MatchCase] = [
    // principals: exact, prefix, suffix, presence; written without spiffe://.
    .init(
        name: "principals exact", rule: #"from: [{source: {principals: ["cluster.local/ns/default/sa/productpage"]}}]"#,
        request: request(), matches: true),
    .init(
        name: "principals exact", rule: #"from: [{source: {principals: ["cluster.local/ns/default/sa/productpage"]}}]"#,
        request: request(principal: "cluster.local/ns/default/sa/ratings"), matches: false),
    .init(
        name: "principals suffix", rule: #"from: [{source: {principals: ["*/sa/productpage"]}}]"#, request: request(),
        matches: true),
    .init(
        name: "principals suffix", rule: #"from: [{source: {principals: ["*/sa/productpage"]}}]"#,
        request: request(principal: "cluster.local/ns/default/sa/productpage-v2"), matches: false),
    .init(
        name: "principals prefix", rule: #"from: [{source: {principals: ["cluster.local/ns/default/*"]}}]"#, request: request(),
        matches: true),
    .init(
        name: "principals prefix", rule: #"from: [{source: {principals: ["cluster.local/ns/default/*"]}}]"#,
        request: request(principal: "cluster.local/ns/prod/sa/productpage"), matches: false),
    .init(name: "principals presence", rule: #"from: [{source: {principals: ["*"]}}]"#, request: request(), matches: true),
    .init(
        name: "principals presence", rule: #"from: [{source: {principals: ["*"]}}]"#, request: request(principal: nil),
        matches: false),
    .init(
        name: "notPrincipals", rule: #"from: [{source: {notPrincipals: ["cluster.local/ns/default/sa/ratings"]}}]"#,
        request: request(), matches: true),
    .init(
        name: "notPrincipals", rule: #"from: [{source: {notPrincipals: ["cluster.local/ns/default/sa/ratings"]}}]"#,
        request: request(principal: "cluster.local/ns/default/sa/ratings"), matches: false),
    .init(
        name: "notPrincipals plaintext", rule: #"from: [{source: {notPrincipals: ["*"]}}]"#, request: request(principal: nil),
        matches: true),
    // requestPrincipals: ISS/SUB of the verified JWT.
    .init(
        name: "requestPrincipals", rule: #"from: [{source: {requestPrincipals: ["https://accounts.example.com/alice"]}}]"#,
        request: request(jwt: alice), matches: true),
    .init(
        name: "requestPrincipals", rule: #"from: [{source: {requestPrincipals: ["https://accounts.example.com/alice"]}}]"#,
        request: request(), matches: false),
    .init(
        name: "requestPrincipals presence", rule: #"from: [{source: {requestPrincipals: ["*"]}}]"#, request: request(jwt: alice),
        matches: true),
    .init(
        name: "notRequestPrincipals", rule: #"from: [{source: {notRequestPrincipals: ["*"]}}]"#, request: request(), matches: true
    ),
    .init(
        name: "notRequestPrincipals", rule: #"from: [{source: {notRequestPrincipals: ["*"]}}]"#, request: request(jwt: alice),
        matches: false),
    // namespaces: from the peer certificate.
    .init(name: "namespaces", rule: #"from: [{source: {namespaces: ["default"]}}]"#, request: request(), matches: true),
    .init(
        name: "namespaces", rule: #"from: [{source: {namespaces: ["default"]}}]"#,
        request: request(principal: "cluster.local/ns/defaults/sa/x"), matches: false),
    .init(
        name: "namespaces plaintext", rule: #"from: [{source: {namespaces: ["default"]}}]"#, request: request(principal: nil),
        matches: false),
    .init(
        name: "namespaces wildcard", rule: #"from: [{source: {namespaces: ["prod-*"]}}]"#,
        request: request(principal: "cluster.local/ns/prod-eu/sa/x"), matches: true),
    .init(name: "notNamespaces", rule: #"from: [{source: {notNamespaces: ["dev"]}}]"#, request: request(), matches: true),
    .init(name: "notNamespaces", rule: #"from: [{source: {notNamespaces: ["default"]}}]"#, request: request(), matches: false),
    // ipBlocks (source address) and remoteIpBlocks (the original client).
    .init(name: "ipBlocks CIDR", rule: #"from: [{source: {ipBlocks: ["10.1.0.0/16"]}}]"#, request: request(), matches: true),
    .init(
        name: "ipBlocks CIDR", rule: #"from: [{source: {ipBlocks: ["10.1.0.0/16"]}}]"#, request: request(sourceIP: "10.2.0.1"),
        matches: false),
    .init(name: "ipBlocks single", rule: #"from: [{source: {ipBlocks: ["10.1.2.3"]}}]"#, request: request(), matches: true),
    .init(
        name: "ipBlocks IPv6", rule: #"from: [{source: {ipBlocks: ["2001:db8::/32"]}}]"#,
        request: request(sourceIP: "2001:db8::7"), matches: true),
    .init(
        name: "ipBlocks IPv6", rule: #"from: [{source: {ipBlocks: ["2001:db8::/32"]}}]"#,
        request: request(sourceIP: "2001:db9::7"), matches: false),
    .init(
        name: "notIpBlocks", rule: #"from: [{source: {notIpBlocks: ["10.1.2.3"]}}]"#, request: request(sourceIP: "10.1.2.4"),
        matches: true),
    .init(name: "notIpBlocks", rule: #"from: [{source: {notIpBlocks: ["10.1.2.3"]}}]"#, request: request(), matches: false),
    .init(
        name: "remoteIpBlocks", rule: #"from: [{source: {remoteIpBlocks: ["203.0.113.0/24"]}}]"#,
        request: request(remoteIP: "203.0.113.9"), matches: true),
    .init(
        name: "remoteIpBlocks defaults to source", rule: #"from: [{source: {remoteIpBlocks: ["203.0.113.0/24"]}}]"#,
        request: request(), matches: false),
    .init(
        name: "notRemoteIpBlocks", rule: #"from: [{source: {notRemoteIpBlocks: ["203.0.113.0/24"]}}]"#,
        request: request(remoteIP: "203.0.113.9"), matches: false),
    // Fields of one source are ANDed, values ORed; sources ORed.
    .init(
        name: "source fields ANDed", rule: #"from: [{source: {principals: ["*"], namespaces: ["prod"]}}]"#, request: request(),
        matches: false),
    .init(
        name: "sources ORed", rule: #"from: [{source: {namespaces: ["prod"]}}, {source: {ipBlocks: ["10.1.2.3"]}}]"#,
        request: request(), matches: true),
    // hosts: case-insensitive, exact/prefix/suffix/presence.
    .init(name: "hosts", rule: #"to: [{operation: {hosts: ["Reviews:9080"]}}]"#, request: request(), matches: true),
    .init(name: "hosts", rule: #"to: [{operation: {hosts: ["reviews"]}}]"#, request: request(), matches: false),
    .init(
        name: "hosts suffix", rule: #"to: [{operation: {hosts: ["*.example.com"]}}]"#, request: request(host: "api.example.com"),
        matches: true),
    .init(
        name: "hosts suffix", rule: #"to: [{operation: {hosts: ["*.example.com"]}}]"#, request: request(host: "example.com"),
        matches: false),
    .init(name: "notHosts", rule: #"to: [{operation: {notHosts: ["reviews*"]}}]"#, request: request(), matches: false),
    // ports: the destination port.
    .init(name: "ports", rule: #"to: [{operation: {ports: ["9080"]}}]"#, request: request(), matches: true),
    .init(name: "ports", rule: #"to: [{operation: {ports: ["9081"]}}]"#, request: request(), matches: false),
    .init(name: "notPorts", rule: #"to: [{operation: {notPorts: ["9080"]}}]"#, request: request(), matches: false),
    // methods.
    .init(
        name: "methods", rule: #"to: [{operation: {methods: ["GET", "HEAD"]}}]"#, request: request(method: "HEAD"), matches: true),
    .init(name: "methods", rule: #"to: [{operation: {methods: ["GET"]}}]"#, request: request(method: "POST"), matches: false),
    .init(
        name: "notMethods", rule: #"to: [{operation: {notMethods: ["DELETE"]}}]"#, request: request(method: "DELETE"),
        matches: false),
    // paths: exact, prefix, suffix, the query left out, templates.
    .init(
        name: "paths exact", rule: #"to: [{operation: {paths: ["/data"]}}]"#, request: request(path: "/data?x=1"), matches: true),
    .init(
        name: "paths exact", rule: #"to: [{operation: {paths: ["/data"]}}]"#, request: request(path: "/data/1"), matches: false),
    .init(
        name: "paths prefix", rule: #"to: [{operation: {paths: ["/info*"]}}]"#, request: request(path: "/info/v2"), matches: true),
    .init(name: "paths prefix", rule: #"to: [{operation: {paths: ["/info*"]}}]"#, request: request(path: "/inf"), matches: false),
    .init(
        name: "paths suffix", rule: #"to: [{operation: {paths: ["*.png"]}}]"#, request: request(path: "/img/a.png"), matches: true
    ),
    .init(
        name: "paths suffix", rule: #"to: [{operation: {paths: ["*.png"]}}]"#, request: request(path: "/img/a.png.txt"),
        matches: false),
    .init(
        name: "paths normalized", rule: #"to: [{operation: {paths: ["/admin*"]}}]"#, request: request(path: "/public/../admin/x"),
        matches: true),
    .init(
        name: "paths template one segment", rule: #"to: [{operation: {paths: ["/api/{*}/items"]}}]"#,
        request: request(path: "/api/v1/items"), matches: true),
    .init(
        name: "paths template one segment", rule: #"to: [{operation: {paths: ["/api/{*}/items"]}}]"#,
        request: request(path: "/api/v1/x/items"), matches: false),
    .init(
        name: "paths template any segments", rule: #"to: [{operation: {paths: ["/api/{**}"]}}]"#,
        request: request(path: "/api/v1/x/items"), matches: true),
    .init(
        name: "paths template any segments", rule: #"to: [{operation: {paths: ["/api/{**}"]}}]"#, request: request(path: "/apix"),
        matches: false),
    .init(
        name: "notPaths", rule: #"to: [{operation: {notPaths: ["/admin*"]}}]"#, request: request(path: "/admin"), matches: false),
    // when: every key Istio documents.
    .init(
        name: "request.headers", rule: #"when: [{key: "request.headers[User-Agent]", values: ["curl/*"]}]"#,
        request: request(headers: [("user-agent", "curl/8.0")]), matches: true),
    .init(
        name: "request.headers", rule: #"when: [{key: "request.headers[User-Agent]", values: ["curl/*"]}]"#,
        request: request(headers: [("user-agent", "wget")]), matches: false),
    .init(
        name: "request.headers absent notValues", rule: #"when: [{key: "request.headers[x-test]", notValues: ["a"]}]"#,
        request: request(), matches: true),
    .init(name: "source.ip", rule: #"when: [{key: source.ip, values: ["10.1.0.0/16"]}]"#, request: request(), matches: true),
    .init(name: "source.ip", rule: #"when: [{key: source.ip, notValues: ["10.1.0.0/16"]}]"#, request: request(), matches: false),
    .init(
        name: "remote.ip", rule: #"when: [{key: remote.ip, values: ["203.0.113.9"]}]"#, request: request(remoteIP: "203.0.113.9"),
        matches: true),
    .init(
        name: "source.namespace", rule: #"when: [{key: source.namespace, values: ["default"]}]"#, request: request(),
        matches: true),
    .init(
        name: "source.namespace", rule: #"when: [{key: source.namespace, values: ["default"]}]"#,
        request: request(principal: nil), matches: false),
    .init(
        name: "source.principal", rule: #"when: [{key: source.principal, values: ["cluster.local/ns/default/sa/productpage"]}]"#,
        request: request(), matches: true),
    .init(
        name: "source.principal", rule: #"when: [{key: source.principal, values: ["cluster.local/ns/default/sa/productpage"]}]"#,
        request: request(principal: "cluster.local/ns/default/sa/other"), matches: false),
    .init(
        name: "request.auth.principal",
        rule: #"when: [{key: request.auth.principal, values: ["https://accounts.example.com/*"]}]"#, request: request(jwt: alice),
        matches: true),
    .init(
        name: "request.auth.principal", rule: #"when: [{key: request.auth.principal, values: ["*"]}]"#, request: request(),
        matches: false),
    .init(
        name: "request.auth.audiences", rule: #"when: [{key: request.auth.audiences, values: ["reviews.example.com"]}]"#,
        request: request(jwt: alice), matches: true),
    .init(
        name: "request.auth.audiences", rule: #"when: [{key: request.auth.audiences, values: ["other"]}]"#,
        request: request(jwt: alice), matches: false),
    .init(
        name: "request.auth.presenter", rule: #"when: [{key: request.auth.presenter, values: ["web"]}]"#,
        request: request(jwt: alice), matches: true),
    .init(
        name: "request.auth.presenter", rule: #"when: [{key: request.auth.presenter, values: ["cli"]}]"#,
        request: request(jwt: alice), matches: false),
    .init(
        name: "request.auth.claims list", rule: #"when: [{key: "request.auth.claims[groups]", values: ["admin"]}]"#,
        request: request(jwt: alice), matches: true),
    .init(
        name: "request.auth.claims list", rule: #"when: [{key: "request.auth.claims[groups]", values: ["ops"]}]"#,
        request: request(jwt: alice), matches: false),
    .init(
        name: "request.auth.claims nested", rule: #"when: [{key: "request.auth.claims[realm][roles]", values: ["editor"]}]"#,
        request: request(jwt: alice), matches: true),
    .init(
        name: "request.auth.claims nested", rule: #"when: [{key: "request.auth.claims[realm][groups]", values: ["editor"]}]"#,
        request: request(jwt: alice), matches: false),
    .init(
        name: "request.auth.claims bool", rule: #"when: [{key: "request.auth.claims[email_verified]", values: ["true"]}]"#,
        request: request(jwt: alice), matches: true),
    .init(
        name: "destination.ip", rule: #"when: [{key: destination.ip, values: ["10.9.0.0/16"]}]"#, request: request(),
        matches: true),
    .init(
        name: "destination.ip", rule: #"when: [{key: destination.ip, values: ["10.8.0.0/16"]}]"#, request: request(),
        matches: false),
    .init(
        name: "destination.port", rule: #"when: [{key: destination.port, values: ["9080"]}]"#, request: request(), matches: true),
    .init(
        name: "destination.port", rule: #"when: [{key: destination.port, values: ["80"]}]"#, request: request(), matches: false),
    .init(
        name: "connection.sni", rule: #"when: [{key: connection.sni, values: ["*.example.com"]}]"#,
        request: request(sni: "www.example.com"), matches: true),
    .init(
        name: "connection.sni", rule: #"when: [{key: connection.sni, values: ["*.example.com"]}]"#, request: request(),
        matches: false),
    .init(
        name: "values and notValues",
        rule: #"when: [{key: "request.headers[x-env]", values: ["prod*"], notValues: ["prod-eu"]}]"#,
        request: request(headers: [("x-env", "prod-us")]), matches: true),
    .init(
        name: "values and notValues",
        rule: #"when: [{key: "request.headers[x-env]", values: ["prod*"], notValues: ["prod-eu"]}]"#,
        request: request(headers: [("x-env", "prod-eu")]), matches: false),
    // An empty rule matches everything.
    .init(name: "empty rule", rule: "{}", request: request(principal: nil), matches: true),
]

@Suite struct AuthorizationMatchingTests {
    @Test(arguments: matchCases)
    func ruleMatchesAsIstioDocuments(_ c: MatchCase) {
        let engine = engine(policy(action: "ALLOW", "  - " + c.rule))
        let decision = engine.authorize(c.request)
        #expect(decision.allowed == c.matches)
        #expect(decision.reason == (c.matches ? .allowedByPolicy : .noAllowPolicyMatched))
        if c.matches { #expect(decision.decidedBy?.envoyName == "ns[default]-policy[p]-rule[0]") }
    }

    @Test(arguments: matchCases)
    func denyRuleMatchesTheSameRequests(_ c: MatchCase) {
        let decision = engine(policy(action: "DENY", "  - " + c.rule)).authorize(c.request)
        #expect(decision.allowed == !c.matches)
        #expect(decision.counters == [c.matches ? "rbac.denied" : "rbac.allowed"])
    }
}

@Suite struct AuthorizationOrderTests {
    static let allowProductpage = policy(
        "allow-productpage", action: "ALLOW",
        #"  - from: [{source: {principals: ["cluster.local/ns/default/sa/productpage"]}}]"#)
    static let denyAdmin = policy("deny-admin", action: "DENY", #"  - to: [{operation: {paths: ["/admin*"]}}]"#)

    @Test func noPolicyAllowsEverything() {
        let decision = engine("").authorize(request(principal: nil))
        #expect(decision.allowed && decision.reason == .noAllowPolicy && decision.counters.isEmpty)
    }

    @Test func denyWinsOverAllow() {
        let decision = engine(Self.allowProductpage + "---\n" + Self.denyAdmin).authorize(request(path: "/admin/users"))
        #expect(!decision.allowed)
        #expect(decision.decidedBy?.policy == "default/deny-admin")
        #expect(decision.status == 403)
        #expect(decision.responseCodeDetails == "rbac_access_denied_matched_policy[ns[default]-policy[deny-admin]-rule[0]]")
    }

    @Test func allowPolicyAdmitsOneCallerAndRefusesAnother() {
        let e = engine(Self.allowProductpage + "---\n" + Self.denyAdmin)
        let admitted = e.authorize(request(path: "/reviews/1"))
        #expect(admitted.allowed && admitted.decidedBy?.policy == "default/allow-productpage")
        #expect(admitted.counters == ["rbac.allowed", "rbac.allowed"])
        let refused = e.authorize(request(principal: "cluster.local/ns/default/sa/ratings"))
        #expect(!refused.allowed && refused.reason == .noAllowPolicyMatched)
        #expect(refused.responseCodeDetails == "rbac_access_denied_matched_policy[none]")
        #expect(refused.counters == ["rbac.allowed", "rbac.denied"])
    }

    @Test func allowWithoutRulesDeniesEverything() {
        let text = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow-nothing, namespace: default}
            spec: {}
            """
        let decision = engine(text).authorize(request())
        #expect(!decision.allowed && decision.reason == .noAllowPolicyMatched)
    }

    @Test func auditRecordsWithoutDeciding() {
        let audit = policy("audit-get", action: "AUDIT", #"  - to: [{operation: {methods: ["GET"]}}]"#)
        let decision = engine(audit).authorize(request())
        #expect(decision.allowed && decision.reason == .noAllowPolicy)
        #expect(decision.audited.map(\.policy) == ["default/audit-get"])
        #expect(engine(audit).authorize(request(method: "POST")).audited.isEmpty)
    }

    @Test func customIsReportedNotEnforced() {
        let custom = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ext, namespace: default}
            spec:
              action: CUSTOM
              provider: {name: opa}
              rules: [{to: [{operation: {paths: ["/admin*"]}}]}]
            """
        let decision = engine(custom).authorize(request(path: "/admin"))
        #expect(decision.allowed)
        #expect(decision.customNotEnforced.map(\.policy) == ["default/ext"])
    }

    @Test func dryRunCountsShadowAndDoesNotEnforce() {
        let dryRun = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: deny-headers
              namespace: default
              annotations: {"istio.io/dry-run": "true"}
            spec:
              action: DENY
              rules: [{to: [{operation: {paths: ["/headers"]}}]}]
            """
        let hit = engine(dryRun).authorize(request(path: "/headers"))
        #expect(hit.allowed && hit.shadowAllowed == false)
        #expect(hit.counters.contains("rbac.istio_dry_run_deny_shadow_denied"))
        let miss = engine(dryRun).authorize(request(path: "/ip"))
        #expect(miss.shadowAllowed == true)
    }

    @Test func selectorsNamespacesAndRootNamespace() {
        let rootWide = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: mesh-deny, namespace: istio-system}
            spec:
              selector: {matchLabels: {version: v1}}
              action: DENY
              rules: [{}]
            """
        let otherNamespace = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: other, namespace: prod}
            spec: {action: DENY, rules: [{}]}
            """
        #expect(!engine(rootWide).authorize(request()).allowed)
        let v2 = WorkloadIdentity(namespace: "default", labels: ["app": "reviews", "version": "v2"])
        #expect(engine(rootWide, workload: v2).authorize(request()).allowed)
        #expect(engine(otherNamespace).authorize(request()).allowed)
    }

    @Test func targetRefPoliciesDoNotApplyToSidecars() {
        let targeted = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: gw, namespace: default}
            spec:
              targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: bookinfo}]
              action: DENY
              rules: [{}]
            """
        let e = engine(targeted)
        #expect(e.authorize(request()).allowed)
        #expect(e.skipped.first?.policy == "default/gw")
    }

    @Test func tcpConnectionsFollowIstiosReading() {
        // ALLOW: a rule that needs HTTP attributes never matches a TCP connection.
        let allowGet = policy(action: "ALLOW", #"  - to: [{operation: {methods: ["GET"]}}]"#)
        #expect(!engine(allowGet).authorize(request(http: false)).allowed)
        // DENY: the HTTP attributes are left out, so the rule (port only) denies.
        let denyPost = policy(action: "DENY", #"  - to: [{operation: {methods: ["POST"], ports: ["9080"]}}]"#)
        #expect(!engine(denyPost).authorize(request(http: false)).allowed)
        #expect(engine(denyPost).authorize(request(port: 3306, http: false)).allowed)
    }

    @Test func explanationNamesThePolicyAndRule() {
        let decision = engine(Self.allowProductpage).explain(request(principal: "cluster.local/ns/default/sa/ratings"))
        #expect(
            decision.explanation.contains {
                $0.contains("ALLOW default/allow-productpage rule 0") && $0.contains("does not match")
            })
        #expect(
            decision.explanation.contains {
                $0.contains("does not include the peer principal cluster.local/ns/default/sa/ratings")
            })
    }
}
