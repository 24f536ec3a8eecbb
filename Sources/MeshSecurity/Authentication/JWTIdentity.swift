import Foundation

/// A claim's value, as the token's JSON payload holds it.
public indirect enum ClaimValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([ClaimValue])
    case object([String: ClaimValue])
    case null

    /// The strings a matcher compares: a string, each string of a list, and booleans and
    /// integers as text (`true`, `42`). Objects and null give none.
    public var matchableStrings: [String] {
        switch self {
        case .string(let s): [s]
        case .bool(let b): [b ? "true" : "false"]
        case .number(let n): [Self.format(n)]
        case .array(let items):
            items.flatMap { item -> [String] in
                if case .array = item { return [] }
                return item.matchableStrings
            }
        case .object, .null: []
        }
    }

    /// The value as a header carries it: strings as they are, lists joined with `,`.
    public var headerValue: String? {
        switch self {
        case .string(let s): s
        case .bool, .number: matchableStrings.first
        case .array: matchableStrings.joined(separator: ",")
        case .object, .null: nil
        }
    }

    static func format(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
    }
}

extension ClaimValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([ClaimValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: ClaimValue].self))
        }
    }
}

/// A verified JWT: what `request.auth.*` attributes and claim routes read.
public struct JWTIdentity: Sendable, Equatable {
    public var issuer: String
    public var subject: String
    public var audiences: [String]
    /// `azp`.
    public var presenter: String?
    public var claims: [String: ClaimValue]
    /// The payload segment as sent (base64url).
    public var encodedPayload: String

    public init(
        issuer: String, subject: String, audiences: [String], presenter: String?, claims: [String: ClaimValue],
        encodedPayload: String
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audiences = audiences
        self.presenter = presenter
        self.claims = claims
        self.encodedPayload = encodedPayload
    }

    /// `ISSUER/SUBJECT`: `request.auth.principal`, what `requestPrincipals` match.
    public var principal: String { "\(issuer)/\(subject)" }

    /// A claim by path (`["groups"]`, or nested `["realm_access", "roles"]`).
    public func claim(_ path: [String]) -> ClaimValue? {
        guard let first = path.first, var value = claims[first] else { return nil }
        for key in path.dropFirst() {
            guard case .object(let object) = value, let next = object[key] else { return nil }
            value = next
        }
        return value
    }

    /// A claim by the dotted name `outputClaimToHeaders` and claim routes use (`a.b`): the whole
    /// name first, then its parts as nested keys.
    public func claim(dotted name: String) -> ClaimValue? {
        if let value = claims[name] { return value }
        return claim(name.split(separator: ".").map(String.init))
    }

    /// Headers a VirtualService's `@request.auth.claims.NAME` matches read, as Istio fills them
    /// at a gateway: one per claim (nested objects as `a.b`), list claims once per element, so
    /// a match on any element succeeds. Names are lowercase, as the route table compares them.
    public var routingHeaders: [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        func add(_ prefix: String, _ value: ClaimValue, depth: Int) {
            switch value {
            case .object(let object):
                guard depth < 4 else { return }
                for (key, nested) in object.sorted(by: { $0.key < $1.key }) { add(prefix + "." + key, nested, depth: depth + 1) }
            default:
                for text in value.matchableStrings { headers.append((name: prefix.lowercased(), value: text)) }
            }
        }
        for (key, value) in claims.sorted(by: { $0.key < $1.key }) { add("@request.auth.claims." + key, value, depth: 0) }
        return headers
    }
}
