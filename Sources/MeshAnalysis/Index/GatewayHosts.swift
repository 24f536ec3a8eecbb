import MeshModel

/// `a.b.c` → `.b.c`, `.c`: each suffix that starts at a dot, longest first. A host ends with
/// `.s` exactly when `.s` is among them, so a wildcard `*.s` is looked up, not scanned for.
func dotSuffixes(_ host: String) -> [Substring] {
    host.indices.filter { host[$0] == "." }.map { host[$0...] }
}

/// The hosts a Gateway's servers accept, indexed by the namespace part of each entry.
struct GatewayHosts {
    /// Host patterns (lowercase) that admit VirtualServices from one namespace, or `*`.
    struct Patterns {
        var exact: Set<String> = []
        /// `*.s` patterns by `.s`.
        var wildcards: Set<Substring> = []
        /// Every dot-suffix of every pattern, for a wildcard VirtualService host.
        var suffixes: Set<Substring> = []

        /// Whether some pattern overlaps `host` (both possibly wildcards), as
        /// `GatewayHosts.overlap` decides for one pair.
        func overlap(_ host: String) -> Bool {
            if exact.contains("*") || host == "*" || exact.contains(host) { return true }
            if !wildcards.isEmpty && dotSuffixes(host).contains(where: wildcards.contains) { return true }
            return host.hasPrefix("*.") && suffixes.contains(host.dropFirst())
        }
    }

    private var byNamespace: [String: Patterns] = [:]

    /// Whether two host patterns (each possibly `*.x` or `*`) can name the same host.
    static func overlap(_ a: String, _ b: String) -> Bool {
        if a == "*" || b == "*" || a == b { return true }
        if a.hasPrefix("*.") && b.hasSuffix(a.dropFirst()) { return true }
        if b.hasPrefix("*.") && a.hasSuffix(b.dropFirst()) { return true }
        return false
    }

    init(_ gateway: Gateway, namespace gatewayNamespace: String) {
        for entry in gateway.servers.flatMap(\.hosts) {
            var ns = "*"
            var pattern = entry.value
            if let slash = pattern.firstIndex(of: "/") {
                ns = String(pattern[..<slash])
                pattern = String(pattern[pattern.index(after: slash)...])
            }
            if ns == "." { ns = gatewayNamespace }
            pattern = pattern.lowercased()
            byNamespace[ns, default: Patterns()].exact.insert(pattern)
            if pattern.hasPrefix("*.") { byNamespace[ns, default: Patterns()].wildcards.insert(pattern.dropFirst()) }
            byNamespace[ns, default: Patterns()].suffixes.formUnion(dotSuffixes(pattern))
        }
    }

    /// Whether a server entry (`ns/host`; ns `*`, `.` for the gateway's namespace, or a name)
    /// accepts a VirtualService host from `namespace`.
    func accepts(_ host: String, from namespace: String) -> Bool {
        let host = host.lowercased()
        if byNamespace["*"]?.overlap(host) == true { return true }
        return namespace != "*" && byNamespace[namespace]?.overlap(host) == true
    }
}
