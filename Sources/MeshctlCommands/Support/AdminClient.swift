import MeshModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small HTTP/1.1 client for a proxy's admin API: one GET, `Connection: close`, with a time
/// limit. (Foundation's URLSession would load libcurl and OpenSSL into every run of meshctl
/// for this one request.)
enum AdminClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// GETs `path` from `host:port`; returns the status and body (chunked bodies decoded).
    static func get(host: String, port: Int, path: String, timeoutSeconds: Int = 5) throws(Failure) -> (
        status: Int, body: [UInt8]
    ) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var fd: Int32 = -1
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            let s = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if s >= 0 {
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if connect(s, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    fd = s
                    break
                }
                lastError = String(cString: strerror(errno))
                close(s)
            }
            candidate = info.pointee.ai_next
        }
        guard fd >= 0 else { throw Failure(description: lastError.lowercased()) }
        defer { close(fd) }

        let request = Array(
            "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: meshctl\r\nAccept: */*\r\nConnection: close\r\n\r\n"
                .utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "connection closed while sending the request") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else {
                throw Failure(
                    description: errno == EAGAIN || errno == EWOULDBLOCK
                        ? "no answer within \(timeoutSeconds) s" : String(cString: strerror(errno)))
            }
            response.append(contentsOf: buffer[0..<n])
            if response.count > 512 << 20 { throw Failure(description: "response larger than 512 MiB") }
        }
        return try parse(response)
    }

    static func parse(_ response: [UInt8]) throws(Failure) -> (status: Int, body: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headerEnd = response.firstRange(of: separator) else { throw Failure(description: "not an HTTP response") }
        let head = String(decoding: response[..<headerEnd.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            throw Failure(description: "not an HTTP response")
        }
        let chunked = lines.dropFirst().contains { line in
            let lower = line.lowercased()
            return lower.hasPrefix("transfer-encoding:") && lower.contains("chunked")
        }
        var body = Array(response[headerEnd.upperBound...])
        if chunked { body = try dechunk(body) }
        return (status, body)
    }

    static func dechunk(_ data: [UInt8]) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = data[i...].firstRange(of: [13, 10]) else { throw Failure(description: "malformed chunked body") }
            let sizeText = String(decoding: data[i..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingSpaces(), radix: 16) else {
                throw Failure(description: "malformed chunk size")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= data.count else { throw Failure(description: "truncated chunked body") }
            out.append(contentsOf: data[start..<start + size])
            i = start + size + 2
        }
        return out
    }
}
