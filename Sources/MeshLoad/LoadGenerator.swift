import Histogram
import MeshProxy
import NIOCore
import NIOPosix

/// Sends a plan's requests over keep-alive connections on event loops and measures them.
///
/// Each connection has one request in flight: it sends the next one as soon as an answer is
/// complete (a closed loop), or, with a QPS target, at its share of the rate (each connection
/// paces itself at `qps / connections`, and never sends two at once). Latency is measured from
/// the moment a request is written to the end of its answer, in an HDR histogram per event
/// loop (microseconds, three significant digits), merged when the run ends.
public final class LoadGenerator: Sendable {
    public let plan: LoadPlan

    public init(plan: LoadPlan) { self.plan = plan }

    /// Runs the plan to its end. `progress` is called about once a second with the counts so far.
    public func run(progress: (@Sendable (LoadProgress) -> Void)? = nil) async throws -> LoadReport {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, plan.threads))
        do {
            let report = try await run(on: group, progress: progress)
            try? await group.shutdownGracefully()
            return report
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func run(
        on group: MultiThreadedEventLoopGroup, progress: (@Sendable (LoadProgress) -> Void)?
    ) async throws -> LoadReport {
        let loops = (0..<max(1, plan.threads)).map { _ in group.next() }
        let request = plan.requestBytes
        let isHead = plan.method == "HEAD"
        let started = NIODeadline.now()
        let recorders = loops.map { Recorder(loop: $0) }
        var shares: [Int] = []
        if case .count(let n) = plan.stop {
            shares = (0..<plan.connections).map { n / plan.connections + ($0 < n % plan.connections ? 1 : 0) }
        }
        let interval: Int64 = plan.qps > 0 ? Int64(1e9 * Double(plan.connections) / plan.qps) : 0
        var futures: [EventLoopFuture<Void>] = []
        for (index, recorder) in recorders.enumerated() {
            let mine = stride(from: index, to: plan.connections, by: recorders.count).map { $0 }
            let budget = mine.map { shares.isEmpty ? nil : shares[$0] }
            let plan = self.plan
            futures.append(
                recorder.loop.flatSubmit {
                    recorder.start(
                        plan: plan, budgets: budget, request: request, isHead: isHead, started: started, interval: interval)
                })
        }
        let all = EventLoopFuture.andAllComplete(futures, on: loops[0])
        let ticker = progress.map { progress in
            loops[0].scheduleRepeatedAsyncTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                let counts = recorders.map { recorder in recorder.loop.submit { (recorder.completed, recorder.failures) } }
                return EventLoopFuture.whenAllSucceed(counts, on: loops[0]).map { counts in
                    progress(
                        LoadProgress(
                            elapsedNanos: (NIODeadline.now() - started).nanoseconds, completed: counts.map(\.0).reduce(0, +),
                            errors: counts.map(\.1).reduce(0, +)))
                }
            }
        }
        // A cancelled task (a demo stopped by Ctrl-C) stops sending; what was answered is reported.
        try await withTaskCancellationHandler {
            try await all.get()
        } onCancel: {
            for recorder in recorders { recorder.loop.execute { recorder.stopped = true } }
        }
        ticker?.cancel()
        let elapsed = (NIODeadline.now() - started).nanoseconds
        var report = LoadReport(plan: plan, elapsedNanos: elapsed)
        for recorder in recorders {
            let part = try await recorder.loop.submit {
                var part = LoadReport(plan: self.plan, elapsedNanos: elapsed)
                recorder.merge(into: &part)
                return part
            }.get()
            report.add(part)
        }
        return report
    }
}

/// Counts so far, for a progress line.
public struct LoadProgress: Sendable {
    public var elapsedNanos: Int64
    public var completed: Int
    public var errors: Int
}

/// One event loop's connections and measurements; touched only on its loop.
final class Recorder: @unchecked Sendable {
    let loop: EventLoop
    var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var statuses = [Int](repeating: 0, count: 600)
    var completed = 0
    var failures = 0
    var sent = 0
    var errors: [String: Int] = [:]
    var drivers: [Driver] = []
    var running = 0
    var done: EventLoopPromise<Void>?
    var sweeper: RepeatedTask?
    /// The run was cancelled: each connection stops after the answer it is waiting for.
    var stopped = false

    init(loop: EventLoop) { self.loop = loop }

