extension AuthorizationPolicy {
    /// A `when[].key`: one of Istio's authorization attributes.
    public enum ConditionKey: Sendable, Hashable {
        /// `request.headers[NAME]`; the name lowercased.
        case requestHeader(String)
        case sourceIP
        /// `remote.ip`: the original client (X-Forwarded-For or proxy protocol), else the peer.
        case remoteIP
        case sourceNamespace
        case sourcePrincipal
        /// `request.auth.principal`: `ISSUER/SUBJECT` of a verified JWT.
        case requestPrincipal
        case requestAudiences
        case requestPresenter
        /// `request.auth.claims[a]` or, nested, `request.auth.claims[a][b]`.
        case requestClaim([String])
        case destinationIP
        case destinationPort
        case connectionSNI
        /// `experimental.envoy.filters.NAME[KEY]`: a filter's dynamic metadata.
        case experimental(filter: String, key: String)

        /// What values of this key are checked as (for Istio's value validation).
        public enum ValueKind: Sendable { case text, ipBlock, port }

        public var valueKind: ValueKind {
            switch self {
            case .sourceIP, .remoteIP, .destinationIP: .ipBlock
            case .destinationPort: .port
            default: .text
            }
        }

        /// Whether matching needs the peer's mutual TLS identity.
        public var needsPeerIdentity: Bool { self == .sourceNamespace || self == .sourcePrincipal }

        /// Whether matching needs a verified JWT (`request.auth.*`).
        public var needsJWT: Bool {
            switch self {
            case .requestPrincipal, .requestAudiences, .requestPresenter, .requestClaim: true
            default: false
            }
        }

        /// Whether the key is an HTTP attribute (absent on a plain TCP connection).
        public var isHTTP: Bool {
            switch self {
            case .requestHeader, .requestPrincipal, .requestAudiences, .requestPresenter, .requestClaim: true
            default: false
            }
        }

        /// Reads a key as Istio's validation does; the error says why it is not one.
        public static func parse(_ key: String) -> Result<ConditionKey, KeyError> {
            func mapKey(_ prefix: String) -> Result<[String], KeyError> {
                // Istio: `a[b]`, the bracket not first and something inside it.
                guard let open = key.firstIndex(of: "["), key.hasSuffix("]"),
                    key.distance(from: key.startIndex, to: open) > 0,
                    key.distance(from: open, to: key.endIndex) > 2
                else { return .failure(.badMapKey(key)) }
                var parts: [String] = []
                var rest = key[open...]
                while rest.hasPrefix("[") {
                    guard let close = rest.firstIndex(of: "]") else { return .failure(.badMapKey(key)) }
                    parts.append(String(rest[rest.index(after: rest.startIndex)..<close]))
                    rest = rest[rest.index(after: close)...]
                }
                guard rest.isEmpty, !parts.contains(where: \.isEmpty), key[..<open] == prefix else {
                    return .failure(.badMapKey(key))
                }
                return .success(parts)
            }
            switch key {
            case "source.ip": return .success(.sourceIP)
            case "remote.ip": return .success(.remoteIP)
            case "source.namespace": return .success(.sourceNamespace)
            case "source.principal": return .success(.sourcePrincipal)
            case "request.auth.principal": return .success(.requestPrincipal)
            case "request.auth.audiences": return .success(.requestAudiences)
            case "request.auth.presenter": return .success(.requestPresenter)
            case "destination.ip": return .success(.destinationIP)
            case "destination.port": return .success(.destinationPort)
            case "connection.sni": return .success(.connectionSNI)
            case "destination.namespace": return .failure(.replaced(key, "the policy's metadata.namespace"))
            case "destination.name", "destination.user": return .failure(.deprecated(key))
            default: break
            }
            if key.hasPrefix("request.headers") {
                return mapKey("request.headers").flatMap {
                    $0.count == 1 ? .success(.requestHeader($0[0].lowercased())) : .failure(.badMapKey(key))
                }
            }
            if key.hasPrefix("request.auth.claims") { return mapKey("request.auth.claims").map { .requestClaim($0) } }
            if key.hasPrefix("destination.labels") { return .failure(.replaced(key, "the workload selector")) }
            if key.hasPrefix("experimental.envoy.filters.") {
                guard let open = key.firstIndex(of: "[") else { return .failure(.badMapKey(key)) }
                let filter = String(key[key.index(key.startIndex, offsetBy: 27)..<open])
                return mapKey(String(key[..<open])).flatMap {
                    $0.count == 1 && !filter.isEmpty
                        ? .success(.experimental(filter: filter, key: $0[0])) : .failure(.badMapKey(key))
                }
            }
            return .failure(.unknown(key))
        }
    }

    /// Why a condition key is not one Istio accepts.
    public enum KeyError: Error, Sendable, CustomStringConvertible {
        case unknown(String)
        case badMapKey(String)
        case replaced(String, String)
        case deprecated(String)

        public var description: String {
            switch self {
            case .unknown(let key): "unknown attribute: \(key)"
            case .badMapKey(let key): "bad key (\(key)): should have format a[b]"
            case .replaced(let key, let by): "attribute \(key) is replaced by \(by)"
            case .deprecated(let key): "deprecated attribute \(key): only supported in v1alpha1"
            }
        }
    }

    /// Every key Istio accepts, as messages list them.
    public static let conditionKeys = [
        "request.headers[NAME]", "source.ip", "remote.ip", "source.namespace", "source.principal",
        "request.auth.principal", "request.auth.audiences", "request.auth.presenter", "request.auth.claims[NAME]",
        "destination.ip", "destination.port", "connection.sni", "experimental.envoy.filters.*[KEY]",
    ]
}
