import Foundation
import MeshModel
import NIOCore
import NIOPosix
import Testing

@testable import MeshProxy

/// A TCP server that echoes what it receives, prefixed by its name (so a test sees which one
/// answered).
final class EchoServer: @unchecked Sendable {
    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let name: String
        init(name: String) { self.name = name }
        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "hello from \(name)\n")), promise: nil)
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var channel: Channel?
    var port: Int { channel?.localAddress?.port ?? 0 }

    init(name: String) async throws {
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler(name: name)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async {
        try? await channel?.close()
        try? await group.shutdownGracefully()
    }
}

@Suite struct TCPForwardingTests {
    /// A TLS ClientHello carrying `serverName`, as a client would send it first.
    static func clientHello(_ serverName: String) -> [UInt8] {
        let name = Array(serverName.utf8)
        var sni: [UInt8] = [0x00, 0x00]  // extension: server_name
        let list = [0x00] + [UInt8(name.count >> 8), UInt8(name.count & 0xff)] + name
        let listWithLength = [UInt8(list.count >> 8), UInt8(list.count & 0xff)] + list
        sni += [UInt8(listWithLength.count >> 8), UInt8(listWithLength.count & 0xff)] + listWithLength
        var body: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 7, count: 32)  // version, random
        body += [0x00]  // session id
        body += [0x00, 0x02, 0x13, 0x01]  // cipher suites
        body += [0x01, 0x00]  // compression
        body += [UInt8(sni.count >> 8), UInt8(sni.count & 0xff)] + sni
        let handshake = [0x01, 0x00, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
        return [0x16, 0x03, 0x01, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xff)] + handshake
    }

    @Test func clientHellosAreReadWithoutOpeningThem() {
        let hello = Self.clientHello("api.example.com")
        #expect(ProtocolSniffer.classify(ByteBuffer(bytes: hello)) == .tls(sni: "api.example.com"))
        #expect(ProtocolSniffer.classify(ByteBuffer(bytes: hello.prefix(20))) == .needMore)
        #expect(ProtocolSniffer.classify(ByteBuffer(string: "GET / HTTP/1.1\r\n")) == .http)
        #expect(ProtocolSniffer.classify(ByteBuffer(string: "\u{0}\u{1}binary")) == .other)
    }

    @Test func tcpAndTLSRoutesForwardBytesBothWays() async throws {
        let a = try await EchoServer(name: "a")
        let b = try await EchoServer(name: "b")
        // The proxy listens on the service ports themselves: free ones, tried again if another
        // test takes one first.
        var attempt = 0
        let (server, servicePort, tlsPort) = try await { () async throws -> (ProxyServer, Int, Int) in
            while true {
                attempt += 1
                let servicePort = try ProxyHarness.closedPort()
                let tlsPort = try ProxyHarness.closedPort()
                let rules = """
                    apiVersion: networking.istio.io/v1
                    kind: ServiceEntry
                    metadata: {name: db}
                    spec:
                      hosts: [db.example.com]
                      addresses: [10.9.9.9]
                      location: MESH_EXTERNAL
                      ports: [{number: \(servicePort), name: tcp, protocol: TCP}, {number: \(tlsPort), name: tls, protocol: TLS}]
                      resolution: STATIC
                      endpoints:
                      - {address: 127.0.0.1, ports: {tcp: \(a.port), tls: \(a.port)}, labels: {version: a}}
                      - {address: 127.0.0.1, ports: {tcp: \(b.port), tls: \(b.port)}, labels: {version: b}}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: db}
                    spec:
                      host: db.example.com
                      subsets: [{name: a, labels: {version: a}}, {name: b, labels: {version: b}}]
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: db}
                    spec:
                      hosts: [db.example.com]
                      tcp:
                      - match: [{port: \(servicePort)}]
                        route: [{destination: {host: db.example.com, subset: b, port: {number: \(servicePort)}}}]
                      tls:
                      - match: [{port: \(tlsPort), sniHosts: [db.example.com]}]
                        route: [{destination: {host: db.example.com, subset: a, port: {number: \(tlsPort)}}}]

                    """
                guard case .success(let loaded) = ConfigStore.load(Array(rules.utf8), name: "tcp.yaml") else {
                    throw TestFailure("rules do not validate")
                }
                var options = ProxyOptions()
                options.listen = .init(host: "127.0.0.1", port: 0)
                options.admin = .init(host: "127.0.0.1", port: 0)
                options.concurrency = 1
                options.outboundPorts = [servicePort, tlsPort]
                let server = ProxyServer(options: options, rules: loaded)
                do {
                    try await server.start()
                } catch  where attempt < 5 {
                    // Another test took one of the ports between closedPort() and the proxy's bind.
                    await server.shutdown()
                    continue
                }
                return (server, servicePort, tlsPort)

            }
        }()
        defer {
            Task {
                await server.shutdown()
                await a.stop()
                await b.stop()
            }
        }
        // Plain TCP on the service port goes to subset b; the server speaks first.
        let plain = try RawConnection(port: servicePort)
        #expect(plain.read(until: "\n") == "hello from b\n")
        plain.send("ping\n")
        #expect(plain.read(until: "ping\n").hasSuffix("ping\n"))
        // TLS is routed by the server name in its ClientHello, passed through unopened.
        let tls = try RawConnection(port: tlsPort)
        let hello = Self.clientHello("db.example.com")
        tls.send(hello)
        let answer = tls.read(until: "\n")
        #expect(answer.hasPrefix("hello from a\n"), "the ClientHello reached subset a, which echoes it back")
        let stats = try await HTTPClient.send("GET", host: "127.0.0.1", port: server.adminAddress!.port!, path: "/stats").text
        #expect(stats.contains("cluster.outbound|\(servicePort)|b|db.example.com.upstream_cx_total: 1"), "\(stats)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
