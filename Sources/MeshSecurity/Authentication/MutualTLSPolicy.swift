import MeshModel

/// The mutual TLS mode a workload's inbound side uses, per port, from the PeerAuthentications
/// that apply to it, composed as Istio composes them:
///
/// - mesh level: a policy without selector in the root namespace; namespace level: without
///   selector in the workload's namespace; workload level: with a selector that matches, in the
///   workload's namespace (one with a selector in the root namespace is ignored);
/// - of several at one level, the oldest (creationTimestamp) wins;
/// - the narrowest level that sets a mode wins; UNSET inherits from the level above, port-level
///   UNSET from the workload level; with nothing set the mode is PERMISSIVE.
public struct MutualTLSPolicy: Sendable {
    public typealias Mode = PeerAuthentication.Mode

    /// Where the mode came from.
    public struct Source: Sendable, Equatable {
        /// `namespace/name` of the PeerAuthentication, or nil for Istio's default.
        public var policy: String?
        /// `mesh`, `namespace`, `workload`, `port`, or `default`.
        public var level: String
    }

    /// The workload-wide mode (never UNSET).
    public let mode: Mode
    public let source: Source
    /// Port-level modes (the workload's ports).
    public let ports: [Int: (mode: Mode, source: Source)]
    /// Each policy considered and what became of it, for explanations.
    public let notes: [String]

    public init(resources: [Resource], workload: WorkloadIdentity, rootNamespace: String) {
        var mesh: Resource?
        var namespace: Resource?
        var workloadLevel: Resource?
        var notes: [String] = []
        func older(_ a: Resource, than b: Resource?) -> Bool {
            guard let b else { return true }
            return a.creationTimestamp < b.creationTimestamp
        }
        for resource in resources.filter({ $0.peerAuthentication != nil }).effective {
            guard let pa = resource.peerAuthentication else { continue }
            guard resource.namespace == workload.namespace || resource.namespace == rootNamespace else { continue }
            let name = "\(resource.namespace)/\(resource.name)"
            if !pa.isWorkloadLevel {
                if resource.namespace == rootNamespace {
                    if older(resource, than: mesh) { mesh = resource }
                } else if older(resource, than: namespace) {
                    namespace = resource
                }
            } else if resource.namespace == rootNamespace {
                notes.append(
                    "\(name) is ignored: a PeerAuthentication with a selector in the root namespace applies to no workload")
            } else if pa.selector!.labels.allSatisfy({ workload.labels[$0.key] == $0.value }) {
                if older(resource, than: workloadLevel) { workloadLevel = resource }
            }
        }
        var mode = Mode.permissive
        var source = Source(policy: nil, level: "default")
        for (resource, level) in [(mesh, "mesh"), (namespace, "namespace"), (workloadLevel, "workload")] {
            guard let resource, let pa = resource.peerAuthentication else { continue }
            let name = "\(resource.namespace)/\(resource.name)"
            let set = pa.mtls?.effectiveMode ?? .unset
            if set == .unset {
                notes.append("\(level)-level \(name) leaves mtls.mode UNSET: \(mode.rawValue) is inherited")
            } else {
                mode = set
                source = Source(policy: name, level: level)
                notes.append("\(level)-level \(name) sets \(set.rawValue)")
            }
        }
        var ports: [Int: (Mode, Source)] = [:]
        if let resource = workloadLevel, let settings = resource.peerAuthentication?.portLevelMtls {
            let name = "\(resource.namespace)/\(resource.name)"
            for setting in settings {
                let set = setting.mtls.effectiveMode
                ports[setting.port] = set == .unset ? (mode, source) : (set, Source(policy: name, level: "port"))
            }
        }
        self.mode = mode
        self.source = source
        self.ports = ports
        self.notes = notes
    }

    /// The mode on a workload port.
    public func mode(port: Int) -> Mode { ports[port]?.mode ?? mode }

    /// Where the mode on a port came from.
    public func source(port: Int) -> Source { ports[port]?.source ?? source }

    /// Whether a plaintext connection is accepted on a port (not STRICT).
    public func acceptsPlaintext(port: Int) -> Bool { mode(port: port) != .strict }

    /// Whether mutual TLS is accepted on a port (not DISABLE).
    public func acceptsMutualTLS(port: Int) -> Bool { mode(port: port) != .disable }
}
