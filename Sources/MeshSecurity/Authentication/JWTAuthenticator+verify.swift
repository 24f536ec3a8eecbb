import Foundation
import JWTKit

extension JWTAuthenticator {
    /// Finds and verifies the request's tokens, as Envoy's JWT filter does under Istio's
    /// configuration (any rule may verify, a missing token is allowed): no token passes; every
    /// token found must verify (issuer configured, not expired or early, audience allowed,
    /// signed by a key of the JWKS), else 401 with Envoy's reason.
    ///
    /// - Parameters:
    ///   - headers: the request's headers, names lowercase.
    ///   - path: the request path with its query string.
    ///   - now: seconds since 1970 (for tests).
    public func authenticate(
        headers: [(name: String, value: String)], path: String, now: Double = Date().timeIntervalSince1970
    ) -> AuthnResult {
        guard !providers.isEmpty else { return AuthnResult(outcome: .noToken) }
        // Each location once, with the providers reading it (a token found there may be from
        // any of their issuers).
        var locations: [(TokenLocation, [Int])] = []
        for (i, provider) in providers.enumerated() {
            for location in provider.locations {
                if let at = locations.firstIndex(where: { $0.0 == location }) {
                    locations[at].1.append(i)
                } else {
                    locations.append((location, [i]))
                }
            }
        }
        var result = AuthnResult(outcome: .noToken)
        var seen = Set<String>()
        for (location, readers) in locations {
            guard let token = Self.token(at: location, headers: headers, path: path), seen.insert(token).inserted else {
                continue
            }
            switch verify(token, candidates: readers, now: now) {
            case .failure(let rejection):
                return rejection.result
            case .success(let (identity, provider)):
                if result.identity == nil {
                    result = AuthnResult(outcome: .verified, identity: identity, policy: provider.policy)
                }
                if !provider.forward {
                    switch location {
                    case .header(let name, _): result.removeHeaders.append(name)
                    case .query(let name):
                        result.rewrittenPath = Self.removingQueryParameter(name, from: result.rewrittenPath ?? path)
                    case .cookie: break
                    }
                }
                if let header = provider.outputPayloadToHeader {
                    result.setHeaders.append((header.lowercased(), identity.encodedPayload))
                }
                for (header, claim) in provider.claimToHeaders {
                    if let value = identity.claim(dotted: claim)?.headerValue {
                        result.setHeaders.append((header.lowercased(), value))
                    }
                }
            }
        }
        return result
    }

    /// Verifies one token against the providers that read its location.
    func verify(_ token: String, candidates: [Int], now: Double) -> Result<(JWTIdentity, Provider), Rejection> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(
                Rejection(.rejected("Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections")))
        }
        guard let headerBytes = Self.base64URLDecode(parts[0]),
            let header = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any]
        else { return .failure(Rejection(.rejected("Jwt header is an invalid JSON"))) }
        guard let payloadBytes = Self.base64URLDecode(parts[1]),
            let claims = try? JSONDecoder().decode([String: ClaimValue].self, from: payloadBytes)
        else { return .failure(Rejection(.rejected("Jwt payload is an invalid JSON"))) }
        guard let signature = Self.base64URLDecode(parts[2]) else {
            return .failure(Rejection(.rejected("Jwt signature is an invalid Base64url encoded")))
        }
        let issuer: String? = if case .string(let s) = claims["iss"] { s } else { nil }
        guard let issuer, let index = candidates.first(where: { providers[$0].issuer == issuer }) else {
            return .failure(Rejection(.rejected("Jwt issuer is not configured")))
        }
        let provider = providers[index]
        let reject = { (message: String) in
            Result<(JWTIdentity, Provider), Rejection>.failure(Rejection(.rejected(message, policy: provider.policy)))
        }
        guard let alg = header["alg"] as? String, alg != "none" else { return reject("Jwt header [alg] field is required") }
        if case .number(let exp) = claims["exp"], now > exp + Self.clockSkew { return reject("Jwt is expired") }
        if case .number(let nbf) = claims["nbf"], now < nbf - Self.clockSkew { return reject("Jwt not yet valid") }
        let audiences: [String] =
            switch claims["aud"] {
            case .string(let s): [s]
            case .array(let items): items.compactMap { if case .string(let s) = $0 { s } else { nil } }
            default: []
            }
        if !provider.audiences.isEmpty {
            let allowed = Set(provider.audiences.map(Self.normalizedAudience))
            guard audiences.contains(where: { allowed.contains(Self.normalizedAudience($0)) }) else {
                return reject("Audiences in Jwt are not allowed")
            }
        }
        if let problem = provider.keyProblem { return reject(problem) }
        let kid = header["kid"] as? String
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        var tried = false
        for key in provider.keys {
            if let kid, let keyID = key.kid, keyID != kid { continue }
            guard let verifier = key.algorithms[alg] else { continue }
            tried = true
            if (try? verifier.verify(signature, signs: signingInput)) == true {
                let subject: String = if case .string(let s) = claims["sub"] { s } else { "" }
                let presenter: String? = if case .string(let s) = claims["azp"] { s } else { nil }
                let identity = JWTIdentity(
                    issuer: issuer, subject: subject, audiences: audiences, presenter: presenter, claims: claims,
                    encodedPayload: String(parts[1]))
                return .success((identity, provider))
            }
        }
        return reject(tried ? "Jwt verification fails" : "Jwks doesn't have key to match kid or alg from Jwt")
    }

    struct Rejection: Error {
        var result: AuthnResult
        init(_ result: AuthnResult) { self.result = result }
    }

    /// The token at one location, if the request carries one.
    static func token(at location: TokenLocation, headers: [(name: String, value: String)], path: String) -> String? {
        switch location {
        case .header(let name, let prefix):
            for header in headers where header.name == name {
                let value = header.value.trimmingCharacters(in: .whitespaces)
                guard prefix.isEmpty || value.lowercased().hasPrefix(prefix.lowercased()) else { continue }
                let token = value.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
                if !token.isEmpty { return token }
            }
            return nil
        case .query(let name):
            guard let q = path.firstIndex(of: "?") else { return nil }
            for pair in path[path.index(after: q)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]).removingPercentEncoding ?? String(parts[1]) }
            }
            return nil
        case .cookie(let name):
            for header in headers where header.name == "cookie" {
                for cookie in header.value.split(separator: ";") {
                    let parts = cookie.split(separator: "=", maxSplits: 1)
                    if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                        return parts[1].trimmingCharacters(in: .whitespaces)
                    }
                }
            }
            return nil
        }
    }

    static func removingQueryParameter(_ name: String, from path: String) -> String {
        guard let q = path.firstIndex(of: "?") else { return path }
        let kept = path[path.index(after: q)...].split(separator: "&").filter {
            $0.split(separator: "=", maxSplits: 1).first.map(String.init) != name
        }
        return String(path[..<q]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// Envoy compares audiences without scheme and trailing slash.
    static func normalizedAudience(_ audience: String) -> String {
        var a = Substring(audience)
        for scheme in ["https://", "http://"] where a.hasPrefix(scheme) { a = a.dropFirst(scheme.count) }
        while a.hasSuffix("/") { a = a.dropLast() }
        return String(a)
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
