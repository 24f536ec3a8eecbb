import MeshModel

/// The namespaces a resource is exported to: Istio's `exportTo`, with the mesh config's defaults
/// for a resource that sets none.
struct ExportTo: Hashable {
    /// Exported to every namespace (`*`).
    var everywhere = false
    /// Namespaces named (`.` already replaced by the resource's own).
    var namespaces: Set<String> = []

    /// `entries` as written on a resource of `namespace`; `defaults` when there are none. `~`
    /// (a ServiceEntry exported nowhere) leaves both empty.
    init(_ entries: [String], namespace: String, defaults: [String]) {
        for entry in entries.isEmpty ? defaults : entries {
            switch entry {
            case "*": everywhere = true
            case ".": namespaces.insert(namespace)
            case "~": break
            default: namespaces.insert(entry)
            }
        }
    }

    /// Whether a resource in (or applied to) namespace `namespace` sees it.
    func contains(_ namespace: String) -> Bool { everywhere || namespaces.contains(namespace) }

    /// The scopes it is filed under in a scope-keyed index: `*`, or each namespace.
    var scopes: [String] { everywhere ? ["*"] : namespaces.sorted() }
}

/// Which resources can see which, as Istio decides it for references between namespaces.
struct Visibility {
    let mesh: MeshConfig

    init(mesh: MeshConfig) { self.mesh = mesh }

    func services(_ resource: Resource) -> ExportTo {
        if let se = resource.serviceEntry {
            return ExportTo(se.exportTo.map(\.value), namespace: resource.namespace, defaults: mesh.defaultServiceExportTo)
        }
        // A Kubernetes Service: the `networking.istio.io/exportTo` annotation, comma-separated.
        let annotation = resource.annotations["networking.istio.io/exportTo"].map {
            $0.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        }
        return ExportTo(annotation ?? [], namespace: resource.namespace, defaults: mesh.defaultServiceExportTo)
    }

    func virtualService(_ resource: Resource) -> ExportTo {
        ExportTo(
            resource.virtualService?.exportTo.map(\.value) ?? [], namespace: resource.namespace,
            defaults: mesh.defaultVirtualServiceExportTo)
    }

    func destinationRule(_ resource: Resource) -> ExportTo {
        ExportTo(
            resource.destinationRule?.exportTo.map(\.value) ?? [], namespace: resource.namespace,
            defaults: mesh.defaultDestinationRuleExportTo)
    }

    /// The namespaces whose proxies use what a VirtualService or DestinationRule refers to, as
    /// istioctl checks references: the ones its own `exportTo` names, or, with none, its own
    /// namespace (or the mesh default, when that is narrower than every namespace).
    func referringScopes(of resource: Resource) -> [String] {
        let written = resource.virtualService?.exportTo ?? resource.destinationRule?.exportTo ?? []
        if !written.isEmpty {
            return written.map { $0.value == "." ? resource.namespace : $0.value }
        }
        let defaults = resource.virtualService != nil ? mesh.defaultVirtualServiceExportTo : mesh.defaultDestinationRuleExportTo
        if defaults.isEmpty || defaults.contains("*") { return [resource.namespace] }
        return defaults.map { $0 == "." ? resource.namespace : $0 }
    }

    /// Whether something exported to `target` is visible to a referrer in `scopes`: exported to
    /// every namespace, or to one of the scopes (a `*` scope sees only what goes everywhere).
    static func sees(_ scopes: [String], _ target: ExportTo) -> Bool {
        target.everywhere || scopes.contains { $0 != "*" && target.namespaces.contains($0) }
    }
}
