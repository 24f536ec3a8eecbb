import MeshModel

/// Checks shared by several kinds: names, hosts, labels, durations, percentages, ports, regexes.
extension Check {
    static let maxRegexLength = 1024
    /// Envoy refuses a regex whose RE2 program is larger than this (runtime key
    /// `re2.max_program_size.error_level`).
    static let envoyMaxProgramSize = 100

    func metadataName(_ resource: Resource) {
        if !Names.isDNS1123Subdomain(resource.name) {
            error(
                "metadata.name `\(resource.name)` is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
                at: resource.nameNode)
        }
    }

    /// Istio's durations: at least 1ms, and no finer than milliseconds.
    func duration(_ d: MeshDuration?, _ what: String? = nil) {
        guard let d, d.nanoseconds < 1_000_000 || d.nanoseconds % 1_000_000 != 0 else { return }
        let name = what ?? path(d.node)
        if d.nanoseconds < 1_000_000 {
            error("\(name) must be at least 1ms, got `\(d.text)`", at: d.node)
        } else {
            error("\(name) `\(d.text)` is finer than a millisecond; only durations to ms precision are supported", at: d.node)
        }
    }

    func percentage(_ p: Percent?) {
        guard let p else { return }
        if !(0...100).contains(p.value) || p.value.isNaN {
            error("\(path(p.node)) must be between 0 and 100, got \(formatNumber(p.value))", at: p.node)
        }
    }

    func intPercent(_ p: Located<Int>?) {
        guard let p else { return }
        if !(0...100).contains(p.value) { error("\(path(p.node)) must be between 0 and 100, got \(p.value)", at: p.node) }
    }

    func port(_ p: Located<Int>?) {
        guard let p else { return }
        if !(1...65535).contains(p.value) {
            error("\(path(p.node)) must be a port between 1 and 65535, got \(p.value)", at: p.node)
        }
    }

    func nonNegative(_ value: Located<Int>?, _ what: String) {
        guard let value, value.value < 0 else { return }
        error("\(what) must not be negative, got \(value.value)", at: value.node)
    }

    /// Kubernetes' rules for label keys and values, each finding at the key or value it is
    /// about. `node` is the labels' mapping; entries that did not decode were reported then.
    func labels(_ labels: [String: String], in node: Int32) {
        guard node >= 0, ctx.file[node].kind == .mapping else { return }
        for (keyNode, valueNode) in ctx.file.pairs(node) {
            let key = ctx.file.string(keyNode)
            guard let value = labels[key] else { continue }
            if let problem = Names.labelKeyProblem(key) { error("label key `\(key)` \(problem)", at: keyNode) }
            if let problem = Names.labelValueProblem(value) {
                error("label `\(key)` value `\(value)` \(problem)", at: valueNode)
            }
        }
    }

    /// `metadata.labels` of the resource itself, as the Kubernetes API server checks them.
    func metadataLabels(_ resource: Resource) {
        let file = ctx.file
        guard let metadata = file.value("metadata", in: resource.node), let node = file.value("labels", in: metadata) else {
            return
        }
        labels(resource.labels, in: node)
    }

    /// Whether the fields `keys` of mapping `node` are truly absent, so that a finding saying one
    /// is needed names the first cause. When `node` is not a mapping, or a key holds a value that
    /// did not decode, decoding has reported that already and the finding would only repeat it.
    /// A null or empty list or mapping counts as absent, unless `anyValue`: then any value
    /// written counts (scalar fields, where even a null was reported; and messages, where `{}`
    /// is a value).
    func absent(_ keys: StaticString..., in node: Int32, anyValue: Bool = false) -> Bool {
        let file = ctx.file
        guard node >= 0 else { return true }
        if file[node].kind != .mapping { return file.isNull(node) }
        for key in keys {
            guard let value = file.value(key, in: node) else { continue }
            if anyValue { return false }
            if file.isNull(value) || (file[value].kind != .scalar && file[value].count == 0) { continue }
            return false
        }
        return true
    }

