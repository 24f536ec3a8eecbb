import NIOCore
import NIOHTTP1

/// An admin request, read whole.
struct AdminRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var query: [String: String]
    var body: ByteBuffer
}

/// An admin answer.
struct AdminResponse: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: String
    var headers: [(String, String)] = []

    static func text(_ body: String, _ status: HTTPResponseStatus = .ok) -> AdminResponse {
        AdminResponse(status: status, contentType: "text/plain; charset=UTF-8", body: body)
    }
    static func json(_ body: String, _ status: HTTPResponseStatus = .ok) -> AdminResponse {
        AdminResponse(status: status, contentType: "application/json", body: body)
    }
}

/// Reads admin requests (bodies up to the config limit) and writes the API's answers.
final class AdminHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let api: AdminAPI
    private var request: AdminRequest?
    private var keepAlive = true
    private var tooLarge = false

    init(api: AdminAPI) { self.api = api }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            tooLarge = false
            let (path, query) = Self.split(head.uri)
            request = AdminRequest(method: head.method, path: path, query: query, body: ByteBuffer())
            // A client that waits to be invited before sending a body (curl does for large
            // uploads, for a second) is invited at once.
            if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        case .body(var part):
            guard request != nil, !tooLarge else { return }
            if request!.body.readableBytes + part.readableBytes > api.maxBodyBytes {
                tooLarge = true
                request!.body.clear()
            } else {
                request!.body.writeBuffer(&part)
            }
        case .end:
            guard let request else { return }
            self.request = nil
            if tooLarge {
                return respond(context, .text("request body larger than \(api.maxBodyBytes >> 20) MiB\n", .payloadTooLarge))
            }
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            api.handle(request, on: loop).hop(to: loop).whenComplete { [self] result in
                switch result {
                case .success(let response): respond(bound.value, response)
                case .failure(let error): respond(bound.value, .text("\(error)\n", .internalServerError))
                }
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ response: AdminResponse) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: String(response.body.utf8.count))
        headers.add(name: "cache-control", value: "no-cache, max-age=0")
        headers.add(name: "x-content-type-options", value: "nosniff")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    /// `/stats?filter=x&format=json` → (`/stats`, [filter: x, format: json]), percent-decoded.
    static func split(_ uri: String) -> (String, [String: String]) { RequestTarget.split(uri) }
}

/// A request target's path and its query's parameters, percent-decoded (`+` as a space).
public enum RequestTarget {
    public static func split(_ uri: String) -> (String, [String: String]) {
        guard let q = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: q)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = percentDecode(String(parts[0]))
            query[key] = parts.count > 1 ? percentDecode(String(parts[1])) : ""
        }
        return (String(uri[..<q]), query)
    }

    public static func percentDecode(_ s: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(s.utf8)[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "%"), utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                utf8 = utf8.dropFirst(2)
            } else if b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
