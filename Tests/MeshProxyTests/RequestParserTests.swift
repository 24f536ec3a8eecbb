import NIOCore
import MeshRouting
import Testing

@testable import MeshProxy

@Suite struct RequestParserTests {
    /// Parses `text` fed in pieces of `step` bytes: the heads, each request's body, and the ends.
    func parse(_ text: String, step: Int = .max) throws -> (heads: [RawRequestHead], bodies: [String], ends: Int) {
        var parser = RequestParser()
        var heads: [RawRequestHead] = []
        var bodies: [String] = []
        var ends = 0
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            var buffer = ByteBuffer(bytes: bytes[offset..<end])
            offset = end
            while let event = try parser.next(&buffer) {
                switch event {
                case .head(let h):
                    heads.append(h)
                    bodies.append("")
                case .body(let b): bodies[bodies.count - 1] += String(buffer: b)
                case .end: ends += 1
                }
            }
        }
        return (heads, bodies, ends)
    }

    @Test(arguments: [1, 3, 16, Int.max])
    func pipelinedRequestsInAnyPieces(step: Int) throws {
        let text =
            "GET /a HTTP/1.1\r\nHost: svc\r\nX-Id: 1\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\n\r\nhello"
            + "PUT /c HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        let (heads, bodies, ends) = try parse(text, step: step)
        #expect(heads.map(\.method) == ["GET", "POST", "PUT"])
        #expect(heads.map(\.target) == ["/a", "/b", "/c"])
        #expect(bodies == ["", "hello", "3\r\nabc\r\n0\r\n\r\n"], "chunked bodies keep their framing")
        #expect(ends == 3)
        #expect(heads[0].host.map { heads[0].value($0) } == "svc")
        #expect(heads[1].contentLength == 5)
        #expect(heads[2].chunked)
    }

    @Test func keepAliveAndHopByHopHeaders() throws {
        let old = try parse("GET / HTTP/1.0\r\nHost: a\r\n\r\n").heads[0]
        #expect(!old.keepAlive)
        let oldKept = try parse("GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n").heads[0]
        #expect(oldKept.keepAlive)
        let closing = try parse(
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nX-Keep: 2\r\nTE: trailers\r\n\r\n"
        )
        .heads[0]
        #expect(!closing.keepAlive)
        let dropped = Set(closing.fields.indices.filter { closing.dropped.contains($0) }.map { closing.name($0).lowercased() })
        #expect(dropped == ["host", "connection", "x-hop", "te"])
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\u{01}b\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("NOT HTTP AT ALL\r\n\r\n", 400),
    ])
    func smugglingShapesAreRefused(input: String, status: Int) throws {
        do {
            _ = try parse(input)
            Issue.record("accepted: \(input.debugDescription)")
        } catch let error as HTTP1ParseError {
            #expect(error.status == status, "\(input.debugDescription): \(error.description)")
        }
    }

    @Test func oversizedHeadsAre431() throws {
        let big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: RequestParser.maxHeadBytes) + "\r\n\r\n"
        do {
            _ = try parse(big, step: 4096)
            Issue.record("accepted an oversized head")
        } catch let error as HTTP1ParseError {
            #expect(error.status == 431)
        }
    }
}

@Suite struct AuthorityTests {
    @Test(
        arguments: [
            ("reviews", .none), ("reviews:9080", .port(9080)), ("[::1]:80", .port(80)), ("[::1]", .none), ("host:", .none),
            ("::1", .none), ("a.b.c:1", .port(1)), ("host:65535", .port(65535)), ("host:0", .invalid),
            ("host:65536", .invalid), ("host:99999", .invalid), ("host:123456789012345678901234", .invalid),
            ("host:abc", .invalid), ("host:8o", .invalid), ("[::1", .invalid), ("[::1]x", .invalid), ("[::1]:0", .invalid),
        ] as [(String, AuthorityPort)])
    func portsAreReadFromTheAuthority(authority: String, port: AuthorityPort) {
        #expect(AuthorityPort(authority) == port)
    }

    @Test func refusedPortsAreExplainedAsSimulateExplainsThem() {
        #expect(
            AuthorityPort.problem("svc:99999", source: "Host")
                == "the port in Host 'svc:99999' must be a number between 1 and 65535, got '99999'")
        #expect(
            AuthorityPort.problem("[::1", source: "Host") == "Host '[::1' opens an IPv6 address with '[' but does not close it")
        #expect(AuthorityPort.problem("[::1]x", source: "Host") == "Host '[::1]x' has text after ']' that is not ':PORT'")
        #expect(
            AuthorityPort.problem("[::1]:abc", source: "--host")
                == "the port in --host '[::1]:abc' must be a number between 1 and 65535, got 'abc'")
    }
}
