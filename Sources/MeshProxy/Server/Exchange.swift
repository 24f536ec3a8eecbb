import Foundation
import MeshRouting
import NIOCore
import NIOHTTP1

/// One downstream request from head to last byte: Envoy's fault filter and router in one
/// object. It asks the route table where the request goes (the same `decide` `simulate`
/// uses), injects faults, picks a host, borrows a pooled connection, forwards the request,
/// retries and times out as the route says, streams the response back, mirrors, and counts.
final class Exchange: UpstreamReceiver, PoolWaiter, @unchecked Sendable {
    enum Phase {
        case routing, delaying, connecting, awaitingResponse, streaming, done
    }

    /// The client connection (which holds this exchange until it finishes).
    let downstream: DownstreamHandler
    let worker: Worker
    let snapshot: ProxySnapshot
    let head: ProxyRequestHead
    let started = NIODeadline.now()
    let startDate: Date?
    var phase = Phase.routing

    // Routing
    private var decision: Decision?
    private var cluster: ClusterRuntime?
    private var policy: RoutePolicy?
    private var upstreamPath: String
    private var upstreamAuthority: String
    /// The client's `x-request-id`, or nil while the proxy's own `generatedID` stands for it.
    private var requestID: String?
    private var generatedID = RequestID(high: 0, low: 0)
    private var hashKey: UInt64?
    private var holdsRequestSlot = false

    // Request body
    private var bodyParts: [ByteBuffer] = []
    private var bodyPartsSent = 0
    private var bodyBytes = 0
    private(set) var requestComplete = false
    private var retainsBody = true

    // Attempts
    private var connection: UpstreamConnection?
    private var waitingIn: ConnectionPool?
    private var host: UpstreamHost?
    private var tried: [UpstreamHost] = []
    private var retriesDone = 0
    private var holdsRetrySlot = false
    private var attemptStarted = NIODeadline.now()
    private var routeTimer: Scheduled<Void>?
    private var attemptTimer: Scheduled<Void>?
    private var waitTimer: Scheduled<Void>?

    // Response
    private(set) var status = 0
    private var flags: ResponseFlags = []
    /// Envoy's `%RESPONSE_CODE_DETAILS%`: what answered (`via_upstream` unless the proxy did).
    private var details = "via_upstream"
    private var bytesSent = 0
    private var upstreamServiceTime: Int?
    /// Headers the inbound side's security adds to (or removes from) the request.
    private var inboundAdd: [(String, String)] = []
    private var inboundRemove: [String] = []
    /// This request's span, when tracing is on: the trace it belongs to and its own id.
    private var trace: TraceContext?
    private var spanID: UInt64 = 0
    /// The response head, held until the first body bytes (or the end) to write them together.
    private var pendingHead: ByteBuffer?
    private var responseDecodesChunks = false

    init(downstream: DownstreamHandler, worker: Worker, head: ProxyRequestHead) {
        self.downstream = downstream
        self.worker = worker
        self.snapshot = worker.snapshot
        self.head = head
        self.startDate = worker.context.accessLog == nil ? nil : Date()
        upstreamPath = head.path
        upstreamAuthority = head.authority
        requestID = head.requestIDField.map { head.raw.value($0) }
    }

    // MARK: - Downstream events

    func start() {
        let listener = downstream.stats
        listener.rqTotal.increment()
        listener.rqActive.increment()
        if requestID == nil { generatedID = worker.requestID() }
        if worker.context.tracer != nil { startSpan() }
        if downstream.inbound { return startInbound() }
        var request = head.routingRequest
        if snapshot.inboundGate.authenticatesRoutedRequests {
            // A RequestAuthentication selects this proxy (as at an Istio gateway): the token is
            // checked before routing, and its claims can be matched.
            switch snapshot.inboundGate.authenticateForRouting(inboundView()) {
            case .none: break
            case .reject(.deny(let status, let body, let headers, _)):
                downstream.stats.jwtDenied.increment()
                return localReply(status, body: body, flags: [], details: Self.denyDetails("JWT", body), headers: headers)
            case .reject: break
            case .verified(let routing, let add, let remove):
                for (name, value) in routing { request.addHeader(name, value) }
                inboundAdd = add
                inboundRemove = remove.map { $0.lowercased() }
            }
        }
        let decision = snapshot.table.decide(request, random: &worker.random)
        self.decision = decision
        if let route = decision.route {
            policy = snapshot.policy(for: route)
            if let variants = policy?.destinations, decision.targetIndex >= 0, decision.targetIndex < variants.count,
                let variant = variants[decision.targetIndex]
            {
                policy = variant
            }
            if let rewritten = snapshot.table.rewrite(request, decision) {
                (upstreamPath, upstreamAuthority) = rewritten
            }
        }
        if decision.delayed, let delay = policy?.delayNanos, delay > 0 {
            flags.insert(.delayInjected)
            listener.faultDelaysInjected.increment()
            phase = .delaying
            waitTimer = worker.eventLoop.scheduleTask(in: .nanoseconds(delay)) { [self] in
                waitTimer = nil
                route(decision, request)
            }
            return
        }
        route(decision, request)
    }

