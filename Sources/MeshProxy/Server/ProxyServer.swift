import Foundation
import Logging
import MeshModel
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// meshctl's sidecar proxy: the outbound listener on worker event loops (one per
/// `--concurrency`, as Envoy's workers), and the admin API on an event loop of its own.
public final class ProxyServer: @unchecked Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    public let options: ProxyOptions
    public let config: ConfigStore
    /// The rules the proxy starts with.
    private let rules: LoadedRules
    let context: ProxyContext
    let workerGroup: MultiThreadedEventLoopGroup
    let adminGroup: MultiThreadedEventLoopGroup
    let logger: Logger
    let started = NIODeadline.now()
    let startDate = Date()
    private var workersByLoop: [ObjectIdentifier: Worker] = [:]
    private var listener: Channel?
    private var portListeners: [Channel] = []
    private var inboundListener: Channel?
    /// The bound inbound listener, as `HOST:PORT`, when there is one.
    public var boundInbound: String? { Self.text(inboundListener?.localAddress) }
    /// The bound inbound listener's port (port 0 resolved), when there is one.
    var boundInboundPort: Int? { inboundListener?.localAddress?.port }
    private var adminChannel: Channel?
    private var sweeper: RepeatedTask?
    private var renewals: RepeatedTask?
    private let quit = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let quitRequested = Atomic<Bool>(false)
    /// The addresses actually bound (port 0 resolved).
    public private(set) var listenAddress: SocketAddress?
    public private(set) var adminAddress: SocketAddress?

    public init(options: ProxyOptions, rules: LoadedRules, accessLog: AccessLog? = nil, logger: Logger? = nil) {
        self.options = options
        let logger = logger ?? Logger(label: "meshctl.proxy")
        self.context = ProxyContext(options: options, accessLog: accessLog, logger: logger)
        self.config = ConfigStore(context: context)
        self.rules = rules
        self.workerGroup = MultiThreadedEventLoopGroup(numberOfThreads: max(options.concurrency, 1))
        self.adminGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.logger = logger
    }

    /// Binds the outbound and admin listeners. Throws a one-line error (e.g. an address in use).
    public func start() async throws {
        await config.start(with: rules)
        let snapshot = config.snapshot
        var seed = UInt64(truncatingIfNeeded: ObjectIdentifier(self).hashValue) ^ DispatchTime.now().uptimeNanoseconds
        var workers: [Worker] = []
        for loop in workerGroup.makeIterator() {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let worker = Worker(eventLoop: loop, context: context, snapshot: snapshot, seed: seed)
            workers.append(worker)
            workersByLoop[ObjectIdentifier(loop)] = worker
        }
        config.workers = workers
        let byLoop = workersByLoop
        do {
            listener = try await bindListener(port: options.listen.port, servicePort: nil, byLoop: byLoop)
            for port in options.outboundPorts {
                portListeners.append(try await bindListener(port: port, servicePort: port, byLoop: byLoop))
            }
            if let inbound = options.inbound {
                inboundListener = try await bindListener(
                    port: inbound.port, servicePort: options.app?.port, byLoop: byLoop, host: inbound.host, inbound: true)
            }
        } catch let failure as StartError {
            try? await listener?.close()
            for channel in portListeners { try? await channel.close() }
            try? await inboundListener?.close()
            try? await shutdownGroups()
            throw failure
        }
        listenAddress = listener?.localAddress
        // Each worker learns the ports it must never forward to (they would bring a request back
        // to this proxy), on its own event loop.
        let ownPorts = Set(([listener] + portListeners + [inboundListener]).compactMap { $0?.localAddress?.port })
        for worker in workers { try? await worker.eventLoop.submit { worker.ownListenerPorts = ownPorts }.get() }
        let admin = AdminAPI(server: self)
        do {
            adminChannel = try await ServerBootstrap(group: adminGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                        try channel.pipeline.syncOperations.addHandler(AdminHandler(api: admin))
                    }
                }
                .bind(host: options.admin.host, port: options.admin.port).get()
        } catch {
            try? await listener?.close()
            try? await shutdownGroups()
            throw StartError(description: "cannot serve the admin API on \(options.admin): \(Self.describe(error))")
        }
        adminAddress = adminChannel?.localAddress
        startSweeps()
        if let rotation = options.rotation {
            let stats = context.stats
            renewals = rotation.schedule(
                on: adminGroup.next(), rotations: stats.counter("meshctl.certificate.rotations"),
                failures: stats.counter("meshctl.certificate.rotation_failures"))
        }
    }

    /// A listener on the outbound host: every connection starts with protocol detection.
    private func bindListener(
        port: Int, servicePort: Int?, byLoop: [ObjectIdentifier: Worker], host: String? = nil, inbound: Bool = false
    ) async throws -> Channel {
        let host = host ?? options.listen.host
        do {
            return try await ServerBootstrap(group: workerGroup)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let worker = byLoop[ObjectIdentifier(channel.eventLoop)] else {
                            throw ChannelError.ioOnClosedChannel
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            ProtocolSniffer(worker: worker, port: servicePort, inbound: inbound))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            let address = ProxyOptions.Address(host: host, port: port)
            throw StartError(description: "cannot listen on \(address): \(Self.describe(error))")
        }
    }

    static func describe(_ error: Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "address already in use"
            case EADDRNOTAVAIL: return "address not available on this machine"
            case EACCES: return "permission denied"
            default: return io.description
            }
        }
        if let socket = error as? SocketAddressError { return "\(socket)" }
        return "\(error)"
    }

    /// Outlier detection's interval sweeps, on the admin event loop.
    private func startSweeps() {
        let tracer = context.tracer
        sweeper = adminGroup.next().scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) {
            [config] _ in
            tracer?.flush()
            let now = Int64(NIODeadline.now().uptimeNanoseconds)
            // Each cluster keeps when it was last swept (its state outlives configurations), so
            // a turn is one pass over the outlier-detecting clusters, without lookups.
            for cluster in config.snapshot.outlierClusters {
                guard let settings = cluster.settings.outlier else { continue }
                let last = cluster.state.lastSweep.load(ordering: .relaxed)
                if last < 0 {
                    cluster.state.lastSweep.store(now, ordering: .relaxed)
                    continue
                }
                guard now - last >= settings.intervalNanos else { continue }
                cluster.state.lastSweep.store(now, ordering: .relaxed)
                cluster.state.sweep(hosts: cluster.hosts, settings: settings, now: now)
            }
        }
    }

    /// Waits until the proxy is asked to stop (`/quitquitquit`, or `requestQuit()`).
    public func waitForQuit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = quit.withLock { waiters -> Bool in
                if quitRequested.load(ordering: .relaxed) { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    public func requestQuit() {
        let waiters = quit.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            quitRequested.store(true, ordering: .relaxed)
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops accepting connections (Envoy's `/drain_listeners`); open connections finish
    /// their current request and close.
    public func drainListeners() async {
        context.draining.store(true, ordering: .relaxed)
        try? await listener?.close()
        for channel in portListeners { try? await channel.close() }
        try? await inboundListener?.close()
    }

    /// Stops: no new connections, requests in flight get up to the drain time to finish,
    /// then everything closes.
    public func shutdown() async {
        sweeper?.cancel()
        renewals?.cancel()
        context.tracer?.flush()
        await drainListeners()
        let deadline = NIODeadline.now() + .nanoseconds(options.drainNanos)
        while context.listenerStats.rqActive.value > 0 && NIODeadline.now() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        try? await adminChannel?.close()
        try? await shutdownGroups()
    }

    private func shutdownGroups() async throws {
        try await workerGroup.shutdownGracefully()
        try await adminGroup.shutdownGracefully()
    }

    /// The bound outbound listener, as `HOST:PORT`.
    public var boundListen: String { Self.text(listenAddress) ?? options.listen.description }
    /// The bound admin API, as `HOST:PORT`.
    public var boundAdmin: String { Self.text(adminAddress) ?? options.admin.description }

    /// An address as `HOST:PORT` (`[HOST]:PORT` for IPv6).
    public static func text(_ address: SocketAddress?) -> String? {
        guard let address, let ip = address.ipAddress, let port = address.port else { return nil }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    var uptimeSeconds: Int { Int((NIODeadline.now() - started).nanoseconds / 1_000_000_000) }
}