    func start(
        plan: LoadPlan, budgets: [Int?], request: ByteBuffer, isHead: Bool, started: NIODeadline, interval: Int64
    ) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        done = promise
        var deadline: NIODeadline?
        if case .duration(let nanos) = plan.stop { deadline = started + .nanoseconds(nanos) }
        for budget in budgets {
            let driver = Driver(
                recorder: self, target: plan.target, request: request, isHead: isHead, budget: budget, deadline: deadline,
                interval: interval, started: started)
            drivers.append(driver)
        }
        running = drivers.count
        if running == 0 {
            promise.succeed()
            return promise.futureResult
        }
        let timeout = plan.timeoutNanos
        sweeper = loop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { [self] _ in
            let now = NIODeadline.now()
            for driver in drivers { driver.checkTimeout(now: now, timeoutNanos: timeout) }
        }
        for driver in drivers { driver.next() }
        return promise.futureResult
    }

    /// Connections whose next request waits for the end of this event-loop tick.
    private var ready: [Driver] = []
    private var flushScheduled = false

    /// Sends `driver`'s next request once every answer that arrived in this tick is read: the
    /// requests go out together (as wrk writes them after its reads), so the server takes them
    /// in one wakeup instead of being woken, and this loop preempted, once per request.
    func sendSoon(_ driver: Driver) {
        ready.append(driver)
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.execute { [self] in
            flushScheduled = false
            let batch = ready
            ready.removeAll(keepingCapacity: true)
            let now = NIODeadline.now()
            for driver in batch { driver.send(at: now) }
        }
    }

    func record(status: Int, micros: UInt64) {
        completed += 1
        statuses[status < 600 && status >= 0 ? status : 0] += 1
        _ = histogram.record(max(micros, 1))
    }

    func fail(_ reason: String) {
        failures += 1
        errors[reason, default: 0] += 1
    }

    func finished() {
        running -= 1
        if running == 0 {
            sweeper?.cancel()
            for driver in drivers { driver.connection?.close() }
            done?.succeed()
        }
    }

    func merge(into report: inout LoadReport) {
        report.histogram.add(histogram)
        report.sent += sent
        report.completed += completed
        for (code, count) in statuses.enumerated() where count > 0 { report.statuses[code, default: 0] += count }
        for (reason, count) in errors { report.errors[reason, default: 0] += count }
    }
}

/// One connection's loop: send, wait for the answer, record, send again.
final class Driver: LoadConnectionDelegate, @unchecked Sendable {
    /// The recorder owns its drivers, so it outlives each of them.
    unowned(unsafe) let recorder: Recorder
    var connection: LoadConnection?
    let request: ByteBuffer
    let isHead: Bool
    var budget: Int?
    let deadline: NIODeadline?
    let interval: Int64
    var nextDue: NIODeadline
    var sentAt: NIODeadline?
    var finished = false

    init(
        recorder: Recorder, target: LoadTarget, request: ByteBuffer, isHead: Bool, budget: Int?, deadline: NIODeadline?,
        interval: Int64, started: NIODeadline
    ) {
        self.recorder = recorder
        self.request = request
        self.isHead = isHead
        self.budget = budget
        self.deadline = deadline
        self.interval = interval
        self.nextDue = started
        connection = LoadConnection(
            host: target.connectHost, port: target.connectPort, loop: recorder.loop, delegate: self)
    }

    func next(after pause: Int64 = 0, now: NIODeadline = .now()) {
        if recorder.stopped { return finish() }
        if let budget, budget <= 0 { return finish() }
        if let deadline, now >= deadline { return finish() }
        var due = now + .nanoseconds(pause)
        if interval > 0 {
            due = max(due, nextDue)
            nextDue = max(nextDue, now) + .nanoseconds(interval)
        }
        if due > now {
            if let deadline, due >= deadline { return finish() }
            recorder.loop.scheduleTask(deadline: due) { [self] in send(at: .now()) }
        } else {
            recorder.sendSoon(self)
        }
    }

    func send(at now: NIODeadline) {
        budget? -= 1
        recorder.sent += 1
        sentAt = now
        connection?.send(request, isHead: isHead)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        recorder.finished()
    }

    func checkTimeout(now: NIODeadline, timeoutNanos: Int64) {
        guard let sentAt, (now - sentAt).nanoseconds >= timeoutNanos else { return }
        self.sentAt = nil
        connection?.close()
        recorder.fail("timeout")
        next()
    }

    func loadConnection(_ connection: LoadConnection, answered status: Int, bodyBytes: Int) {
        guard connection === self.connection, let sentAt else { return }
        self.sentAt = nil
        let now = NIODeadline.now()
        recorder.record(status: status, micros: UInt64(max((now - sentAt).nanoseconds, 0) / 1000))
        next(now: now)
    }

    func loadConnection(_ connection: LoadConnection, failed reason: String) {
        guard connection === self.connection, sentAt != nil else { return }
        sentAt = nil
        recorder.fail(reason)
        // A refused or broken connection is tried again after a short pause, not in a busy loop.
        next(after: 10_000_000)
    }
}