    /// The inbound side: no route rules, only the workload's security (authentication,
    /// authorization, rate limits), then the local application.
    private func startInbound() {
        guard let cluster = snapshot.inboundCluster else {
            return localReply(
                503, body: "no application behind this listener", flags: .noClusterFound, details: "cluster_not_found")
        }
        let principal = downstream.principal
        switch snapshot.inboundGate.admit(inboundView(port: cluster.hosts.first?.port ?? 0)) {
        case .deny(let status, let body, let headers, let flag):
            let stats = downstream.stats
            switch flag {
            case "RBAC": stats.rbacDenied.increment()
            case "JWT": stats.jwtDenied.increment()
            case "RL": stats.rateLimited.increment()
            default: break
            }
            self.cluster = cluster
            return localReply(status, body: body, flags: [], details: Self.denyDetails(flag, body), headers: headers)
        case .allow(let add, let remove):
            if snapshot.inboundGate.authorizes { downstream.stats.rbacAllowed.increment() }
            inboundAdd = add
            inboundRemove = remove.map { $0.lowercased() }
        }
        if let principal, let identity = worker.context.options.tls?.identity {
            // Istio's x-forwarded-client-cert: who called, as the application may want to know.
            inboundAdd.append(("x-forwarded-client-cert", "By=\(identity);URI=spiffe://\(principal)"))
            inboundRemove.append("x-forwarded-client-cert")
        }
        self.cluster = cluster
        cluster.state.activeRequests.wrappingAdd(1, ordering: .relaxed)
        holdsRequestSlot = true
        startAttempt()
    }

    /// The request as security policies see it: every header (lowercase names), the peer.
    private func inboundView(port: Int? = nil) -> InboundRequest {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(head.raw.fields.count)
        for index in head.raw.fields.indices where !head.raw.dropped.contains(index) {
            headers.append((head.raw.name(index).lowercased(), head.raw.value(index)))
        }
        return InboundRequest(
            method: head.method, path: head.path, authority: head.authority, headers: headers,
            principal: downstream.inbound ? downstream.principal : nil, sourceIP: downstream.remoteIP,
            port: port ?? head.port ?? 80, tls: downstream.overTLS)
    }

    func requestBody(_ part: ByteBuffer) {
        guard phase != .done else { return }
        bodyBytes += part.readableBytes
        bodyParts.append(part)
        if retainsBody && bodyBytes > worker.context.options.retryBufferBytes {
            // Too large to keep for a retry or a mirror: from here on, parts are only streamed.
            retainsBody = false
            bodyParts.removeFirst(bodyPartsSent)
            bodyPartsSent = 0
        }
        if let connection {
            downstream.pauseReads(true)
            writeBody(to: connection, flush: true)
            if connection.isWritable { downstream.pauseReads(false) }
        } else if !retainsBody {
            downstream.pauseReads(true)  // nowhere to put it until a connection is ready
        }
    }

    func requestEnd() {
        guard phase != .done else { return }
        requestComplete = true
        if let connection {
            writeEnd(to: connection)
            startAttemptTimer()
        }
        if phase == .connecting || phase == .awaitingResponse { startRouteTimer() }
        if let decision, !decision.mirrored.isEmpty, phase != .done { mirror(decision) }
    }

    /// The client went away: release everything, log what happened.
    func downstreamClosed() {
        guard phase != .done else { return }
        flags.insert(.downstreamConnectionTermination)
        details = "downstream_remote_disconnect"
        releaseUpstream(closing: true)
        finish()
    }

    /// The client can take more bytes again.
    func downstreamWritable() { connection?.pauseReads(false) }

    // MARK: - Routing

    private func route(_ decision: Decision, _ request: HTTPRequest) {
        let listener = downstream.stats
        switch decision.kind {
        case .forward:
            guard let target = decision.target, let cluster = snapshot.cluster(for: target) else {
                listener.noCluster.increment()
                return localReply(503, body: "", flags: .noClusterFound, details: "cluster_not_found")
            }
            if let failure = cluster.failure {
                return localReply(
                    failure.status, body: failure.flag == "UH" ? "no healthy upstream" : "",
                    flags: ResponseFlags(name: failure.flag), details: Self.failureDetails(failure.flag), cluster: cluster)
            }
            self.cluster = cluster
            hashKey = Self.hashKey(cluster.settings.balancer, head, downstream.remoteIP)
        case .passthrough:
            cluster = snapshot.passthrough
        case .blackhole:
            // BlackHoleCluster has no endpoints.
            return localReply(502, body: "", flags: [], details: "no_healthy_upstream")
        case .noRoute, .delegate, .noListener:
            listener.noRoute.increment()
            return localReply(404, body: "", flags: .noRoute, details: "route_not_found")
        case .unavailable:
            let failure = decision.target?.failure
            return localReply(
                failure?.status ?? 503, body: failure?.flag == "UH" ? "no healthy upstream" : "",
                flags: ResponseFlags(name: failure?.flag ?? "UH"), details: Self.failureDetails(failure?.flag ?? "UH"),
                cluster: decision.target.flatMap { snapshot.cluster(for: $0) })
        case .redirect:
            listener.rqRedirect.increment()
            let location = decision.location(for: request) ?? "/"
            return localReply(
                decision.fixedStatus, body: "", flags: [], details: "direct_response", headers: [("location", location)])
        case .directResponse:
            listener.rqDirectResponse.increment()
            return localReply(decision.fixedStatus, body: decision.body ?? "", flags: [], details: "direct_response")
        case .abort:
            listener.faultAbortsInjected.increment()
            flags.insert(.faultInjected)
            return localReply(
                decision.fixedStatus, body: "fault filter abort", flags: [], details: "fault_filter_abort",
                cluster: decision.target.flatMap { snapshot.cluster(for: $0) })
        }
        guard let cluster else { return }
        let settings = cluster.settings
        if cluster.state.activeRequests.load(ordering: .relaxed) >= settings.maxRequests {
            cluster.state.stats.rqPendingOverflow.increment()
            return overflow(cluster)
        }
        cluster.state.activeRequests.wrappingAdd(1, ordering: .relaxed)
        holdsRequestSlot = true
        if requestComplete { startRouteTimer() }
        startAttempt()
    }

