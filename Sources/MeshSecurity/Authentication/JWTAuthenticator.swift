import Foundation
import JWTKit
import MeshModel

/// What RequestAuthentication made of a request's token.
public struct AuthnResult: Sendable {
    public enum Outcome: String, Sendable {
        /// No token in any location: authentication passes, authorization decides.
        case noToken
        case verified
        /// A token is present and invalid: 401.
        case rejected
    }

    public var outcome: Outcome
    public var identity: JWTIdentity?
    /// Envoy's reason for a rejection (`Jwt is expired`, `Jwt issuer is not configured`, ...).
    public var message: String?
    /// `namespace/name` of the RequestAuthentication whose rule verified or rejected the token.
    public var policy: String?
    /// Request headers to remove before forwarding (the token's header, unless
    /// `forwardOriginalToken`).
    public var removeHeaders: [String] = []
    /// Request headers to set: `outputPayloadToHeader` and `outputClaimToHeaders`.
    public var setHeaders: [(name: String, value: String)] = []
    /// The path with the token's query parameter removed, when it came from one and is not
    /// forwarded.
    public var rewrittenPath: String?

    public init(
        outcome: Outcome, identity: JWTIdentity? = nil, message: String? = nil, policy: String? = nil
    ) {
        self.outcome = outcome
        self.identity = identity
        self.message = message
        self.policy = policy
    }

    /// 401 when rejected.
    public var status: Int? { outcome == .rejected ? 401 : nil }

    /// The `www-authenticate` header of a 401, as Envoy's JWT filter sends it.
    public func wwwAuthenticate(host: String, path: String) -> String? {
        guard outcome == .rejected else { return nil }
        return "Bearer realm=\"http://\(host)\(path)\", error=\"invalid_token\""
    }

    static func rejected(_ message: String, policy: String? = nil) -> AuthnResult {
        AuthnResult(outcome: .rejected, message: message, policy: policy)
    }
}

/// Where a token is read from.
public enum TokenLocation: Sendable, Hashable, CustomStringConvertible {
    /// A header, after `prefix` (`Bearer `); the name lowercase.
    case header(String, prefix: String)
    case query(String)
    case cookie(String)

    /// Envoy's defaults when a rule names no location: `Authorization: Bearer ...`, then the
    /// `access_token` query parameter.
    public static let defaults: [TokenLocation] = [.header("authorization", prefix: "Bearer "), .query("access_token")]

    public var description: String {
        switch self {
        case .header(let name, let prefix): prefix.isEmpty ? "header \(name)" : "header \(name) (prefix \"\(prefix)\")"
        case .query(let name): "query parameter \(name)"
        case .cookie(let name): "cookie \(name)"
        }
    }
}

/// The JWT rules of the RequestAuthentications that apply to one workload, with their keys
/// imported (through jwt-kit) once, so a request is verified synchronously.
public struct JWTAuthenticator: Sendable {
    /// One `jwtRules[]` entry.
    public struct Provider: Sendable {
        public var policy: String
        public var issuer: String
        public var audiences: [String]
        public var locations: [TokenLocation]
        public var forward: Bool
        public var outputPayloadToHeader: String?
        public var claimToHeaders: [(header: String, claim: String)]
        /// The JWKS the keys came from (inline, or read from a local file), nil when none could
        /// be read.
        public var jwks: String?
        var keys: [VerificationKey]
        /// Why the provider has no keys (every token of its issuer is then refused).
        public var keyProblem: String?
    }

    /// A JWKS key, ready to verify with each algorithm it may sign with.
    struct VerificationKey: Sendable {
        var kid: String?
        var algorithms: [String: any JWTAlgorithm]
    }

    public let providers: [Provider]
    /// Notes on keys that could not be used.
    public let notes: [String]
    /// Envoy's default clock skew for `exp` and `nbf`.
    public static let clockSkew: Double = 60

    /// Whether any rule applies.
    public var isEmpty: Bool { providers.isEmpty }

