import MeshModel
import MeshRegex

/// Builds the route table for one proxy: resolves hosts, visibility, destinations, subsets
/// and policies once, per listener port, as Istio's config generation does.
struct RouteCompiler {
    let resources: [Resource]
    let mesh: MeshConfig
    let identity: ProxyIdentity
    let compatibility: CompatibilityVersion?
    let regexes: RegexProvider
    let registry: Registry
    let scope: ProxyScope
    /// The gateway names this proxy answers to (`mesh` for a sidecar; a gateway's
    /// `namespace/name` and every other Gateway selecting the same workload).
    let gatewayNames: Set<String>
    /// The Gateways that apply (a gateway proxy).
    let gateways: [Resource]
    /// The workload's labels, for `sourceLabels`: the identity's, and at a gateway also the
    /// named Gateway's selector (its workload has those labels).
    let workloadLabels: [String: String]

    var targets: [String: Target] = [:]
    var allTargets: [Target] = []
    var destinationRuleByHost: [String: Resource] = [:]
    var routeConfigurations: [RouteTable.RouteConfiguration] = []
    var tcpListeners: [TCPListener] = []
    var gatewayServers: [GatewayServer] = []
    var discarded: [RouteTable.Discarded] = []
    var notes: [String] = []

    init(
        resources: [Resource], mesh: MeshConfig, identity: ProxyIdentity, compatibility: CompatibilityVersion?,
        regexes: @escaping RegexProvider
    ) {
        self.resources = resources
        self.mesh = mesh
        self.identity = identity
        self.compatibility = compatibility
        self.regexes = regexes
        self.registry = Registry(resources: resources, mesh: mesh)
        if identity.gateway == "mesh" {
            gateways = []
            gatewayNames = ["mesh"]
            workloadLabels = identity.labels
        } else {
            gateways = Self.applyingGateways(identity, resources)
            gatewayNames = Set(gateways.map { "\($0.namespace)/\($0.name)" } + [identity.gateway])
            let named = gateways.first { "\($0.namespace)/\($0.name)" == identity.gateway }
            workloadLabels = identity.labels.merging(named?.gateway?.selector ?? [:]) { given, _ in given }
        }
        self.scope = ProxyScope(resources: resources, registry: registry, mesh: mesh, identity: identity, gateways: gatewayNames)
    }

    /// The named Gateway and every Gateway whose selector the same workload satisfies: all
    /// their servers apply, as Istio merges them.
    static func applyingGateways(_ identity: ProxyIdentity, _ resources: [Resource]) -> [Resource] {
        let all = Precedence.sorted(resources.filter { $0.gateway != nil })
        guard let named = all.first(where: { "\($0.namespace)/\($0.name)" == identity.gateway }) else { return [] }
        let workload = named.gateway!.selector.merging(identity.labels) { a, _ in a }
        return all.filter { r in
            if r === named { return true }
            let selector = r.gateway!.selector
            return !selector.isEmpty && selector.allSatisfy { workload[$0.key] == $0.value }
        }
    }

    mutating func compile() {
        if identity.gateway == "mesh" {
            compileSidecar()
        } else {
            compileGateway()
        }
    }

    // MARK: - Rules

    /// Istio's default retry policy, or the mesh config's `defaultHttpRetryPolicy`.
    func defaultRetries() -> RetryPolicy {
        var policy = RetryPolicy.istioDefault(compatibility: compatibility)
        if let retryOn = mesh.defaultRetryOn {
            policy = RetryPolicy(attempts: policy.attempts, perTryTimeout: nil, retryOn: retryOn, isDefault: true)
        }
        if let attempts = mesh.defaultRetryAttempts { policy.attempts = attempts }
        if let perTry = mesh.defaultPerTryTimeout { policy.perTryTimeout = perTry }
        return policy
    }