    /// A host such as `reviews`, `reviews.prod.svc.cluster.local` or `*.example.com`.
    func wildcardHost(_ host: Located<String>, allowStar: Bool = true) {
        if host.value == "*" {
            if !allowStar { error("wildcard host `*` is not allowed here", at: host.node) }
            return
        }
        if let problem = Names.hostProblem(host.value) { error("host `\(host.value)` \(problem)", at: host.node) }
    }

    /// Compiles with RE2 (Envoy's engine), so what RE2 refuses is refused here with its reason.
    func regex(_ pattern: String, at node: Int32) {
        if pattern.isEmpty {
            error("\(path(node)): an empty regex matches nothing useful; remove the match or write a pattern", at: node)
            return
        }
        if pattern.utf8.count > Self.maxRegexLength {
            error("\(path(node)): regex is \(pattern.utf8.count) bytes long; the limit is \(Self.maxRegexLength)", at: node)
            return
        }
        switch regexes.verdict(pattern) {
        case .failure(let failure):
            error("\(path(node)): invalid RE2 regex `\(pattern)`: \(failure.reason)", at: node)
        case .success(let programSize):
            if programSize > Self.envoyMaxProgramSize {
                warning(
                    "\(path(node)): regex program size \(programSize) exceeds Envoy's default limit of \(Self.envoyMaxProgramSize); Envoy would reject this route",
                    at: node)
            }
        }
    }

    /// Istio's exportTo: `.` (this namespace), `*` (all), `~` (none, ServiceEntry only) or
    /// namespace names; no duplicates; `*` and `~` stand alone.
    func exportTo(_ entries: [Located<String>], namespace: String, allowNone: Bool) {
        var seen: [String: String] = [:]
        for entry in entries {
            let key = entry.value == "." ? namespace : entry.value
            if let first = seen[key] {
                error(
                    first == entry.value
                        ? "duplicate exportTo entry `\(entry.value)`"
                        : "duplicate exportTo entries: `.` and the resource's own namespace `\(namespace)`",
                    at: entry.node)
                continue
            }
            seen[key] = entry.value
            switch entry.value {
            case ".", "*": break
            case "~" where allowNone: break
            case "~": error("exportTo `~` (visible to no one) is only allowed on a ServiceEntry", at: entry.node)
            default:
                if !Names.isDNS1123Label(entry.value) {
                    error("exportTo entry `\(entry.value)` is not `.`, `*` or a namespace name", at: entry.node)
                }
            }
        }
        if entries.count > 1, let star = entries.first(where: { $0.value == "*" }) {
            error("exportTo cannot have both `*` (public) and other entries", at: star.node)
        }
        if entries.count > 1, allowNone, let none = entries.first(where: { $0.value == "~" }) {
            error("exportTo cannot export to no one (`~`) and someone", at: none.node)
        }
    }

    func stringMatch(_ match: StringMatchField?) {
        guard let match else { return }
        switch match.match {
        case .prefix(let p) where p.isEmpty:
            error(
                "\(path(match.node)): an empty prefix matches everything; remove the match or write a prefix", at: match.valueNode
            )
        case .regex(let pattern):
            regex(pattern, at: match.valueNode)
        default:
            break
        }
    }

    /// HTTP header names are tokens (RFC 9110); Istio's docs spell them lowercase.
    func headerName(_ name: String, at node: Int32) {
        var token = Substring(name)
        if token.hasPrefix(":") { token = token.dropFirst() }
        if token.isEmpty || !token.utf8.allSatisfy(Names.isTokenByte) {
            error("`\(name)` is not a valid HTTP header name", at: node)
        } else if name != name.lowercased() {
            warning(
                "header name `\(name)` is not lowercase; HTTP matches names case-insensitively, but Istio documents them lowercase: write `\(name.lowercased())`",
                at: node)
        }
    }