    /// Selects the RequestAuthentications for `workload` (its namespace and the root namespace,
    /// selector matching; none attached by targetRef) and imports their keys: inline `jwks`, or
    /// `jwksUri: file:///PATH` read now. Keys over http(s) are never fetched.
    public static func build(resources: [Resource], workload: WorkloadIdentity, rootNamespace: String) async -> JWTAuthenticator {
        var providers: [Provider] = []
        var notes: [String] = []
        for resource in resources.filter({ $0.requestAuthentication != nil }).effective {
            guard let ra = resource.requestAuthentication,
                resource.namespace == workload.namespace || resource.namespace == rootNamespace,
                ra.targetRef == nil, ra.targetRefs.isEmpty,
                ra.selectorLabels.allSatisfy({ workload.labels[$0.key] == $0.value })
            else { continue }
            let name = "\(resource.namespace)/\(resource.name)"
            for rule in ra.jwtRules {
                guard let issuer = rule.issuer?.value, !issuer.isEmpty else { continue }
                var locations: [TokenLocation] =
                    rule.fromHeaders.compactMap { h in
                        h.name.map { .header($0.value.lowercased(), prefix: h.prefix?.value ?? "") }
                    }
                    + rule.fromParams.map { .query($0.value) } + rule.fromCookies.map { .cookie($0.value) }
                if locations.isEmpty { locations = TokenLocation.defaults }
                var keys: [VerificationKey] = []
                var keyProblem: String?
                var jwks: String?
                switch loadJWKS(rule) {
                case .success(let text):
                    jwks = text
                    let (imported, problems) = await importKeys(text)
                    keys = imported
                    notes += problems.map { "\(name) issuer \(issuer): \($0)" }
                    if keys.isEmpty { keyProblem = "Jwks doesn't have key to match kid or alg from Jwt" }
                case .failure(let problem):
                    keyProblem = "Jwks remote fetch is failed"
                    notes.append("\(name) issuer \(issuer): \(problem.message)")
                }
                providers.append(
                    Provider(
                        policy: name, issuer: issuer, audiences: rule.audiences.map(\.value), locations: locations,
                        forward: rule.forwardOriginalToken?.value ?? false,
                        outputPayloadToHeader: rule.outputPayloadToHeader?.value,
                        claimToHeaders: rule.outputClaimToHeaders.compactMap { o in
                            guard let header = o.header?.value, let claim = o.claim?.value else { return nil }
                            return (header, claim)
                        }, jwks: jwks, keys: keys, keyProblem: keyProblem))
            }
        }
        return JWTAuthenticator(providers: providers, notes: notes)
    }

    struct KeySourceProblem: Error {
        var message: String
    }

    /// The JWKS text of a rule: inline, or a local file; never fetched.
    static func loadJWKS(_ rule: RequestAuthentication.JWTRule) -> Result<String, KeySourceProblem> {
        if let jwks = rule.jwks?.value { return .success(jwks) }
        guard let uri = rule.jwksUri?.value else {
            return .failure(KeySourceProblem(message: "no jwks or jwksUri, and meshctl does not discover keys over the network"))
        }
        guard uri.hasPrefix("file://") else {
            return .failure(KeySourceProblem(message: "meshctl does not fetch \(uri); tokens of this issuer are refused"))
        }
        let path = String(uri.dropFirst(7))
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(KeySourceProblem(message: "cannot read the JWKS file \(path)"))
        }
        return .success(String(decoding: data, as: UTF8.self))
    }

    static let algorithmsByCurve = ["P-256": ["ES256"], "P-384": ["ES384"], "P-521": ["ES512"], "Ed25519": ["EdDSA"]]
    static let rsaAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]

    /// Imports each key of a JWKS with jwt-kit, once per algorithm it may sign with (its `alg`,
    /// or every algorithm its type and curve allow).
    static func importKeys(_ text: String) async -> ([VerificationKey], [String]) {
        guard let set = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
            let entries = set["keys"] as? [[String: Any]]
        else { return ([], ["the JWKS is not a JSON object with a keys array"]) }
        var keys: [VerificationKey] = []
        var problems: [String] = []
        for (i, var entry) in entries.enumerated() {
            let kid = entry["kid"] as? String
            let kty = entry["kty"] as? String ?? ""
            var algorithms: [String]
            if let alg = entry["alg"] as? String {
                algorithms = [alg]
            } else if kty == "RSA" {
                algorithms = rsaAlgorithms
            } else {
                algorithms = algorithmsByCurve[entry["crv"] as? String ?? ""] ?? []
            }
            algorithms = algorithms.filter(RequestAuthentication.algorithms.contains)
            guard RequestAuthentication.keyTypes.contains(kty), !algorithms.isEmpty else {
                problems.append("key \(kid ?? String(i)) (kty \(kty)) is not one meshctl verifies with")
                continue
            }
            // jwt-kit files keys by kid: give one to a key that has none.
            entry["kid"] = kid ?? "meshctl-key-\(i)"
            entry.removeValue(forKey: "alg")
            var verifiers: [String: any JWTAlgorithm] = [:]
            for algorithm in algorithms {
                var withAlgorithm = entry
                withAlgorithm["alg"] = algorithm
                guard let json = try? JSONSerialization.data(withJSONObject: withAlgorithm),
                    let jwk = try? JWK(json: String(decoding: json, as: UTF8.self))
                else { continue }
                // A collection per algorithm: jwt-kit keeps the first signer it makes for a key.
                let collection = JWTKeyCollection()
                guard (try? await collection.add(jwk: jwk)) != nil,
                    let verifier = try? await collection.getKey(for: jwk.keyIdentifier, alg: algorithm)
                else { continue }
                verifiers[algorithm] = verifier
            }
            if verifiers.isEmpty {
                problems.append("key \(kid ?? String(i)) could not be imported")
            } else {
                keys.append(VerificationKey(kid: kid, algorithms: verifiers))
            }
        }
        return (keys, problems)
    }
}
