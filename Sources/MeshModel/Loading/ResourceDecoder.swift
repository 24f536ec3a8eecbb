import MeshYAML

/// Turns the documents of one YAML file into typed resources, reporting what does not fit.
public enum ResourceDecoder {
    /// Istio networking API versions meshctl reads.
    public static let networkingVersions: Set<String> = [
        "networking.istio.io/v1alpha3", "networking.istio.io/v1beta1", "networking.istio.io/v1",
    ]
    static let networkingKinds = ["VirtualService", "DestinationRule", "ServiceEntry", "Gateway", "WorkloadEntry", "Sidecar"]
    /// `security.istio.io` versions meshctl reads.
    public static let securityVersions: Set<String> = ["security.istio.io/v1", "security.istio.io/v1beta1"]
    static let securityKinds = ["PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"]
    static let topLevelFields = ["apiVersion", "kind", "metadata", "spec", "status"]
    static let metadataFields = [
        "name", "generateName", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers",
        "managedFields", "selfLink", "clusterName",
    ]

    /// Decodes every document; findings go to `ctx`.
    public static func decode(_ ctx: DecodeContext) -> [Resource] {
        var resources: [Resource] = []
        resources.reserveCapacity(ctx.file.documents.count)
        decode(ctx) { resources.append($0) }
        return resources
    }

    /// Decodes the documents one at a time, handing each resource to `body` as it is made, so a
    /// caller that does not keep them (validate) never holds the whole typed model at once.
    public static func decode(_ ctx: DecodeContext, _ body: (Resource) -> Void) {
        let file = ctx.file
        for root in file.documents {
            // `kubectl get ... -o yaml` prints a v1 List: its items are the documents.
            if let items = listItems(file, root), !file.containsDuplicateKey(root, outside: items) {
                for item in file.children(items) where !file.containsDuplicateKey(item) {
                    ctx.resource = nil
                    ctx.root = item
                    if let resource = decodeDocument(ctx.node(item)) { body(resource) }
                }
                ctx.root = -1
                continue
            }
            // A document with a repeated key is ambiguous (which value counts?): its duplicate
            // is reported by the loader, and the other documents are still checked.
            if file.containsDuplicateKey(root) { continue }
            ctx.resource = nil
            if let resource = decodeDocument(ctx.node(root)) { body(resource) }
        }
        ctx.resource = nil
    }

    /// The `items` sequence of a `v1 List` (or `*List`) document, or nil.
    static func listItems(_ file: YAMLFile, _ root: Int32) -> Int32? {
        guard file[root].kind == .mapping, let kind = file.value("kind", in: root), file[kind].kind == .scalar,
            file.string(kind) == "List" || file.string(kind).hasSuffix("List"),
            let items = file.value("items", in: root), file[items].kind == .sequence || file.isNull(items)
        else { return nil }
        return file[items].kind == .sequence ? items : nil
    }

