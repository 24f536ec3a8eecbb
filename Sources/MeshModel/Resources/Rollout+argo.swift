/// Argo Rollouts' `argoproj.io/v1alpha1` Rollout, read for what meshctl carries out: the canary
/// strategy's `setWeight` and `pause` steps over Istio subset-level traffic routing
/// (`trafficRouting.istio.virtualService` and `destinationRule`). Everything else it can say is
/// reported by name as not applied (MESH0204), never dropped quietly.
extension Rollout {
    static let argoSpecFields = [
        "replicas", "selector", "template", "workloadRef", "minReadySeconds", "revisionHistoryLimit", "paused",
        "progressDeadlineSeconds", "progressDeadlineAbort", "restartAt", "rollbackWindow", "analysis", "strategy",
    ]
    static let argoCanaryFields = [
        "steps", "trafficRouting", "canaryService", "stableService", "analysis", "maxSurge", "maxUnavailable",
        "antiAffinity", "canaryMetadata", "stableMetadata", "scaleDownDelaySeconds", "scaleDownDelayRevisionLimit",
        "abortScaleDownDelaySeconds", "dynamicStableScale", "pingPong", "minPodsPerReplicaSet", "replicaProgressThreshold",
    ]
    static let argoTrafficRoutingFields = [
        "istio", "nginx", "alb", "smi", "ambassador", "appMesh", "traefik", "apisix", "plugins", "managedRoutes",
        "maxTrafficWeight",
    ]
    static let argoStepFields = [
        "setWeight", "pause", "setCanaryScale", "analysis", "experiment", "setHeaderRoute", "setMirrorRoute", "plugin",
    ]

    /// Why an Argo field is not carried out, in a few words.
    static func argoReason(_ field: String) -> String {
        switch field {
        case "replicas", "selector", "template", "workloadRef", "minReadySeconds", "revisionHistoryLimit", "maxSurge",
            "maxUnavailable", "antiAffinity", "canaryMetadata", "stableMetadata", "scaleDownDelaySeconds",
            "scaleDownDelayRevisionLimit", "abortScaleDownDelaySeconds", "dynamicStableScale", "minPodsPerReplicaSet",
            "replicaProgressThreshold", "setCanaryScale", "restartAt", "progressDeadlineSeconds", "progressDeadlineAbort",
            "rollbackWindow", "paused":
            "meshctl shifts traffic between the subsets' existing endpoints; it does not run or scale pods"
        case "analysis", "experiment":
            "meshctl does not run Argo analysis templates or experiments; gate the steps with a meshctl.dev Rollout's analysis"
        case "canaryService", "stableService", "pingPong":
            "meshctl routes by subset (trafficRouting.istio.destinationRule), not by service"
        case "setHeaderRoute", "setMirrorRoute", "managedRoutes":
            "meshctl shifts weights only; header and mirror routes are not created"
        default:
            "meshctl carries out Istio subset-level traffic routing only"
        }
    }

    /// Decodes an Argo Rollout's spec.
    public static func decodeArgo(_ n: Node) -> Rollout {
        var rollout = Rollout(node: n.index, origin: .argo)
        var strategyFound = false
        n.fields(argoSpecFields) { name, v in
            switch name {
            case "strategy":
                strategyFound = true
                v.fields(["canary", "blueGreen"]) { kind, s in
                    switch kind {
                    case "canary": decodeArgoCanary(s, into: &rollout)
                    case "blueGreen":
                        s.ctx.reportAtKey(
                            .schemaError, "\(s.path): meshctl carries out the canary strategy only, not blueGreen",
                            value: s.index)
                    default: return false
                    }
                    return true
                }
            case let field where argoSpecFields.contains(field):
                v.notApplied(field)
            default: return false
            }
            return true
        }
        if !strategyFound {
            n.ctx.report(
                .schemaError,
                "an Argo Rollout needs strategy.canary with trafficRouting.istio (virtualService and destinationRule) for meshctl to carry it out",
                at: n.index)
        }
        return rollout
    }

    static func decodeArgoCanary(_ n: Node, into rollout: inout Rollout) {
        var routed = false
        n.fields(argoCanaryFields) { name, v in
            switch name {
            case "steps": (rollout.steps, rollout.stepsNode) = (v.list(argoStep), v.index)
            case "trafficRouting":
                v.fields(argoTrafficRoutingFields) { provider, p in
                    switch provider {
                    case "istio":
                        routed = true
                        decodeArgoIstio(p, into: &rollout)
                    case let other where argoTrafficRoutingFields.contains(other): p.notApplied(other)
                    default: return false
                    }
                    return true
                }
            case let field where argoCanaryFields.contains(field): v.notApplied(field)
            default: return false
            }
            return true
        }
        if !routed {
            n.ctx.report(
                .schemaError,
                "\(n.path) has no trafficRouting.istio; meshctl carries out Istio subset-level traffic routing only",
                at: n.index)
        }
    }

    static func decodeArgoIstio(_ n: Node, into rollout: inout Rollout) {
        var hasDestinationRule = false
        n.fields(["virtualService", "virtualServices", "destinationRule"]) { name, v in
            switch name {
            case "virtualService": argoVirtualService(v, into: &rollout)
            case "virtualServices":
                let items = v.list { $0 }
                if items.count > 1 {
                    v.ctx.report(
                        .schemaError, "\(v.path) lists \(items.count) VirtualServices; meshctl shifts the weights of one",
                        at: v.index)
                }
                if let first = items.first { argoVirtualService(first, into: &rollout) }
            case "destinationRule":
                hasDestinationRule = true
                v.fields(["name", "canarySubsetName", "stableSubsetName"]) { field, f in
                    switch field {
                    case "name": _ = f.string()
                    case "canarySubsetName": rollout.canarySubset = f.located { $0.string() }
                    case "stableSubsetName": rollout.stableSubset = f.located { $0.string() }
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        if !hasDestinationRule {
            n.ctx.report(
                .schemaError,
                "\(n.path) has no destinationRule; meshctl carries out subset-level routing (canarySubsetName, stableSubsetName) only",
                at: n.index)
        }
    }

    static func argoVirtualService(_ n: Node, into rollout: inout Rollout) {
        n.fields(["name", "routes", "tlsRoutes", "tcpRoutes"]) { name, v in
            switch name {
            case "name": rollout.virtualService = v.located { $0.string() }
            case "routes": rollout.routes = v.list { $0.located { $0.string() } }
            case "tlsRoutes", "tcpRoutes": v.notApplied(name)
            default: return false
            }
            return true
        }
    }

    static func argoStep(_ n: Node) -> Step? {
        var found: [Step] = []
        n.fields(argoStepFields) { name, v in
            switch name {
            case "setWeight": if let w = v.located({ $0.int() }) { found.append(.setWeight(w)) }
            case "pause": found.append(.pause(duration: v.pauseDuration(seconds: true), node: v.index))
            case let other where argoStepFields.contains(other): v.notApplied(other)
            default: return false
            }
            return true
        }
        // A step meshctl does not carry out was reported; it is left out of the plan.
        if found.isEmpty, n.raw.kind == .mapping, n.raw.count > 0 { return nil }
        return n.oneStep(found)
    }
}

extension Node {
    /// Reports an Argo field meshctl reads but does not carry out.
    func notApplied(_ field: String) {
        ctx.reportAtKey(
            .rolloutFieldNotApplied, "\(path) is not applied: \(Rollout.argoReason(field))", value: index)
    }
}