    /// A VirtualService's `http` rules for one listener port: match entries another port or
    /// another workload would use are dropped (with the reason kept for explanations).
    /// Returns nil when nothing is left, so the VirtualService does not apply on this port.
    mutating func compileRoutes(_ resource: Resource, port: Int) -> [CompiledRoute]? {
        guard let vs = resource.virtualService else { return nil }
        var routes: [CompiledRoute] = []
        var kept = false
        var reasons: [String] = []
        for (i, http) in vs.http.enumerated() {
            let route = compileRoute(http, index: i, in: resource, port: port)
            route.virtualService = resource
            routes.append(route)
            if route.isDropped {
                reasons.append(
                    "rule \(i): \(route.matches.compactMap(\.dropReason).uniqued().joined(separator: "; "))")
            } else {
                kept = true
            }
        }
        guard kept else {
            let why = vs.http.isEmpty ? "it has no http rules" : "every rule was dropped (\(reasons.joined(separator: "; ")))"
            discarded.append(.init(virtualService: resource, port: port, reason: why))
            return nil
        }
        return routes
    }

    /// A registered service's route when no VirtualService claims it: all its endpoints.
    mutating func defaultRoute(_ service: Registry.Service, port: Int) -> CompiledRoute {
        let target = makeTarget(host: service.fqdn, subset: nil, port: nil, listenPort: port, weight: 100)
        return CompiledRoute(
            index: 0, name: "default", node: -1, matches: [], action: .route(targets: [target], cumulative: [100], total: 100),
            fault: nil, mirrors: [], timeout: nil, retries: defaultRetries(), rewrite: nil, headers: nil, corsPolicy: nil,
            source: nil)
    }

