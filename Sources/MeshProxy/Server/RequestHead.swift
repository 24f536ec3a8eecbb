import MeshModel
import MeshRouting
import NIOCore
import NIOHTTP1

/// A downstream request head as the proxy reads it: where it is going (authority and port,
/// from the Host header or an absolute-form URL), its origin-form path, and its headers with
/// lowercase names (as Envoy forwards them).
struct ProxyRequestHead {
    enum BodyFraming { case none, length(Int), chunked }

    var method: String
    /// Host and port as the client named them (`recommendation`, `reviews:9080`).
    var authority: String
    /// The service port the request is for: the authority's, else 80.
    var port: Int
    /// The host name alone, lowercase (for passthrough connections).
    var hostName: String
    var path: String
    var headers: [(name: String, value: String)]
    var framing: BodyFraming
    var keepAlive: Bool
    var minorVersion: Int
    var expectsContinue: Bool

    enum Problem: Error {
        case badRequest(String)
        case notSupported(String)
    }

    init(_ head: HTTPRequestHead) throws(Problem) {
        method = head.method.rawValue
        minorVersion = head.version.minor
        guard head.version.major == 1 else { throw .badRequest("unsupported HTTP version") }
        keepAlive = head.isKeepAlive
        var uri = head.uri
        var absoluteAuthority: String?
        if method == "CONNECT" { throw .notSupported("CONNECT is not supported by this proxy") }
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
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(head.headers.count + 4)
        var hostHeader: String?
        var contentLength: Int?
        var chunked = false
        var expects = false
        var connectionTokens: [String] = []
        for (name, value) in head.headers {
            let lower = Self.lowercase(name)
            switch lower {
            case "host":
                if hostHeader == nil { hostHeader = value }
                continue
            case "content-length":
                guard let n = Int(value.trimmingSpaces()), n >= 0 else {
                    throw .badRequest("malformed content-length")
                }
                if let previous = contentLength, previous != n { throw .badRequest("conflicting content-length headers") }
                contentLength = n
                continue
            case "transfer-encoding":
                if value.lowercased().contains("chunked") { chunked = true }
                continue
            case "expect":
                if value.lowercased() == "100-continue" { expects = true }
                continue
            case "connection":
                // Hop-by-hop: never forwarded, and neither are the headers it names (RFC 9110).
                for token in value.split(separator: ",") {
                    let t = token.trimmingSpaces().lowercased()
                    if t != "close" && t != "keep-alive" { connectionTokens.append(t) }
                }
                continue
            default: break
            }
            headers.append((lower, value))
        }
        if !connectionTokens.isEmpty { headers.removeAll { connectionTokens.contains($0.name) } }
        guard let authority = absoluteAuthority ?? hostHeader, !authority.isEmpty else {
            throw .badRequest("missing Host header")
        }
        self.authority = authority
        (hostName, port) = Self.split(authority)
        self.headers = headers
        if chunked && contentLength != nil { throw .badRequest("both content-length and transfer-encoding") }
        framing = chunked ? .chunked : contentLength.map { $0 > 0 ? .length($0) : .none } ?? .none
        expectsContinue = expects
    }

    /// `reviews:9080` → (`reviews`, 9080); `[::1]:80` → (`::1`, 80); no port → 80.
    static func split(_ authority: String) -> (String, Int) {
        var host = Substring(authority)
        var port = 80
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]"),
            let p = Int(authority[authority.index(after: colon)...]), p > 0 && p < 65536
        {
            host = authority[..<colon]
            port = p
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return (String(host).lowercased(), port)
    }

    /// ASCII lowercase; the same string when it has no capitals.
    @inline(__always) static func lowercase(_ s: String) -> String {
        for byte in s.utf8 where byte >= 0x41 && byte <= 0x5a { return s.lowercased() }
        return s
    }

    func value(_ lowercaseName: String) -> String? {
        for header in headers where header.name == lowercaseName { return header.value }
        return nil
    }

    var routingRequest: HTTPRequest {
        HTTPRequest(authority: authority, path: path, method: method, lowercasedHeaders: headers, port: port)
    }
}
