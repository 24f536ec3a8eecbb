import MeshRouting
import NIOCore

/// One cluster as a configuration sees it: the settings and hosts it has in that
/// configuration, over the state it shares with earlier and later ones.
public final class ClusterRuntime: Sendable {
    public enum Kind: Sendable {
        /// Endpoints from the registry (ServiceEntry, WorkloadEntry).
        case endpoints
        /// The original destination: the host and port the request names (PassthroughCluster).
        case originalDestination
    }
    public let name: String
    public let kind: Kind
    public let state: ClusterState
    public let settings: ClusterSettings
    public let hosts: [UpstreamHost]
    /// Set when no request can be sent here: the status, flag and reason from routing.
    public let failure: (status: Int, flag: String, reason: String)?
    /// Istio's `destination_service*` labels.
    public let service: String
    public let serviceName: String
    public let serviceNamespace: String
    /// Ring of (hash, host index), sorted, for consistent hashing.
    let ring: [(hash: UInt64, host: Int32)]

    init(
        name: String, kind: Kind, state: ClusterState, settings: ClusterSettings, hosts: [UpstreamHost],
        failure: (status: Int, flag: String, reason: String)?, service: String
    ) {
        self.name = name
        self.kind = kind
        self.state = state
        self.settings = settings
        self.hosts = hosts
        self.failure = failure
        self.service = service
        let parts = service.split(separator: ".", maxSplits: 2)
        if service.hasSuffix(".svc.cluster.local"), parts.count >= 2 {
            serviceName = String(parts[0])
            serviceNamespace = String(parts[1])
        } else {
            serviceName = service
            serviceNamespace = "unknown"
        }
        if case .ringHash(_, let size) = settings.balancer, !hosts.isEmpty {
            ring = Self.buildRing(hosts, minimumSize: size)
        } else {
            ring = []
        }
    }

    /// Chooses a host for one attempt, as Envoy's balancers do: ejected hosts are skipped unless
    /// too few remain (panic), and hosts already tried are avoided while another exists.
    func pick<R: RandomNumberGenerator>(random: inout R, exclude: [UpstreamHost], hashKey: UInt64?) -> UpstreamHost? {
        let count = hosts.count
        if count == 0 { return nil }
        var anyEjected = false
        for host in hosts where host.isEjected {
            anyEjected = true
            break
        }
        if !anyEjected && exclude.isEmpty { return choose(hosts, random: &random, hashKey: hashKey) }
        var candidates = hosts
        if anyEjected && !(settings.outlier.map { state.panics($0) } ?? false) {
            candidates = hosts.filter { !$0.isEjected }
            if candidates.isEmpty { return nil }
        }
        if !exclude.isEmpty {
            let fresh = candidates.filter { host in !exclude.contains { $0 === host } }
            if !fresh.isEmpty { candidates = fresh }
        }
        return choose(candidates, random: &random, hashKey: hashKey)
    }

    @inline(__always) private func choose<R: RandomNumberGenerator>(
        _ candidates: [UpstreamHost], random: inout R, hashKey: UInt64?
    ) -> UpstreamHost {
        let n = candidates.count
        if n == 1 { return candidates[0] }
        switch settings.balancer {
        case .roundRobin:
            let i = state.roundRobin.wrappingAdd(1, ordering: .relaxed).oldValue
            return candidates[Int(UInt(bitPattern: i) % UInt(n))]
        case .random, .passthrough:
            return candidates[Int(random.next() % UInt64(n))]
        case .leastRequest:
            // Power of two choices: the less busy of two distinct random hosts.
            let a = Int(random.next() % UInt64(n))
            var b = Int(random.next() % UInt64(n - 1))
            if b >= a { b += 1 }
            return candidates[b].active < candidates[a].active ? candidates[b] : candidates[a]
        case .ringHash:
            guard let hashKey, !ring.isEmpty else { return candidates[Int(random.next() % UInt64(n))] }
            return ringLookup(hashKey, among: candidates)
        }
    }

    /// The first ring entry at or after `hash` whose host is a candidate.
    private func ringLookup(_ hash: UInt64, among candidates: [UpstreamHost]) -> UpstreamHost {
        var low = 0
        var high = ring.count
        while low < high {
            let mid = (low + high) / 2
            if ring[mid].hash < hash { low = mid + 1 } else { high = mid }
        }
        for step in 0..<ring.count {
            let host = hosts[Int(ring[(low + step) % ring.count].host)]
            if candidates.contains(where: { $0 === host }) { return host }
        }
        return candidates[0]
    }

    static func buildRing(_ hosts: [UpstreamHost], minimumSize: Int) -> [(hash: UInt64, host: Int32)] {
        let perHost = max((min(minimumSize, 1 << 20) + hosts.count - 1) / hosts.count, 1)
        var ring: [(hash: UInt64, host: Int32)] = []
        ring.reserveCapacity(perHost * hosts.count)
        for (i, host) in hosts.enumerated() {
            for replica in 0..<perHost { ring.append((HashKeys.hash("\(host.key)_\(replica)"), Int32(i))) }
        }
        ring.sort { $0.hash < $1.hash }
        return ring
    }
}

extension ClusterRuntime {
    /// Counts a host's answer (or failure) toward outlier ejection, as Envoy's detector does: a
    /// 5xx or a local failure extends the host's streak (a gateway error, its gateway streak
    /// too); anything else ends both.
    func recordOutcome(_ host: UpstreamHost, error: Bool, gateway: Bool) {
        guard let settings = settings.outlier else { return }
        let now = { Int64(NIODeadline.now().uptimeNanoseconds) }
        if error {
            if gateway && settings.consecutiveGateway > 0 {
                let n = host.consecutiveGateway.wrappingAdd(1, ordering: .relaxed).newValue
                if n >= settings.consecutiveGateway {
                    host.consecutiveGateway.store(0, ordering: .relaxed)
                    state.thresholdReached(host, gateway: true, settings: settings, now: now())
                }
            } else if !gateway {
                host.consecutiveGateway.store(0, ordering: .relaxed)
            }
            if settings.consecutive5xx > 0 {
                let n = host.consecutive5xx.wrappingAdd(1, ordering: .relaxed).newValue
                if n >= settings.consecutive5xx {
                    host.consecutive5xx.store(0, ordering: .relaxed)
                    state.thresholdReached(host, gateway: false, settings: settings, now: now())
                }
            }
        } else {
            if host.consecutive5xx.load(ordering: .relaxed) != 0 { host.consecutive5xx.store(0, ordering: .relaxed) }
            if host.consecutiveGateway.load(ordering: .relaxed) != 0 { host.consecutiveGateway.store(0, ordering: .relaxed) }
        }
    }
}

/// Hashing for consistent-hash load balancing: 64-bit FNV-1a followed by a mixer.
enum HashKeys {
    static func hash<S: StringProtocol>(_ text: S) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
