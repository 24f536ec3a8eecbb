import NIOCore

/// What `meshctl x load` sends: where, how many connections, how fast and for how long.
public struct LoadPlan: Sendable {
    /// When a run ends: after a number of requests, or after a time.
    public enum Stop: Sendable, Equatable {
        case count(Int)
        case duration(nanos: Int64)
    }

    public var target: LoadTarget
    /// Keep-alive connections, each with one request in flight at a time.
    public var connections = 4
    /// Requests per second over all connections; 0 sends as fast as answers come back.
    public var qps: Double = 0
    public var stop = Stop.duration(nanos: 5_000_000_000)
    /// Event loops (threads) the connections are spread over.
    public var threads = 1
    /// A request without a complete answer after this long counts as a timeout error.
    public var timeoutNanos: Int64 = 10_000_000_000
    public var method = "GET"
    /// Extra request headers; a `Host` here replaces the URL's.
    public var headers: [(String, String)] = []

    public init(target: LoadTarget) { self.target = target }

    /// The request's bytes, framed once and written unchanged on every connection.
    public var requestBytes: ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        buffer.writeString("\(method) \(target.requestTarget) HTTP/1.1\r\n")
        let hostGiven = headers.contains { $0.0.lowercased() == "host" }
        if !hostGiven { buffer.writeString("host: \(target.authority)\r\n") }
        if !headers.contains(where: { $0.0.lowercased() == "user-agent" }) {
            buffer.writeString("user-agent: meshctl-load\r\n")
        }
        for (name, value) in headers { buffer.writeString("\(name): \(value)\r\n") }
        buffer.writeString("\r\n")
        return buffer
    }
}

/// Where requests go: the address connected to, and the request target and Host sent there.
public struct LoadTarget: Sendable, Equatable {
    /// The address connections are made to (the URL's, or a proxy's).
    public var connectHost: String
    public var connectPort: Int
    /// `/path?query`, or the whole URL when sent to a proxy (absolute form).
    public var requestTarget: String
    /// The URL's `host[:port]`, the Host header unless one is given.
    public var authority: String
    /// The URL as given.
    public var url: String

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `http://HOST[:PORT][/PATH]`; with `proxy` (`HOST:PORT`), connects there and sends the
    /// URL in absolute form, as `curl -x` does.
    public init(url: String, proxy: (host: String, port: Int)? = nil) throws(Invalid) {
        guard url.lowercased().hasPrefix("http://") else {
            if url.lowercased().hasPrefix("https://") {
                throw Invalid(description: "'\(url)': https is not supported; load a plaintext http:// URL")
            }
            throw Invalid(description: "'\(url)' is not an http:// URL")
        }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<slash])
        var path = String(rest[slash...])
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw Invalid(description: "'\(url)' has no host")
        }
        var host = authority
        var port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Invalid(description: "'\(url)': unclosed [") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()) else {
                    throw Invalid(description: "'\(url)' has a malformed port")
                }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let p = Int(authority[authority.index(after: colon)...]) else {
                throw Invalid(description: "'\(url)' has a malformed port")
            }
            host = String(authority[..<colon])
            port = p
        }
        guard (1...65535).contains(port) else { throw Invalid(description: "'\(url)': the port must be from 1 to 65535") }
        guard !host.isEmpty else { throw Invalid(description: "'\(url)' has no host") }
        self.url = url
        self.authority = authority
        if let proxy {
            (connectHost, connectPort) = proxy
            requestTarget = "http://\(authority)\(path)"
        } else {
            (connectHost, connectPort) = (host, port)
            requestTarget = path
        }
    }
}
