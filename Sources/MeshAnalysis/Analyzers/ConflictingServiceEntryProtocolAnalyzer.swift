import MeshModel
import MeshRouting

/// IST0177: ServiceEntries seen in the same namespace define the same host and port with
/// different protocols (compared in any case; an unset protocol counts as its own). Which one a
/// proxy uses is undefined.
struct ConflictingServiceEntryProtocolAnalyzer: Analyzer {
    static let name = "serviceentry.ConflictingServiceEntryProtocolAnalyzer"
    static let codes: [DiagnosticCode] = [.conflictingServiceEntryProtocol]

    struct Key: Hashable {
        var scope: String
        var host: String
        var port: Int
    }
    struct Definition {
        var resource: Resource
        var protocolName: String
        var node: Int32
    }

    func analyze(_ analysis: inout Analysis) {
        var definitions: [Key: [Definition]] = [:]
        var order: [Key] = []
        for resource in analysis.index.serviceEntries {
            guard let se = resource.serviceEntry else { continue }
            for scope in analysis.visibility.services(resource).scopes {
                for host in se.hosts {
                    for port in se.ports {
                        guard let number = port.number?.value else { continue }
                        let key = Key(scope: scope, host: HostNames.fqdn(host.value, namespace: resource.namespace), port: number)
                        if definitions[key] == nil { order.append(key) }
                        definitions[key, default: []].append(
                            Definition(
                                resource: resource, protocolName: (port.protocolName?.value ?? "").uppercased(),
                                node: port.protocolName?.node ?? port.number?.node ?? port.node))
                    }
                }
            }
        }
        var reported = Set<String>()
        for key in order {
            var group = definitions[key]!
            if key.scope != "*" { group += definitions[Key(scope: "*", host: key.host, port: key.port)] ?? [] }
            let protocols = Set(group.map(\.protocolName))
            guard protocols.count > 1 else { continue }
            var names: [String] = []
            for d in group where !names.contains("\(d.resource.namespace)/\(d.resource.name)") {
                names.append("\(d.resource.namespace)/\(d.resource.name)")
            }
            let listed = protocols.sorted().map { $0.isEmpty ? "unset" : $0 }.joined(separator: ", ")
            for d in group where reported.insert(d.resource.reference).inserted {
                analysis.report(
                    .conflictingServiceEntryProtocol,
                    "ServiceEntries \(Analysis.list(names.sorted())) define host \(key.host) port \(key.port) with different protocols (\(listed))",
                    d.resource, at: d.node)
            }
        }
    }
}