    static func decodeDocument(_ doc: Node) -> Resource? {
        let ctx = doc.ctx
        let file = ctx.file
        guard file[doc.index].kind == .mapping else {
            ctx.report(
                .notAResource, "document is not a mapping; expected a resource with apiVersion, kind and metadata", at: doc.index)
            return nil
        }
        // Read the envelope first so that findings in the spec name the resource.
        var apiVersion: String?
        var kind: String?
        var kindNode = doc.index
        var apiVersionNode: Int32?
        var metadataNode: Int32?
        var specNode: Int32?
        for (key, value) in file.pairs(doc.index) {
            switch file.string(key) {
            case "apiVersion":
                apiVersion = file[value].kind == .scalar ? file.string(value) : nil
                apiVersionNode = value
            case "kind":
                kind = file[value].kind == .scalar ? file.string(value) : nil
                kindNode = value
            case "metadata": metadataNode = value
            case "spec": specNode = value
            default: break
            }
        }
        guard let kind, !kind.isEmpty else {
            if kindNode != doc.index, file[kindNode].kind != .scalar {
                ctx.node(kindNode).typeError("a string such as VirtualService", code: .notAResource)
            } else {
                ctx.report(.notAResource, "document has no `kind`; every resource needs apiVersion and kind", at: doc.index)
            }
            return nil
        }
        guard let apiVersion, !apiVersion.isEmpty else {
            if let apiVersionNode, file[apiVersionNode].kind != .scalar {
                ctx.node(apiVersionNode).typeError("a string such as networking.istio.io/v1", code: .notAResource)
            } else {
                ctx.report(.notAResource, "\(kind) has no `apiVersion`", at: kindNode)
            }
            return nil
        }
        guard let family = family(apiVersion: apiVersion, kind: kind) else {
            ctx.report(
                .unsupportedKind, "unsupported kind `\(kind)` (\(apiVersion)); meshctl does not model it and skips it",
                at: kindNode)
            return nil
        }

        if file.longestScalar > maxNameLength {
            // A ConfigMap's data is free text (a `hosts` file, say): only its metadata holds names.
            let scope: Int32? = if case .kubernetes(.configMap) = family { metadataNode } else { doc.index }
            if let scope, reportOversizedName(in: scope, ctx: ctx, kind: kind, metadata: metadataNode) { return nil }
        }

        var name = ""
        var nameNode = doc.index
        // Set when metadata.name was written but did not decode (already reported).
        var nameReported = false
        var namespace: String?
        var labels: [String: String] = [:]
        var annotations: [String: String] = [:]
        if let metadataNode {
            ctx.node(metadataNode).fields(metadataFields) { field, v in
                switch field {
                case "name":
                    let decoded = v.string()
                    (name, nameNode, nameReported) = (decoded ?? "", v.index, decoded == nil)
                case "namespace": namespace = v.string()
                case "labels": labels = v.stringMap()
                case "annotations": annotations = v.stringMap()
                case let other where metadataFields.contains(other): break
                default: return false
                }
                return true
            }
        }
        ctx.resource = "\(kind) \(namespace ?? "default")/\(name.isEmpty ? "<unnamed>" : name)"
        guard !name.isEmpty else {
            let metadataReported = metadataNode.map { file[$0].kind != .mapping && !file.isNull($0) } ?? false
            if !nameReported && !metadataReported {
                ctx.report(.notAResource, "\(kind) has no metadata.name", at: metadataNode ?? kindNode)
            }
            return nil
        }
        switch family {
        case .networking, .security, .rollout: doc.fields(topLevelFields) { field, _ in topLevelFields.contains(field) }
        case .kubernetes: break
        }

        let spec: Resource.Spec
        switch family {
        case .networking:
            guard let specNode else {
                ctx.report(.schemaError, "\(kind) has no `spec`", at: kindNode)
                return nil
            }
            let s = ctx.node(specNode)
            switch kind {
            case "VirtualService": spec = .virtualService(.decode(s))
            case "DestinationRule": spec = .destinationRule(.decode(s))
            case "ServiceEntry": spec = .serviceEntry(.decode(s))
            case "Gateway": spec = .gateway(.decode(s))
            case "Sidecar": spec = .sidecar(.decode(s))
            case "EnvoyFilter": spec = .envoyFilter(.decode(s))
            default: spec = .workloadEntry(WorkloadEntrySpec.decode(s) ?? WorkloadEntrySpec(node: specNode))
            }
        case .rollout(let origin):
            guard let specNode else {
                ctx.report(.schemaError, "\(kind) has no `spec`", at: kindNode)
                return nil
            }
            spec = .rollout(origin == .argo ? .decodeArgo(ctx.node(specNode)) : .decode(ctx.node(specNode)))
        case .security:
            // `spec: {}` (or no spec) is meaningful here: an AuthorizationPolicy that allows nothing.
            let s = specNode.map(ctx.node)
            switch kind {
            case "PeerAuthentication": spec = .peerAuthentication(s.map(PeerAuthentication.decode) ?? .init(node: doc.index))
            case "AuthorizationPolicy":
                spec = .authorizationPolicy(s.map(AuthorizationPolicy.decode) ?? .init(node: doc.index))
            default: spec = .requestAuthentication(s.map(RequestAuthentication.decode) ?? .init(node: doc.index))
            }
        case .kubernetes(let k8sKind):
            spec = .kubernetes(KubernetesObject.decode(k8sKind, spec: specNode.map(ctx.node), root: doc.index, ctx: ctx))
        }
        return Resource(
            apiVersion: apiVersion, kind: kind, name: name, namespace: namespace ?? "default", labels: labels,
            annotations: annotations, file: file, node: doc.index, nameNode: nameNode, spec: spec)
    }

