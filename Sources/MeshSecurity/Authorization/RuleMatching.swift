import MeshModel
import MeshRouting

/// Collects why rules matched or did not, for `simulate --inbound`. The proxy passes none:
/// `trace?.note(...)` then builds no text.
final class MatchTrace {
    var lines: [String] = []
    func note(_ line: String) { lines.append(line) }
}

extension ValueMatchers {
    /// Whether any value matches `text` (nil: the attribute is absent, nothing matches).
    func anyString(_ text: String?) -> Bool {
        guard let text else { return false }
        return strings.contains { $0.matches(text) }
    }

    func anyPath(_ path: Substring) -> Bool { paths.contains { $0.matches(path) } }

    func anyBlock(_ address: IPAddress?) -> Bool {
        guard let address else { return false }
        return blocks.contains { $0.contains(address) }
    }

    func anyPort(_ port: Int) -> Bool { ports.contains(port) }

    /// Namespaces match the peer's `spiffe://` identity as Istio's regex `.*/ns/NS/.*` does.
    func anyNamespace(_ principal: String?) -> Bool {
        guard let principal else { return false }
        let uri = "spiffe://" + principal
        return namespaces.contains { Self.glob($0, uri[...]) }
    }

    /// `parts` are the pattern's text between `*`s; `*` matches any text.
    static func glob(_ parts: [Substring], _ text: Substring) -> Bool {
        guard let first = parts.first else { return text.isEmpty }
        guard text.hasPrefix(first) else { return false }
        var rest = text.dropFirst(first.count)
        if parts.count == 1 { return rest.isEmpty }
        for (i, part) in parts.enumerated().dropFirst() {
            if i == parts.count - 1 { return part.isEmpty || rest.hasSuffix(part) }
            guard let range = rest.firstRange(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}

extension CompiledRule {
    /// Whether the rule matches: one source, one operation and every condition. On a TCP
    /// connection HTTP attributes are absent: an ALLOW rule that needs one never matches, a
    /// DENY rule leaves them out (Istio's stricter reading for TCP).
    func matches(_ r: AuthzRequest, action: AuthorizationPolicy.Action, trace: MatchTrace?) -> Bool {
        let tcpDeny = !r.isHTTP && action == .deny
        if !r.isHTTP && action != .deny && usesHTTP {
            trace?.note("it needs HTTP attributes, which a TCP connection does not have")
            return false
        }
        if let from {
            guard from.contains(where: { $0.matches(r, skipHTTP: tcpDeny, trace: trace) }) else {
                trace?.note("no `from` source matches")
                return false
            }
        }
        if let to {
            guard to.contains(where: { $0.matches(r, skipHTTP: tcpDeny, trace: trace) }) else {
                trace?.note("no `to` operation matches")
                return false
            }
        }
        for condition in when where !(tcpDeny && condition.key.isHTTP) {
            guard condition.matches(r, trace: trace) else {
                trace?.note("condition \(condition.text) does not hold")
                return false
            }
        }
        return true
    }

    /// Whether any field the rule reads is an HTTP attribute.
    var usesHTTP: Bool {
        (from ?? []).contains { $0.checks.contains { $0.field == .requestPrincipals || $0.field == .notRequestPrincipals } }
            || (to ?? []).contains { $0.checks.contains { $0.field != .ports && $0.field != .notPorts } }
            || when.contains { $0.key.isHTTP }
    }
}

extension CompiledRule.Source {
    func matches(_ r: AuthzRequest, skipHTTP: Bool, trace: MatchTrace?) -> Bool {
        for check in checks {
            let m = check.matchers
            let hit: Bool
            switch check.field {
            case .principals, .notPrincipals: hit = m.anyString(r.peerPrincipal)
            case .requestPrincipals, .notRequestPrincipals:
                if skipHTTP { continue }
                hit = m.anyString(r.jwt?.principal)
            case .namespaces, .notNamespaces: hit = m.anyNamespace(r.peerPrincipal)
            case .ipBlocks, .notIpBlocks: hit = m.anyBlock(r.sourceIP)
            case .remoteIpBlocks, .notRemoteIpBlocks: hit = m.anyBlock(r.remoteIP ?? r.sourceIP)
            case .serviceAccounts, .notServiceAccounts: hit = m.anyString(r.sourceServiceAccount)
            }
            if hit == check.field.isNegative {
                trace?.note("  \(check.field.rawValue) \(check.values) \(describe(check.field, r))")
                return false
            }
        }
        return true
    }

    func describe(_ field: AuthorizationPolicy.SourceField, _ r: AuthzRequest) -> String {
        let (what, value): (String, String?) =
            switch field {
            case .principals, .notPrincipals: ("the peer principal", r.peerPrincipal)
            case .requestPrincipals, .notRequestPrincipals: ("the request principal", r.jwt?.principal)
            case .namespaces, .notNamespaces: ("the peer namespace", r.sourceNamespace)
            case .ipBlocks, .notIpBlocks: ("the source address", r.sourceIP.map(Self.text))
            case .remoteIpBlocks, .notRemoteIpBlocks: ("the remote address", (r.remoteIP ?? r.sourceIP).map(Self.text))
            case .serviceAccounts, .notServiceAccounts: ("the peer service account", r.sourceServiceAccount)
            }
        guard let value else { return "vs. \(what): none (\(field.isNegative ? "so it matches" : "no match"))" }
        return field.isNegative ? "includes \(what) \(value)" : "does not include \(what) \(value)"
    }

    static func text(_ address: IPAddress) -> String {
        if address.isV4 { return address.bytes[12...].map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map {
            String(UInt16(address.bytes[$0]) << 8 | UInt16(address.bytes[$0 + 1]), radix: 16)
        }
        .joined(separator: ":")
    }
}

extension CompiledRule.Operation {
    func matches(_ r: AuthzRequest, skipHTTP: Bool, trace: MatchTrace?) -> Bool {
        for check in checks {
            let m = check.matchers
            let hit: Bool
            let seen: String
            switch check.field {
            case .ports, .notPorts:
                hit = m.anyPort(r.destinationPort)
                seen = "port \(r.destinationPort)"
            case .hosts, .notHosts:
                if skipHTTP { continue }
                hit = m.anyString(r.isHTTP ? r.host.lowercased() : nil)
                seen = "host \(r.host)"
            case .methods, .notMethods:
                if skipHTTP { continue }
                hit = r.isHTTP && m.anyString(r.method)
                seen = "method \(r.method)"
            case .paths, .notPaths:
                if skipHTTP { continue }
                hit = r.isHTTP && m.anyPath(r.normalizedPath)
                seen = "path \(r.normalizedPath)"
            }
            if hit == check.field.isNegative {
                trace?.note("  \(check.field.rawValue) \(check.values) \(hit ? "includes" : "does not include") \(seen)")
                return false
            }
        }
        return true
    }
}

extension CompiledRule.Condition {
    func matches(_ r: AuthzRequest, trace: MatchTrace?) -> Bool {
        let values = attribute(r)
        if !self.values.isEmpty, !values.contains(where: { matchers.matches($0, key, r) }) {
            trace?.note("  \(text) is \(values.isEmpty ? "absent" : values.joined(separator: ", ")), not one of \(self.values)")
            return false
        }
        if !notValues.isEmpty, values.contains(where: { notMatchers.matches($0, key, r) }) {
            trace?.note("  \(text) is \(values.joined(separator: ", ")), which notValues \(notValues) exclude")
            return false
        }
        return true
    }

    /// The attribute's values for this request (none when absent).
    func attribute(_ r: AuthzRequest) -> [String] {
        switch key {
        case .requestHeader(let name): return r.header(name).map { [$0] } ?? []
        case .sourceIP: return r.sourceIP.map { [CompiledRule.Source.text($0)] } ?? []
        case .remoteIP: return (r.remoteIP ?? r.sourceIP).map { [CompiledRule.Source.text($0)] } ?? []
        case .destinationIP: return r.destinationIP.map { [CompiledRule.Source.text($0)] } ?? []
        case .sourceNamespace: return r.sourceNamespace.map { [$0] } ?? []
        case .sourcePrincipal: return r.peerPrincipal.map { [$0] } ?? []
        case .requestPrincipal: return r.jwt.map { [$0.principal] } ?? []
        case .requestAudiences: return r.jwt?.audiences ?? []
        case .requestPresenter: return r.jwt?.presenter.map { [$0] } ?? []
        case .requestClaim(let path): return r.jwt?.claim(path)?.matchableStrings ?? []
        case .destinationPort: return [String(r.destinationPort)]
        case .connectionSNI: return r.sni.map { [$0] } ?? []
        case .experimental(let filter, let key): return r.filterMetadata["\(filter)[\(key)]"].map { [$0] } ?? []
        }
    }
}

extension ValueMatchers {
    /// One attribute value against the condition's values, by the key's kind.
    func matches(_ value: String, _ key: AuthorizationPolicy.ConditionKey, _ r: AuthzRequest) -> Bool {
        switch key {
        case .sourceIP: return anyBlock(r.sourceIP)
        case .remoteIP: return anyBlock(r.remoteIP ?? r.sourceIP)
        case .destinationIP: return anyBlock(r.destinationIP)
        case .destinationPort: return anyPort(r.destinationPort)
        case .sourceNamespace: return anyNamespace(r.peerPrincipal)
        default: return anyString(value)
        }
    }
}
