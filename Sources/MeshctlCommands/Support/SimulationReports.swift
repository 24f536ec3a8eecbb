import Foundation
import MeshModel
import MeshRouting

/// The JSON (and text) account of one simulated request; the contract's fields first.
struct DecisionReport: Encodable {
    struct DestinationJSON: Encodable {
        var host: String
        var subset: String?
        var port: Int
        enum CodingKeys: String, CodingKey { case host, subset, port }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(host, forKey: .host)
            try c.encode(subset, forKey: .subset)
            try c.encode(port, forKey: .port)
        }
    }
    struct FaultJSON: Encodable {
        struct Abort: Encodable {
            var httpStatus: Int
            var percentage: Double
        }
        struct Delay: Encodable {
            var fixedDelay: String
            var percentage: Double
        }
        var abort: Abort?
        var delay: Delay?
    }
    struct MirrorJSON: Encodable {
        var cluster: String
        var host: String
        var subset: String?
        var port: Int
        var percentage: Double
    }
    struct RetriesJSON: Encodable {
        var attempts: Int
        var retryOn: String
        var retriableStatusCodes: [Int]
        var perTryTimeout: String?
        var istioDefault: Bool
    }
    struct WeightJSON: Encodable {
        var cluster: String
        var weight: Int
        var percent: Double
        /// True for the destination this request was sent to.
        var picked: Bool
    }

    var cluster: String?
    var destination: DestinationJSON?
    var virtualService: String?
    var rule: Int?
    var ruleName: String?
    var status: Int?
    var responseFlags: String?
    var fault: FaultJSON?
    var mirror: MirrorJSON?
    var mirrors: [MirrorJSON]
    var timeout: String?
    var retries: RetriesJSON?
    var weights: [WeightJSON]
    var location: String?
    var body: String?
    var rewrite: [String: String]?
    var explain: [String]
    var request: [String: String]
    /// The seed weighted choices were drawn with.
    var seed: UInt64
    /// `http`, `tcp` or `tls`.
    var protocolName = "http"
    /// The listener port the request was routed on.
    var port: Int?
    /// The listener (`0.0.0.0_8080`, `virtualOutbound`, `10.0.0.5_3306`), or null when none
    /// takes the connection (a gateway without a server on the port).
    var listener: String?
    /// The route configuration (`8080`, a gateway's `http.80`) and the virtual host in it
    /// (`reviews.default.svc.cluster.local:9080`, `allow_any`, `block_all`).
    var routeConfiguration: String?
    var virtualHost: String?
    /// The routing rule's kind: `http`, `tcp` or `tls` (its index is `rule`).
    var ruleKind: String?

    enum CodingKeys: String, CodingKey {
        case cluster, destination, virtualService, rule, ruleName, status, responseFlags, fault, mirror, mirrors, timeout
        case retries, weights, location, body, rewrite, explain, request, seed
        case protocolName = "protocol"
        case port, listener, routeConfiguration, virtualHost, ruleKind
    }

    // Every contract key is present, null when it does not apply.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cluster, forKey: .cluster)
        try c.encode(destination, forKey: .destination)
        try c.encode(virtualService, forKey: .virtualService)
        try c.encode(rule, forKey: .rule)
        try c.encode(ruleName, forKey: .ruleName)
        try c.encode(status, forKey: .status)
        try c.encode(responseFlags, forKey: .responseFlags)
        try c.encode(fault, forKey: .fault)
        try c.encode(mirror, forKey: .mirror)
        try c.encode(mirrors, forKey: .mirrors)
        try c.encode(timeout, forKey: .timeout)
        try c.encode(retries, forKey: .retries)
        try c.encode(weights, forKey: .weights)
        try c.encodeIfPresent(location, forKey: .location)
        try c.encodeIfPresent(body, forKey: .body)
        try c.encodeIfPresent(rewrite, forKey: .rewrite)
        try c.encode(explain, forKey: .explain)
        try c.encode(request, forKey: .request)
        try c.encode(seed, forKey: .seed)
        try c.encode(protocolName, forKey: .protocolName)
        try c.encode(port, forKey: .port)
        try c.encode(listener, forKey: .listener)
        try c.encode(routeConfiguration, forKey: .routeConfiguration)
        try c.encode(virtualHost, forKey: .virtualHost)
        try c.encode(ruleKind, forKey: .ruleKind)
    }

    init(table: RouteTable, request: HTTPRequest, decision: Decision, seed: UInt64) {
        self.seed = seed
        cluster = decision.cluster
        if let target = decision.target {
            destination = DestinationJSON(host: target.host, subset: target.subset, port: target.port)
        }
        virtualService = decision.virtualHost?.virtualServiceName
        let route = decision.route
        rule = decision.virtualHost?.virtualService == nil ? nil : decision.routeIndex
        ruleName = route?.name
        status = decision.status
        responseFlags = decision.responseFlag
        if let f = route?.fault {
            fault = FaultJSON(
                abort: f.abortStatus.map { FaultJSON.Abort(httpStatus: $0, percentage: f.abortPercent) },
                delay: f.delay.map { FaultJSON.Delay(fixedDelay: $0.text, percentage: f.delayPercent) })
        }
        mirrors = (route?.mirrors ?? []).map {
            MirrorJSON(
                cluster: $0.target.cluster, host: $0.target.host, subset: $0.target.subset, port: $0.target.port,
                percentage: $0.percent)
        }
        mirror = mirrors.first
        // Istio renders a route's timeout and retries with or without a fault.
        if let route, case .route = route.action {
            timeout = route.timeout?.text
            retries = RetriesJSON(
                attempts: route.retries.attempts, retryOn: route.retries.retryOn,
                retriableStatusCodes: route.retries.retriableStatusCodes, perTryTimeout: route.retries.perTryTimeout?.text,
                istioDefault: route.retries.isDefault)
        }
        weights = []
        if case .route(let targets, _, let total)? = route?.action, total > 0 {
            weights = targets.map {
                WeightJSON(
                    cluster: $0.cluster, weight: $0.weight, percent: (Double($0.weight) * 10000 / Double(total)).rounded() / 100,
                    picked: $0 === decision.target)
            }
        }
        location = decision.location(for: request)
        if let rewritten = table.rewrite(request, decision) {
            rewrite = ["path": rewritten.path, "authority": rewritten.authority]
        }
        body = decision.body
        explain = table.explain(request, decision)
        self.request = ["host": request.authority, "path": request.path, "method": request.method]
        port = decision.port
        ruleKind = rule == nil ? nil : "http"
        if let tcp = decision.tcp {
            listener = tcp.listener?.name ?? (table.isGateway ? nil : "virtualOutbound")
            if let chain = tcp.chain, let vs = chain.virtualService {
                virtualService = "\(vs.namespace)/\(vs.name)"
                rule = chain.ruleIndex
                ruleKind = chain.routeKind
            }
        } else if let config = decision.routeConfiguration {
            listener = "0.0.0.0_\(config.port)"
            routeConfiguration = config.name
            virtualHost =
                decision.virtualHost?.name
                ?? {
                    switch config.catchAll {
                    case .allowAny: "allow_any"
                    case .blockAll: "block_all"
                    case .notFound: nil
                    }
                }()
        } else {
            listener = table.isGateway ? nil : "virtualOutbound"
        }
    }

    /// A TCP or TLS connection's decision: the same contract fields, with the listener and the
    /// filter chain's rule.
    init(table: RouteTable, connection: TCPRequest, decision: TCPDecision, seed: UInt64) {
        self.seed = seed
        protocolName = connection.tls ? "tls" : "tcp"
        port = connection.port
        cluster = decision.cluster
        if let target = decision.target {
            destination = DestinationJSON(host: target.host, subset: target.subset, port: target.port)
        }
        listener = decision.listener?.name ?? (table.isGateway ? nil : "virtualOutbound")
        if let chain = decision.chain, let vs = chain.virtualService {
            virtualService = "\(vs.namespace)/\(vs.name)"
            rule = chain.ruleIndex
            ruleKind = chain.routeKind
        }
        responseFlags = decision.kind == .unavailable ? decision.target?.failure?.flag : nil
        mirrors = []
        weights = []
        if let chain = decision.chain, chain.targets.count > 1 {
            let total = chain.targets.reduce(0) { $0 + $1.weight }
            weights = chain.targets.map {
                WeightJSON(
                    cluster: $0.cluster, weight: $0.weight, percent: (Double($0.weight) * 10000 / Double(total)).rounded() / 100,
                    picked: $0 === decision.target)
            }
        }
        explain = table.explainTCP(connection, decision)
        var request = ["protocol": protocolName, "port": String(connection.port)]
        if let ip = connection.destinationIP { request["destinationIP"] = ip }
        if let sni = connection.sni { request["sni"] = sni }
        if let host = connection.host { request["host"] = host }
        self.request = request
    }

    func text() -> String {
        var lines: [String] = []
        let request =
            protocolName == "http"
            ? "\(self.request["method"]!) \(self.request["host"]!)\(self.request["path"]!)"
            : "\(protocolName.uppercased()) \(self.request["host"] ?? self.request["destinationIP"] ?? "*"):\(port ?? 0)\(self.request["sni"].map { " (SNI \($0))" } ?? "")"
        var result = cluster ?? (listener == nil && status == nil ? "no listener (connection refused)" : "no cluster")
        // A weighted route: the whole split beside the pick, so one request is not read as the rule.
        if weights.count > 1 {
            let names = Self.shortNames(weights.map(\.cluster))
            let split = zip(names, weights).map { "\($0) \(Self.format($1.percent))%" }
            result += " (picked by weight with seed \(seed) from \(split.joined(separator: ", ")))"
        }
        if let status { result += ", answered \(status)\(responseFlags.map { " (\($0))" } ?? "") by the proxy" }
        lines.append("\(request) → \(result)")
        for line in explain { lines.append("  " + line) }
        return lines.joined(separator: "\n")
    }

    /// The subsets of `outbound|PORT|SUBSET|HOST` clusters when they tell the clusters apart,
    /// else the whole names.
    static func shortNames(_ clusters: [String]) -> [String] {
        let subsets = clusters.map { $0.split(separator: "|", omittingEmptySubsequences: false).dropFirst(2).first ?? "" }
        return subsets.allSatisfy({ !$0.isEmpty }) && Set(subsets).count == subsets.count ? subsets.map(String.init) : clusters
    }

    static func format(_ percent: Double) -> String {
        percent == percent.rounded() && abs(percent) < 1e15 ? String(Int(percent)) : String(percent)
    }
}

