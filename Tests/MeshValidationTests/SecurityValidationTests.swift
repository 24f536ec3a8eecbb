import MeshModel
import Testing

@testable import MeshValidation

/// A security resource in namespace default with `spec` (indented two spaces).
func security(_ kind: String, _ spec: String, apiVersion: String = "security.istio.io/v1", annotations: String = "") -> String {
    """
    apiVersion: \(apiVersion)
    kind: \(kind)
    metadata:
      name: p
      namespace: default
    \(annotations)spec:
    \(spec)
    """
}

struct ValidationCase: CustomTestStringConvertible, Sendable {
    var kind: String
    var spec: String
    /// The code and a piece of the message expected; nil: no finding at all.
    var code: String?
    var message: String
    var annotations = ""
    var testDescription: String { "\(kind): \(message.isEmpty ? "valid" : message)" }
}

/// Istio's validation rules for the security kinds (pkg/config/validation), and meshctl's
/// warnings for values that never match, each with the finding it makes.
let validationCases: [ValidationCase] = [
    // AuthorizationPolicy.
    .init(kind: "AuthorizationPolicy", spec: "  rules: [{}]", code: nil, message: ""),
    .init(kind: "AuthorizationPolicy", spec: "  {}", code: nil, message: ""),
    .init(
        kind: "AuthorizationPolicy", spec: "  action: CUSTOM\n  rules: [{}]", code: "IST0106",
        message: "`provider.name` must not be empty"),
    .init(
        kind: "AuthorizationPolicy", spec: "  action: CUSTOM\n  provider: {name: opa}", code: "IST0106",
        message: "CUSTOM action without `rules`"),
    .init(
        kind: "AuthorizationPolicy",
        spec: "  action: CUSTOM\n  provider: {name: opa}\n  rules: [{from: [{source: {principals: [a/ns/b/sa/c]}}]}]",
        code: "IST0106", message: "From.Principals is currently not supported with CUSTOM"),
    .init(
        kind: "AuthorizationPolicy", spec: "  action: DENY\n  provider: {name: opa}\n  rules: [{}]", code: "IST0106",
        message: "`provider` must not be with non CUSTOM action"),
    .init(kind: "AuthorizationPolicy", spec: "  action: DENY", code: "IST0106", message: "DENY action without `rules`"),
    .init(kind: "AuthorizationPolicy", spec: "  action: REJECT", code: "IST0106", message: "unknown value `REJECT`"),
    .init(kind: "AuthorizationPolicy", spec: "  rules: [{from: []}]", code: "IST0106", message: "`from` must not be empty"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{from: [{source: {}}]}]", code: "IST0106",
        message: "`from.source` must not be empty"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{to: [{operation: {}}]}]", code: "IST0106",
        message: "`to.operation` must not be empty"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{from: [{source: {principals: [\"\"]}}]}]", code: "IST0106",
        message: "empty value not allowed, found in principals"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{from: [{source: {ipBlocks: [10.0.0.0/33]}}]}]", code: "IST0106",
        message: "bad CIDR range (10.0.0.0/33)"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{from: [{source: {remoteIpBlocks: [1.2.3]}}]}]", code: "IST0106",
        message: "bad IP address (1.2.3)"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{to: [{operation: {ports: [\"70000\"]}}]}]", code: "IST0106",
        message: "bad port (70000)"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{to: [{operation: {paths: [\"/a/{name}/b\"], methods: [GET]}}]}]",
        code: nil, message: ""),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{to: [{operation: {paths: [\"/a/{*}/*\"]}}]}]", code: "IST0106",
        message: "invalid or unsupported path template"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{when: [{key: \"request.auth.claim[iss]\", values: [x]}]}]",
        code: "IST0106", message: "unknown attribute: request.auth.claim[iss]"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{when: [{key: \"request.headers[]\", values: [x]}]}]", code: "IST0106",
        message: "should have format a[b]"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{when: [{key: \"destination.labels[app]\", values: [x]}]}]",
        code: "IST0106", message: "replaced by the workload selector"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{when: [{key: source.ip, values: [not-an-ip]}]}]", code: "IST0106",
        message: "bad IP address (not-an-ip)"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{when: [{key: destination.port, values: [http]}]}]", code: "IST0106",
        message: "bad port (http)"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{when: [{key: source.ip}]}]", code: "IST0106",
        message: "at least one of `values` or `notValues`"),
    .init(
        kind: "AuthorizationPolicy",
        spec: "  rules: [{when: [{key: \"experimental.envoy.filters.network.mysql_proxy[db.table]\", values: [\"[update]\"]}]}]",
        code: nil, message: ""),
    .init(
        kind: "AuthorizationPolicy", spec: "  selector: {matchLabels: {app: \"*\"}}\n  rules: [{}]", code: "IST0106",
        message: "wildcard is not supported in selector"),
    .init(
        kind: "AuthorizationPolicy",
        spec:
            "  selector: {matchLabels: {app: a}}\n  targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: gw}\n  rules: [{}]",
        code: "IST0106", message: "only one of targetRefs or workloadSelector"),
    .init(
        kind: "AuthorizationPolicy", spec: "  targetRefs: [{kind: Pod, name: x}]\n  rules: [{}]", code: "IST0106",
        message: "targetRef must be to a Service"),
    .init(
        kind: "AuthorizationPolicy", spec: "  action: DENY\n  rules: [{to: [{operation: {methods: [POST]}}]}]", code: "IST0133",
        message: "will deny all traffic to TCP ports"),
    .init(
        kind: "AuthorizationPolicy", spec: "  action: AUDIT\n  rules: [{}]", code: "IST0106",
        message: "dry-run currently only supports action ALLOW/DENY",
        annotations: "  annotations: {\"istio.io/dry-run\": \"true\"}\n"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{to: [{operation: {paths: [\"/a/*/b\"]}}]}]", code: "MESH0107",
        message: "`*` in the middle"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{to: [{operation: {paths: [api]}}]}]", code: "MESH0107",
        message: "does not start with `/`"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{to: [{operation: {methods: [get]}}]}]", code: "MESH0107",
        message: "is not uppercase"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{from: [{source: {principals: [\"spiffe://cluster.local/ns/a/sa/b\"]}}]}]",
        code: "MESH0107", message: "starts with spiffe://"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{from: [{source: {principals: [\"ns/default/sa/b\"]}}]}]", code: "MESH0107",
        message: "is not TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT"),
    .init(
        kind: "AuthorizationPolicy", spec: "  rules: [{from: [{source: {principals: [\"*/ns/default/sa/b\"]}}]}]", code: nil,
        message: ""),
    // PeerAuthentication.
    .init(kind: "PeerAuthentication", spec: "  mtls: {mode: STRICT}", code: nil, message: ""),
    .init(kind: "PeerAuthentication", spec: "  mtls: {mode: strict}", code: "IST0106", message: "unknown value `strict`"),
    .init(
        kind: "PeerAuthentication", spec: "  portLevelMtls: {8080: {mode: DISABLE}}", code: "IST0106",
        message: "mesh/namespace peer authentication cannot have port level mTLS"),
    .init(
        kind: "PeerAuthentication", spec: "  selector: {matchLabels: {app: a}}\n  portLevelMtls: {}", code: "IST0106",
        message: "must have at least one element"),
    .init(
        kind: "PeerAuthentication", spec: "  selector: {matchLabels: {app: a}}\n  portLevelMtls: {70000: {mode: DISABLE}}",
        code: "IST0106", message: "port must be in range 1..65535"),
    .init(
        kind: "PeerAuthentication", spec: "  selector: {}\n  mtls: {mode: STRICT}", code: "IST0133",
        message: "workload selector specified without labels"),
    // RequestAuthentication.
    .init(kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, jwks: '{\"keys\":[]}'}]", code: nil, message: ""),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{jwks: '{\"keys\":[]}'}]", code: "IST0106",
        message: "issuer must be set"),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, audiences: [\"\"], jwks: '{\"keys\":[]}'}]",
        code: "IST0106", message: "audience must be non-empty"),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, jwks: 'not json'}]", code: "IST0106",
        message: "jwks parse error"),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, jwksUri: ftp://x/jwks}]", code: "IST0106",
        message: "URI scheme \"ftp\" is not supported"),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, jwksUri: https://a/jwks}]", code: "MESH0108",
        message: "does not fetch keys"),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, jwksUri: file:///etc/jwks.json}]", code: "MESH0110",
        message: "file://"),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, jwks: '{\"keys\":[]}', jwksUri: https://a/jwks}]",
        code: "MESH0109", message: "jwksUri is ignored"),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, jwks: '{\"keys\":[]}', fromHeaders: [{name: \"\"}]}]",
        code: "IST0106", message: "location header name must be non-empty"),
    .init(
        kind: "RequestAuthentication", spec: "  jwtRules: [{issuer: a, jwks: '{\"keys\":[]}', fromParams: [\"\"]}]",
        code: "IST0106", message: "location query must be non-empty"),
    .init(
        kind: "RequestAuthentication",
        spec: "  jwtRules: [{issuer: a, jwks: '{\"keys\":[]}', outputClaimToHeaders: [{header: \"x y\", claim: sub}]}]",
        code: "IST0106", message: "is not a valid header name"),
    .init(
        kind: "RequestAuthentication",
        spec: "  jwtRules: [{issuer: a, jwks: '{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}'}]", code: "MESH0108",
        message: "kty oct"),
]

@Suite struct SecurityValidationTests {
    @Test(arguments: validationCases)
    func istioValidationRules(_ c: ValidationCase) throws {
        let d = try findings(security(c.kind, c.spec, annotations: c.annotations))
        if let code = c.code {
            #expect(d.contains { $0.code == code && $0.message.contains(c.message) }, "\(d.map { "\($0.code) \($0.message)" })")
        } else {
            #expect(d.isEmpty, "\(d.map { "\($0.code) \($0.message)" })")
        }
    }

    @Test func findingsPointAtTheScalar() throws {
        let d = try findings(
            security("AuthorizationPolicy", "  rules:\n  - from:\n    - source:\n        ipBlocks: [10.0.0.0/8, 10.1.2]"))
        let bad = try #require(d.first)
        #expect((bad.line, bad.column) == (10, 32))
        #expect(bad.field == "spec.rules[0].from[0].source.ipBlocks[1]")
    }

    @Test func unknownFieldsAreSchemaErrors() throws {
        let d = try findings(security("AuthorizationPolicy", "  rules: [{from: [{source: {principal: [x]}}]}]"))
        #expect(d.contains { $0.code == "IST0106" && $0.message.contains("did you mean `principals`?") })
    }

    @Test func localRateLimitShape() throws {
        let text = """
            apiVersion: networking.istio.io/v1alpha3
            kind: EnvoyFilter
            metadata: {name: rl, namespace: default}
            spec:
              configPatches:
              - applyTo: HTTP_FILTER
                match: {context: SIDECAR_INBOUND}
                patch:
                  operation: INSERT_BEFORE
                  value:
                    name: envoy.filters.http.local_ratelimit
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                      stat_prefix: http_local_rate_limiter
                      token_bucket: {max_tokens: 0, fill_interval: 10ms}
              - applyTo: NETWORK_FILTER
                patch: {operation: MERGE, value: {name: envoy.filters.network.tcp_proxy}}
            """
        let d = try findings(text)
        #expect(d.contains { $0.code == "IST0106" && $0.message.contains("max_tokens must be greater than 0") })
        #expect(d.contains { $0.code == "IST0106" && $0.message.contains("fill_interval must be at least 50ms") })
        #expect(d.contains { $0.code == "MESH0107" && $0.message.contains("filter_enabled is not set") })
        #expect(d.contains { $0.code == "MESH0108" && $0.message.contains("this NETWORK_FILTER patch is not applied") })
    }
}
