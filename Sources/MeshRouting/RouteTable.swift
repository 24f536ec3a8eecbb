import MeshModel
import MeshRegex

/// The compiled, immutable routing configuration. `simulate` and the proxy both ask it to
/// `decide` where a request goes; it is built once from a validated rule set.
public final class RouteTable: @unchecked Sendable {
    /// The routes for one VirtualService host (or for a registered service without one).
    public final class VirtualHost: @unchecked Sendable {
        /// The host as written and resolved (`reviews.default.svc.cluster.local`, `*.example.com`).
        public let name: String
        /// Every name a request may use for it (Envoy's `domains`).
        public let domains: [String]
        public let virtualService: Resource?
        public let routes: [CompiledRoute]
        public let service: Registry.Service?
        /// The routes' match conditions, flattened: what `decide` and `explain` evaluate.
        let program: MatchProgram

        init(name: String, domains: [String], virtualService: Resource?, routes: [CompiledRoute], service: Registry.Service?) {
            self.name = name
            self.domains = domains
            self.virtualService = virtualService
            self.routes = routes
            self.service = service
            self.program = MatchProgram(routes)
        }

        /// `namespace/name` of the VirtualService, or nil for a service's default route.
        public var virtualServiceName: String? { virtualService.map { "\($0.namespace)/\($0.name)" } }
    }

    public let mesh: MeshConfig
    public let identity: ProxyIdentity
    public let registry: Registry
    public let virtualHosts: [VirtualHost]
    /// Every cluster a route can send to, by name.
    public let targets: [String: Target]
    /// The DestinationRule that applies to each host (FQDN).
    public let destinationRules: [String: Resource]
    /// Exact domain (lowercase, no port) → virtual host.
    let exactHosts: [String: VirtualHost]
    /// Wildcard domains (`*.example.com` stored as `.example.com`), most specific first.
    let wildcardHosts: [(suffix: String, host: VirtualHost)]
    let catchAllHost: VirtualHost?
    /// Notes from compiling (e.g. a host claimed by two VirtualServices).
    public let notes: [String]

    public init(
        resources: [Resource], mesh: MeshConfig = MeshConfig(), identity: ProxyIdentity = ProxyIdentity(),
        regexes: @escaping RegexProvider = { try RE2Regex($0) }
    ) {
        var compiler = RouteCompiler(resources: resources, mesh: mesh, identity: identity, regexes: regexes)
        let hosts = compiler.compile()
        self.mesh = mesh
        self.identity = identity
        self.registry = compiler.registry
        self.virtualHosts = hosts
        self.targets = compiler.targets
        self.destinationRules = compiler.destinationRules
        self.notes = compiler.notes
        var exact: [String: VirtualHost] = [:]
        var wildcard: [(String, VirtualHost)] = []
        var catchAll: VirtualHost?
        for host in hosts {
            for domain in host.domains {
                if domain == "*" {
                    if catchAll == nil { catchAll = host }
                } else if domain.hasPrefix("*") {
                    wildcard.append((String(domain.dropFirst()), host))
                } else if exact[domain] == nil {
                    exact[domain] = host
                }
            }
        }
        wildcard.sort { $0.0.count > $1.0.count }
        self.exactHosts = exact
        self.wildcardHosts = wildcard
        self.catchAllHost = catchAll
    }

    /// The virtual host serving `host` (lowercase, port stripped): exact, then the most
    /// specific wildcard. Constant time for exact names; wildcards are tried by suffix length.
    @inline(__always) public func virtualHost(for host: String) -> VirtualHost? {
        if let exact = exactHosts[host] { return exact }
        for (suffix, vh) in wildcardHosts where host.hasSuffix(suffix) && host.utf8.count > suffix.utf8.count { return vh }
        return catchAllHost
    }
}

/// Builds the route table: resolves hosts, destinations, subsets and policies once.
struct RouteCompiler {
    let resources: [Resource]
    let mesh: MeshConfig
    let identity: ProxyIdentity
    let regexes: RegexProvider
    let registry: Registry
    var targets: [String: Target] = [:]
    var notes: [String] = []
    /// DestinationRules by resolved host; the first one loaded wins, as Istio's oldest does.
    var destinationRules: [String: Resource] = [:]

    init(resources: [Resource], mesh: MeshConfig, identity: ProxyIdentity, regexes: @escaping RegexProvider) {
        self.resources = resources.effective
        self.mesh = mesh
        self.identity = identity
        self.regexes = regexes
        self.registry = Registry(resources: self.resources)
        for r in self.resources {
            guard let dr = r.destinationRule, let host = dr.host?.value else { continue }
            let fqdn = HostNames.fqdn(host, namespace: r.namespace)
            if destinationRules[fqdn] == nil { destinationRules[fqdn] = r }
        }
    }