/// Many simulated requests: where they went and what the proxy answered.
struct Distribution {
    var requests = 0
    var clusters: [String: Int] = [:]
    var statuses: [Int: Int] = [:]
    var forwarded = 0
    var delayed = 0
    /// Answered by an injected fault before reaching any cluster.
    var aborted = 0
    var mirrored: [String: Int] = [:]

    static func run(_ table: RouteTable, _ request: HTTPRequest, count: Int, random: inout SplitMix64) -> Distribution {
        // Count per target object, and name them once at the end: no string hashing per request.
        var perTarget: [ObjectIdentifier: (String, Int)] = [:]
        var perMirror: [ObjectIdentifier: (String, Int)] = [:]
        var result = Distribution(requests: count)
        var passthrough = 0
        var blackhole = 0
        for _ in 0..<count {
            let decision = table.decide(request, random: &random)
            if decision.delayed { result.delayed += 1 }
            for mirror in decision.mirrored { perMirror[ObjectIdentifier(mirror), default: (mirror.cluster, 0)].1 += 1 }
            switch decision.kind {
            case .forward:
                let target = decision.target!
                perTarget[ObjectIdentifier(target), default: (target.cluster, 0)].1 += 1
                result.forwarded += 1
            case .passthrough:
                passthrough += 1
                result.forwarded += 1
            case .blackhole:
                blackhole += 1
                result.statuses[502, default: 0] += 1
            case .abort:
                // The fault filter answers ahead of the router: the request never reaches its cluster.
                result.aborted += 1
                result.statuses[decision.fixedStatus, default: 0] += 1
            default:
                if let target = decision.target { perTarget[ObjectIdentifier(target), default: (target.cluster, 0)].1 += 1 }
                if let status = decision.status { result.statuses[status, default: 0] += 1 }
            }
        }
        for (name, n) in perTarget.values { result.clusters[name, default: 0] += n }
        for (name, n) in perMirror.values { result.mirrored[name, default: 0] += n }
        if passthrough > 0 { result.clusters["PassthroughCluster"] = passthrough }
        if blackhole > 0 { result.clusters["BlackHoleCluster"] = blackhole }
        return result
    }

