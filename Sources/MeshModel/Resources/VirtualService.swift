/// `networking.istio.io` VirtualService: how requests to a set of hosts are routed.
public struct VirtualService: Sendable {
    public var node: Int32
    public var hosts: [Located<String>] = []
    public var gateways: [Located<String>] = []
    public var http: [HTTPRoute] = []
    public var tls: [TLSRoute] = []
    public var tcp: [TCPRoute] = []
    public var exportTo: [Located<String>] = []
    /// Nodes of the `hosts` / `http` fields, for findings about the whole list.
    public var hostsNode: Int32 = -1
    public var httpNode: Int32 = -1
}

public struct HTTPRoute: Sendable {
    public var node: Int32
    public var name: String?
    public var match: [HTTPMatchRequest] = []
    public var route: [HTTPRouteDestination] = []
    public var redirect: HTTPRedirect?
    public var directResponse: HTTPDirectResponse?
    public var delegate: Delegate?
    public var rewrite: HTTPRewrite?
    public var timeout: MeshDuration?
    public var retries: HTTPRetry?
    public var fault: HTTPFaultInjection?
    public var mirror: Destination?
    public var mirrors: [HTTPMirrorPolicy] = []
    /// Deprecated `mirrorPercent` (an integer percentage).
    public var mirrorPercent: Located<Int>?
    public var mirrorPercentage: Percent?
    public var corsPolicy: CorsPolicy?
    public var headers: Headers?
    public var matchNode: Int32 = -1
    public var routeNode: Int32 = -1
}

public struct HTTPMatchRequest: Sendable {
    public var node: Int32
    public var name: String?
    public var uri: StringMatchField?
    public var scheme: StringMatchField?
    public var method: StringMatchField?
    public var authority: StringMatchField?
    public var headers: [MapEntry<StringMatchField>] = []
    public var withoutHeaders: [MapEntry<StringMatchField>] = []
    public var queryParams: [MapEntry<StringMatchField>] = []
    public var port: Located<Int>?
    public var sourceLabels: [String: String] = [:]
    public var gateways: [Located<String>] = []
    public var ignoreUriCase = false
    public var sourceNamespace: String?
    public var statPrefix: String?
    /// The `sourceLabels` mapping (-1 when none).
    public var sourceLabelsNode: Int32 = -1
}

public struct Destination: Sendable {
    public var node: Int32
    public var host: Located<String>?
    public var subset: Located<String>?
    public var port: PortNumber?
}

public struct HTTPRouteDestination: Sendable {
    public var node: Int32
    public var destination: Destination?
    public var weight: Located<Int>?
    public var headers: Headers?
}

public struct RouteDestination: Sendable {
    public var node: Int32
    public var destination: Destination?
    public var weight: Located<Int>?
}

public struct Headers: Sendable {
    public struct Operations: Sendable {
        public var node: Int32
        public var set: [MapEntry<String>] = []
        public var add: [MapEntry<String>] = []
        public var remove: [Located<String>] = []
    }
    public var node: Int32
    public var request: Operations?
    public var response: Operations?
}

public struct HTTPRedirect: Sendable {
    public var node: Int32
    public var uri: String?
    public var authority: String?
    public var port: Located<Int>?
    public var derivePort: String?
    public var scheme: String?
    public var redirectCode: Located<Int>?
}

public struct HTTPDirectResponse: Sendable {
    public var node: Int32
    public var status: Located<Int>?
    public var bodyString: String?
    public var bodyBytes: String?
}

public struct Delegate: Sendable {
    public var node: Int32
    public var name: String?
    public var namespace: String?
}

public struct HTTPRewrite: Sendable {
    public var node: Int32
    public var uri: String?
    public var authority: String?
    public var uriRegexMatch: Located<String>?
    public var uriRegexRewrite: String?
}

