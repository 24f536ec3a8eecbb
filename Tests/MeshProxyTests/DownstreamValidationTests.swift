import Foundation
import MeshRouting
import Testing

@testable import MeshProxy

/// Requests the proxy cannot route as written are refused with 400 and one line saying why,
/// as Envoy's codec refuses them; the ids it gives requests are version-4 UUIDs.
@Suite struct DownstreamValidationTests {
    static func answer(_ proxy: ProxyHarness, _ request: String) throws -> (head: String, body: String) {
        let connection = try RawConnection(port: proxy.listenPort)
        connection.send(request)
        let parts = connection.readAll().components(separatedBy: "\r\n\r\n")
        return (parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    @Test(arguments: ["svc:99999", "svc:0", "svc:65536", "svc:abc", "svc:80x", "[::1", "[::1]x", "[::1]:0"])
    func hostsWithABadPortAre400(host: String) async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        let (head, body) = try Self.answer(proxy, "GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 400 Bad Request"), "\(head)")
        #expect(body == AuthorityPort.problem(host, source: "Host") + "\n")
        #expect(body.hasPrefix("the port in Host") || body.hasPrefix("Host '"))
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_total") == 0)
        #expect(try await proxy.send("/", host: "svc:80").status == 200, "a good port still routes")
    }

    @Test func absoluteTargetsAreCheckedLikeHosts() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        let (head, body) = try Self.answer(proxy, "GET http://svc:99999/ HTTP/1.1\r\nHost: svc\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 400"))
        #expect(body == "the port in authority 'svc:99999' must be a number between 1 and 65535, got '99999'\n")
    }

    @Test func twoHostHeadersAre400() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        for hosts in ["Host: svc\r\nHost: svc", "Host: svc\r\nhost: other", "HOST: svc\r\nX-A: 1\r\nHost: svc:80"] {
            let (head, body) = try Self.answer(proxy, "GET / HTTP/1.1\r\n\(hosts)\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 400 Bad Request"), "\(hosts): \(head)")
            #expect(body == "more than one Host header\n")
        }
        #expect(try await proxy.stat("cluster.outbound|80||svc.default.svc.cluster.local.upstream_rq_total") == 0)
    }

    @Test(arguments: ["GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/1.1 extra\r\nHost: svc\r\n\r\n", "\u{1}\u{2}\u{3}\r\n\r\n"])
    func garbageIs400(request: String) async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        let (head, body) = try Self.answer(proxy, request)
        #expect(head.hasPrefix("HTTP/1.1 400 Bad Request"), "\(request.debugDescription): \(head)")
        #expect(body.hasSuffix("\n") && body.dropLast().allSatisfy { $0 != "\n" } && !body.isEmpty, "one line: \(body)")
    }

    /// RFC 9562's version-4 layout: version digit 4, variant bits 10 (8, 9, a or b).
    static func isVersion4(_ id: String) -> Bool {
        id.wholeMatch(of: #/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/#) != nil
    }

    @Test func generatedRequestIDsAreVersion4UUIDs() async throws {
        let proxy = try await ProxyHarness.start([.init("v1")])
        defer { Task { await proxy.stop() } }
        var seen = Set<String>()
        for _ in 0..<300 {
            let id = try #require(try await proxy.send("/").header("x-seen-request-id"))
            #expect(Self.isVersion4(id), "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 300)
    }

    @Test func everyRequestIDIsAVersion4UUID() {
        var random = SystemRandomNumberGenerator()
        let extremes: [(UInt64, UInt64)] = [(0, 0), (.max, .max), (0, .max), (.max, 0)]
        var variants = Set<Character>()
        for (high, low) in extremes + (0..<20_000).map { _ in (random.next(), random.next()) } {
            let id = RequestID(high: high, low: low).description
            #expect(Self.isVersion4(id), "\(id)")
            variants.insert(Array(id)[19])
        }
        #expect(variants == ["8", "9", "a", "b"])
    }
}
