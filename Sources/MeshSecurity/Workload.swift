import MeshRouting

/// The workload a sidecar fronts: what selectors match and what its certificate says.
public struct WorkloadIdentity: Sendable, Hashable {
    public var namespace: String
    public var labels: [String: String]
    public var serviceAccount: String
    public var trustDomain: String

    public init(
        namespace: String, labels: [String: String] = [:], serviceAccount: String = "default",
        trustDomain: String = "cluster.local"
    ) {
        self.namespace = namespace
        self.labels = labels
        self.serviceAccount = serviceAccount
        self.trustDomain = trustDomain
    }

    /// `TRUST_DOMAIN/ns/NS/sa/SA`: the identity as policies write it.
    public var principal: String { "\(trustDomain)/ns/\(namespace)/sa/\(serviceAccount)" }

    /// `spiffe://TRUST_DOMAIN/ns/NS/sa/SA`: the identity as the certificate carries it.
    public var spiffeID: String { "spiffe://" + principal }
}

/// What authorization sees of one inbound request (or, with `isHTTP` false, a TCP connection).
public struct AuthzRequest: Sendable {
    public var method: String
    /// The path as sent, with its query string.
    public var path: String
    /// The Host (authority) header, as sent.
    public var host: String
    /// Header names lowercase.
    public var headers: [(name: String, value: String)]
    /// The peer's address.
    public var sourceIP: IPAddress?
    /// The original client's address (X-Forwarded-For or proxy protocol); the peer's when nil.
    public var remoteIP: IPAddress?
    /// The address and port the connection was made to.
    public var destinationIP: IPAddress?
    public var destinationPort: Int
    /// The peer's mutual TLS identity without `spiffe://` (`cluster.local/ns/default/sa/sleep`);
    /// nil for plaintext.
    public var peerPrincipal: String?
    /// The TLS server name the client sent.
    public var sni: String?
    /// The verified JWT, if any (RequestAuthentication's result).
    public var jwt: JWTIdentity?
    /// False for a plain TCP connection: HTTP attributes are absent.
    public var isHTTP: Bool
    /// `experimental.envoy.filters.NAME[KEY]` values, keyed `NAME[KEY]`.
    public var filterMetadata: [String: String]

    public init(
        method: String = "GET", path: String = "/", host: String = "", headers: [(name: String, value: String)] = [],
        sourceIP: String? = nil, remoteIP: String? = nil, destinationIP: String? = nil, destinationPort: Int,
        peerPrincipal: String? = nil, sni: String? = nil, jwt: JWTIdentity? = nil, isHTTP: Bool = true,
        filterMetadata: [String: String] = [:]
    ) {
        self.method = method
        self.path = path
        self.host = host
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
        self.sourceIP = sourceIP.flatMap(IPAddress.init)
        self.remoteIP = remoteIP.flatMap(IPAddress.init)
        self.destinationIP = destinationIP.flatMap(IPAddress.init)
        self.destinationPort = destinationPort
        self.peerPrincipal = peerPrincipal.map { $0.hasPrefix("spiffe://") ? String($0.dropFirst(9)) : $0 }
        self.sni = sni
        self.jwt = jwt
        self.isHTTP = isHTTP
        self.filterMetadata = filterMetadata
    }

    /// The values of a header (lowercase name), joined with `,` as Envoy's header matchers see
    /// repeated headers; nil when absent.
    func header(_ name: String) -> String? {
        var found: [String] = []
        for header in headers where header.name == name { found.append(header.value) }
        return found.isEmpty ? nil : found.joined(separator: ",")
    }

    /// The path without its query or fragment, with `.` and `..` segments resolved (Envoy's
    /// `normalize_path`, which Istio's default BASE normalization turns on).
    var normalizedPath: Substring {
        var end = path.endIndex
        if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { end = q }
        let raw = path[..<end]
        guard raw.contains("/.") else { return raw }
        return Substring(Self.removeDotSegments(String(raw)))
    }

    /// RFC 3986 section 5.2.4.
    static func removeDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (i, segment) in segments.enumerated() {
            let last = i == segments.count - 1
            switch segment {
            case ".":
                if last { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if last { output.append("") }
            default: output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/")
    }

    /// The namespace in the peer's principal (`.../ns/NS/...`).
    var sourceNamespace: String? {
        guard let principal = peerPrincipal else { return nil }
        let parts = principal.split(separator: "/", omittingEmptySubsequences: false)
        guard let i = parts.firstIndex(of: "ns"), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

    /// `NS/SA` from the peer's principal, for `serviceAccounts`.
    var sourceServiceAccount: String? {
        guard let principal = peerPrincipal else { return nil }
        let parts = principal.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[parts.count - 4] == "ns", parts[parts.count - 2] == "sa" else { return nil }
        return "\(parts[parts.count - 3])/\(parts[parts.count - 1])"
    }
}
