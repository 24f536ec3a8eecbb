/// Istio's host naming: short names resolve in the resource's namespace.
public enum HostNames {
    public static let clusterDomain = "svc.cluster.local"

    /// Lowercase, without a trailing dot: `Test.Local.` is the host `test.local`.
    public static func normalized(_ host: String) -> String {
        var lower = host.lowercased()
        if lower.count > 1, lower.hasSuffix(".") { lower.removeLast() }
        return lower
    }

    /// `reviews` in namespace `prod` → `reviews.prod.svc.cluster.local`. Names with a dot, and
    /// wildcards, are taken as written (Istio does the same); a trailing dot is dropped.
    public static func fqdn(_ host: String, namespace: String) -> String {
        let lower = normalized(host)
        if lower == "*" || lower.utf8.contains(UInt8(ascii: ".")) { return lower }
        return "\(lower).\(namespace).\(clusterDomain)"
    }

    /// The names a client may use for a host, as the domains of Envoy's virtual host: the FQDN,
    /// and for a Kubernetes-style service `name.ns.svc`, `name.ns` and (in the proxy's own
    /// namespace) `name`.
    public static func aliases(of fqdn: String, proxyNamespace: String) -> [String] {
        [fqdn] + alternateNames(of: fqdn, proxyNamespace: proxyNamespace, absolute: false)
    }

    /// Istio's alternate virtual-host names for a service: the absolute form with a trailing dot
    /// (`reviews.default.svc.cluster.local.`) and, for a cluster-local service, `name`
    /// (same namespace only), `name.ns.svc` and `name.ns`.
    public static func alternateNames(of fqdn: String, proxyNamespace: String, absolute: Bool = true) -> [String] {
        var names: [String] = []
        if absolute && !isIPAddress(fqdn) && !fqdn.hasPrefix("*") { names.append(fqdn + ".") }
        let suffix = "." + clusterDomain
        if fqdn.hasSuffix(suffix) {
            let base = String(fqdn.dropLast(suffix.count))  // name.ns
            let parts = base.split(separator: ".")
            if parts.count == 2 {
                if parts[1] == proxyNamespace {
                    names += [String(parts[0]), base + ".svc", base]
                } else {
                    names += [base, base + ".svc"]
                }
            }
        }
        return names
    }

    /// Lowercase `Host:` header value without its port (`[::1]:80` keeps the brackets). Works on
    /// UTF-8 bytes and returns the same string, unallocated, when there is nothing to strip.
    public static func stripPort(_ authority: String) -> String {
        let utf8 = authority.utf8
        var end = utf8.endIndex
        var sawDigit = false
        var i = utf8.endIndex
        while i > utf8.startIndex {
            let previous = utf8.index(before: i)
            let byte = utf8[previous]
            if byte == UInt8(ascii: ":") {
                if sawDigit || previous == utf8.index(before: utf8.endIndex) { end = previous }
                break
            }
            guard byte >= 0x30 && byte <= 0x39 else { break }
            sawDigit = true
            i = previous
        }
        var hasUpper = false
        for byte in utf8[..<end] where byte >= 0x41 && byte <= 0x5a {
            hasUpper = true
            break
        }
        if end == utf8.endIndex && !hasUpper { return authority }
        let host = Substring(utf8[..<end])
        return hasUpper ? host.lowercased() : String(host)
    }

    /// The port written in a `Host:` value (`reviews:9080` → 9080), or nil. Reads the bytes
    /// from the end: no allocation.
    @inline(__always) public static func port(of authority: String) -> Int? {
        var value = 0
        var digits = 0
        var colons = 0
        var sawBracket = false
        for byte in authority.utf8.reversed() {
            if colons == 0 {
                if byte >= 0x30 && byte <= 0x39 {
                    guard digits < 5 else { return nil }
                    var scale = 1
                    for _ in 0..<digits { scale *= 10 }
                    value += Int(byte - 0x30) * scale
                    digits += 1
                    continue
                }
                guard byte == UInt8(ascii: ":"), digits > 0 else { return nil }
                colons = 1
                continue
            }
            // A bare IPv6 address (`::1`) has more colons and no brackets: no port.
            if byte == UInt8(ascii: "]") { sawBracket = true }
            if byte == UInt8(ascii: ":") && !sawBracket { return nil }
        }
        return colons == 1 && (1...65535).contains(value) ? value : nil
    }

    /// `*.example.com` covers `a.example.com` and `a.b.example.com`; `*` covers everything.
    public static func wildcardCovers(_ pattern: String, _ host: String) -> Bool {
        if pattern == "*" { return true }
        guard pattern.hasPrefix("*") else { return pattern == host }
        return host.hasSuffix(pattern.dropFirst()) && host.count > pattern.count - 1
    }

    /// Istio's `host.Name.Matches`: the two names can name the same host (either may be a
    /// wildcard).
    public static func matches(_ a: String, _ b: String) -> Bool {
        switch (a.hasPrefix("*"), b.hasPrefix("*")) {
        case (true, true):
            let (x, y) = (a.dropFirst(), b.dropFirst())
            return x.count < y.count ? y.hasSuffix(x) : x.hasSuffix(y)
        case (true, false): return b.hasSuffix(a.dropFirst())
        case (false, true): return a.hasSuffix(b.dropFirst())
        case (false, false): return a == b
        }
    }

    /// Istio's `host.Name.SubsetOf`: every host `a` names is also named by `b`.
    public static func subsetOf(_ a: String, _ b: String) -> Bool {
        if a.hasPrefix("*") { return b.hasPrefix("*") && a.dropFirst().hasSuffix(b.dropFirst()) }
        if b.hasPrefix("*") { return a.hasSuffix(b.dropFirst()) }
        return a == b
    }

    /// True for an IPv4 or IPv6 address (no CIDR).
    public static func isIPAddress(_ text: String) -> Bool { IPAddress(text) != nil }
}

/// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped), for CIDR matching.
public struct IPAddress: Equatable, Sendable {
    public var bytes: [UInt8]
    public var isV4: Bool

    public init?(_ text: String) {
        var s = Substring(text)
        if s.hasPrefix("[") && s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        if !s.contains(":") {
            let parts = s.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var v4: [UInt8] = []
            for part in parts {
                guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isNumber), let n = Int(part), n <= 255 else { return nil }
                v4.append(UInt8(n))
            }
            bytes = [UInt8](repeating: 0, count: 10) + [0xff, 0xff] + v4
            isV4 = true
            return
        }
        var halves = [String(s)]
        if let gap = s.firstRange(of: "::") {
            halves = [String(s[..<gap.lowerBound]), String(s[gap.upperBound...])]
            guard !halves[1].contains("::") else { return nil }
        }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !g.isEmpty, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        bytes = all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
        isV4 = false
    }

    /// True when `self` lies in `cidr` (`10.0.0.0/8`, `2001:db8::/32`, or a single address).
    public func isIn(_ cidr: String) -> Bool {
        let parts = cidr.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let network = IPAddress(String(first)), network.isV4 == isV4 else { return false }
        let maxBits = isV4 ? 32 : 128
        guard let bits = parts.count == 2 ? Int(parts[1]) : maxBits, (0...maxBits).contains(bits) else { return false }
        let offset = isV4 ? 96 : 0
        let total = offset + bits
        for bit in 0..<total {
            let mask = UInt8(0x80 >> (bit % 8))
            if bytes[bit / 8] & mask != network.bytes[bit / 8] & mask { return false }
        }
        return true
    }
}