    /// Bytes in the longest name, namespace, host or label value meshctl reads: well above what
    /// Kubernetes (253 for a name, 63 for a label value) and DNS (253) allow, so only a broken or
    /// hostile file reaches it, and a megabyte "host" is refused once rather than copied into
    /// every route, index and message that names it.
    public static let maxNameLength = 1024
    /// Fields whose values are names or hosts (or lists of them).
    static let nameFields: Set<String> = [
        "name", "namespace", "generateName", "host", "hosts", "gateways", "subset", "exportTo", "sourceNamespace",
        "authority", "sni", "address", "addresses", "bind",
    ]
    /// Fields holding label maps, whose values are label values.
    static let labelFields: Set<String> = ["labels", "matchLabels", "sourceLabels", "selector"]

    /// Reports the first name, host or label value over `maxNameLength` in the subtree at
    /// `scope`, if any.
    static func reportOversizedName(in scope: Int32, ctx: DecodeContext, kind: String, metadata: Int32?) -> Bool {
        let file = ctx.file
        for index in scope..<file[scope].end {
            let node = file[index]
            guard node.kind == .scalar, Int(node.valueLength) > maxNameLength, holdsName(index, in: file) else { continue }
            func shortText(_ key: StaticString) -> String? {
                guard let metadata, let value = file.value(key, in: metadata), file[value].kind == .scalar else { return nil }
                return file[value].valueLength > maxNameLength ? nil : file.string(value)
            }
            ctx.resource = "\(kind) \(shortText("namespace") ?? "default")/\(shortText("name") ?? "<unnamed>")"
            ctx.report(
                .schemaError,
                "\(file.path(to: index, from: ctx.root)) is \(node.valueLength) bytes long; meshctl reads names, hosts and "
                    + "labels of at most \(maxNameLength) bytes (Kubernetes and DNS allow 253)", at: index)
            return true
        }
        return false
    }

    /// True for a scalar that is the value of a name or host field, an item of a list of them,
    /// or a label value.
    static func holdsName(_ index: Int32, in file: YAMLFile) -> Bool {
        let parent = file[index].parent
        guard parent >= 0 else { return false }
        switch file[parent].kind {
        case .mapping:
            guard let key = file.key(ofValue: index) else { return false }
            if nameFields.contains(file.string(key)) { return true }
            guard let owner = file.key(ofValue: parent) else { return false }
            return labelFields.contains(file.string(owner))
        case .sequence:
            guard let key = file.key(ofValue: parent) else { return false }
            return nameFields.contains(file.string(key))
        case .scalar:
            return false
        }
    }

    enum Family {
        case networking
        case security
        case kubernetes(KubernetesObject.Kind)
        case rollout(Rollout.Origin)
    }

    static func family(apiVersion: String, kind: String) -> Family? {
        if networkingVersions.contains(apiVersion), networkingKinds.contains(kind) { return .networking }
        // Istio serves EnvoyFilter in v1alpha3 only.
        if apiVersion == "networking.istio.io/v1alpha3", kind == "EnvoyFilter" { return .networking }
        if securityVersions.contains(apiVersion), securityKinds.contains(kind) { return .security }
        switch (apiVersion, kind) {
        case (Rollout.meshctlAPIVersion, "Rollout"): return .rollout(.meshctl)
        case (Rollout.argoAPIVersion, "Rollout"): return .rollout(.argo)
        case ("v1", "Service"): return .kubernetes(.service)
        case ("v1", "Pod"): return .kubernetes(.pod)
        case ("v1", "Namespace"): return .kubernetes(.namespace)
        case ("v1", "ConfigMap"): return .kubernetes(.configMap)
        case ("apps/v1", "Deployment"): return .kubernetes(.deployment)
        case ("apps/v1", "StatefulSet"): return .kubernetes(.statefulSet)
        case ("apps/v1", "DaemonSet"): return .kubernetes(.daemonSet)
        case ("apps/v1", "ReplicaSet"): return .kubernetes(.replicaSet)
        case ("v1", "Secret"): return .kubernetes(.secret)
        case ("v1", "Node"): return .kubernetes(.node)
        default: return nil
        }
    }
}