public struct HTTPRetry: Sendable {
    public var node: Int32
    public var attempts: Located<Int>?
    public var perTryTimeout: MeshDuration?
    public var retryOn: Located<String>?
    public var retryRemoteLocalities: Bool?
}

public struct HTTPFaultInjection: Sendable {
    public struct Delay: Sendable {
        public var node: Int32
        public var fixedDelay: MeshDuration?
        public var exponentialDelay: MeshDuration?
        public var percentage: Percent?
        /// Deprecated integer `percent`.
        public var percent: Located<Int>?
    }
    public struct Abort: Sendable {
        public var node: Int32
        public var httpStatus: Located<Int>?
        public var grpcStatus: String?
        public var http2Error: String?
        public var percentage: Percent?
    }
    public var node: Int32
    public var delay: Delay?
    public var abort: Abort?
}

public struct HTTPMirrorPolicy: Sendable {
    public var node: Int32
    public var destination: Destination?
    public var percentage: Percent?
}

public struct CorsPolicy: Sendable {
    public var node: Int32
    public var allowOrigins: [StringMatchField] = []
    public var allowOrigin: [String] = []
    public var allowMethods: [String] = []
    public var allowHeaders: [String] = []
    public var exposeHeaders: [String] = []
    public var maxAge: MeshDuration?
    public var allowCredentials: Bool?
    public var unmatchedPreflights: String?
}

public struct TLSRoute: Sendable {
    public struct Match: Sendable {
        public var node: Int32
        public var sniHosts: [Located<String>] = []
        public var destinationSubnets: [String] = []
        public var port: Located<Int>?
        public var sourceLabels: [String: String] = [:]
        public var gateways: [Located<String>] = []
        public var sourceNamespace: String?
        /// The `sourceLabels` mapping (-1 when none).
        public var sourceLabelsNode: Int32 = -1
    }
    public var node: Int32
    public var match: [Match] = []
    public var route: [RouteDestination] = []
}

public struct TCPRoute: Sendable {
    public struct Match: Sendable {
        public var node: Int32
        public var destinationSubnets: [String] = []
        public var port: Located<Int>?
        public var sourceLabels: [String: String] = [:]
        public var gateways: [Located<String>] = []
        public var sourceNamespace: String?
        /// The `sourceLabels` mapping (-1 when none).
        public var sourceLabelsNode: Int32 = -1
    }
    public var node: Int32
    public var match: [Match] = []
    public var route: [RouteDestination] = []
}

// MARK: - Decoding

extension VirtualService {
    static let fieldNames = ["hosts", "gateways", "http", "tls", "tcp", "exportTo"]

    public static func decode(_ n: Node) -> VirtualService {
        var vs = VirtualService(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "hosts": vs.hosts = v.list { $0.located { $0.string() } }; vs.hostsNode = v.index
            case "gateways": vs.gateways = v.list { $0.located { $0.string() } }
            case "http": vs.http = v.list(HTTPRoute.decode); vs.httpNode = v.index
            case "tls": vs.tls = v.list(TLSRoute.decode)
            case "tcp": vs.tcp = v.list(TCPRoute.decode)
            case "exportTo": vs.exportTo = v.list { $0.located { $0.string() } }
            default: return false
            }
            return true
        }
        return vs
    }
}

extension HTTPRoute {
    static let fieldNames = [
        "name", "match", "route", "redirect", "directResponse", "delegate", "rewrite", "timeout", "retries", "fault",
        "mirror", "mirrors", "mirrorPercent", "mirrorPercentage", "mirror_percent", "corsPolicy", "headers",
    ]

