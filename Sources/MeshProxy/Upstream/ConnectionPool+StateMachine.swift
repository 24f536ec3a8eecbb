/// The decisions of one event loop's connection pool to one host, as a pure value: which
/// request gets which connection, when to open another, when a request overflows. The pool
/// performs the actions it returns; tests drive it without sockets.
///
/// Requests that find no idle connection wait in order (Envoy's pending requests). A new
/// connection is opened for a waiting request while the cluster allows one more, and always
/// when this pool has none at all, as Envoy's pools do so that a limit held by other event
/// loops cannot starve this one.
struct PoolStateMachine<Connection: AnyObject, Waiter: AnyObject> {
    enum AcquireAction {
        /// Use this idle connection now.
        case use(Connection)
        /// Wait; open a connection if `connect`.
        case wait(connect: Bool)
        /// The cluster's pending-request limit is reached: answer 503 UO.
        case overflow
    }
    enum HandOff {
        /// Give the connection to this waiting request.
        case serve(Waiter, Connection)
        /// Keep it idle.
        case idle
    }

    private(set) var idle: [Connection] = []
    private(set) var waiters: [Waiter] = []
    private(set) var connecting = 0
    /// Connections of this pool, open or opening, idle or busy.
    private(set) var total = 0

    var isEmpty: Bool { idle.isEmpty && waiters.isEmpty && total == 0 }

    /// A request wants a connection. `pendingAllowed`: the cluster has room for one more
    /// pending request; `connectionAllowed`: it has room for one more connection.
    mutating func acquire(_ waiter: Waiter, pendingAllowed: Bool, connectionAllowed: () -> Bool) -> AcquireAction {
        if let connection = idle.popLast() { return .use(connection) }
        guard pendingAllowed else { return .overflow }
        waiters.append(waiter)
        return .wait(connect: shouldConnect(connectionAllowed))
    }

    /// Whether to open one more connection for the waiting requests.
    mutating func shouldConnect(_ connectionAllowed: () -> Bool) -> Bool {
        guard waiters.count > connecting else { return false }
        guard connectionAllowed() || total == 0 else { return false }
        connecting += 1
        total += 1
        return true
    }

    /// A connection this pool opened is ready.
    mutating func connected(_ connection: Connection) -> HandOff {
        connecting -= 1
        return handOff(connection)
    }

    /// A connection finished a request and may be reused.
    mutating func released(_ connection: Connection) -> HandOff { handOff(connection) }

    private mutating func handOff(_ connection: Connection) -> HandOff {
        if !waiters.isEmpty { return .serve(waiters.removeFirst(), connection) }
        idle.append(connection)
        return .idle
    }

    /// Opening a connection failed: the first waiting request gets the failure; another
    /// connection is opened if requests still wait and the cluster allows.
    mutating func connectFailed(connectionAllowed: () -> Bool) -> (failed: Waiter?, connectAgain: Bool) {
        connecting -= 1
        total -= 1
        let failed = waiters.isEmpty ? nil : waiters.removeFirst()
        return (failed, shouldConnect(connectionAllowed))
    }

    /// An open connection closed (idle or after its last request).
    mutating func closed(_ connection: Connection, connectionAllowed: () -> Bool) -> Bool {
        total -= 1
        idle.removeAll { $0 === connection }
        return shouldConnect(connectionAllowed)
    }

    /// A waiting request gave up (its client left, or its timeout fired).
    mutating func cancel(_ waiter: Waiter) -> Bool {
        guard let index = waiters.firstIndex(where: { $0 === waiter }) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Idle connections to close (the pool's host left the configuration).
    mutating func drainIdle() -> [Connection] {
        defer { idle.removeAll() }
        return idle
    }
}