    static func run(_ table: RouteTable, _ connection: TCPRequest, count: Int, random: inout SplitMix64) -> Distribution {
        var perTarget: [ObjectIdentifier: (String, Int)] = [:]
        var result = Distribution(requests: count)
        var other: [String: Int] = [:]
        for _ in 0..<count {
            let decision = table.decideTCP(connection, random: &random)
            if decision.kind == .forward, let target = decision.target {
                perTarget[ObjectIdentifier(target), default: (target.cluster, 0)].1 += 1
                result.forwarded += 1
            } else if let cluster = decision.cluster {
                other[cluster, default: 0] += 1
                if decision.kind == .passthrough { result.forwarded += 1 }
            }
        }
        for (name, n) in perTarget.values { result.clusters[name, default: 0] += n }
        for (name, n) in other { result.clusters[name, default: 0] += n }
        return result
    }

    func json() -> String {
        struct Document: Encodable {
            var requests: Int
            var clusters: [String: Int]
            var statuses: [String: Int]
            var forwarded: Int
            var delayed: Int
            var aborted: Int
            var mirrored: [String: Int]
        }
        return DiagnosticRenderer.encodeJSON(
            Document(
                requests: requests, clusters: clusters,
                statuses: Dictionary(uniqueKeysWithValues: statuses.map { (String($0.key), $0.value) }), forwarded: forwarded,
                delayed: delayed, aborted: aborted, mirrored: mirrored))
    }

