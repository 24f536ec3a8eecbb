/// What the port part of an authority (`Host:` header, `simulate --host`) says. `simulate` and
/// the proxy read it with the same function, so both refuse the same authorities.
public enum AuthorityPort: Equatable, Sendable {
    /// None: `reviews`, `reviews:` (an empty port), `[::1]`, a bare IPv6 address.
    case none
    /// `reviews:9080`, `[::1]:80`.
    case port(Int)
    /// Not a port between 1 and 65535 (`reviews:0`, `reviews:99999`, `reviews:abc`), or an IPv6
    /// literal that is not closed or is followed by something other than `:PORT`.
    case invalid

    /// Reads `authority`'s port from its bytes, without building strings.
    public init(_ authority: String) {
        let bytes = authority.utf8
        var i: String.UTF8View.Index
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else {
                self = .invalid
                return
            }
            i = bytes.index(after: close)
            guard i != bytes.endIndex else {
                self = .none
                return
            }
            guard bytes[i] == UInt8(ascii: ":") else {
                self = .invalid
                return
            }
        } else {
            // A bare IPv6 address (several colons) carries no port.
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
                !bytes[bytes.index(after: colon)...].contains(UInt8(ascii: ":"))
            else {
                self = .none
                return
            }
            i = colon
        }
        i = bytes.index(after: i)
        guard i != bytes.endIndex else {
            self = .none
            return
        }
        var value = 0
        while i < bytes.endIndex {
            let digit = bytes[i] &- 0x30
            guard digit <= 9, value <= 65535 else {
                self = .invalid
                return
            }
            value = value * 10 + Int(digit)
            i = bytes.index(after: i)
        }
        self = (1...65535).contains(value) ? .port(value) : .invalid
    }

    /// Why an authority whose port is `.invalid` is refused; `source` says where it was written
    /// (`--host`, `Host`).
    public static func problem(_ authority: String, source: String) -> String {
        var port = authority.firstIndex(of: ":").map { authority[authority.index(after: $0)...] } ?? ""
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return "\(source) '\(authority)' opens an IPv6 address with '[' but does not close it"
            }
            let rest = authority[authority.index(after: close)...]
            guard rest.hasPrefix(":") else { return "\(source) '\(authority)' has text after ']' that is not ':PORT'" }
            port = rest.dropFirst()
        }
        return "the port in \(source) '\(authority)' must be a number between 1 and 65535, got '\(port)'"
    }
}
