import MeshModel

extension Check {
    static let sidecarProtocols = protocols + ["HTTP_PROXY"]

    /// Istio's Sidecar validation: something to configure; egress listeners with `ns/host`
    /// hosts, the one without a port last; ports, binds and capture modes that Envoy accepts.
    func sidecar(_ sc: Sidecar) {
        if sc.egress.isEmpty && sc.ingress.isEmpty && sc.outboundTrafficPolicy == nil && sc.inboundConnectionPool == nil
            && absent("egress", "ingress", "outboundTrafficPolicy", "inboundConnectionPool", in: sc.node)
        {
            error(
                "a Sidecar needs egress, ingress, outboundTrafficPolicy or inboundConnectionPool; an empty one changes nothing",
                at: sc.node)
        }
        if let selector = sc.workloadSelector {
            if selector.isEmpty {
                error(
                    "workloadSelector needs at least one label; omit it to apply to the whole namespace",
                    at: sc.workloadSelectorNode >= 0 ? sc.workloadSelectorNode : sc.node)
            }
            labels(selector, in: sc.workloadSelectorNode)
        }
        var ingressPorts: [Int: Int32] = [:]
        for listener in sc.ingress {
            guard let port = listener.port else {
                if absent("port", in: listener.node, anyValue: true) {
                    error("an ingress listener needs a port", at: listener.node)
                }
                continue
            }
            servicePort(port, protocols: Self.sidecarProtocols)
            if let number = port.number {
                if ingressPorts[number.value] != nil {
                    error("ingress port \(number.value) is listed twice", at: number.node)
                }
                ingressPorts[number.value] = number.node
            }
            if let bind = listener.bind { sidecarBind(bind) }
            if let endpoint = listener.defaultEndpoint, !Self.isDefaultEndpoint(endpoint.value) {
                error(
                    "defaultEndpoint `\(endpoint.value)` must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix://PATH",
                    at: endpoint.node)
            }
        }
        var egressPorts: [Int: Int32] = [:]
        for (i, listener) in sc.egress.enumerated() {
            if listener.hosts.isEmpty && absent("hosts", in: listener.node) {
                error("an egress listener needs at least one host (namespace/host)", at: listener.node)
            }
            for host in listener.hosts { egressHost(host) }
            if let port = listener.port {
                servicePort(port, protocols: Self.sidecarProtocols)
                if let number = port.number {
                    if egressPorts[number.value] != nil { error("egress port \(number.value) is listed twice", at: number.node) }
                    egressPorts[number.value] = number.node
                }
            } else if i != sc.egress.count - 1, absent("port", in: listener.node, anyValue: true) {
                error("only the last egress listener may leave out its port (it catches every other port)", at: listener.node)
            }
            if let bind = listener.bind { sidecarBind(bind) }
        }
        if let policy = sc.outboundTrafficPolicy, let proxy = policy.egressProxy {
            if let mode = policy.mode, mode.value != "ALLOW_ANY" {
                error("egressProxy is only allowed with outboundTrafficPolicy mode ALLOW_ANY", at: proxy.node)
            }
            if let host = proxy.host {
                if host.value.contains("*") { error("egressProxy host `\(host.value)` cannot be a wildcard", at: host.node) }
            } else {
                error("egressProxy needs a host", at: proxy.node)
            }
            if proxy.port == nil { error("egressProxy needs a port", at: proxy.node) }
        }
    }

    func sidecarBind(_ bind: Located<String>) {
        if !Names.isIPAddress(bind.value) && !bind.value.hasPrefix("unix://") {
            error("bind `\(bind.value)` must be an IP address or unix://PATH", at: bind.node)
        }
    }

    /// `namespace/host`: `*`, `.`, `~` or a namespace name, then `*`, `*.suffix` or a DNS name.
    func egressHost(_ entry: Located<String>) {
        let parts = entry.value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            error(
                "egress host `\(entry.value)` must be namespace/host, e.g. ./\(entry.value) or */\(entry.value)", at: entry.node)
            return
        }
        let (namespace, host) = (parts[0], parts[1])
        if !["*", ".", "~"].contains(namespace) && !Names.isDNS1123Label(namespace) {
            error("egress host `\(entry.value)`: `\(namespace)` is not `*`, `.`, `~` or a namespace name", at: entry.node)
        }
        if host != "*", let problem = Names.hostProblem(host) {
            error("egress host `\(entry.value)`: host `\(host)` \(problem)", at: entry.node)
        }
    }

    static func isDefaultEndpoint(_ text: String) -> Bool {
        if text.hasPrefix("unix://") { return text.count > "unix://".count }
        for prefix in ["127.0.0.1:", "0.0.0.0:", "[::1]:", "[::]:"] where text.hasPrefix(prefix) {
            guard let port = Int(text.dropFirst(prefix.count)) else { return false }
            return (1...65535).contains(port)
        }
        return false
    }
}