    func text(connection: TCPRequest) -> String {
        let target = connection.host ?? connection.destinationIP ?? "*"
        return text(
            headline:
                "\(requests) connections: \(connection.tls ? "TLS" : "TCP") \(target):\(connection.port)\(connection.sni.map { " (SNI \($0))" } ?? "")"
        )
    }

    func text(request: HTTPRequest) -> String {
        text(headline: "\(requests) requests: \(request.method) \(request.authority)\(request.path)")
    }

    func text(headline: String) -> String {
        func share(_ n: Int) -> String { String(format: "%6.2f%%", Double(n) * 100 / Double(requests)) }
        var lines = [headline]
        let width = max(7, clusters.keys.map(\.count).max() ?? 0)
        lines.append("  " + "CLUSTER".padding(toLength: width, withPad: " ", startingAt: 0) + "  REQUESTS    SHARE")
        for (name, n) in clusters.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            lines.append(
                "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(n).leftPadded(8) + "  "
                    + share(n))
        }
        for (status, n) in statuses.sorted(by: { $0.key < $1.key }) {
            lines.append("  answered \(status) by the proxy: \(n) (\(share(n).trimmingCharacters(in: .whitespaces)))")
        }
        if aborted > 0 {
            lines.append(
                "  aborted by fault injection before reaching a cluster: \(aborted) (\(share(aborted).trimmingCharacters(in: .whitespaces)))"
            )
        }
        if delayed > 0 {
            lines.append("  delayed by fault injection: \(delayed) (\(share(delayed).trimmingCharacters(in: .whitespaces)))")
        }
        for (name, n) in mirrored.sorted(by: { $0.key < $1.key }) {
            lines.append("  mirrored to \(name): \(n) (\(share(n).trimmingCharacters(in: .whitespaces)))")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// `simulate --inbound`: what the workload's sidecar does with one inbound request, in Envoy's
/// order (the mutual TLS handshake, JWT authentication, authorization, the local rate limit).
/// The JSON keeps simulate's contract keys (`cluster` is the inbound cluster `inbound|PORT||`,
/// `status` what the sidecar answers itself) and adds `inbound` with each step.
struct InboundReport: Encodable {
    struct Step: Encodable {
        var workload: [String: String]
        var port: Int
        var mtls: [String: String?]
        var authentication: [String: String?]
        var claims: [String: [String]]
        var authorization: Authorization
        var rateLimit: RateLimit?
        /// allowed, refused (the TLS handshake), unauthenticated (401), denied (403), rate-limited (429).
        var decision: String
    }
    struct Authorization: Encodable {
        var allowed: Bool
        var reason: String
        var policy: String?
        var rule: Int?
        var envoyPolicy: String?
        var responseCodeDetails: String?
        var counters: [String]
        var audited: [String]
        var customNotEnforced: [String]
        var shadow: [String]
        var shadowAllowed: Bool?
        var policies: [String]
    }
    struct RateLimit: Encodable {
        var allowed: Bool
        var status: Int?
        var responseHeaders: [String: String]
        var counters: [String]
        var configuration: String
    }

    var cluster: String
    var destination: DecisionReport.DestinationJSON
    var status: Int?
    var explain: [String]
    var request: [String: String]
    var inbound: Step
    var headline: String

    enum CodingKeys: String, CodingKey {
        case cluster, destination, virtualService, rule, ruleName, status, responseFlags, fault, mirror, mirrors, timeout
        case retries, weights, explain, request, inbound
        case protocolName = "protocol"
        case port
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cluster, forKey: .cluster)
        try c.encode(destination, forKey: .destination)
        try c.encodeNil(forKey: .virtualService)
        try c.encodeNil(forKey: .rule)
        try c.encodeNil(forKey: .ruleName)
        try c.encode(status, forKey: .status)
        try c.encodeNil(forKey: .responseFlags)
        try c.encodeNil(forKey: .fault)
        try c.encodeNil(forKey: .mirror)
        try c.encode([String](), forKey: .mirrors)
        try c.encodeNil(forKey: .timeout)
        try c.encodeNil(forKey: .retries)
        try c.encode([String](), forKey: .weights)
        try c.encode(explain, forKey: .explain)
        try c.encode(request, forKey: .request)
        try c.encode("http", forKey: .protocolName)
        try c.encode(inbound.port, forKey: .port)
        try c.encode(inbound, forKey: .inbound)
    }

    func text() -> String { ([headline] + explain.map { "  " + $0 }).joined(separator: "\n") }
}
