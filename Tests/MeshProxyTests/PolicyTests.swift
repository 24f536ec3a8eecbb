import MeshRouting
import Testing

@testable import MeshProxy

@Suite struct PoolStateMachineTests {
    final class Connection {}
    final class Waiter {}
    typealias Machine = PoolStateMachine<Connection, Waiter>

    @Test func idleConnectionsAreReusedLastInFirstOut() {
        var pool = Machine()
        let a = Connection()
        let b = Connection()
        let w1 = Waiter()
        let w2 = Waiter()
        guard case .wait(connect: true) = pool.acquire(w1, pendingAllowed: true, connectionAllowed: { true }) else {
            Issue.record("first request should open a connection")
            return
        }
        guard case .serve(let served, let connection) = pool.connected(a) else {
            Issue.record("a new connection should serve the waiting request")
            return
        }
        #expect(served === w1 && connection === a)
        // `a` is busy: a second request opens a second connection.
        guard case .wait(connect: true) = pool.acquire(w2, pendingAllowed: true, connectionAllowed: { true }) else {
            Issue.record("a busy pool opens another connection")
            return
        }
        _ = pool.connected(b)
        guard case .idle = pool.released(a), case .idle = pool.released(b) else {
            Issue.record("nobody waits: both go idle")
            return
        }
        guard case .use(let reused) = pool.acquire(Waiter(), pendingAllowed: true, connectionAllowed: { true }) else {
            Issue.record("an idle connection should be used")
            return
        }
        #expect(reused === b, "the most recently used connection first")
        #expect(pool.total == 2)
    }

    @Test func pendingLimitOverflows() {
        var pool = Machine()
        guard case .overflow = pool.acquire(Waiter(), pendingAllowed: false, connectionAllowed: { true }) else {
            Issue.record("no room for a pending request: overflow")
            return
        }
        #expect(pool.waiters.isEmpty)
    }

    @Test func connectionLimitQueuesButAnEmptyPoolStillConnects() {
        var pool = Machine()
        // At the cluster's limit, a pool with no connection at all still opens one (as Envoy's).
        guard case .wait(connect: true) = pool.acquire(Waiter(), pendingAllowed: true, connectionAllowed: { false }) else {
            Issue.record("an empty pool must be able to connect")
            return
        }
        guard case .wait(connect: false) = pool.acquire(Waiter(), pendingAllowed: true, connectionAllowed: { false }) else {
            Issue.record("over the limit, a second request waits without a new connection")
            return
        }
        #expect(pool.waiters.count == 2)
        #expect(pool.connecting == 1)
    }

    @Test func aFailedConnectFailsTheFirstWaiterAndRetriesForTheRest() {
        var pool = Machine()
        let w1 = Waiter()
        let w2 = Waiter()
        _ = pool.acquire(w1, pendingAllowed: true, connectionAllowed: { true })
        _ = pool.acquire(w2, pendingAllowed: true, connectionAllowed: { true })
        #expect(pool.connecting == 2)
        let (failed, again) = pool.connectFailed(connectionAllowed: { true })
        #expect(failed === w1)
        #expect(!again, "one connection is still opening for the one waiter left")
        #expect(pool.waiters.count == 1 && pool.total == 1)
    }

    @Test func aClosedConnectionMakesRoomForWaiters() {
        var pool = Machine()
        let a = Connection()
        _ = pool.acquire(Waiter(), pendingAllowed: true, connectionAllowed: { true })
        _ = pool.connected(a)
        _ = pool.acquire(Waiter(), pendingAllowed: true, connectionAllowed: { false })
        #expect(pool.connecting == 0, "at the limit with a connection busy: wait")
        let reconnect = pool.closed(a, connectionAllowed: { true })
        #expect(reconnect)
        #expect(pool.connecting == 1)
    }

    @Test func cancelledWaitersLeave() {
        var pool = Machine()
        let w = Waiter()
        _ = pool.acquire(w, pendingAllowed: true, connectionAllowed: { true })
        let first = pool.cancel(w)
        let second = pool.cancel(w)
        #expect(first && !second)
        #expect(pool.waiters.isEmpty)
    }
}

@Suite struct OutlierEjectionsTests {
    func settings(maxPercent: Int, base: Int64 = 30_000_000_000, minHealth: Int = 0) -> OutlierSettings {
        var s = OutlierSettings()
        s.maxEjectionPercent = maxPercent
        s.baseEjectionNanos = base
        s.minHealthPercent = minHealth
        return s
    }

