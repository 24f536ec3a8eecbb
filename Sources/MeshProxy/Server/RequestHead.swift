import MeshModel
import MeshRouting
import NIOCore

/// A client request as the proxy routes it: where it is going (authority and port, from the
/// Host header or an absolute-form URL), its origin-form path, and — as strings — only the
/// headers the route table can match on; every other header line stays as raw bytes and is
/// copied to the upstream unchanged.
struct ProxyRequestHead {
    enum BodyFraming { case none, length(Int), chunked }

    let raw: RawRequestHead
    var method: String { raw.method }
    /// Host and port as the client named them (`recommendation`, `reviews:9080`).
    let authority: String
    /// The service port the request is for: the authority's, or nil when it names none (the
    /// route table then uses the port the host is served on, as `simulate` does; else 80).
    let port: Int?
    /// The host name alone, lowercase (for passthrough connections).
    var hostName: String { Self.split(authority).0 }
    let path: String
    /// Headers the rules can match on (lowercase names), for `decide`.
    let routedHeaders: [(name: String, value: String)]
    let framing: BodyFraming
    var keepAlive: Bool { raw.keepAlive }
    var minorVersion: Int { raw.minorVersion }
    var expectsContinue: Bool { raw.expectsContinue }
    /// Field indices of headers the proxy handles itself (`x-request-id`, `x-forwarded-for`,
    /// `x-forwarded-proto`).
    let requestIDField: Int?
    let forwardedForField: Int?
    let forwardedProtoField: Int?

    enum Problem: Error {
        case badRequest(String)
        case notSupported(String)
    }

    /// Reads what routing needs from a parsed head. `routed` are the lowercase header names the
    /// route table's matches (and consistent-hash keys) refer to.
    init(_ head: RawRequestHead, routed: [String], listenerPort: Int? = nil) throws(Problem) {
        raw = head
        if head.method == "CONNECT" { throw .notSupported("CONNECT is not supported by this proxy") }
        var uri = head.target
        var absoluteAuthority: String?
        if !uri.hasPrefix("/") && uri != "*" {
            // Absolute form (a client using the proxy as a forward proxy): authority from the URL.
            let lower = uri.lowercased()
            guard lower.hasPrefix("http://") else {
                throw lower.hasPrefix("https://")
                    ? .notSupported("https:// URLs need CONNECT, which this proxy does not support")
                    : .badRequest("malformed request target")
            }
            let rest = uri.dropFirst(7)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let query = rest.firstIndex(of: "?") ?? rest.endIndex
            let end = min(slash, query)
            absoluteAuthority = String(rest[..<end])
            uri = end == rest.endIndex ? "/" : (rest[end] == "?" ? "/" + rest[end...] : String(rest[end...]))
        }
        path = uri
        guard let authority = absoluteAuthority ?? head.host.map({ head.value($0) }), !authority.isEmpty else {
            throw .badRequest("missing Host header")
        }
        self.authority = authority
        switch AuthorityPort(authority) {
        case .port(let number): port = number
        case .none: port = listenerPort
        case .invalid:
            throw .badRequest(AuthorityPort.problem(authority, source: absoluteAuthority == nil ? "Host" : "authority"))
        }
        var routedHeaders: [(name: String, value: String)] = []
        var requestID: Int?
        var forwardedFor: Int?
        var forwardedProto: Int?
        head.raw.withUnsafeReadableBytes { b in
            for (index, field) in head.fields.enumerated() {
                let (s, e) = (field.lineStart, field.nameEnd)
                switch e - s {
                case 12 where HTTPBytes.equalsIgnoringCase(b, s, e, "x-request-id"): requestID = requestID ?? index
                case 15 where HTTPBytes.equalsIgnoringCase(b, s, e, "x-forwarded-for"): forwardedFor = forwardedFor ?? index
                case 17 where HTTPBytes.equalsIgnoringCase(b, s, e, "x-forwarded-proto"): forwardedProto = forwardedProto ?? index
                default: break
                }
                for name in routed where HTTPBytes.equalsIgnoringCase(b, s, e, name) {
                    let value = String(
                        decoding: UnsafeRawBufferPointer(rebasing: b[field.valueStart..<field.valueEnd]), as: UTF8.self)
                    routedHeaders.append((name, value))
                }
            }
        }
        self.routedHeaders = routedHeaders
        requestIDField = requestID
        forwardedForField = forwardedFor
        forwardedProtoField = forwardedProto
        framing = head.chunked ? .chunked : head.contentLength.map { $0 > 0 ? .length($0) : .none } ?? .none
    }

    /// `reviews:9080` → (`reviews`, 9080); `[::1]:80` → (`::1`, 80); no port → nil.
    static func split(_ authority: String) -> (String, Int?) {
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]"),
            let p = Int(authority[authority.index(after: colon)...]), p > 0 && p < 65536
        {
            host = authority[..<colon]
            port = p
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return (String(host).lowercased(), port)
    }

    /// A routed header's value (`name` lowercase).
    func value(_ name: String) -> String? {
        for header in routedHeaders where header.name == name { return header.value }
        return nil
    }

    /// Any header's value, looked up in the raw head (for the access log and the like).
    func rawValue(_ lowercaseName: String) -> String? {
        raw.raw.withUnsafeReadableBytes { b in
            for (index, field) in raw.fields.enumerated()
            where HTTPBytes.equalsIgnoringCase(b, field.lineStart, field.nameEnd, lowercaseName) {
                return raw.value(index)
            }
            return nil
        }
    }

    var routingRequest: HTTPRequest {
        HTTPRequest(authority: authority, path: path, method: method, lowercasedHeaders: routedHeaders, port: port)
    }
}
