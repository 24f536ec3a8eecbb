import NIOCore
import Testing

@testable import MeshProxy

@Suite struct ResponseParserTests {
    /// Feeds `bytes` in pieces of `step` bytes and collects what comes out.
    func parse(_ text: String, step: Int = .max, parser: ResponseParser = ResponseParser()) throws -> (
        heads: [ResponseHead], body: String, ends: Int
    ) {
        var parser = parser
        var heads: [ResponseHead] = []
        var body = ""
        var ends = 0
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            var buffer = ByteBuffer(bytes: bytes[offset..<end])
            offset = end
            for event in try parser.feed(&buffer) {
                switch event {
                case .head(let h): heads.append(h)
                case .body(let b): body += String(buffer: b)
                case .end: ends += 1
                }
            }
        }
        return (heads, body, ends)
    }

    static let fixed = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nX-A:  padded  \r\n\r\nhello world"

    @Test(arguments: [1, 2, 3, 7, 64, Int.max])
    func contentLengthInAnyPieces(step: Int) throws {
        let (heads, body, ends) = try parse(Self.fixed, step: step)
        #expect(heads.count == 1)
        #expect(heads[0].status == 200)
        #expect(heads[0].contentLength == 11)
        #expect(heads[0].value(of: "x-a") == "padded")
        #expect(heads[0].value(of: "content-type") == "text/plain")
        #expect(!heads[0].closes)
        #expect(body == "hello world")
        #expect(ends == 1)
    }

    static let chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"

    @Test(arguments: [1, 5, Int.max])
    func chunkedBodiesPassThroughWithTheirFraming(step: Int) throws {
        let (heads, body, ends) = try parse(Self.chunked, step: step)
        #expect(heads.first?.chunked == true)
        #expect(body == "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n")
        #expect(ends == 1)
    }

    @Test(arguments: [1, 4, Int.max])
    func chunkedBodiesDecodedForOldClients(step: Int) throws {
        let (_, body, ends) = try parse(Self.chunked, step: step, parser: ResponseParser(decodeChunks: true))
        #expect(body == "hello world")
        #expect(ends == 1)
    }

    @Test func headAnswersAndEmptyStatusesHaveNoBody() throws {
        let head = try parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", parser: ResponseParser(requestWasHead: true))
        #expect(head.heads.count == 1 && head.ends == 1 && head.body.isEmpty)
        let noContent = try parse("HTTP/1.1 204 No Content\r\n\r\n")
        #expect(noContent.heads.first?.status == 204 && noContent.ends == 1)
    }

    @Test func interimAnswersAreSkipped() throws {
        let (heads, body, _) = try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        #expect(heads.map(\.status) == [201])
        #expect(body == "ok")
    }

    @Test func bodyUntilCloseEndsWhenTheConnectionCloses() throws {
        var parser = ResponseParser()
        var buffer = ByteBuffer(string: "HTTP/1.0 200 OK\r\n\r\nsome bytes")
        let events = try parser.feed(&buffer)
        #expect(events.count == 2)
        #expect(try parser.connectionClosed())
        #expect(parser.isComplete)
    }

    @Test func closeAndKeepAliveAreRead() throws {
        #expect(try parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").heads[0].closes)
        #expect(try parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").heads[0].closes)
        #expect(!(try parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").heads[0].closes))
    }

    @Test(arguments: [
        ("garbage\r\n\r\n", "other than HTTP"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "both content-length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", "after the end"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size"),
        ("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "malformed upstream content-length"),
        ("HTTP/1.1 200 OK\r\n folded\r\n\r\n", "folding"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "transfer-encoding"),
    ])
    func malformedAnswersAreErrors(input: String, message: String) throws {
        do {
            _ = try parse(input)
            Issue.record("no error for \(input.debugDescription)")
        } catch let error as HTTP1ParseError {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func oversizedHeadsAreRefused() throws {
        let big = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: ResponseParser.maxHeadBytes) + "\r\n"
        #expect(throws: HTTP1ParseError.self) { try parse(big, step: 4096) }
    }

    @Test func closingMidBodyIsAnError() throws {
        var parser = ResponseParser()
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        _ = try parser.feed(&buffer)
        #expect(throws: HTTP1ParseError.self) { _ = try parser.connectionClosed() }
    }
}
