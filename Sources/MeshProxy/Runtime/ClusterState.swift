import NIOCore
import Synchronization

/// What a cluster keeps across configuration changes: its hosts, circuit-breaker counts,
/// outlier bookkeeping and stats. Every worker event loop shares it; the counts are atomics,
/// so `--concurrency` never multiplies a limit or splits a count.
public final class ClusterState: Sendable {
    public let name: String
    public let stats: ClusterStats

    // Circuit-breaker resources, as Envoy's resource manager counts them.
    let connections = Atomic<Int>(0)
    let pendingRequests = Atomic<Int>(0)
    let activeRequests = Atomic<Int>(0)
    let activeRetries = Atomic<Int>(0)
    let roundRobin = Atomic<Int>(0)
    /// When outlier detection last swept this cluster (uptime nanoseconds; -1: not yet seen).
    /// Written only by the sweeper on the admin event loop.
    let lastSweep = Atomic<Int64>(-1)

    private let hostsByKey = Mutex<[String: UpstreamHost]>([:])
    /// Outlier bookkeeping by host key; the hosts of the newest configuration, in order.
    private let outlier = Mutex<(hosts: [String: OutlierEjections.Host], current: [String])>(([:], []))

    init(name: String, stats: StatStore) {
        self.name = name
        self.stats = ClusterStats(cluster: name, store: stats)
    }

    /// The host at `address:port`, the same object as before when it is unchanged.
    func host(address: String, port: Int, labels: [String: String]) -> UpstreamHost {
        let key = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        return hostsByKey.withLock { hosts in
            if let existing = hosts[key], existing.labels == labels { return existing }
            let host = UpstreamHost(address: address, port: port, labels: labels)
            hosts[key] = host
            return host
        }
    }

    /// Records the hosts of the configuration now in force (for ejection percentages and
    /// membership gauges), forgetting hosts it no longer has.
    func setCurrentHosts(_ hosts: [UpstreamHost]) {
        let keys = hosts.map(\.key)
        let kept = Set(keys)
        hostsByKey.withLock { all in all = all.filter { kept.contains($0.key) } }
        let ejected = outlier.withLock { book -> Int in
            book.current = keys
            book.hosts = book.hosts.filter { kept.contains($0.key) }
            return book.hosts.values.filter(\.ejected).count
        }
        stats.membershipTotal.set(Int64(hosts.count))
        stats.membershipHealthy.set(Int64(hosts.count - ejected))
        stats.ejectionsActive.set(Int64(ejected))
    }

    /// A host's consecutive-error count reached its threshold: eject it if the settings allow.
    func thresholdReached(_ host: UpstreamHost, gateway: Bool, settings: OutlierSettings, now: Int64) {
        if gateway {
            stats.ejectionsDetectedConsecutiveGateway.increment()
        } else {
            stats.ejectionsDetectedConsecutive5xx.increment()
        }
        let (verdict, ejectedCount) = outlier.withLock { book -> (OutlierEjections.Verdict, Int) in
            guard let index = book.current.firstIndex(of: host.key) else { return (.limitReached, 0) }
            var ejections = OutlierEjections(
                hosts: book.current.map { book.hosts[$0] ?? OutlierEjections.Host() }, settings: settings)
            let verdict = ejections.thresholdReached(host: index, now: now)
            book.hosts[host.key] = ejections.hosts[index]
            if case .ejected = verdict { host.ejected.store(true, ordering: .relaxed) }
            return (verdict, ejections.ejectedCount)
        }
        switch verdict {
        case .ejected:
            stats.ejectionsEnforcedTotal.increment()
            if gateway { stats.ejectionsConsecutiveGateway.increment() } else { stats.ejectionsConsecutive5xx.increment() }
        case .limitReached: stats.ejectionsOverflow.increment()
        case .alreadyEjected: break
        }
        stats.ejectionsActive.set(Int64(ejectedCount))
        stats.membershipHealthy.set(Int64(max(stats.membershipTotal.value - Int64(ejectedCount), 0)))
    }

    /// The interval sweep: returns hosts whose ejection time is over.
    func sweep(hosts: [UpstreamHost], settings: OutlierSettings, now: Int64) {
        let ejectedCount = outlier.withLock { book -> Int in
            var ejections = OutlierEjections(
                hosts: book.current.map { book.hosts[$0] ?? OutlierEjections.Host() }, settings: settings)
            let returned = ejections.sweep(now: now)
            for (i, key) in book.current.enumerated() { book.hosts[key] = ejections.hosts[i] }
            for i in returned {
                let key = book.current[i]
                for host in hosts where host.key == key {
                    host.ejected.store(false, ordering: .relaxed)
                    host.consecutive5xx.store(0, ordering: .relaxed)
                    host.consecutiveGateway.store(0, ordering: .relaxed)
                }
            }
            return ejections.ejectedCount
        }
        stats.ejectionsActive.set(Int64(ejectedCount))
        stats.membershipHealthy.set(Int64(max(stats.membershipTotal.value - Int64(ejectedCount), 0)))
    }

    /// Whether the balancer should ignore ejections (Envoy's panic threshold).
    func panics(_ settings: OutlierSettings) -> Bool {
        guard settings.minHealthPercent > 0 else { return false }
        return outlier.withLock { book in
            OutlierEjections(hosts: book.current.map { book.hosts[$0] ?? OutlierEjections.Host() }, settings: settings).panics
        }
    }
}

/// The clusters' shared states by name, for the life of the proxy.
public final class ClusterRegistry: Sendable {
    private let states = Mutex<[String: ClusterState]>([:])
    let stats: StatStore

    init(stats: StatStore) { self.stats = stats }

    func state(_ name: String) -> ClusterState {
        states.withLock { states in
            if let existing = states[name] { return existing }
            let state = ClusterState(name: name, stats: stats)
            states[name] = state
            return state
        }
    }

    /// Forgets clusters the configuration in force no longer has (their stats stay).
    func retain(_ names: Set<String>) {
        states.withLock { states in states = states.filter { names.contains($0.key) } }
    }
}