extension KubernetesObject {
    /// Reads only what the registry needs (selectors, ports, pod labels); the rest of a
    /// Kubernetes object is the API server's to check, so it is accepted quietly.
    static func decode(_ kind: Kind, spec: Node?, root: Int32, ctx: DecodeContext) -> KubernetesObject {
        var object = KubernetesObject(kind: kind, node: root)
        let file = ctx.file
        switch kind {
        case .namespace, .node:
            break
        case .configMap:
            // Istio's mesh config lives in the `istio` ConfigMap under data.mesh: check it.
            if let data = file.value("data", in: root), let mesh = file.value("mesh", in: data), file[mesh].kind == .scalar {
                let (_, problems) = MeshConfig.parseEmbedded(mesh, in: file)
                for var problem in problems {
                    problem.resource = ctx.resource
                    ctx.append(problem)
                }
            }
        case .pod:
            if let labelsNode = file.value("metadata", in: root).flatMap({ file.value("labels", in: $0) }) {
                object.podLabels = ctx.node(labelsNode).stringMap()
            }
            if let spec, file[spec.index].kind == .mapping, let nodeName = file.value("nodeName", in: spec.index),
                file[nodeName].kind == .scalar
            {
                object.nodeName = file.string(nodeName)
            }
        case .service:
            guard let spec, file[spec.index].kind == .mapping else { break }
            if let selector = file.value("selector", in: spec.index) { object.selector = ctx.node(selector).stringMap() }
            if let ports = file.value("ports", in: spec.index), file[ports].kind == .sequence {
                for port in file.children(ports) where file[port].kind == .mapping {
                    let p = ctx.node(port)
                    var number: Int?
                    var name: String?
                    var proto: String?
                    var appProtocol: String?
                    var targetPort: Int?
                    for (key, value) in file.pairs(port) {
                        switch file.string(key) {
                        case "port": number = ctx.node(value).uint32()
                        case "name": name = ctx.node(value).string()
                        case "protocol": proto = ctx.node(value).string()
                        case "appProtocol": appProtocol = ctx.node(value).string()
                        case "targetPort":
                            // A number, or the name of a container port (not resolved here).
                            if file[value].kind == .scalar, !file.isQuotedOrTaggedString(value) {
                                targetPort = Int(file.string(value))
                            }
                        default: break
                        }
                    }
                    if let number {
                        object.ports.append(
                            ServicePort(
                                name: name, port: number, protocolName: proto, appProtocol: appProtocol, targetPort: targetPort,
                                node: p.index))
                    }
                }
            }
        case .secret:
            // Only where each entry is: the values are credentials, read (and decoded) only by
            // the analyzer that checks a gateway's certificate, and never quoted.
            if let type = file.value("type", in: root), file[type].kind == .scalar { object.secretType = file.string(type) }
            // stringData first: the API server lets it replace the same key in data.
            for (entries, isBase64) in [(file.value("stringData", in: root), false), (file.value("data", in: root), true)] {
                guard let entries, file[entries].kind == .mapping else { continue }
                for (key, value) in file.pairs(entries) where file[key].kind == .scalar && file[value].kind == .scalar {
                    let name = file.string(key)
                    if object.secretEntries[name] == nil {
                        object.secretEntries[name] = SecretEntry(node: value, isBase64: isBase64)
                    }
                }
            }
        case .deployment, .statefulSet, .daemonSet, .replicaSet:
            guard let spec, file[spec.index].kind == .mapping,
                let template = file.value("template", in: spec.index),
                let metadata = file.value("metadata", in: template),
                let labels = file.value("labels", in: metadata)
            else { break }
            object.podLabels = ctx.node(labels).stringMap()
        }
        return object
    }
}
