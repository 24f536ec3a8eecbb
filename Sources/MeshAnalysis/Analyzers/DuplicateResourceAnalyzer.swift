import MeshModel

/// MESH0008: two documents define the same kind, namespace and name.
struct DuplicateResourceAnalyzer: Analyzer {
    static let name = "meshctl.DuplicateResourceAnalyzer"
    static let codes: [DiagnosticCode] = [.duplicateResource]

    func analyze(_ analysis: inout Analysis) {
        var seen: [String: Resource] = [:]
        for resource in analysis.resources {
            if let first = seen[resource.reference] {
                analysis.report(
                    .duplicateResource,
                    "defined again; the definition at \(first.position(first.nameNode)) is replaced",
                    resource, at: resource.nameNode)
            }
            seen[resource.reference] = resource
        }
    }
}
