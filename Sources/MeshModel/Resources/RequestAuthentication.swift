import Foundation

/// `security.istio.io` RequestAuthentication: which JWTs the selected workloads accept (issuer,
/// keys, audiences), where the token is read from, and what is passed on to the application.
public struct RequestAuthentication: Sendable {
    /// `fromHeaders[]`: a header holding the token, after an optional prefix (`Bearer `).
    public struct HeaderLocation: Sendable {
        public var node: Int32
        public var name: Located<String>?
        public var prefix: Located<String>?
    }

    /// `outputClaimToHeaders[]`: copy a claim of a verified token into a request header.
    public struct ClaimToHeader: Sendable {
        public var node: Int32
        public var header: Located<String>?
        public var claim: Located<String>?
    }

    public struct JWTRule: Sendable {
        public var node: Int32
        public var issuer: Located<String>?
        public var audiences: [Located<String>] = []
        public var jwks: Located<String>?
        public var jwksUri: Located<String>?
        public var fromHeaders: [HeaderLocation] = []
        public var fromParams: [Located<String>] = []
        public var fromCookies: [Located<String>] = []
        public var outputPayloadToHeader: Located<String>?
        public var forwardOriginalToken: Located<Bool>?
        public var outputClaimToHeaders: [ClaimToHeader] = []
        public var timeout: MeshDuration?
    }

    public var node: Int32
    public var selector: WorkloadSelector?
    public var targetRef: PolicyTargetReference?
    public var targetRefs: [PolicyTargetReference] = []
    public var jwtRules: [JWTRule] = []
    public var jwtRulesNode: Int32 = -1

    /// The selector's labels (empty: every workload of the namespace, or of the mesh from the
    /// root namespace).
    public var selectorLabels: [String: String] { selector?.labels ?? [:] }
}

extension RequestAuthentication {
    static let fieldNames = ["selector", "targetRef", "targetRefs", "jwtRules"]
    static let ruleFields = [
        "issuer", "audiences", "jwksUri", "jwks", "fromHeaders", "fromParams", "fromCookies", "outputPayloadToHeader",
        "forwardOriginalToken", "outputClaimToHeaders", "timeout",
    ]

    public static func decode(_ n: Node) -> RequestAuthentication {
        var ra = RequestAuthentication(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "selector": ra.selector = v.workloadSelector()
            case "targetRef": ra.targetRef = v.policyTargetReference()
            case "targetRefs": ra.targetRefs = v.list { $0.policyTargetReference() }
            case "jwtRules": (ra.jwtRules, ra.jwtRulesNode) = (v.list(JWTRule.decode), v.index)
            default: return false
            }
            return true
        }
        return ra
    }
}

extension RequestAuthentication.JWTRule {
    static func decode(_ n: Node) -> Self? {
        var rule = Self(node: n.index)
        n.fields(RequestAuthentication.ruleFields) { name, v in
            switch name {
            case "issuer": rule.issuer = v.located { $0.string() }
            case "audiences": rule.audiences = v.list { $0.located { $0.string() } }
            case "jwksUri": rule.jwksUri = v.located { $0.string() }
            case "jwks": rule.jwks = v.located { $0.string() }
            case "fromHeaders":
                rule.fromHeaders = v.list { item in
                    item.stringFields(["name", "prefix"]).map {
                        RequestAuthentication.HeaderLocation(node: item.index, name: $0["name"], prefix: $0["prefix"])
                    }
                }
            case "fromParams": rule.fromParams = v.list { $0.located { $0.string() } }
            case "fromCookies": rule.fromCookies = v.list { $0.located { $0.string() } }
            case "outputPayloadToHeader": rule.outputPayloadToHeader = v.located { $0.string() }
            case "forwardOriginalToken": rule.forwardOriginalToken = v.located { $0.bool() }
            case "outputClaimToHeaders":
                rule.outputClaimToHeaders = v.list { item in
                    item.stringFields(["header", "claim"]).map {
                        RequestAuthentication.ClaimToHeader(node: item.index, header: $0["header"], claim: $0["claim"])
                    }
                }
            case "timeout": rule.timeout = v.duration()
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? rule : nil
    }
}

extension RequestAuthentication {
    /// Key types and algorithms meshctl verifies tokens with (through jwt-kit).
    public static let keyTypes = ["RSA", "EC", "OKP"]
    public static let algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

    /// Why `text` is not a JSON Web Key Set (RFC 7517: an object with a `keys` array of objects,
    /// each with a `kty`), or nil. Problems with single keys meshctl cannot use are `keyNotes`.
    public static func jwksProblem(_ text: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
            return "jwks is not JSON"
        }
        guard let set = object as? [String: Any], let keys = set["keys"] as? [Any] else {
            return "jwks must be an object with a `keys` array (a JSON Web Key Set)"
        }
        for (i, key) in keys.enumerated() {
            guard let key = key as? [String: Any], key["kty"] is String else {
                return "jwks key \(i) has no `kty`"
            }
        }
        return nil
    }

    /// Keys of a valid JWKS that meshctl cannot verify tokens with, and why (an HMAC `oct` key,
    /// an algorithm jwt-kit does not implement).
    public static func jwksKeyNotes(_ text: String) -> [String] {
        guard let set = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
            let keys = set["keys"] as? [[String: Any]]
        else { return [] }
        var notes: [String] = []
        for (i, key) in keys.enumerated() {
            let kty = key["kty"] as? String ?? ""
            let name = (key["kid"] as? String).map { "key \($0)" } ?? "key \(i)"
            if !keyTypes.contains(kty) {
                notes.append("\(name) has kty \(kty), which meshctl does not verify with (it reads RSA, EC and OKP keys)")
            } else if let alg = key["alg"] as? String, !algorithms.contains(alg) {
                notes.append("\(name) has alg \(alg), which meshctl does not verify with")
            }
        }
        return notes
    }
}
