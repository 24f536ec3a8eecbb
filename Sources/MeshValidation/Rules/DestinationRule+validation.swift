import MeshModel

extension Check {
    func destinationRule(_ dr: DestinationRule) {
        if let host = dr.host, !host.value.isEmpty {
            wildcardHost(host, allowStar: false)
        } else if dr.host != nil || absent("host", in: dr.node, anyValue: true) {
            error("a DestinationRule needs spec.host", at: dr.node)
        }
        if let selector = dr.workloadSelector { labels(selector, in: dr.workloadSelectorNode) }
        if let policy = dr.trafficPolicy { trafficPolicy(policy) }
        var names: [String: Int32] = [:]
        for subset in dr.subsets {
            guard let name = subset.name, !name.value.isEmpty else {
                if subset.name != nil || absent("name", in: subset.node, anyValue: true) {
                    error("a subset needs a name", at: subset.node)
                }
                continue
            }
            if !Names.isDNS1123Label(name.value) {
                error(
                    "subset name `\(name.value)` is not a DNS-1123 label (lowercase letters, digits and '-', at most 63)",
                    at: name.node)
            }
            if let first = names[name.value] {
                error(
                    "duplicate subset name `\(name.value)` (first defined at line \(ctx.file.mark(of: first).line))",
                    at: name.node)
            }
            names[name.value] = name.node
            labels(subset.labels, in: subset.labelsNode)
            if let policy = subset.trafficPolicy { trafficPolicy(policy) }
        }
    }

    func trafficPolicy(_ p: TrafficPolicy) {
        // `tunnel` and `proxyProtocol` count too: Istio accepts a policy that sets only those.
        if p.loadBalancer == nil && p.connectionPool == nil && p.outlierDetection == nil && p.tls == nil
            && p.portLevelSettings.isEmpty
            && absent("portLevelSettings", in: p.node) && absent("tunnel", "proxyProtocol", in: p.node, anyValue: true)
        {
            error(
                "trafficPolicy must set at least one of loadBalancer, connectionPool, outlierDetection, tls, portLevelSettings",
                at: p.node)
        }
        loadBalancer(p.loadBalancer)
        connectionPool(p.connectionPool)
        outlierDetection(p.outlierDetection)
        clientTLS(p.tls)
        var ports: [Int: Int32] = [:]
        for settings in p.portLevelSettings {
            guard let port = settings.port else {
                let portNode = ctx.file.value("port", in: settings.node)
                if portNode.map({ absent("number", in: $0, anyValue: true) }) ?? absent("port", in: settings.node) {
                    error("portLevelSettings entry needs port.number", at: settings.node)
                }
                continue
            }
            if !(1...65535).contains(port.number) { error("port must be between 1 and 65535, got \(port.number)", at: port.node) }
            if ports[port.number] != nil { error("port \(port.number) appears twice in portLevelSettings", at: port.node) }
            ports[port.number] = port.node
            loadBalancer(settings.loadBalancer)
            connectionPool(settings.connectionPool)
            outlierDetection(settings.outlierDetection)
            clientTLS(settings.tls)
        }
    }

    func loadBalancer(_ lb: LoadBalancerSettings?) {
        guard let lb else { return }
        if lb.simple != nil && lb.consistentHash != nil {
            error("loadBalancer sets both simple and consistentHash; use one", at: lb.node)
        }
        if let simple = lb.simple, simple.value == "LEAST_CONN" {
            deprecated("loadBalancer.simple LEAST_CONN is deprecated; use LEAST_REQUEST", at: simple.node)
        }
        if let hash = lb.consistentHash {
            let keys = [
                hash.httpHeaderName != nil, hash.httpCookieName != nil, hash.useSourceIp == true,
                hash.httpQueryParameterName != nil,
            ].filter { $0 }.count
            // A key that did not decode was reported; counting it as missing would repeat that.
            let undecoded =
                (hash.httpHeaderName == nil && !absent("httpHeaderName", in: hash.node, anyValue: true))
                || (hash.useSourceIp == nil && !absent("useSourceIp", in: hash.node, anyValue: true))
                || (hash.httpQueryParameterName == nil && !absent("httpQueryParameterName", in: hash.node, anyValue: true))
            if keys > 1 || (keys == 0 && !undecoded) {
                error(
                    "consistentHash takes exactly one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName",
                    at: hash.node)
            }
            if let size = hash.minimumRingSize, size > 8_388_608 {
                error("consistentHash minimumRingSize must be at most 8388608, got \(size)", at: hash.node)
            }
        }
        duration(lb.warmupDurationSecs)
    }

    func connectionPool(_ c: ConnectionPoolSettings?) {
        guard let c else { return }
        if c.tcp == nil && c.http == nil && absent("tcp", "http", in: c.node) {
            error("connectionPool must set tcp or http", at: c.node)
        }
        if let tcp = c.tcp {
            nonNegative(tcp.maxConnections, "connectionPool.tcp.maxConnections")
            duration(tcp.connectTimeout)
            duration(tcp.maxConnectionDuration)
            duration(tcp.idleTimeout)
        }
        if let http = c.http {
            nonNegative(http.http1MaxPendingRequests, "connectionPool.http.http1MaxPendingRequests")
            nonNegative(http.http2MaxRequests, "connectionPool.http.http2MaxRequests")
            nonNegative(http.maxRequestsPerConnection, "connectionPool.http.maxRequestsPerConnection")
            nonNegative(http.maxRetries, "connectionPool.http.maxRetries")
            nonNegative(http.maxConcurrentStreams, "connectionPool.http.maxConcurrentStreams")
            duration(http.idleTimeout)
            if http.h2UpgradePolicy == "UPGRADE" && http.useClientProtocol == true {
                error("useClientProtocol must not be true when h2UpgradePolicy is UPGRADE", at: http.node)
            }
        }
    }

    func outlierDetection(_ o: OutlierDetection?) {
        guard let o else { return }
        if let errors = o.consecutiveErrors {
            deprecated(
                "outlierDetection.consecutiveErrors is deprecated; use consecutive5xxErrors or consecutiveGatewayErrors",
                at: ctx.file.key(ofValue: errors.node) ?? errors.node)
            nonNegative(errors, "outlierDetection.consecutiveErrors")
        }
        duration(o.interval)
        duration(o.baseEjectionTime)
        intPercent(o.maxEjectionPercent)
        intPercent(o.minHealthPercent)
    }

    func clientTLS(_ t: ClientTLSSettings?) {
        guard let t, let mode = t.mode else { return }
        if mode.value == "MUTUAL" && t.credentialName == nil && (t.clientCertificate == nil || t.privateKey == nil)
            && absent("credentialName", in: t.node, anyValue: true)
            && (t.clientCertificate != nil || absent("clientCertificate", in: t.node, anyValue: true))
            && (t.privateKey != nil || absent("privateKey", in: t.node, anyValue: true))
        {
            error("tls mode MUTUAL needs clientCertificate and privateKey, or credentialName", at: mode.node)
        }
        if (mode.value == "DISABLE" || mode.value == "ISTIO_MUTUAL")
            && (t.clientCertificate != nil || t.privateKey != nil || t.caCertificates != nil || t.credentialName != nil)
        {
            error("tls mode \(mode.value) takes no certificates", at: mode.node)
        }
    }
}