    static func decode(_ n: Node) -> HTTPRoute? {
        var r = HTTPRoute(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "name": r.name = v.string()
            case "match": r.match = v.list(HTTPMatchRequest.decode); r.matchNode = v.index
            case "route": r.route = v.list(HTTPRouteDestination.decode); r.routeNode = v.index
            case "redirect": r.redirect = HTTPRedirect.decode(v)
            case "directResponse": r.directResponse = HTTPDirectResponse.decode(v)
            case "delegate": r.delegate = Delegate.decode(v)
            case "rewrite": r.rewrite = HTTPRewrite.decode(v)
            case "timeout": r.timeout = v.duration()
            case "retries": r.retries = HTTPRetry.decode(v)
            case "fault": r.fault = HTTPFaultInjection.decode(v)
            case "mirror": r.mirror = Destination.decode(v)
            case "mirrors": r.mirrors = v.list(HTTPMirrorPolicy.decode)
            case "mirrorPercent", "mirror_percent": r.mirrorPercent = v.located { $0.uint32() }
            case "mirrorPercentage": r.mirrorPercentage = v.percent()
            case "corsPolicy": r.corsPolicy = CorsPolicy.decode(v)
            case "headers": r.headers = Headers.decode(v)
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? r : nil
    }
}

extension HTTPMatchRequest {
    static let fieldNames = [
        "name", "uri", "scheme", "method", "authority", "headers", "port", "sourceLabels", "gateways", "queryParams",
        "ignoreUriCase", "withoutHeaders", "sourceNamespace", "statPrefix",
    ]

    static func decode(_ n: Node) -> HTTPMatchRequest? {
        var m = HTTPMatchRequest(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "name": m.name = v.string()
            case "uri": m.uri = v.stringMatch()
            case "scheme": m.scheme = v.stringMatch()
            case "method": m.method = v.stringMatch()
            case "authority": m.authority = v.stringMatch()
            case "headers": m.headers = v.entries { $0.stringMatch() }
            case "withoutHeaders": m.withoutHeaders = v.entries { $0.stringMatch() }
            case "queryParams": m.queryParams = v.entries { $0.stringMatch() }
            case "port": m.port = v.located { $0.uint32() }
            case "sourceLabels": (m.sourceLabels, m.sourceLabelsNode) = (v.stringMap(), v.index)
            case "gateways": m.gateways = v.list { $0.located { $0.string() } }
            case "ignoreUriCase": m.ignoreUriCase = v.bool() ?? false
            case "sourceNamespace": m.sourceNamespace = v.string()
            case "statPrefix": m.statPrefix = v.string()
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? m : nil
    }
}

extension Destination {
    static let fieldNames = ["host", "subset", "port"]