    mutating func compile() -> [RouteTable.VirtualHost] {
        var hosts: [RouteTable.VirtualHost] = []
        var claimed: [String: String] = [:]
        for resource in resources {
            guard let vs = resource.virtualService, appliesToGateway(vs.gateways, namespace: resource.namespace) else { continue }
            let routes = vs.http.enumerated().map { compileRoute($1, index: $0, in: resource) }
            for host in vs.hosts {
                let fqdn = HostNames.fqdn(host.value, namespace: resource.namespace)
                if let owner = claimed[fqdn] {
                    notes.append("host \(fqdn) is claimed by both \(owner) and \(resource.reference); \(owner) is used")
                    continue
                }
                claimed[fqdn] = resource.reference
                let service = registry.service(fqdn)
                hosts.append(
                    RouteTable.VirtualHost(
                        name: fqdn, domains: HostNames.aliases(of: fqdn, proxyNamespace: identity.namespace),
                        virtualService: resource, routes: routes, service: service))
            }
        }
        // Registered services without a VirtualService get Istio's default route: all endpoints.
        guard identity.gateway == "mesh" else { return hosts }
        let services = (registry.services.values.sorted { $0.fqdn < $1.fqdn }) + registry.wildcardServices
        for service in services where claimed[service.fqdn] == nil {
            let port = service.ports.first?.number ?? 80
            let target = makeTarget(host: service.fqdn, subset: nil, port: port, weight: 100, namespace: service.namespace)
            let route = CompiledRoute(
                index: 0, name: "default", node: -1, matches: [],
                action: .route(targets: [target], cumulative: [100], total: 100),
                fault: nil, mirrors: [], timeout: nil, retries: defaultRetries(), rewrite: nil, headers: nil, corsPolicy: nil,
                source: nil)
            hosts.append(
                RouteTable.VirtualHost(
                    name: service.fqdn, domains: HostNames.aliases(of: service.fqdn, proxyNamespace: identity.namespace),
                    virtualService: nil, routes: [route], service: service))
        }
        return hosts
    }

    /// A VirtualService binds to the gateways it lists; none listed means the sidecars (`mesh`).
    func appliesToGateway(_ gateways: [Located<String>], namespace: String) -> Bool {
        if gateways.isEmpty { return identity.gateway == "mesh" }
        return gateways.contains { normalizeGateway($0.value, namespace: namespace) == identity.gateway }
    }

    func normalizeGateway(_ name: String, namespace: String) -> String {
        if name == "mesh" { return name }
        return name.contains("/") ? name : "\(namespace)/\(name)"
    }

    func defaultRetries() -> RetryPolicy {
        var policy = RetryPolicy.istioDefault
        if let retryOn = mesh.defaultRetryOn {
            policy = RetryPolicy(attempts: policy.attempts, perTryTimeout: nil, retryOn: retryOn, isDefault: true)
        }
        if let attempts = mesh.defaultRetryAttempts { policy.attempts = attempts }
        if let perTry = mesh.defaultPerTryTimeout { policy.perTryTimeout = perTry }
        return policy
    }

    mutating func compileRoute(_ r: HTTPRoute, index: Int, in resource: Resource) -> CompiledRoute {
        let ns = resource.namespace
        let matches = r.match.map { compileMatch($0, vs: resource) }
        let action: RouteAction
        if let redirect = r.redirect {
            action = .redirect(redirect)
        } else if let response = r.directResponse {
            action = .directResponse(status: response.status?.value ?? 200, body: response.bodyString ?? response.bodyBytes)
        } else if let delegate = r.delegate {
            action = .delegate("\(delegate.namespace ?? ns)/\(delegate.name ?? "")")
        } else {
            let single = r.route.count == 1
            var chosen: [Target] = []
            var cumulative: [Int] = []
            var total = 0
            for d in r.route {
                let weight = single ? max(d.weight?.value ?? 100, 1) : max(d.weight?.value ?? 0, 0)
                guard weight > 0, let destination = d.destination else { continue }
                let target = makeTarget(destination, weight: weight, namespace: ns)
                total += weight
                chosen.append(target)
                cumulative.append(total)
            }
            action = .route(targets: chosen, cumulative: cumulative, total: total)
        }
        var fault: CompiledFault?
        if let f = r.fault {
            var compiled = CompiledFault(abortStatus: nil, abortPercent: 0, delay: nil, delayPercent: 0)
            if let abort = f.abort {
                compiled.abortStatus = abort.httpStatus?.value
                compiled.abortPercent = abort.percentage?.value ?? 0
            }
            if let delay = f.delay {
                compiled.delay = delay.fixedDelay
                compiled.delayPercent = delay.percentage?.value ?? delay.percent.map { Double($0.value) } ?? 0
            }
            fault = compiled
        }
        var mirrors: [(Target, Double)] = []
        if let mirror = r.mirror {
            let percent = r.mirrorPercentage?.value ?? r.mirrorPercent.map { Double($0.value) } ?? 100
            mirrors.append((makeTarget(mirror, weight: 100, namespace: ns), percent))
        }
        for policy in r.mirrors {
            guard let destination = policy.destination else { continue }
            mirrors.append((makeTarget(destination, weight: 100, namespace: ns), policy.percentage?.value ?? 100))
        }
        // Istio starts from its default policy and overrides what the rule sets; attempts unset
        // or 0 disables retries.
        var retries = defaultRetries()
        if let set = r.retries {
            let base = defaultRetries()
            retries =
                set.retryOn.map {
                    RetryPolicy(
                        attempts: set.attempts?.value ?? 0, perTryTimeout: set.perTryTimeout, retryOn: $0.value, isDefault: false)
                }
                ?? RetryPolicy(
                    attempts: set.attempts?.value ?? 0, perTryTimeout: set.perTryTimeout, retryOn: base.retryOn,
                    retriableStatusCodes: base.retriableStatusCodes, isDefault: false)
        }
        let timeout = r.timeout.flatMap { $0.nanoseconds > 0 ? $0 : nil }
        return CompiledRoute(
            index: index, name: r.name, node: r.node, matches: matches, action: action, fault: fault,
            mirrors: mirrors.map { (target: $0.0, percent: $0.1) }, timeout: timeout, retries: retries, rewrite: r.rewrite,
            headers: r.headers, corsPolicy: r.corsPolicy, source: r)
    }