    /// The key a consistent-hash cluster hashes: a header, cookie, query parameter or the
    /// client's address.
    static func hashKey(_ balancer: ClusterSettings.Balancer, _ head: ProxyRequestHead, _ remoteIP: String) -> UInt64? {
        guard case .ringHash(let key, _) = balancer else { return nil }
        switch key {
        case .header(let name): return head.value(name).map { HashKeys.hash($0) }
        case .sourceIP: return HashKeys.hash(remoteIP)
        case .cookie(let name):
            guard let cookies = head.value("cookie") else { return nil }
            for pair in cookies.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 && parts[0].trimmingSpaces() == name { return HashKeys.hash(parts[1]) }
            }
            return nil
        case .queryParameter(let name):
            return head.routingRequest.queryParameter(name).map { HashKeys.hash($0) }
        }
    }

    // MARK: - Attempts

    private func startAttempt() {
        guard let cluster else { return }
        phase = .connecting
        let chosen: UpstreamHost?
        if cluster.kind == .originalDestination {
            chosen = worker.passthroughHost(head.hostName, port: head.port ?? 80)
        } else {
            // Previous-host avoidance: retries go elsewhere while another host exists (up to 5
            // selection attempts in Envoy; the balancer filters the tried hosts directly).
            chosen = cluster.pick(random: &worker.random, exclude: tried, hashKey: hashKey)
        }
        guard let host = chosen else {
            return localReply(
                503, body: "no healthy upstream", flags: .noHealthyUpstream, details: "no_healthy_upstream", cluster: cluster)
        }
        if worker.isOwnListener(host, downstreamPort: downstream.localPort) { return refuseLoop(host, cluster) }
        self.host = host
        host.activeRequests.wrappingAdd(1, ordering: .relaxed)
        let pool = worker.pool(for: host, cluster: cluster)
        switch pool.acquire(self, cluster: cluster) {
        case .ready(let connection): send(on: connection)
        case .queued: waitingIn = pool
        case .overflow:
            host.activeRequests.wrappingSubtract(1, ordering: .relaxed)
            self.host = nil
            overflow(cluster)
        }
    }

    func poolReady(_ connection: UpstreamConnection) {
        waitingIn = nil
        guard phase == .connecting else {
            connection.pool.release(connection)
            return
        }
        send(on: connection)
    }

    func poolFailed(_ failure: UpstreamFailure) {
        waitingIn = nil
        guard phase == .connecting else { return }
        attemptFailed(failure)
    }

    private func send(on connection: UpstreamConnection) {
        guard let cluster, let host else { return }
        self.connection = connection
        phase = .awaitingResponse
        attemptStarted = .now()
        responseDecodesChunks = head.minorVersion == 0
        connection.attach(self, requestIsHead: head.method == "HEAD", decodeChunks: responseDecodesChunks)
        cluster.state.stats.rqTotal.increment()
        cluster.state.stats.rqActive.increment()
        host.rqTotal.wrappingAdd(1, ordering: .relaxed)
        connection.write(upstreamHead(authority: upstreamAuthority), flush: false)
        bodyPartsSent = 0
        writeBody(to: connection, flush: false)
        if requestComplete {
            writeEnd(to: connection)
            startAttemptTimer()
        } else {
            connection.flush()
            if head.expectsContinue { downstream.sendContinue() }
            downstream.pauseReads(!connection.isWritable)
        }
    }

    /// Writes the body bytes not yet sent on this attempt: as they arrived, framing included
    /// (a chunked body is forwarded in its own chunks).
    private func writeBody(to connection: UpstreamConnection, flush: Bool) {
        guard bodyPartsSent < bodyParts.count else { return }
        for i in bodyPartsSent..<bodyParts.count { connection.write(bodyParts[i], flush: false) }
        if retainsBody {
            bodyPartsSent = bodyParts.count
        } else {
            bodyParts.removeAll(keepingCapacity: true)
            bodyPartsSent = 0
        }
        if flush { connection.flush() }
    }

    private func writeEnd(to connection: UpstreamConnection) { connection.flush() }

    /// The request head the upstream sees: the client's header lines copied as they came, less
    /// hop-by-hop ones and those the route removes or sets, with the proxy's own headers added.
    func upstreamHead(authority: String) -> ByteBuffer {
        let raw = head.raw
        var buffer = ByteBufferAllocator().buffer(capacity: raw.raw.readableBytes + authority.utf8.count + 160)
        buffer.writeString(head.method)
        buffer.writeStaticString(" ")
        buffer.writeString(upstreamPath)
        buffer.writeStaticString(" HTTP/1.1\r\nhost: ")
        buffer.writeString(authority)
        buffer.writeStaticString("\r\n")
        let policy = self.policy
        let edits = policy.map { !$0.requestRemove.isEmpty || !$0.requestSet.isEmpty } ?? !inboundRemove.isEmpty
        let tracing = trace != nil
        raw.raw.withUnsafeReadableBytes { b in
            var runStart = raw.fields.first?.lineStart ?? 0
            for (index, field) in raw.fields.enumerated() {
                var skip = index == head.forwardedForField || raw.dropped.contains(index)
                if !skip, edits || tracing {
                    let name = String(
                        decoding: UnsafeRawBufferPointer(rebasing: b[field.lineStart..<field.nameEnd]), as: UTF8.self
                    )
                    .lowercased()
                    if tracing && Self.traceHeaders.contains(name) || inboundRemove.contains(name) {
                        skip = true
                    } else if let policy {
                        skip = policy.requestRemove.contains(name) || policy.requestSet.contains { $0.name == name }
                    }
                }
                guard skip else { continue }
                if field.lineStart > runStart {
                    buffer.writeBytes(UnsafeRawBufferPointer(rebasing: b[runStart..<field.lineStart]))
                }
                runStart = field.lineEnd
            }
            if let last = raw.fields.last, last.lineEnd > runStart {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: b[runStart..<last.lineEnd]))
            }
        }
        if head.requestIDField == nil {
            buffer.writeStaticString("x-request-id: ")
            generatedID.write(into: &buffer)
            buffer.writeStaticString("\r\n")
        }
        let client = downstream.remoteIP
        let forwardedFor = head.forwardedForField.map { raw.value($0) }
        Self.writeHeader(&buffer, "x-forwarded-for", forwardedFor.map { "\($0), \(client)" } ?? client)
        if head.forwardedProtoField == nil { Self.writeHeader(&buffer, "x-forwarded-proto", "http") }
        if upstreamPath != head.path { Self.writeHeader(&buffer, "x-envoy-original-path", head.path) }
        writeTraceHeaders(&buffer)
        for (name, value) in inboundAdd { Self.writeHeader(&buffer, name, value) }
        if let policy {
            for (name, value) in policy.requestSet { Self.writeHeader(&buffer, name, value) }
            for (name, value) in policy.requestAdd { Self.writeHeader(&buffer, name, value) }
        }
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// Joins the trace the request carries (`traceparent`, or B3), or starts one, sampled at
    /// the configured rate; this request's span is a child of the caller's.
    private func startSpan() {
        let incoming =
            head.rawValue("traceparent").flatMap { TraceContext.parse(traceparent: $0) }
            ?? TraceContext.parse(
                b3: head.rawValue("b3"), traceID: head.rawValue("x-b3-traceid"), spanID: head.rawValue("x-b3-spanid"),
                sampled: head.rawValue("x-b3-sampled"))
        spanID = worker.random.next() | 1
        if let incoming {
            trace = incoming
        } else {
            let sampling = worker.context.options.traceSampling
            let sampled = sampling >= 100 || Double(worker.random.next() >> 11) * 0x1p-53 * 100 < sampling
            trace = TraceContext(
                traceHigh: worker.random.next(), traceLow: worker.random.next() | 1, parent: nil, sampled: sampled)
        }
    }

    /// Trace headers for the upstream: this span is the parent of what the upstream does.
    private func writeTraceHeaders(_ buffer: inout ByteBuffer) {
        guard let trace else { return }
        let span = TraceContext.hex(spanID)
        Self.writeHeader(&buffer, "traceparent", "00-\(trace.traceID)-\(span)-\(trace.sampled ? "01" : "00")")
        Self.writeHeader(&buffer, "x-b3-traceid", trace.traceID)
        Self.writeHeader(&buffer, "x-b3-spanid", span)
        if let parent = trace.parent { Self.writeHeader(&buffer, "x-b3-parentspanid", TraceContext.hex(parent)) }
        Self.writeHeader(&buffer, "x-b3-sampled", trace.sampled ? "1" : "0")
    }

    /// Header names the proxy rewrites when it traces: the caller's context is replaced by its own.
    static let traceHeaders: Set<String> = [
        "traceparent", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled",
    ]

    @inline(__always) static func writeHeader(_ buffer: inout ByteBuffer, _ name: String, _ value: String) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }

    private func startRouteTimer() {
        guard routeTimer == nil, let timeout = policy?.timeoutNanos, cluster?.kind != .originalDestination else { return }
        routeTimer = worker.eventLoop.scheduleTask(in: .nanoseconds(timeout)) { [self] in
            routeTimer = nil
            routeTimedOut()
        }
    }

    private func startAttemptTimer() {
        guard let perTry = policy?.perTryTimeoutNanos, phase == .awaitingResponse else { return }
        attemptTimer?.cancel()
        attemptTimer = worker.eventLoop.scheduleTask(in: .nanoseconds(perTry)) { [self] in
            attemptTimer = nil
            attemptTimedOut()
        }
    }

    // MARK: - Upstream events

    func upstreamHead(_ response: ResponseHead) {
        guard phase == .awaitingResponse, let cluster, let host, let connection else { return }
        attemptTimer?.cancel()
        attemptTimer = nil
        let code = response.status
        recordOutlier(host, cluster, error: code >= 500, gateway: code == 502 || code == 503 || code == 504)
        // Whether the answer is retriable is asked first: reserving the cluster's retry budget
        // (a shared counter) only makes sense for a retry.
        let retriable =
            policy.map {
                $0.retries > 0
                    && $0.retries(
                        status: code,
                        grpcStatus: $0.retryOn.readsGRPCStatus ? response.value(of: "grpc-status").flatMap { Int($0) } : nil)
            } ?? false
        if retriable, let policy {
            if retriesDone >= policy.retries {
                // As Envoy: a retriable answer with no tries left is returned as it is, flagged URX.
                flags.insert(.upstreamRetryLimitExceeded)
            } else if canRetry() {
                finishAttemptStats(cluster, host, status: code)
                connection.abandon()
                self.connection = nil
                return retry()
            }
        } else if retriesDone > 0 {
            // A retry succeeded only when its answer is not one that would be retried.
            cluster.state.stats.rqRetrySuccess.increment()
        }
        status = code
        phase = .streaming
        upstreamServiceTime = Int((NIODeadline.now() - attemptStarted).nanoseconds / 1_000_000)
        // The head waits for the first body bytes: a small answer goes out in one write.
        pendingHead = downstreamHead(response)
    }

    /// Writes the held response head, with `body` appended when it is small.
    private func writePendingHead(appending body: ByteBuffer? = nil) -> Bool {
        guard var head = pendingHead else { return false }
        pendingHead = nil
        if var small = body, small.readableBytes <= 16 * 1024 {
            head.writeBuffer(&small)
            downstream.write(head, flush: false)
            return true
        }
        downstream.write(head, flush: false)
        return false
    }

    func upstreamBody(_ buffer: ByteBuffer) {
        guard phase == .streaming else { return }
        bytesSent += buffer.readableBytes
        if !writePendingHead(appending: buffer) { downstream.write(buffer, flush: false) }
        if !downstream.isWritable {
            // Hold the upstream back first: the flush may make the client writable again at once.
            connection?.pauseReads(true)
            downstream.flush()
            if downstream.isWritable { connection?.pauseReads(false) }
        }
    }

    func upstreamEnd() {
        guard phase == .streaming, let cluster, let host else { return }
        connection = nil
        finishAttemptStats(cluster, host, status: status)
        _ = writePendingHead()
        downstream.flush()
        finish()
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        connection = nil
        if phase == .streaming {
            // The answer is half sent: all the client can be told is that it ended early.
            flags.insert(.upstreamConnectionTermination)
            details = "upstream_reset_after_response_started{connection_termination}"
            if let cluster, let host { finishAttemptStats(cluster, host, status: status, error: true) }
            downstream.closeAfterResponse = true
            _ = writePendingHead()
            downstream.flush()
            finish()
            downstream.close()
            return
        }
        guard phase == .awaitingResponse || phase == .connecting else { return }
        attemptFailed(failure)
    }

    func upstreamWritabilityChanged(_ writable: Bool) { downstream.pauseReads(!writable) }

    private func attemptFailed(_ failure: UpstreamFailure) {
        attemptTimer?.cancel()
        attemptTimer = nil
        guard let cluster, let host else { return }
        var isConnect = false
        if case .connectFailure = failure { isConnect = true }
        if !isConnect { finishAttemptStats(cluster, host, status: 503, error: true) } else { releaseHost() }
        recordOutlier(host, cluster, error: true, gateway: true)
        if let policy, policy.retries(connectFailure: isConnect), canRetry() { return retry() }
        let (status, flag, body, details): (Int, ResponseFlags, String, String) =
            switch failure {
            case .connectFailure(let reason):
                (
                    503, .upstreamConnectionFailure,
                    "upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: \(reason)",
                    "upstream_reset_before_response_started{remote_connection_failure}"
                )
            case .protocolError(let reason):
                (
                    502, .upstreamProtocolError, "upstream protocol error: \(reason)",
                    "upstream_reset_before_response_started{protocol_error}"
                )
            case .resetBeforeResponse, .resetDuringResponse:
                (
                    503, .upstreamConnectionTermination,
                    "upstream connect error or disconnect/reset before headers. reset reason: connection termination",
                    "upstream_reset_before_response_started{connection_termination}"
                )
            }
        if retriesDone > 0 { flags.insert(.upstreamRetryLimitExceeded) }
        localReply(status, body: body, flags: flag, details: details, cluster: cluster)
    }

    private func routeTimedOut() {
        guard phase != .done else { return }
        if phase == .streaming {
            flags.insert(.upstreamRequestTimeout)
            details = "response_timeout"
            connection?.abandon()
            connection = nil
            downstream.close()
            finish()
            return
        }
        guard let cluster else { return }
        cluster.state.stats.rqTimeout.increment()
        downstream.stats.rqTimeout.increment()
        if let host, connection != nil {
            host.rqTimeout.wrappingAdd(1, ordering: .relaxed)
            recordOutlier(host, cluster, error: true, gateway: true)
        }
        releaseUpstream(closing: true)
        localReply(
            504, body: "upstream request timeout", flags: .upstreamRequestTimeout, details: "response_timeout", cluster: cluster)
    }

    private func attemptTimedOut() {
        guard phase == .awaitingResponse, let cluster, let host else { return }
        cluster.state.stats.rqPerTryTimeout.increment()
        host.rqTimeout.wrappingAdd(1, ordering: .relaxed)
        recordOutlier(host, cluster, error: true, gateway: true)
        finishAttemptStats(cluster, host, status: 504, error: true)
        connection?.abandon()
        connection = nil
        if let policy, policy.retries(connectFailure: false), canRetry() { return retry() }
        cluster.state.stats.rqTimeout.increment()
        localReply(
            504, body: "upstream request timeout", flags: .upstreamRequestTimeout, details: "upstream_per_try_timeout",
            cluster: cluster)
    }

    /// A retry is possible: attempts left, the body still held, and the cluster's retry budget.
    private func canRetry() -> Bool {
        guard let policy, let cluster, retriesDone < policy.retries, retainsBody, requestComplete else { return false }
        if holdsRetrySlot { return true }
        if cluster.state.activeRetries.load(ordering: .relaxed) >= cluster.settings.maxRetries {
            cluster.state.stats.rqRetryOverflow.increment()
            return false
        }
        cluster.state.activeRetries.wrappingAdd(1, ordering: .relaxed)
        holdsRetrySlot = true
        return true
    }

    private func retry() {
        guard let cluster else { return }
        if let host { tried.append(host) }
        retriesDone += 1
        cluster.state.stats.rqRetry.increment()
        phase = .connecting
        let wait = RoutePolicy.backoffNanos(retry: retriesDone, random: &worker.random)
        waitTimer = worker.eventLoop.scheduleTask(in: .nanoseconds(wait)) { [self] in
            waitTimer = nil
            guard phase == .connecting else { return }
            startAttempt()
        }
    }

    private func recordOutlier(_ host: UpstreamHost, _ cluster: ClusterRuntime, error: Bool, gateway: Bool) {
        cluster.recordOutcome(host, error: error, gateway: gateway)
    }

    private func finishAttemptStats(_ cluster: ClusterRuntime, _ host: UpstreamHost, status: Int, error: Bool = false) {
        let stats = cluster.state.stats
        stats.rqActive.decrement()
        stats.rqCompleted.increment()
        if status > 0 {
            stats.statusClass(status)?.increment()
            worker.statusStat(cluster.state, status).increment()
        }
        if error || status >= 500 {
            host.rqError.wrappingAdd(1, ordering: .relaxed)
        } else {
            host.rqSuccess.wrappingAdd(1, ordering: .relaxed)
        }
        releaseHost()
    }

    private func releaseHost() {
        host?.activeRequests.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Lets go of the upstream side: a pending wait, or a connection mid-exchange.
    private func releaseUpstream(closing: Bool) {
        if let pool = waitingIn {
            pool.cancel(self)
            waitingIn = nil
            releaseHost()
        }
        if let connection {
            if let cluster, let host, phase == .awaitingResponse || phase == .streaming {
                finishAttemptStats(cluster, host, status: 0, error: true)
            }
            connection.abandon()
            self.connection = nil
        }
    }

    // MARK: - Responses

    /// The response head the client sees: the upstream's status line and headers, less
    /// hop-by-hop ones, with the route's response header operations and Envoy's headers.
    private func downstreamHead(_ response: ResponseHead) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: response.raw.readableBytes + 160)
        out.writeStaticString("HTTP/1.1 ")
        var statusLine = response.raw.getSlice(at: response.raw.readerIndex + 9, length: response.statusLineEnd - 9)!
        out.writeBuffer(&statusLine)
        let policy = self.policy
        let hasResponseOps = policy.map { !$0.responseRemove.isEmpty || !$0.responseSet.isEmpty } ?? false
        response.raw.withUnsafeReadableBytes { bytes in
            for field in response.fields {
                let length = field.nameEnd - field.lineStart
                if Self.isHopByHop(bytes, field.lineStart, field.nameEnd, length) { continue }
                if hasResponseOps, let policy {
                    let name = String(
                        decoding: UnsafeRawBufferPointer(rebasing: bytes[field.lineStart..<field.nameEnd]), as: UTF8.self
                    )
                    .lowercased()
                    if policy.responseRemove.contains(name) || policy.responseSet.contains(where: { $0.name == name }) {
                        continue
                    }
                }
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.lineStart..<field.lineEnd]))
            }
        }
        if let time = upstreamServiceTime { Self.writeHeader(&out, "x-envoy-upstream-service-time", String(time)) }
        out.writeStaticString("server: envoy\r\n")
        if let policy {
            for (name, value) in policy.responseSet { Self.writeHeader(&out, name, value) }
            for (name, value) in policy.responseAdd { Self.writeHeader(&out, name, value) }
        }
        let delimitedByClose = response.contentLength == nil && (!response.chunked || responseDecodesChunks)
        if response.chunked && !responseDecodesChunks {
            out.writeStaticString("transfer-encoding: chunked\r\n")
        }
        let noBody = head.method == "HEAD" || response.status == 204 || response.status == 304
        if (delimitedByClose && !noBody) || !head.keepAlive || downstream.mustClose {
            downstream.closeAfterResponse = true
            out.writeStaticString("connection: close\r\n")
        } else if head.minorVersion == 0 {
            out.writeStaticString("connection: keep-alive\r\n")
        }
        out.writeStaticString("\r\n")
        return out
    }

    /// Header names the proxy never forwards in a response (it writes its own `server`).
    @inline(__always) static func isHopByHop(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ length: Int) -> Bool {
        switch length {
        case 2: HTTPBytes.equalsIgnoringCase(b, start, end, "te")
        case 6: HTTPBytes.equalsIgnoringCase(b, start, end, "server")
        case 7: HTTPBytes.equalsIgnoringCase(b, start, end, "upgrade")
        case 10:
            HTTPBytes.equalsIgnoringCase(b, start, end, "connection") || HTTPBytes.equalsIgnoringCase(b, start, end, "keep-alive")
        case 16: HTTPBytes.equalsIgnoringCase(b, start, end, "proxy-connection")
        case 17: HTTPBytes.equalsIgnoringCase(b, start, end, "transfer-encoding")
        default: false
        }
    }

    /// 503 UO: a circuit breaker said no.
    private func overflow(_ cluster: ClusterRuntime) {
        localReply(
            503, body: "upstream connect error or disconnect/reset before headers. reset reason: overflow",
            flags: .upstreamOverflow, details: "upstream_reset_before_response_started{overflow}", cluster: cluster,
            headers: [("x-envoy-overloaded", "true")])
    }

    /// The request's upstream is one of this proxy's own listeners: forwarding would send the
    /// request back to itself without end. Refused as Istio's sidecar refuses a connection made
    /// straight to its own listener port (to BlackHoleCluster), with a 502 that says why.
    private func refuseLoop(_ host: UpstreamHost, _ cluster: ClusterRuntime) {
        worker.context.logger.warning(
            "refused a request for \(head.authority): its upstream \(host.key) is this proxy's own listener")
        localReply(
            502, body: "request loop: upstream \(host.key) is this proxy's own listener", flags: [],
            details: "request_loop_refused", cluster: cluster)
    }

    /// Envoy's response code details of a failure found before any try: NC or UH.
    static func failureDetails(_ flag: String) -> String {
        flag == "NC" ? "cluster_not_found" : "no_healthy_upstream"
    }

    /// Envoy's response code details of a security denial: RBAC, JWT or a local rate limit.
    static func denyDetails(_ flag: String, _ body: String) -> String {
        switch flag {
        case "RBAC": "rbac_access_denied_matched_policy[none]"
        case "RL": "local_rate_limited"
        default: "jwt_authn_access_denied{\(body.split(separator: " ").joined(separator: "_"))}"
        }
    }

    /// An answer the proxy makes itself (Envoy's local replies), with the route's response
    /// header operations.
    func localReply(
        _ status: Int, body: String, flags: ResponseFlags, details: String, cluster: ClusterRuntime? = nil,
        headers: [(String, String)] = []
    ) {
        guard phase != .done else { return }
        self.flags.formUnion(flags)
        self.details = details
        if self.cluster == nil { self.cluster = cluster }
        self.status = status
        releaseUpstream(closing: true)
        var out = ByteBufferAllocator().buffer(capacity: 160 + body.utf8.count)
        out.writeString("HTTP/1.1 \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)\r\n")
        for (name, value) in headers { Self.writeHeader(&out, name, value) }
        if let policy {
            for (name, value) in policy.responseSet { Self.writeHeader(&out, name, value) }
            for (name, value) in policy.responseAdd { Self.writeHeader(&out, name, value) }
        }
        Self.writeHeader(&out, "content-length", String(body.utf8.count))
        if !body.isEmpty { out.writeStaticString("content-type: text/plain\r\n") }
        out.writeStaticString("server: envoy\r\n")
        // The connection stays open for the client's next request (as Envoy keeps it), unless
        // the client asked to close or a request body is still arriving: what follows it could
        // not be told apart from the next request without reading it all.
        if !head.keepAlive || !(requestComplete || head.framing.isEmpty) || downstream.mustClose {
            downstream.closeAfterResponse = true
            out.writeStaticString("connection: close\r\n")
        } else if head.minorVersion == 0 {
            out.writeStaticString("connection: keep-alive\r\n")
        }
        out.writeStaticString("\r\n")
        if head.method != "HEAD" { out.writeString(body) }
        bytesSent = body.utf8.count
        downstream.write(out, flush: true)
        finish()
    }

    // MARK: - Mirrors

    /// Fire-and-forget copies to the mirror clusters: never waited for, never retried,
    /// bounded per worker.
    private func mirror(_ decision: Decision) {
        guard retainsBody else {
            worker.context.mirrorsDropped.increment(by: Int64(decision.mirrored.count))
            return
        }
        for target in decision.mirrored {
            guard let cluster = snapshot.cluster(for: target), cluster.failure == nil else { continue }
            guard worker.mirrorsInFlight < worker.context.options.maxMirrorsInFlight,
                let host = cluster.pick(random: &worker.random, exclude: [], hashKey: nil)
            else {
                worker.context.mirrorsDropped.increment()
                continue
            }
            var authority = upstreamAuthority
            if worker.context.options.mirrorsToShadowHost {
                let (name, port) = ProxyRequestHead.split(authority)
                authority = port.map { "\(name)-shadow:\($0)" } ?? "\(name)-shadow"
            }
            var request = upstreamHead(authority: authority)
            for part in bodyParts {
                var copy = part
                request.writeBuffer(&copy)
            }
            MirrorRequest(worker: worker, cluster: cluster, host: host, request: request, isHead: head.method == "HEAD").start()
        }
    }

    // MARK: - Completion

    private func finish() {
        guard phase != .done else { return }
        phase = .done
        routeTimer?.cancel()
        attemptTimer?.cancel()
        waitTimer?.cancel()
        routeTimer = nil
        attemptTimer = nil
        waitTimer = nil
        if let cluster {
            if holdsRequestSlot { cluster.state.activeRequests.wrappingSubtract(1, ordering: .relaxed) }
            if holdsRetrySlot { cluster.state.activeRetries.wrappingSubtract(1, ordering: .relaxed) }
        }
        let listener = downstream.stats
        listener.rqActive.decrement()
        listener.statusClass(status)?.increment()
        let millis = Double((NIODeadline.now() - started).nanoseconds) / 1_000_000
        if status > 0 {
            let handles = worker.metrics(cluster, host, status, flags)
            handles.requests.increment()
            handles.duration.record(millis)
        }
        if let log = worker.context.accessLog { log.write(accessLogLine(millis)) }
        if let trace, trace.sampled, let tracer = worker.context.tracer {
            let micros = Int64((NIODeadline.now() - started).nanoseconds / 1000)
            tracer.record(
                Span(
                    traceHigh: trace.traceHigh, traceLow: trace.traceLow, id: spanID, parent: trace.parent,
                    name: "\(head.authority)\(head.path.split(separator: "?").first.map(String.init) ?? "/")",
                    startMicros: Int64(Date().timeIntervalSince1970 * 1_000_000) - micros, durationMicros: micros,
                    method: head.method, url: "http://\(head.authority)\(head.path)", status: status,
                    cluster: cluster?.name ?? "-", flags: flags.description,
                    requestID: requestID ?? generatedID.description, upstream: host?.key))
        }
        downstream.exchangeFinished(self)
    }

    /// Istio's default access log line for this request.
    private func accessLogLine(_ millis: Double) -> String {
        func dash(_ s: String?) -> String { (s?.isEmpty ?? true) ? "-" : s! }
        let upstreamHost = host.map { $0.key } ?? "-"
        let clusterName = cluster?.name ?? "-"
        let routeName =
            policy?.name ?? (decision?.virtualHost != nil ? "default" : decision?.blockAll == true ? "block_all" : "-")
        return
            "[\(AccessLog.timestamp(startDate ?? Date()))] \"\(head.method) \(head.path) HTTP/1.\(head.minorVersion)\" \(status) \(flags) "
            + "\(status == 0 ? "-" : details) - \"-\" \(bodyBytes) \(bytesSent) \(Int(millis)) "
            + "\(upstreamServiceTime.map(String.init) ?? "-") \"\(dash(head.rawValue("x-forwarded-for")))\" \"\(dash(head.rawValue("user-agent")))\" "
            + "\"\(requestID ?? generatedID.description)\" \"\(head.authority)\" \"\(upstreamHost)\" \(clusterName) - "
            + "\(worker.context.options.listen) \(downstream.remoteAddress) - \(routeName)\n"
    }
}

extension ProxyRequestHead.BodyFraming {
    /// The request has no body: its head is all of it.
    var isEmpty: Bool {
        switch self {
        case .none: true
        case .length(let count): count == 0
        case .chunked: false
        }
    }
}
