import NIOCore
import NIOSSL

/// The first handler on every accepted connection: it looks at the first bytes, as Istio's
/// protocol detection does, and hands the connection to the HTTP path (a request line), or to
/// the TCP path (a TLS ClientHello, routed by its server name, or any other bytes, or none
/// within the detection timeout: a protocol where the server speaks first).
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let worker: Worker
    /// The service port connections to this listener are for (nil: the outbound listener,
    /// where HTTP names its port in the Host header).
    let port: Int?
    /// The inbound listener: HTTP for the local application, over mutual TLS or (unless a
    /// PeerAuthentication says STRICT) plaintext.
    let inbound: Bool
    private var buffered: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var decided = false

    /// Istio's default protocol detection timeout.
    static let detectionTimeout = TimeAmount.milliseconds(100)
    /// A ClientHello longer than this is not waited for.
    static let maxSniffBytes = 16 * 1024 + 5

    init(worker: Worker, port: Int?, inbound: Bool = false) {
        self.worker = worker
        self.port = port
        self.inbound = inbound
    }

    func channelActive(context: ChannelHandlerContext) {
        if let port, !inbound {
            // A port the rules declare plain TCP only is never HTTP-routed and has no server name
            // to read: no need to look (TLS ports wait for the ClientHello).
            let table = worker.snapshot.table
            let listeners = table.tcpListeners.filter { $0.port == port }
            if table.routeConfiguration(port: port) == nil && !listeners.isEmpty && !listeners.contains(where: \.isTLS) {
                return decide(context, as: .tcp(sni: nil))
            }
            // Only listeners for a service port carry TCP that may wait for the server.
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: Self.detectionTimeout) {
                let (sniffer, context) = bound.value
                sniffer.timer = nil
                sniffer.decide(context, as: .tcp(sni: nil))
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var held = buffered {
            held.writeBuffer(&incoming)
            buffered = held
        } else {
            buffered = incoming
        }
        guard let bytes = buffered else { return }
        if inbound {
            switch Self.classify(bytes) {
            case .needMore: if bytes.readableBytes > Self.maxSniffBytes { context.close(promise: nil) }
            case .http: decideInbound(context, tls: false)
            case .tls: decideInbound(context, tls: true)
            case .other: context.close(promise: nil)
            }
            return
        }
        // Bytes that are neither HTTP nor TLS go over TCP to the service port they came in on;
        // the outbound listener has none to send them to, so its HTTP codec answers them (400).
        let notHTTP: Kind = port == nil ? .http : .tcp(sni: nil)
        switch Self.classify(bytes) {
        case .needMore:
            if bytes.readableBytes > Self.maxSniffBytes { decide(context, as: notHTTP) }
        case .http: decide(context, as: .http)
        case .tls(let sni): decide(context, as: .tcp(sni: sni))
        case .other: decide(context, as: notHTTP)
        }
    }

    enum Kind: Equatable {
        case http
        case tcp(sni: String?)
    }

    enum Classification: Equatable {
        case needMore
        case http
        case tls(sni: String?)
        case other
    }

    /// What the first bytes of a connection are.
    static func classify(_ buffer: ByteBuffer) -> Classification {
        buffer.withUnsafeReadableBytes { b -> Classification in
            guard let first = b.first else { return .needMore }
            if first == 0x16 { return TLSClientHello.serverName(b) }
            // An HTTP/1 request line starts with a method token and a space.
            var i = 0
            while i < b.count && i < 24 {
                let c = b[i]
                if c == 32 { return i > 0 ? .http : .other }
                guard c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") || c == UInt8(ascii: "-") else { return .other }
                i += 1
            }
            return i >= 24 ? .other : .needMore
        }
    }

    private func decide(_ context: ChannelHandlerContext, as kind: Kind) {
        guard !decided else { return }
        decided = true
        timer?.cancel()
        timer = nil
        let pipeline = context.pipeline.syncOperations
        do {
            switch kind {
            case .http:
                try pipeline.addHandler(DownstreamHandler(worker: worker, listenerPort: port), position: .after(self))
            case .tcp(let sni):
                guard let handler = TCPForwarder.make(worker: worker, port: port, sni: sni, channel: context.channel) else {
                    context.close(promise: nil)
                    return
                }
                try pipeline.addHandler(handler, position: .after(self))
            }
        } catch {
            context.close(promise: nil)
            return
        }
        // The next handler sees the connection as new, then the bytes already read.
        context.fireChannelActive()
        if let bytes = buffered {
            buffered = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
        pipeline.removeHandler(self, promise: nil)
    }

    /// The inbound listener takes HTTP for the application: in mutual TLS when the client starts
    /// a handshake (answered with the workload certificate, the client's required), plaintext
    /// when the workload's PeerAuthentication allows it; anything else is closed.
    private func decideInbound(_ context: ChannelHandlerContext, tls: Bool) {
        guard !decided else { return }
        decided = true
        let pipeline = context.pipeline.syncOperations
        let port = worker.context.options.app?.port ?? 0
        do {
            if tls {
                guard let identity = worker.context.options.tls else { return context.close(promise: nil) }
                let handler = DownstreamHandler(worker: worker, listenerPort: port, inbound: true)
                try pipeline.addHandler(handler, position: .after(self))
                try pipeline.addHandler(NIOSSLServerHandler(context: identity.serverContext), position: .after(self))
            } else {
                if worker.snapshot.inboundGate.requiresMutualTLS(port: port) {
                    // STRICT: plaintext is refused before any HTTP answer, as at a TLS handshake.
                    worker.inboundStats.plaintextRefused.increment()
                    return context.close(promise: nil)
                }
                try pipeline.addHandler(
                    DownstreamHandler(worker: worker, listenerPort: port, inbound: true), position: .after(self))
            }
        } catch {
            return context.close(promise: nil)
        }
        context.fireChannelActive()
        if let bytes = buffered {
            buffered = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
        pipeline.removeHandler(self, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }
}

/// The server name (SNI) of a TLS ClientHello, read without opening the connection.
enum TLSClientHello {
    static func serverName(_ b: UnsafeRawBufferPointer) -> ProtocolSniffer.Classification {
        // Record header: type (22), version (2), length (2).
        guard b.count >= 5 else { return .needMore }
        let recordLength = Int(b[3]) << 8 | Int(b[4])
        guard recordLength > 0 else { return .other }
        guard b.count >= 5 + recordLength else { return .needMore }
        var i = 5
        func u8() -> Int? {
            guard i < 5 + recordLength else { return nil }
            defer { i += 1 }
            return Int(b[i])
        }
        func u16() -> Int? {
            guard let high = u8(), let low = u8() else { return nil }
            return high << 8 | low
        }
        func skip(_ n: Int) -> Bool {
            guard i + n <= 5 + recordLength else { return false }
            i += n
            return true
        }
        // Handshake header: type 1 (ClientHello), length (3).
        guard u8() == 1, skip(3) else { return .other }
        // Version (2), random (32), session id, cipher suites, compression methods.
        guard skip(34), let sessionLength = u8(), skip(sessionLength), let suites = u16(), skip(suites),
            let methods = u8(), skip(methods)
        else { return .other }
        guard let extensionsLength = u16() else { return .tls(sni: nil) }
        let end = min(i + extensionsLength, 5 + recordLength)
        while i + 4 <= end {
            guard let type = u16(), let length = u16() else { break }
            if type == 0 {
                // server_name: list length (2), then entries of type (1), length (2), name.
                guard u16() != nil, let nameType = u8(), nameType == 0, let nameLength = u16(), i + nameLength <= end else {
                    return .tls(sni: nil)
                }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: b[i..<i + nameLength]), as: UTF8.self)
                return .tls(sni: name.lowercased())
            }
            guard skip(length) else { break }
        }
        return .tls(sni: nil)
    }
}
