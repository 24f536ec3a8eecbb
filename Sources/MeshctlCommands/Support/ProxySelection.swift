import ArgumentParser
import MeshModel
import MeshRouting

/// Which proxy the rules are compiled for: a sidecar in a namespace with labels, or a gateway.
/// What it sees (exportTo, Sidecar resources) and which rules apply (sourceLabels,
/// sourceNamespace, gateways) depend on it.
struct ProxySelection: ParsableArguments {
    @Option(
        name: .customLong("source-labels"),
        help: ArgumentHelp("Labels of the calling workload, k=v,... (for match.sourceLabels).", valueName: "labels"))
    var sourceLabels: String?

    @Option(
        name: .customLong("source-namespace"),
        help: ArgumentHelp(
            "Namespace of the calling workload (default: default; at a gateway, the Gateway's namespace): what it sees (exportTo, Sidecar) and its short host names.",
            valueName: "ns"))
    var sourceNamespace: String?

    @Option(help: "Act as this gateway (namespace/name or name) instead of a sidecar (mesh).")
    var gateway = "mesh"

    @OptionGroup var compatibility: CompatibilityOption

    func validate() throws {
        let gatewayParts = gateway.split(separator: "/", omittingEmptySubsequences: false)
        if gateway.isEmpty || gatewayParts.count > 2 || gatewayParts.contains(where: \.isEmpty) {
            throw ValidationError("--gateway must be mesh, a Gateway's name or namespace/name, got '\(gateway)'")
        }
        if let sourceNamespace, sourceNamespace.isEmpty { throw ValidationError("--source-namespace must not be empty") }
        _ = try labels()
    }

    func labels() throws -> [String: String] { try parseLabels(sourceLabels, flag: "--source-labels") }

    /// The proxy's identity. A Gateway the rules do not define is a usage error that names the
    /// Gateways there are.
    func identity(in resources: [Resource]) throws -> ProxyIdentity {
        let labels = try labels()
        guard gateway != "mesh" else { return ProxyIdentity(namespace: sourceNamespace ?? "default", labels: labels) }
        let gateways = resources.filter { $0.gateway != nil }
        let names = Set(gateways.map { "\($0.namespace)/\($0.name)" })
        // A name without a namespace is in --source-namespace (as `gateways:` names are in
        // their VirtualService's namespace).
        let name = gateway.contains("/") ? gateway : "\(sourceNamespace ?? "default")/\(gateway)"
        guard names.contains(name) else {
            let known = names.isEmpty ? "the rules define none" : "they define \(names.sorted().joined(separator: ", "))"
            Output.error("Error: --gateway '\(gateway)': no Gateway has the name \(name) in the rules given; \(known)")
            throw ExitCode.validationFailure
        }
        let namespace = sourceNamespace ?? String(name.split(separator: "/")[0])
        return ProxyIdentity(namespace: namespace, labels: labels, gateway: name)
    }
}

/// `--compatibility-version X.Y`: Istio's name for restoring an older release's defaults
/// (1.23: the default retry policy retries 503; 1.27: mirrored requests go to `HOST-shadow`).
struct CompatibilityOption: ParsableArguments {
    @Option(
        name: .customLong("compatibility-version"),
        help: ArgumentHelp(
            "Follow an older Istio's defaults, as istioctl's --compatibility-version does (e.g. 1.23: the default retry policy retries 503).",
            valueName: "x.y"))
    var text: String?

    func validate() throws {
        if let text, CompatibilityVersion(text) == nil {
            throw ValidationError("--compatibility-version must be MAJOR.MINOR, e.g. 1.23, got '\(text)'")
        }
    }

    var version: CompatibilityVersion? { text.flatMap(CompatibilityVersion.init) }
}
