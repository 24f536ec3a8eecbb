/// Envoy's outlier-ejection bookkeeping for one cluster, as a pure value: which hosts are
/// ejected, for how long, and whether one more may be.
///
/// The data plane counts consecutive errors per host with atomics and comes here only when a
/// count reaches its threshold, and on each `interval` sweep.
public struct OutlierEjections: Sendable {
    public struct Host: Sendable, Equatable {
        public var ejected = false
        /// How many times the host was ejected (its ejection time multiplier).
        public var ejections = 0
        /// Monotonic nanoseconds after which a sweep returns the host.
        public var ejectedUntil: Int64 = 0
        public init() {}
    }
    public enum Verdict: Sendable, Equatable {
        case ejected(until: Int64)
        /// Already out.
        case alreadyEjected
        /// `maxEjectionPercent` forbids ejecting another host.
        case limitReached
    }

    public private(set) var hosts: [Host]
    public let settings: OutlierSettings

    public init(hostCount: Int, settings: OutlierSettings) {
        self.hosts = Array(repeating: Host(), count: hostCount)
        self.settings = settings
    }

    /// Carries the state of hosts that remain across a configuration change.
    public init(hosts: [Host], settings: OutlierSettings) {
        self.hosts = hosts
        self.settings = settings
    }

    public var ejectedCount: Int { hosts.reduce(0) { $0 + ($1.ejected ? 1 : 0) } }

    /// A host's consecutive-error count reached its threshold at `now`.
    ///
    /// Ejects it unless that would put more than `maxEjectionPercent` of the hosts out, checked
    /// strictly as current Envoy does: with 10% and fewer than 10 hosts, none is ejected.
    public mutating func thresholdReached(host i: Int, now: Int64) -> Verdict {
        guard i >= 0 && i < hosts.count else { return .limitReached }
        if hosts[i].ejected { return .alreadyEjected }
        let percent = 100.0 * Double(ejectedCount + 1) / Double(hosts.count)
        guard percent <= Double(settings.maxEjectionPercent) else { return .limitReached }
        hosts[i].ejections += 1
        hosts[i].ejected = true
        let (product, overflow) = settings.baseEjectionNanos.multipliedReportingOverflow(by: Int64(hosts[i].ejections))
        let duration = overflow ? OutlierSettings.maxEjectionNanos : min(product, OutlierSettings.maxEjectionNanos)
        hosts[i].ejectedUntil = now &+ duration
        return .ejected(until: hosts[i].ejectedUntil)
    }

    /// The `interval` sweep: returns hosts whose ejection time has passed, and lowers the
    /// multiplier of hosts that stayed in through a whole interval.
    public mutating func sweep(now: Int64) -> [Int] {
        var returned: [Int] = []
        for i in hosts.indices {
            if hosts[i].ejected {
                if now >= hosts[i].ejectedUntil {
                    hosts[i].ejected = false
                    returned.append(i)
                }
            } else if hosts[i].ejections > 0 && now >= hosts[i].ejectedUntil &+ settings.intervalNanos {
                hosts[i].ejections -= 1
            }
        }
        return returned
    }

    /// Whether the balancer should ignore health: fewer healthy hosts than `minHealthPercent`
    /// (Envoy's panic threshold) means every host takes traffic.
    public var panics: Bool {
        guard settings.minHealthPercent > 0, !hosts.isEmpty else { return false }
        let healthy = 100.0 * Double(hosts.count - ejectedCount) / Double(hosts.count)
        return healthy < Double(settings.minHealthPercent)
    }
}