    func compileMatch(_ m: HTTPMatchRequest, vs: Resource) -> CompiledMatch {
        var conditions: [Condition] = []
        func matcher(_ field: StringMatchField) -> CompiledStringMatch { CompiledStringMatch(field.match, regexes: regexes) }
        if let uri = m.uri { conditions.append(Condition(.uri, matcher(uri), ignoreCase: m.ignoreUriCase)) }
        if let scheme = m.scheme { conditions.append(Condition(.scheme, matcher(scheme))) }
        if let method = m.method { conditions.append(Condition(.method, matcher(method))) }
        if let authority = m.authority { conditions.append(Condition(.authority, matcher(authority))) }
        for h in m.headers { conditions.append(Condition(.header, name: h.key.lowercased(), matcher(h.value))) }
        for h in m.withoutHeaders { conditions.append(Condition(.withoutHeader, name: h.key.lowercased(), matcher(h.value))) }
        for q in m.queryParams { conditions.append(Condition(.queryParam, name: q.key, matcher(q.value))) }
        if let port = m.port { conditions.append(Condition(.port, nil, port: port.value)) }
        var mismatch: String?
        let missing = m.sourceLabels.sorted { $0.key < $1.key }.filter { identity.labels[$0.key] != $0.value }
        if !missing.isEmpty {
            mismatch =
                "sourceLabels \(missing.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) do not match this proxy's labels"
        } else if let sourceNamespace = m.sourceNamespace, sourceNamespace != identity.namespace {
            mismatch = "sourceNamespace \(sourceNamespace) is not this proxy's namespace (\(identity.namespace))"
        } else if !m.gateways.isEmpty,
            !m.gateways.contains(where: { normalizeGateway($0.value, namespace: vs.namespace) == identity.gateway })
        {
            mismatch = "gateways \(m.gateways.map(\.value).joined(separator: ",")) do not include \(identity.gateway)"
        }
        return CompiledMatch(conditions: conditions, identityMismatch: mismatch, name: m.name, node: m.node)
    }

    mutating func makeTarget(_ d: Destination, weight: Int, namespace: String) -> Target {
        let fqdn = HostNames.fqdn(d.host?.value ?? "", namespace: namespace)
        return makeTarget(host: fqdn, subset: d.subset?.value, port: d.port?.number, weight: weight, namespace: namespace)
    }

    /// Resolves a destination against the registry and DestinationRules.
    mutating func makeTarget(host fqdn: String, subset: String?, port: Int?, weight: Int, namespace: String) -> Target {
        let service = registry.service(fqdn)
        let servicePort = service?.port(port) ?? service?.ports.first
        let portNumber = port ?? servicePort?.number ?? 80
        let rule = destinationRules[fqdn]
        let resolution = Registry.resolve(fqdn, service: service, subset: subset, rule: rule)
        var policy = rule?.destinationRule?.trafficPolicy
        if let subsetPolicy = resolution.definition?.trafficPolicy {
            policy = (policy ?? TrafficPolicy(node: -1)).overridden(by: subsetPolicy)
        }
        let (endpoints, failure) = (resolution.endpoints, resolution.failure)
        let target = Target(
            host: fqdn, subset: subset, port: portNumber, weight: weight, failure: failure, endpoints: endpoints,
            service: service,
            policy: policy, destinationRule: rule)
        if failure?.flag != "NC", targets[target.cluster] == nil { targets[target.cluster] = target }
        return target
    }
}
