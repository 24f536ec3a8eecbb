import MeshModel

extension Check {
    static let protocols = ["HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "MONGO", "REDIS", "MYSQL", "TCP", "TLS", "UDP"]

    func serviceEntry(_ se: ServiceEntry) {
        if se.hosts.isEmpty && absent("hosts", in: se.node) {
            error("a ServiceEntry needs at least one host", at: se.hostsNode >= 0 ? se.hostsNode : se.node)
        }
        for host in se.hosts {
            if host.value == "*" {
                error("host `*` is not allowed in a ServiceEntry; name the hosts", at: host.node)
            } else {
                wildcardHost(host)
            }
        }
        for address in se.addresses where !Names.isCIDROrAddress(address.value) {
            error("address `\(address.value)` is not an IP address or CIDR block", at: address.node)
        }
        var numbers: [Int: Int32] = [:]
        var names: [String: Int32] = [:]
        for p in se.ports {
            servicePort(p)
            if let number = p.number {
                if numbers[number.value] != nil { error("port number \(number.value) is listed twice", at: number.node) }
                numbers[number.value] = number.node
            }
            if let name = p.name {
                if names[name.value] != nil { error("port name `\(name.value)` is listed twice", at: name.node) }
                names[name.value] = name.node
            }
        }
        if !se.endpoints.isEmpty && se.workloadSelector != nil {
            error("a ServiceEntry takes either endpoints or workloadSelector, not both", at: se.node)
        }
        // A resolution that did not decode was reported; checking against the default would mislead.
        let resolution = se.resolution?.value ?? (absent("resolution", in: se.node, anyValue: true) ? "NONE" : "")
        switch resolution {
        case "": break
        case "NONE":
            if !se.endpoints.isEmpty {
                error("resolution NONE takes no endpoints; use STATIC or DNS", at: se.resolution?.node ?? se.node)
            }
        case "STATIC":
            if se.endpoints.isEmpty && se.workloadSelector == nil && absent("endpoints", in: se.node) {
                error("resolution STATIC needs endpoints (or a workloadSelector)", at: se.resolution?.node ?? se.node)
            }
            for endpoint in se.endpoints {
                if let address = endpoint.address, !Names.isIPAddress(address.value), !address.value.hasPrefix("unix://") {
                    error("endpoint address `\(address.value)` must be an IP address with resolution STATIC", at: address.node)
                }
            }
            for host in se.hosts where host.value.hasPrefix("*") {
                error("wildcard host `\(host.value)` cannot have STATIC endpoints", at: host.node)
            }
        default:  // DNS, DNS_ROUND_ROBIN
            for host in se.hosts where host.value.hasPrefix("*") && se.endpoints.isEmpty {
                error(
                    "wildcard host `\(host.value)` cannot be resolved by DNS; give endpoints or use resolution NONE",
                    at: host.node)
            }
            if resolution == "DNS_ROUND_ROBIN" && se.endpoints.count > 1 {
                error("resolution DNS_ROUND_ROBIN takes at most one endpoint", at: se.resolution?.node ?? se.node)
            }
        }
        // A port name that did not decode was reported; endpoints naming it would repeat that.
        let portNamesKnown = se.ports.allSatisfy { $0.name != nil || absent("name", in: $0.node, anyValue: true) }
        for endpoint in se.endpoints {
            workloadEntry(endpoint, standalone: false)
            for port in endpoint.ports where names[port.key] == nil && portNamesKnown {
                error("endpoint port `\(port.key)` names no port of the ServiceEntry", at: port.keyNode)
            }
        }
        if let selector = se.workloadSelector { labels(selector, in: se.workloadSelectorNode) }
        endpointWeights(se)
    }

    /// Envoy refuses a locality whose endpoint weights add up to more than 32 bits hold; the
    /// endpoints of one ServiceEntry are one locality (an unset weight counts 1).
    func endpointWeights(_ se: ServiceEntry) {
        // Each weight fits in 32 bits, so the sum (in 64) cannot overflow.
        let total = se.endpoints.reduce(0) { $0 + max($1.weight?.value ?? 1, 1) }
        guard total > Int(UInt32.max), let node = ctx.file.value("endpoints", in: se.node) else { return }
        error(
            "the weights of these \(se.endpoints.count) endpoints add up to \(total), more than the \(UInt32.max) Envoy accepts in one locality; scale them down (weights are relative)",
            at: node)
    }

    /// A port (of a ServiceEntry, Gateway server or Sidecar listener) with one of `protocols`.
    func servicePort(_ p: ServiceEntry.Port, protocols: [String] = Check.protocols) {
        if let number = p.number {
            port(number)
        } else if absent("number", in: p.node, anyValue: true) {
            error("a port needs a number", at: p.node)
        }
        if let proto = p.protocolName, !protocols.contains(proto.value.uppercased()) {
            var message = "unknown protocol `\(proto.value)`; expected one of \(protocols.joined(separator: ", "))"
            if let s = Suggest.closest(to: proto.value.uppercased(), in: protocols) { message += "; did you mean `\(s)`?" }
            error(message, at: proto.node)
        }
        if let targetPort = p.targetPort, !(1...65535).contains(targetPort) {
            error("targetPort must be between 1 and 65535, got \(targetPort)", at: p.node)
        }
    }

    func workloadEntry(_ w: WorkloadEntrySpec, standalone: Bool) {
        if w.address == nil && standalone && w.network == nil && absent("address", "network", in: w.node, anyValue: true) {
            error("a WorkloadEntry needs an address", at: w.node)
        }
        if let address = w.address, address.value.isEmpty { error("address is empty", at: address.node) }
        for port in w.ports where !(1...65535).contains(port.value) {
            error("port `\(port.key)` must be between 1 and 65535, got \(port.value)", at: port.keyNode)
        }
        labels(w.labels, in: w.labelsNode)
    }

    func gateway(_ g: Gateway) {
        if g.servers.isEmpty && absent("servers", in: g.node) {
            error("a Gateway needs at least one server", at: g.serversNode >= 0 ? g.serversNode : g.node)
        }
        labels(g.selector, in: g.selectorNode)
        var portNames: [String: Int32] = [:]
        for server in g.servers {
            if let p = server.port {
                servicePort(p)
                if let name = p.name {
                    if portNames[name.value] != nil { error("port name `\(name.value)` is used by two servers", at: name.node) }
                    portNames[name.value] = name.node
                }
            } else if absent("port", in: server.node) {
                error("a server needs a port", at: server.node)
            }
            if server.hosts.isEmpty && absent("hosts", in: server.node) {
                error("a server needs at least one host", at: server.node)
            }
            for host in server.hosts {
                // `namespace/host`, where namespace may be `*` or `.`.
                let parts = host.value.split(separator: "/", omittingEmptySubsequences: false)
                if parts.count > 2 { error("host `\(host.value)` may contain at most one '/'", at: host.node); continue }
                let name = String(parts.last!)
                if parts.count == 2, parts[0] != "*", parts[0] != ".", !Names.isDNS1123Label(String(parts[0])) {
                    error("host `\(host.value)` has an invalid namespace `\(parts[0])`", at: host.node)
                }
                if name != "*" { wildcardHost(Located(name, node: host.node)) }
            }
            let proto = server.port?.protocolName?.value.uppercased()
            if proto == "HTTPS" && server.tlsNode < 0 {
                error("an HTTPS server needs tls settings", at: server.node)
            }
            if let mode = server.tlsMode, (mode.value == "SIMPLE" || mode.value == "MUTUAL"), !server.hasCredentials {
                error("tls mode \(mode.value) needs credentialName, or serverCertificate and privateKey", at: mode.node)
            }
        }
    }
}
