import MeshModel

extension Check {
    /// Istio's PeerAuthentication validation: port-level settings only on a workload-level
    /// policy, at least one of them when the map is written, ports from 1 to 65535.
    func peerAuthentication(_ pa: PeerAuthentication) {
        workloadSelector(pa.selector)
        guard let ports = pa.portLevelMtls else { return }
        if !pa.isWorkloadLevel {
            error(
                "mesh/namespace peer authentication cannot have port level mTLS: give it a selector, or set mtls.mode",
                at: pa.portLevelNode)
        }
        if ports.isEmpty, ctx.file[pa.portLevelNode].kind == .mapping {
            error("port level mTLS, if defined, must have at least one element", at: pa.portLevelNode)
        }
        for setting in ports where !(1...65535).contains(setting.port) {
            error("port must be in range 1..65535, got \(setting.port)", at: setting.portNode)
        }
    }
}
