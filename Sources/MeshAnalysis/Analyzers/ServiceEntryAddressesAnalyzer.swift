import MeshModel
import MeshYAML

/// IST0134: a ServiceEntry without `addresses` has a port whose protocol is TCP or unset (in any
/// case): the proxy cannot tell its connections from others on the port. Not reported when the
/// mesh allocates addresses (proxyMetadata ISTIO_META_DNS_CAPTURE with
/// ISTIO_META_DNS_AUTO_ALLOCATE or PILOT_ENABLE_IP_AUTOALLOCATE) or the entry's status shows
/// allocated addresses.
struct ServiceEntryAddressesAnalyzer: Analyzer {
    static let name = "serviceentry.Analyzer"
    static let codes: [DiagnosticCode] = [.serviceEntryAddressesRequired]

    func analyze(_ analysis: inout Analysis) {
        let metadata = analysis.mesh.proxyMetadata
        let allocated =
            metadata["ISTIO_META_DNS_CAPTURE"] == "true"
            && (metadata["ISTIO_META_DNS_AUTO_ALLOCATE"] == "true" || metadata["PILOT_ENABLE_IP_AUTOALLOCATE"] == "true")
        guard !allocated else { return }
        for resource in analysis.index.serviceEntries {
            guard let se = resource.serviceEntry, se.addresses.isEmpty, !Self.hasAllocatedAddresses(resource) else { continue }
            for port in se.ports {
                let proto = port.protocolName?.value ?? ""
                guard proto.isEmpty || proto.uppercased() == "TCP" else { continue }
                analysis.report(
                    .serviceEntryAddressesRequired,
                    "port \(port.number.map { String($0.value) } ?? "?") has protocol \(proto.isEmpty ? "unset (TCP)" : proto) and the ServiceEntry has no addresses: give addresses, or a protocol such as HTTP",
                    resource, at: port.protocolName?.node ?? port.number?.node ?? port.node)
            }
        }
    }

    /// Whether `status.addresses` lists an allocated address.
    static func hasAllocatedAddresses(_ resource: Resource) -> Bool {
        let file = resource.file
        guard let status = file.value("status", in: resource.node), file[status].kind == .mapping,
            let addresses = file.value("addresses", in: status), file[addresses].kind == .sequence
        else { return false }
        return file[addresses].count > 0
    }
}
