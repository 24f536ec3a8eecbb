import MeshModel
import MeshRouting

/// Every service host of the input with where it is visible: each ServiceEntry host (with its
/// `exportTo`) and each Kubernetes Service (with its `networking.istio.io/exportTo` annotation),
/// as istioctl looks up a destination host. Wildcard hosts are filed by suffix.
struct ServiceCatalog {
    struct Entry {
        var fqdn: String
        var ports: [Registry.Port]
        var exportTo: ExportTo
        /// `Kind ns/name` of what defined it (nil for the default ingress gateway's Service).
        var origin: String?
        /// A ServiceEntry's `workloadSelector` labels.
        var workloadSelector: [String: String]?
        /// The Kubernetes Service (or the default ingress gateway's) that defines it, if not a
        /// ServiceEntry.
        var kubernetesService: Workloads.Service?
    }

    private var exact: [String: [Entry]] = [:]
    /// `*X` hosts by `X` (`*.example.com` by `.example.com`, `*` by the empty string).
    private var wildcards: [Substring: [Entry]] = [:]

    init(_ resources: [Resource], workloads: Workloads, visibility: Visibility) {
        for r in resources {
            if let se = r.serviceEntry {
                let ports = se.ports.compactMap { p -> Registry.Port? in
                    guard let number = p.number?.value else { return nil }
                    return Registry.Port(number: number, name: p.name?.value ?? "", protocolName: p.protocolName?.value ?? "")
                }
                let exportTo = visibility.services(r)
                for host in se.hosts {
                    add(
                        Entry(
                            fqdn: HostNames.fqdn(host.value, namespace: r.namespace), ports: ports, exportTo: exportTo,
                            origin: r.reference, workloadSelector: se.workloadSelector))
                }
            }
        }
        for service in workloads.services {
            let ports = service.ports.map {
                Registry.Port(number: $0.port, name: $0.name ?? "", protocolName: $0.protocolName ?? "")
            }
            let exportTo =
                service.resource.map(visibility.services)
                ?? ExportTo([], namespace: service.namespace, defaults: visibility.mesh.defaultServiceExportTo)
            add(
                Entry(
                    fqdn: "\(service.name).\(service.namespace).\(HostNames.clusterDomain)".lowercased(), ports: ports,
                    exportTo: exportTo, origin: service.resource?.reference, workloadSelector: nil, kubernetesService: service))
        }
    }

    private mutating func add(_ entry: Entry) {
        if entry.fqdn.hasPrefix("*") {
            wildcards[entry.fqdn.dropFirst(), default: []].append(entry)
        } else {
            exact[entry.fqdn, default: []].append(entry)
        }
    }

    /// What defines `fqdn` and is visible to a referrer in `scopes`: the host's own entries
    /// first, then wildcard entries whose suffix the host ends with (a wildcard host matches a
    /// wildcard entry when its suffix ends with the entry's).
    func lookUp(_ fqdn: String, from scopes: [String]) -> [Entry] {
        let visible = (exact[fqdn] ?? []).filter { Visibility.sees(scopes, $0.exportTo) }
        if !visible.isEmpty { return visible }
        let name = fqdn.hasPrefix("*") ? fqdn.dropFirst() : fqdn[...]
        var candidates = wildcards[name] ?? []
        for i in name.indices where name[i] == "." && i != name.startIndex { candidates += wildcards[name[i...]] ?? [] }
        candidates += wildcards[""] ?? []
        return candidates.filter { Visibility.sees(scopes, $0.exportTo) }
    }

    /// Every entry for `fqdn` itself, visible or not (to say why a reference fails).
    func entries(_ fqdn: String) -> [Entry] { exact[fqdn] ?? [] }

    /// Every entry, for analyzers that compare entries with each other.
    var all: [Entry] { exact.values.flatMap { $0 } + wildcards.values.flatMap { $0 } }
}