    func formatNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// Kubernetes and DNS naming rules.
public enum Names {
    static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a)
    }

    /// RFC 1123 label: lowercase alphanumerics and '-', at most 63, alphanumeric at both ends.
    public static func isDNS1123Label(_ s: String) -> Bool {
        let bytes = s.utf8
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, isAlnum(first), isAlnum(last) else {
            return false
        }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
    public static func isDNS1123Subdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        var labelLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for b in s.utf8 {
            if b == UInt8(ascii: ".") {
                if labelLength == 0 || !isAlnum(previous) { return false }
                labelLength = 0
            } else {
                if !(isAlnum(b) || b == UInt8(ascii: "-")) { return false }
                if labelLength == 0 && !isAlnum(b) { return false }
                labelLength += 1
                if labelLength > 63 { return false }
            }
            previous = b
        }
        return labelLength > 0 && isAlnum(previous)
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(b)
    }

    /// Why `host` is not a valid DNS name with an optional leading `*.` wildcard, or nil.
    public static func hostProblem(_ host: String) -> String? {
        // Fast path: the common plain lowercase DNS name.
        if isDNS1123Subdomain(host) { return nil }
        if host.isEmpty { return "is empty" }
        if host.utf8.count > 255 { return "is longer than 255 characters" }
        var name = Substring(host)
        if name.hasPrefix("*.") {
            name = name.dropFirst(2)
        } else if name.hasPrefix("*") {
            return "has a partial wildcard; only a leading `*.` is allowed"
        }
        if name.hasSuffix(".") { name = name.dropLast() }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            if bytes.isEmpty { return "has an empty label" }
            if bytes.count > 63 { return "has a label longer than 63 characters" }
            let ok = bytes.allSatisfy { isAlnum($0) || ($0 >= 0x41 && $0 <= 0x5a) || $0 == UInt8(ascii: "-") }
            if !ok {
                return label.contains("*")
                    ? "has a wildcard that is not the leading label" : "is not a valid DNS name (letters, digits and '-' only)"
            }
            if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
                return "has a label that starts or ends with '-'"
            }
        }
        return nil
    }

    static func labelNameProblem(_ name: Substring) -> String? {
        if let first = name.utf8.first, let last = name.utf8.last, name.utf8.count <= 63, isAlnum(first), isAlnum(last),
            name.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        {
            return nil
        }
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "has an empty name part" }
        if bytes.count > 63 { return "is longer than 63 characters" }
        func alnum(_ b: UInt8) -> Bool { isAlnum(b) || (b >= 0x41 && b <= 0x5a) }
        if !alnum(bytes.first!) || !alnum(bytes.last!) { return "must start and end with a letter or digit" }
        if !bytes.allSatisfy({ alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }) {
            return "may contain only letters, digits, '-', '_' and '.'"
        }
        return nil
    }

    public static func labelKeyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return labelNameProblem(parts[0])
        case 2:
            if !isDNS1123Subdomain(String(parts[0])) { return "has an invalid prefix (must be a DNS subdomain)" }
            return labelNameProblem(parts[1])
        default: return "may contain at most one '/'"
        }
    }

    public static func labelValueProblem(_ value: String) -> String? {
        value.isEmpty ? nil : labelNameProblem(Substring(value))
    }

    /// An IPv4 or IPv6 address.
    public static func isIPAddress(_ s: String) -> Bool { isIPv4(s) || isIPv6(s) }

    public static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isNumber), let v = Int(p) else { return false }
            return v <= 255 && !(p.count > 1 && p.hasPrefix("0"))
        }
    }

    public static func isIPv6(_ s: String) -> Bool {
        guard s.contains(":"), s.count <= 45 else { return false }
        let hex = s.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || $0 == ":" || $0 == "." }
        return hex && s.ranges(of: "::").count <= 1
    }

    /// An address or CIDR block (`10.0.0.0/8`).
    public static func isCIDROrAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, isIPAddress(String(parts[0])) else { return false }
        if parts.count == 2 {
            guard let bits = Int(parts[1]) else { return false }
            return bits >= 0 && bits <= (isIPv4(String(parts[0])) ? 32 : 128)
        }
        return true
    }
}
