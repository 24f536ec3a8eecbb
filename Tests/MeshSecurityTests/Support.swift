import Foundation
import JWTKit
import MeshModel
import MeshSecurity
import MeshValidation

/// Decodes a rule set written in the test (no validation findings expected unless asked).
func resources(_ text: String) -> [Resource] {
    var rules = LoadedRules()
    RuleLoader.load(Array(text.utf8), name: "t.yaml", into: &rules)
    return rules.resources
}

/// An AuthorizationPolicy for workloads labelled app=reviews in namespace default.
func policy(_ name: String = "p", action: String = "ALLOW", _ rules: String) -> String {
    """
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: \(name)
      namespace: default
    spec:
      selector:
        matchLabels:
          app: reviews
      action: \(action)
      rules:
    \(rules)

    """
}

let reviews = WorkloadIdentity(namespace: "default", labels: ["app": "reviews", "version": "v1"], serviceAccount: "reviews")

func engine(_ text: String, workload: WorkloadIdentity = reviews) -> AuthorizationEngine {
    AuthorizationEngine(resources: resources(text), workload: workload, rootNamespace: "istio-system")
}

/// Claims of a test token.
struct TestClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim?
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var azp: String?
    var groups: [String]?
    var realm: [String: [String]]?

    init(
        iss: String = "https://issuer.example", sub: String = "alice", aud: [String]? = nil,
        exp: Date = Date().addingTimeInterval(3600), nbf: Date? = nil, groups: [String]? = nil,
        realm: [String: [String]]? = nil, azp: String? = nil
    ) {
        self.iss = IssuerClaim(value: iss)
        self.sub = SubjectClaim(value: sub)
        self.aud = aud.map { AudienceClaim(value: $0) }
        self.exp = ExpirationClaim(value: exp)
        self.nbf = nbf.map { NotBeforeClaim(value: $0) }
        self.groups = groups
        self.realm = realm
        self.azp = azp
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A signing key made for the test, its JWKS, and tokens signed with it.
struct TestSigner {
    let key = ES256PrivateKey()
    let kid: String

    init(kid: String = "test-key") { self.kid = kid }

    /// The public key as a JWKS document.
    var jwks: String {
        let p = key.publicKey.parameters!
        return #"{"keys":[{"kty":"EC","crv":"P-256","kid":"\#(kid)","x":"\#(p.x)","y":"\#(p.y)"}]}"#
    }

    func sign(_ claims: TestClaims) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }
}

func requestAuthentication(_ rules: String, selector: String = "") -> String {
    """
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
      namespace: default
    spec:
    \(selector)  jwtRules:
    \(rules)

    """
}
