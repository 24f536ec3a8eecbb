/// Istio's host naming: short names resolve in the resource's namespace.
public enum HostNames {
    public static let clusterDomain = "svc.cluster.local"

    /// `reviews` in namespace `prod` → `reviews.prod.svc.cluster.local`. Names with a dot, and
    /// wildcards, are taken as written (Istio does the same).
    public static func fqdn(_ host: String, namespace: String) -> String {
        let lower = host.lowercased()
        if lower == "*" || lower.utf8.contains(UInt8(ascii: ".")) { return lower }
        return "\(lower).\(namespace).\(clusterDomain)"
    }

    /// The names a client may use for a host, as the domains of Envoy's virtual host: the FQDN,
    /// and for a Kubernetes-style service `name.ns.svc`, `name.ns` and (in the proxy's own
    /// namespace) `name`.
    public static func aliases(of fqdn: String, proxyNamespace: String) -> [String] {
        var names = [fqdn]
        let suffix = "." + clusterDomain
        if fqdn.hasSuffix(suffix) {
            let base = String(fqdn.dropLast(suffix.count))  // name.ns
            let parts = base.split(separator: ".")
            if parts.count == 2 {
                names.append(base + ".svc")
                names.append(base)
                if parts[1] == proxyNamespace { names.append(String(parts[0])) }
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

    /// `*.example.com` covers `a.example.com` and `a.b.example.com`; `*` covers everything.
    public static func wildcardCovers(_ pattern: String, _ host: String) -> Bool {
        if pattern == "*" { return true }
        guard pattern.hasPrefix("*") else { return pattern == host }
        return host.hasSuffix(pattern.dropFirst()) && host.count > pattern.count - 1
    }
}