    mutating func compileRoute(_ r: HTTPRoute, index: Int, in resource: Resource, port: Int) -> CompiledRoute {
        let matches = r.match.map { compileMatch($0, vs: resource, port: port) }
        let action: RouteAction
        var destinationHeaders: [Headers?] = []
        if let redirect = r.redirect {
            action = .redirect(redirect)
        } else if let response = r.directResponse {
            action = .directResponse(status: response.status?.value ?? 200, body: response.bodyString ?? response.bodyBytes)
        } else if let delegate = r.delegate {
            action = .delegate("\(delegate.namespace ?? resource.namespace)/\(delegate.name ?? "")")
        } else {
            let single = r.route.count == 1
            var chosen: [Target] = []
            var cumulative: [Int] = []
            var total = 0
            for d in r.route {
                let weight = single ? max(d.weight?.value ?? 100, 1) : max(d.weight?.value ?? 0, 0)
                guard weight > 0, let destination = d.destination else { continue }
                let target = makeTarget(destination, listenPort: port, weight: weight, namespace: resource.namespace)
                total += weight
                chosen.append(target)
                destinationHeaders.append(d.headers)
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
        // An explicit 0% mirrors nothing: Istio leaves the policy out.
        if let mirror = r.mirror {
            let percent = r.mirrorPercentage?.value ?? r.mirrorPercent.map { Double($0.value) } ?? 100
            if percent > 0 || (r.mirrorPercentage == nil && r.mirrorPercent == nil) {
                mirrors.append((makeTarget(mirror, listenPort: port, weight: 100, namespace: resource.namespace), percent))
            }
        }
        for policy in r.mirrors {
            guard let destination = policy.destination else { continue }
            let percent = policy.percentage?.value ?? 100
            guard percent > 0 || policy.percentage == nil else { continue }
            mirrors.append((makeTarget(destination, listenPort: port, weight: 100, namespace: resource.namespace), percent))
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
            headers: r.headers, corsPolicy: r.corsPolicy, source: r, destinationHeaders: destinationHeaders)
    }

    func compileMatch(_ m: HTTPMatchRequest, vs: Resource, port: Int) -> CompiledMatch {
        var conditions: [Condition] = []
        func matcher(_ field: StringMatchField) -> CompiledStringMatch { CompiledStringMatch(field.match, regexes: regexes) }
        // `regex: "*"` on a header or query parameter means "present" (Istio's translation).
        func presence(_ field: StringMatchField) -> CompiledStringMatch {
            if case .regex("*") = field.match { return CompiledStringMatch(.present, regexes: regexes) }
            return matcher(field)
        }
        if let uri = m.uri { conditions.append(Condition(.uri, matcher(uri), ignoreCase: m.ignoreUriCase)) }
        if let scheme = m.scheme { conditions.append(Condition(.scheme, presence(scheme))) }
        if let method = m.method { conditions.append(Condition(.method, presence(method))) }
        if let authority = m.authority { conditions.append(Condition(.authority, presence(authority))) }
        for h in m.headers { conditions.append(Condition(.header, name: h.key.lowercased(), presence(h.value))) }
        for h in m.withoutHeaders { conditions.append(Condition(.withoutHeader, name: h.key.lowercased(), presence(h.value))) }
        for q in m.queryParams { conditions.append(Condition(.queryParam, name: q.key, presence(q.value))) }
        // Ports select the listener: last, so they never shift the indexes of the others.
        if let matchPort = m.port { conditions.append(Condition(.port, nil, port: matchPort.value)) }
        return CompiledMatch(
            conditions: conditions, dropReason: dropReason(m, vs: vs, port: port), name: m.name, node: m.node)
    }

    /// Why Istio leaves a match entry out of this proxy's routes on `port`, or nil.
    func dropReason(_ m: HTTPMatchRequest, vs: Resource, port: Int) -> String? {
        if let matchPort = m.port?.value, matchPort != 0, matchPort != port {
            return "match.port \(matchPort) is not this listener's port \(port)"
        }
        return sourceMismatch(
            sourceLabels: m.sourceLabels, sourceNamespace: m.sourceNamespace, gateways: m.gateways.map(\.value), vs: vs)
    }

    /// Istio's `sourceMatchHTTP`: a match with `gateways` applies to those gateways (its source
    /// conditions are then not looked at); otherwise its `sourceLabels` must be among the
    /// proxy's labels and its `sourceNamespace` the proxy's namespace.
    func sourceMismatch(sourceLabels: [String: String], sourceNamespace: String?, gateways: [String], vs: Resource) -> String? {
        if !gateways.isEmpty {
            let names = gateways.map { ProxyScope.gatewayName($0, namespace: vs.namespace) }
            if names.contains(where: gatewayNames.contains) { return nil }
            return "gateways \(gateways.joined(separator: ",")) do not include \(identity.gateway)"
        }
        let missing = sourceLabels.sorted { $0.key < $1.key }.filter { workloadLabels[$0.key] != $0.value }
        if !missing.isEmpty {
            return
                "sourceLabels \(missing.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) do not match this proxy's labels"
        }
        if let sourceNamespace, !sourceNamespace.isEmpty, sourceNamespace != identity.namespace {
            return "sourceNamespace \(sourceNamespace) is not this proxy's namespace (\(identity.namespace))"
        }
        return nil
    }

    // MARK: - Destinations

    mutating func makeTarget(_ d: Destination, listenPort: Int, weight: Int, namespace: String) -> Target {
        let fqdn = HostNames.fqdn(d.host?.value ?? "", namespace: namespace)
        return makeTarget(host: fqdn, subset: d.subset?.value, port: d.port?.number, listenPort: listenPort, weight: weight)
    }

    /// Resolves a destination against what the proxy sees, as Istio's `GetDestinationCluster`:
    /// the destination's port, else the port of the service it names if that has only one,
    /// else the listener's port. A sidecar looks the service up among the services on the
    /// listener's port (so a destination without port always gets the listener's port); a
    /// gateway among all. An alias (`ExternalName` Service) resolves to the service it names.
    mutating func makeTarget(
        host requested: String, subset: String?, port: Int?, listenPort: Int, weight: Int, singlePortRule: Bool? = nil
    ) -> Target {
        var fqdn = requested
        var service = scope.service(requested)
        var alias: String?
        if let concrete = service?.aliasOf {
            alias = requested
            fqdn = concrete
            service = scope.service(concrete)
        }
        let portNumber: Int
        let portReason: String
        let named = scope.service(requested)
        if let port {
            portNumber = port
            portReason = "destination port \(port)"
        } else if !(singlePortRule ?? (identity.gateway != "mesh")) {
            portNumber = listenPort
            if let named, named.ports.count > 1 {
                portReason =
                    "\(named.fqdn) has ports \(named.portList); the destination has no port, so the request's port \(listenPort) is used"
            } else {
                portReason = "the destination has no port, so the request's port \(listenPort) is used"
            }
        } else if let named, named.ports.count == 1 {
            portNumber = named.ports[0].number
            portReason = "\(named.fqdn) has only port \(portNumber)"
        } else {
            portNumber = listenPort
            portReason =
                named.map {
                    "\($0.fqdn) has ports \($0.portList); the destination has no port, so the listener's port \(listenPort) is used"
                }
                ?? "the destination has no port, so the listener's port \(listenPort) is used"
        }
        let merged = scope.destinationRule(for: fqdn, serviceNamespace: service?.namespace)
        var policy = RouteTable.clusterPolicy(merged, subset: nil, port: portNumber)
        var endpoints = service?.endpoints ?? []
        var failure: (Int, String, String)?
        if service == nil, let why = scope.hidden[fqdn] {
            // A host the registry defines but this proxy cannot see: it has no cluster for it.
            failure = (503, "NC", "\(fqdn) is not visible to this proxy (\(why)), so it has no cluster for it")
        } else if let service, !service.ports.isEmpty, !service.ports.contains(where: { $0.number == portNumber }) {
            failure = (
                503, "NC",
                "\(service.fqdn) has no port \(portNumber) (its ports: \(service.portList)), so there is no cluster \(Target.clusterName(port: portNumber, subset: subset, host: fqdn))"
            )
        }
        let resolution = Registry.resolve(
            fqdn, service: service, subset: subset, subsets: merged?.subsets,
            ruleName: merged.map { "\($0.resource.namespace)/\($0.resource.name)" },
            noRule: "no DestinationRule for \(fqdn) is visible to this proxy")
        endpoints = resolution.endpoints
        if let definition = resolution.definition {
            policy = RouteTable.clusterPolicy(merged, subset: definition, port: portNumber)
        }
        if failure == nil, let problem = resolution.failure { failure = (problem.status, problem.flag, problem.reason) }
        if let merged { destinationRuleByHost[fqdn] = merged.resource }
        let target = Target(
            host: fqdn, subset: subset, port: portNumber, weight: weight, failure: failure, endpoints: endpoints,
            service: service, policy: policy, destinationRule: merged?.resource, portReason: portReason, alias: alias)
        allTargets.append(target)
        if failure?.1 != "NC", targets[target.cluster] == nil { targets[target.cluster] = target }
        return target
    }

    /// A traffic policy with its `portLevelSettings` for `port` applied (whole top-level
    /// fields replaced, as Istio merges them).
    static func applyPortLevel(_ policy: TrafficPolicy, port: Int) -> TrafficPolicy {
        guard let settings = policy.portLevelSettings.first(where: { $0.port?.number == port }) else {
            var plain = policy
            plain.portLevelSettings = []
            return plain
        }
        var portPolicy = TrafficPolicy(node: settings.node)
        portPolicy.loadBalancer = settings.loadBalancer
        portPolicy.connectionPool = settings.connectionPool
        portPolicy.outlierDetection = settings.outlierDetection
        portPolicy.tls = settings.tls
        var merged = policy.overridden(by: portPolicy)
        merged.portLevelSettings = []
        return merged
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
