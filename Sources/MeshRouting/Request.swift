/// An HTTP request as the routing engine sees it.
public struct HTTPRequest: Sendable {
    /// Host header value as sent (may carry a port).
    public var authority: String
    /// Path with query string.
    public var path: String
    public var method: String
    public var scheme: String
    /// Header names lowercased; in order; repeated names allowed.
    public private(set) var headers: [(name: String, value: String)]
    /// The listener port the request arrived on.
    public var port: Int?

    public init(
        authority: String, path: String = "/", method: String = "GET", scheme: String = "http",
        headers: [(String, String)] = [], port: Int? = nil
    ) {
        self.authority = authority
        self.path = path.isEmpty ? "/" : path
        self.method = method
        self.scheme = scheme
        self.headers = headers.map { (name: $0.0.lowercased(), value: $0.1) }
        self.port = port
    }

    /// A request whose header names are already lowercase (as the proxy reads them), so they
    /// are taken as they are.
    public init(
        authority: String, path: String, method: String, scheme: String = "http",
        lowercasedHeaders: [(name: String, value: String)], port: Int?
    ) {
        self.authority = authority
        self.path = path.isEmpty ? "/" : path
        self.method = method
        self.scheme = scheme
        self.headers = lowercasedHeaders
        self.port = port
    }

    public mutating func addHeader(_ name: String, _ value: String) { headers.append((name.lowercased(), value)) }

    /// The first value of a header; `name` must be lowercase.
    @inline(__always) public func header(_ name: String) -> String? {
        for header in headers where header.name == name { return header.value }
        return nil
    }

    /// The path without its query string.
    public var pathOnly: Substring {
        if let q = path.utf8.firstIndex(of: UInt8(ascii: "?")) { return path[..<q] }
        return path[...]
    }

    /// The first value of query parameter `name`, percent-decoding not applied (as Envoy).
    public func queryParameter(_ name: String) -> Substring? {
        guard let q = path.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        for pair in path[path.index(after: q)...].split(separator: "&") {
            if let eq = pair.firstIndex(of: "=") {
                if pair[..<eq] == name { return pair[pair.index(after: eq)...] }
            } else if pair == name {
                return ""
            }
        }
        return nil
    }
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same decisions.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    @inline(__always) public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
