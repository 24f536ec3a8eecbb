import ArgumentParser

/// `HOST:PORT` as flags take it: `127.0.0.1:15001`, `[::1]:15001`, `localhost:0`.
enum HostPort {
    /// The host (IPv6 without brackets) and port; a usage error names the flag.
    static func parse(_ text: String, option: String) throws -> (host: String, port: Int) {
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...].split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            throw ValidationError(
                "\(option) '\(text)' is not HOST:PORT: give the address without a scheme, as \(rest.isEmpty ? "127.0.0.1:15000" : rest)"
            )
        }
        guard let colon = text.lastIndex(of: ":"), colon > text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw ValidationError("\(option) '\(text)' is not HOST:PORT (a port from 0 to 65535)")
        }
        var host = text[..<colon]
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { throw ValidationError("\(option) '\(text)' is not HOST:PORT") }
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            throw ValidationError("\(option) '\(text)': write an IPv6 address in brackets, as [::1]:\(port)")
        }
        return (String(host), port)
    }

    /// Whether `host` names this machine only (so an admin API there is not exposed).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