    @Test func maxEjectionPercentIsEnforcedStrictly() {
        var small = OutlierEjections(hostCount: 2, settings: settings(maxPercent: 10))
        #expect(small.thresholdReached(host: 0, now: 0) == .limitReached)
        var ten = OutlierEjections(hostCount: 10, settings: settings(maxPercent: 10))
        #expect(ten.thresholdReached(host: 3, now: 0) == .ejected(until: 30_000_000_000))
        #expect(ten.thresholdReached(host: 4, now: 0) == .limitReached)
        var all = OutlierEjections(hostCount: 2, settings: settings(maxPercent: 100))
        _ = all.thresholdReached(host: 0, now: 0)
        #expect(all.thresholdReached(host: 1, now: 0) != .limitReached)
        #expect(all.ejectedCount == 2)
        #expect(all.thresholdReached(host: 1, now: 0) == .alreadyEjected)
    }

    @Test func ejectionTimeGrowsWithEachEjectionUpToTheCap() {
        let s: Int64 = 1_000_000_000
        var e = OutlierEjections(hostCount: 1, settings: settings(maxPercent: 100, base: 150 * s))
        #expect(e.thresholdReached(host: 0, now: 0) == .ejected(until: 150 * s))
        #expect(e.sweep(now: 149 * s).isEmpty)
        #expect(e.sweep(now: 150 * s) == [0])
        #expect(e.thresholdReached(host: 0, now: 150 * s) == .ejected(until: 450 * s))
        #expect(e.sweep(now: 450 * s) == [0])
        // The third ejection would last 150 s × 3: capped at Envoy's 300 s.
        #expect(e.thresholdReached(host: 0, now: 450 * s) == .ejected(until: 750 * s))
    }

    @Test func theMultiplierDecaysWhileAHostStaysIn() {
        var e = OutlierEjections(hostCount: 1, settings: settings(maxPercent: 100, base: 1_000_000_000))
        _ = e.thresholdReached(host: 0, now: 0)
        _ = e.sweep(now: 1_000_000_000)
        #expect(e.hosts[0].ejections == 1)
        _ = e.sweep(now: 1_000_000_000 + OutlierSettings().intervalNanos)
        #expect(e.hosts[0].ejections == 0)
    }

    @Test func panicWhenTooFewHostsAreHealthy() {
        var e = OutlierEjections(hostCount: 2, settings: settings(maxPercent: 100, minHealth: 60))
        #expect(!e.panics)
        _ = e.thresholdReached(host: 0, now: 0)
        #expect(e.panics, "50% healthy is below 60%")
    }
}

@Suite struct RetryPolicyTests {
    @Test func retryConditionsAreReadAsEnvoyDoes() throws {
        let policy = RetryPolicy(attempts: 2, perTryTimeout: nil, retryOn: "gateway-error,503,connect-failure", isDefault: false)
        let on = RoutePolicy.RetryOn(policy.retryOn)
        #expect(on.contains(.gatewayError) && on.contains(.connectFailure) && on.contains(.retriableStatusCodes))
        #expect(!on.contains(.serverError))
        #expect(policy.retriableStatusCodes == [503])
    }

    @Test func backoffIsFullyJitteredAndCapped() {
        var random = SplitMix64(seed: 3)
        for retry in 1...8 {
            let ceiling = min(25_000_000 * ((Int64(1) << Int64(retry)) - 1), 250_000_000)
            for _ in 0..<200 {
                let wait = RoutePolicy.backoffNanos(retry: retry, random: &random)
                #expect(wait >= 0 && wait < ceiling)
            }
        }
    }
}

@Suite struct ClusterSettingsTests {
    @Test func istioLeavesEveryLimitAtTheMaximumUnlessSet() {
        let settings = ClusterSettings(policy: nil, port: 80)
        #expect(settings.maxConnections == 4_294_967_295)
        #expect(settings.maxPendingRequests == 4_294_967_295)
        #expect(settings.maxRequests == 4_294_967_295)
        #expect(settings.maxRetries == 4_294_967_295)
        #expect(settings.outlier == nil)
        #expect(settings.balancer == .leastRequest)
    }
}