    public static func decode(_ n: Node) -> Destination? {
        var d = Destination(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "host": d.host = v.located { $0.string() }
            case "subset": d.subset = v.located { $0.string() }
            case "port": d.port = v.portSelector()
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? d : nil
    }
}

extension HTTPRouteDestination {
    static func decode(_ n: Node) -> HTTPRouteDestination? {
        var d = HTTPRouteDestination(node: n.index)
        n.fields(["destination", "weight", "headers"]) { name, v in
            switch name {
            case "destination": d.destination = Destination.decode(v)
            case "weight": d.weight = v.located { $0.int32() }
            case "headers": d.headers = Headers.decode(v)
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? d : nil
    }
}

extension RouteDestination {
    static func decode(_ n: Node) -> RouteDestination? {
        var d = RouteDestination(node: n.index)
        n.fields(["destination", "weight"]) { name, v in
            switch name {
            case "destination": d.destination = Destination.decode(v)
            case "weight": d.weight = v.located { $0.int32() }
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? d : nil
    }
}

extension Headers {
    static func decode(_ n: Node) -> Headers? {
        var h = Headers(node: n.index)
        n.fields(["request", "response"]) { name, v in
            switch name {
            case "request": h.request = Operations.decode(v)
            case "response": h.response = Operations.decode(v)
            default: return false
            }
            return true
        }
        return h
    }
}

extension Headers.Operations {
    static func decode(_ n: Node) -> Headers.Operations? {
        var o = Headers.Operations(node: n.index)
        n.fields(["set", "add", "remove"]) { name, v in
            switch name {
            case "set": o.set = v.entries { $0.string() }
            case "add": o.add = v.entries { $0.string() }
            case "remove": o.remove = v.list { $0.located { $0.string() } }
            default: return false
            }
            return true
        }
        return o
    }
}

extension HTTPRedirect {
    static func decode(_ n: Node) -> HTTPRedirect? {
        var r = HTTPRedirect(node: n.index)
        n.fields(["uri", "authority", "port", "derivePort", "scheme", "redirectCode"]) { name, v in
            switch name {
            case "uri": r.uri = v.string()
            case "authority": r.authority = v.string()
            case "port": r.port = v.located { $0.uint32() }
            case "derivePort": r.derivePort = v.enumValue(["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"])
            case "scheme": r.scheme = v.string()
            case "redirectCode": r.redirectCode = v.located { $0.uint32() }
            default: return false
            }
            return true
        }
        return r
    }
}

extension HTTPDirectResponse {
    static func decode(_ n: Node) -> HTTPDirectResponse? {
        var r = HTTPDirectResponse(node: n.index)
        n.fields(["status", "body"]) { name, v in
            switch name {
            case "status": r.status = v.located { $0.uint32() }
            case "body":
                v.fields(["string", "bytes"]) { name, b in
                    switch name {
                    case "string": r.bodyString = b.string()
                    case "bytes": r.bodyBytes = b.string()
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        return r
    }
}

extension Delegate {
    static func decode(_ n: Node) -> Delegate? {
        var d = Delegate(node: n.index)
        n.fields(["name", "namespace"]) { name, v in
            switch name {
            case "name": d.name = v.string()
            case "namespace": d.namespace = v.string()
            default: return false
            }
            return true
        }
        return d
    }
}

extension HTTPRewrite {
    static func decode(_ n: Node) -> HTTPRewrite? {
        var r = HTTPRewrite(node: n.index)
        n.fields(["uri", "authority", "uriRegexRewrite"]) { name, v in
            switch name {
            case "uri": r.uri = v.isNull ? "" : v.string()
            case "authority": r.authority = v.string()
            case "uriRegexRewrite":
                v.fields(["match", "rewrite"]) { name, x in
                    switch name {
                    case "match": r.uriRegexMatch = x.located { $0.string() }
                    case "rewrite": r.uriRegexRewrite = x.isNull ? "" : x.string()
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        return r
    }
}

extension HTTPRetry {
    static func decode(_ n: Node) -> HTTPRetry? {
        var r = HTTPRetry(node: n.index)
        n.fields(["attempts", "perTryTimeout", "retryOn", "retryRemoteLocalities"]) { name, v in
            switch name {
            case "attempts": r.attempts = v.located { $0.int32() }
            case "perTryTimeout": r.perTryTimeout = v.duration()
            case "retryOn": r.retryOn = v.located { $0.string() }
            case "retryRemoteLocalities": r.retryRemoteLocalities = v.bool()
            default: return false
            }
            return true
        }
        return r
    }
}

extension HTTPFaultInjection {
    static func decode(_ n: Node) -> HTTPFaultInjection? {
        var f = HTTPFaultInjection(node: n.index)
        n.fields(["delay", "abort"]) { name, v in
            switch name {
            case "delay":
                var d = Delay(node: v.index)
                v.fields(["fixedDelay", "exponentialDelay", "percentage", "percent"]) { name, x in
                    switch name {
                    case "fixedDelay": d.fixedDelay = x.duration()
                    case "exponentialDelay": d.exponentialDelay = x.duration()
                    case "percentage": d.percentage = x.percent()
                    case "percent": d.percent = x.located { $0.int32() }
                    default: return false
                    }
                    return true
                }
                f.delay = d
            case "abort":
                var a = Abort(node: v.index)
                v.fields(["httpStatus", "grpcStatus", "http2Error", "percentage"]) { name, x in
                    switch name {
                    case "httpStatus": a.httpStatus = x.located { $0.int32() }
                    case "grpcStatus": a.grpcStatus = x.string()
                    case "http2Error": a.http2Error = x.string()
                    case "percentage": a.percentage = x.percent()
                    default: return false
                    }
                    return true
                }
                f.abort = a
            default: return false
            }
            return true
        }
        return f
    }
}

extension HTTPMirrorPolicy {
    static func decode(_ n: Node) -> HTTPMirrorPolicy? {
        var m = HTTPMirrorPolicy(node: n.index)
        n.fields(["destination", "percentage"]) { name, v in
            switch name {
            case "destination": m.destination = Destination.decode(v)
            case "percentage": m.percentage = v.percent()
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? m : nil
    }
}

extension CorsPolicy {
    static func decode(_ n: Node) -> CorsPolicy? {
        var c = CorsPolicy(node: n.index)
        n.fields([
            "allowOrigins", "allowOrigin", "allowMethods", "allowHeaders", "exposeHeaders", "maxAge", "allowCredentials",
            "unmatchedPreflights",
        ]) { name, v in
            switch name {
            case "allowOrigins": c.allowOrigins = v.list { $0.stringMatch() }
            case "allowOrigin": c.allowOrigin = v.stringList()
            case "allowMethods": c.allowMethods = v.stringList()
            case "allowHeaders": c.allowHeaders = v.stringList()
            case "exposeHeaders": c.exposeHeaders = v.stringList()
            case "maxAge": c.maxAge = v.duration()
            case "allowCredentials": c.allowCredentials = v.bool()
            case "unmatchedPreflights": c.unmatchedPreflights = v.enumValue(["UNSPECIFIED", "FORWARD", "IGNORE"])
            default: return false
            }
            return true
        }
        return c
    }
}

extension TLSRoute {
    static func decode(_ n: Node) -> TLSRoute? {
        var r = TLSRoute(node: n.index)
        n.fields(["match", "route"]) { name, v in
            switch name {
            case "match":
                r.match = v.list { m in
                    var match = Match(node: m.index)
                    m.fields(["sniHosts", "destinationSubnets", "port", "sourceLabels", "gateways", "sourceNamespace"]) {
                        name, x in
                        switch name {
                        case "sniHosts": match.sniHosts = x.list { $0.located { $0.string() } }
                        case "destinationSubnets": match.destinationSubnets = x.stringList()
                        case "port": match.port = x.located { $0.uint32() }
                        case "sourceLabels": (match.sourceLabels, match.sourceLabelsNode) = (x.stringMap(), x.index)
                        case "gateways": match.gateways = x.list { $0.located { $0.string() } }
                        case "sourceNamespace": match.sourceNamespace = x.string()
                        default: return false
                        }
                        return true
                    }
                    return match
                }
            case "route": r.route = v.list(RouteDestination.decode)
            default: return false
            }
            return true
        }
        return r
    }
}

extension TCPRoute {
    static func decode(_ n: Node) -> TCPRoute? {
        var r = TCPRoute(node: n.index)
        n.fields(["match", "route"]) { name, v in
            switch name {
            case "match":
                r.match = v.list { m in
                    var match = Match(node: m.index)
                    m.fields(["destinationSubnets", "port", "sourceLabels", "gateways", "sourceNamespace"]) { name, x in
                        switch name {
                        case "destinationSubnets": match.destinationSubnets = x.stringList()
                        case "port": match.port = x.located { $0.uint32() }
                        case "sourceLabels": (match.sourceLabels, match.sourceLabelsNode) = (x.stringMap(), x.index)
                        case "gateways": match.gateways = x.list { $0.located { $0.string() } }
                        case "sourceNamespace": match.sourceNamespace = x.string()
                        default: return false
                        }
                        return true
                    }
                    return match
                }
            case "route": r.route = v.list(RouteDestination.decode)
            default: return false
            }
            return true
        }
        return r
    }
}
