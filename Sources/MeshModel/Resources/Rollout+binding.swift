/// The VirtualService routes a Rollout shifts, and where their two weights are written.
public struct RolloutRoute: Sendable {
    /// Index in `spec.http`.
    public var index: Int
    public var name: String?
    /// The route's node (`spec.http[i]`).
    public var node: Int32
    /// The destinations' host, as written.
    public var host: String
    /// Indexes in the route's `route` list.
    public var stable: Int
    public var canary: Int
    public var stableWeight: Located<Int>?
    public var canaryWeight: Located<Int>?
    /// The destination nodes, for pointing at a destination without a weight.
    public var stableNode: Int32
    public var canaryNode: Int32

    /// The canary's share in percent as the weights give it (relative, as Istio reads them; a
    /// missing weight is 0, and a lone destination with none takes everything): nil when both
    /// are zero.
    public var canaryPercent: Int? {
        let s = stableWeight?.value ?? 0
        let c = canaryWeight?.value ?? 0
        guard s + c > 0 else { return nil }
        return Int((Double(c) * 100 / Double(s + c)).rounded())
    }
}

/// Why a Rollout's routes cannot be found in its VirtualService.
public struct RolloutBindingProblem: Error, Sendable {
    public var message: String
    /// A node of the Rollout when it names the culprit, else of the VirtualService.
    public var node: Int32
    /// True when `node` is in the VirtualService's file.
    public var inVirtualService: Bool

    public init(message: String, node: Int32, inVirtualService: Bool) {
        self.message = message
        self.node = node
        self.inVirtualService = inVirtualService
    }
}

extension Rollout {
    /// The HTTP routes of `vs` this rollout shifts: the ones named in `routes`, or every route
    /// with a destination in the stable or canary subset. Each must hold exactly those two
    /// destinations, of one host.
    public func bind(_ vs: VirtualService) -> Result<[RolloutRoute], RolloutBindingProblem> {
        guard let stable = stableSubset?.value, let canary = canarySubset?.value else {
            return .failure(
                RolloutBindingProblem(
                    message: "the rollout names no stable and canary subsets", node: node, inVirtualService: false))
        }
        var chosen: [(Int, HTTPRoute)] = []
        if routes.isEmpty {
            chosen = vs.http.enumerated().filter { _, route in
                route.route.contains { [stable, canary].contains($0.destination?.subset?.value) }
            }.map { ($0.offset, $0.element) }
            if chosen.isEmpty {
                return .failure(
                    RolloutBindingProblem(
                        message:
                            "no HTTP route of VirtualService \(virtualService?.value ?? "?") sends traffic to subset \(stable) or \(canary)",
                        node: virtualService?.node ?? node, inVirtualService: false))
            }
        } else {
            for name in routes {
                guard let found = vs.http.enumerated().first(where: { $0.element.name == name.value }) else {
                    let names = vs.http.compactMap(\.name)
                    return .failure(
                        RolloutBindingProblem(
                            message: "VirtualService \(virtualService?.value ?? "?") has no HTTP route named `\(name.value)`"
                                + (names.isEmpty ? " (its routes have no names)" : " (it has \(names.joined(separator: ", ")))"),
                            node: name.node, inVirtualService: false))
                }
                chosen.append((found.offset, found.element))
            }
        }
        var bound: [RolloutRoute] = []
        for (index, route) in chosen {
            let label = route.name.map { "route `\($0)`" } ?? "spec.http[\(index)]"
            let subsets = route.route.map { $0.destination?.subset?.value }
            guard let s = subsets.firstIndex(of: stable), let c = subsets.firstIndex(of: canary) else {
                let missing = subsets.contains(stable) ? canary : stable
                return .failure(
                    RolloutBindingProblem(
                        message:
                            "\(label) has no destination in subset \(missing); a rollout shifts weight between destinations in \(stable) and \(canary)",
                        node: route.routeNode >= 0 ? route.routeNode : route.node, inVirtualService: true))
            }
            if route.route.count != 2 {
                return .failure(
                    RolloutBindingProblem(
                        message:
                            "\(label) has \(route.route.count) destinations; a rollout shifts a route with exactly two (subsets \(stable) and \(canary))",
                        node: route.routeNode >= 0 ? route.routeNode : route.node, inVirtualService: true))
            }
            let stableHost = route.route[s].destination?.host?.value ?? ""
            let canaryHost = route.route[c].destination?.host?.value ?? ""
            if stableHost != canaryHost {
                return .failure(
                    RolloutBindingProblem(
                        message:
                            "\(label) sends \(stable) to \(stableHost) and \(canary) to \(canaryHost); both subsets must be of one host",
                        node: route.route[c].node, inVirtualService: true))
            }
            bound.append(
                RolloutRoute(
                    index: index, name: route.name, node: route.node, host: stableHost, stable: s, canary: c,
                    stableWeight: route.route[s].weight, canaryWeight: route.route[c].weight, stableNode: route.route[s].node,
                    canaryNode: route.route[c].node))
        }
        return .success(bound)
    }
}
