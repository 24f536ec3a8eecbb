import Foundation
import MeshDemo
import MeshModel
import Testing

@testable import MeshProxy

/// A proxy and its demo backends, all in this process on free loopback ports, for tests that
/// drive real HTTP through real sockets.
final class ProxyHarness: @unchecked Sendable {
    struct Backend {
        var version: String
        var status: Int? = nil
        var failRate: Double = 0
        var delay: Duration = .zero
        /// A port where nothing listens (connect failures).
        var closed = false
        init(_ version: String, status: Int? = nil, failRate: Double = 0, delay: Duration = .zero, closed: Bool = false) {
            self.version = version
            self.status = status
            self.failRate = failRate
            self.delay = delay
            self.closed = closed
        }
    }

    var backends: [DemoBackend] = []
    var ports: [Int] = []
    var server: ProxyServer!

    /// Starts `backends` (as service `svc` with endpoints labelled by version), then a proxy
    /// with `rules(ports)` (the ports in backend order) added to the registry and subsets.
    static func start(
        _ backends: [Backend], concurrency: Int = 2, rules: ([Int]) -> String = { _ in "" },
        accessLog: AccessLog? = nil, configure: (inout ProxyOptions) -> Void = { _ in }
    ) async throws -> ProxyHarness {
        let harness = ProxyHarness()
        for spec in backends {
            if spec.closed {
                harness.ports.append(try closedPort())
                continue
            }
            var behaviour = DemoBackend.Behaviour(name: "svc", version: spec.version)
            behaviour.status = spec.status
            behaviour.failRate = spec.failRate
            let (seconds, attos) = spec.delay.components
            behaviour.delayNanos = seconds * 1_000_000_000 + attos / 1_000_000_000
            let backend = DemoBackend(behaviour)
            let bound = try await backend.start(host: "127.0.0.1", port: 0)
            harness.backends.append(backend)
            harness.ports.append(Int(bound.split(separator: ":").last!)!)
        }
        let text = registry(backends.map(\.version), harness.ports) + rules(harness.ports)
        let loaded = ConfigStore.load(Array(text.utf8), name: "rules.yaml")
        guard case .success(let rules) = loaded else {
            if case .failure(let rejected) = loaded { Issue.record("rules do not validate: \(rejected.json)") }
            throw CancellationError()
        }
        var options = ProxyOptions()
        options.listen = .init(host: "127.0.0.1", port: 0)
        options.admin = .init(host: "127.0.0.1", port: 0)
        options.concurrency = concurrency
        configure(&options)
        harness.server = ProxyServer(options: options, rules: rules, accessLog: accessLog)
        try await harness.server.start()
        return harness
    }

    /// A loopback port nothing listens on.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Service `svc` (port 80) with one endpoint per backend, and a DestinationRule with a
    /// subset per version.
    static func registry(_ versions: [String], _ ports: [Int]) -> String {
        let endpoints = zip(versions, ports).map { version, port in
            "  - address: 127.0.0.1\n    ports: {http: \(port)}\n    labels: {app: svc, version: \(version)}\n"
        }.joined()
        let subsets = Set(versions).sorted().map { "  - name: \($0)\n    labels: {version: \($0)}\n" }.joined()
        return """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: svc}
            spec:
              hosts: [svc.default.svc.cluster.local]
              location: MESH_INTERNAL
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints:
            \(endpoints)---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: svc}
            spec:
              host: svc
              subsets:
            \(subsets)---

            """
    }

    var listenPort: Int { server.listenAddress!.port! }
    var adminPort: Int { server.adminAddress!.port! }

    /// A request through the proxy's outbound listener, for `host`.
    func send(
        _ path: String = "/", host: String = "svc", method: String = "GET", headers: [(String, String)] = [],
        body: [UInt8]? = nil, timeout: Duration = .seconds(20)
    ) async throws -> HTTPClient.Response {
        try await HTTPClient.send(
            method, host: "127.0.0.1", port: listenPort, path: path, body: body, headers: [("host", host)] + headers,
            timeoutNanos: timeout.nanoseconds)
    }

    /// A request to the admin API.
    func admin(_ path: String, method: String = "GET", body: String? = nil) async throws -> HTTPClient.Response {
        // A generous deadline: the whole suite shares the machine, and a push is compiled at a
        // lower priority than everything else.
        try await HTTPClient.send(
            method, host: "127.0.0.1", port: adminPort, path: path, body: body.map { Array($0.utf8) },
            timeoutNanos: 30_000_000_000)
    }

    /// The value of one stat from `/stats`.
    func stat(_ name: String) async throws -> Int {
        let text = try await admin("/stats").text
        for line in text.split(separator: "\n") where line.hasPrefix(name + ": ") {
            return Int(line.dropFirst(name.count + 2)) ?? -1
        }
        return 0
    }

    /// The version that answered (the demo backend's `x-demo-version`), for `count` requests.
    func versions(_ count: Int, path: String = "/", host: String = "svc", headers: [(String, String)] = []) async throws
        -> [String: Int]
    {
        var seen: [String: Int] = [:]
        for _ in 0..<count {
            let response = try await send(path, host: host, headers: headers)
            seen[response.header("x-demo-version") ?? "status \(response.status)", default: 0] += 1
        }
        return seen
    }

    func stop() async {
        await server.shutdown()
        for backend in backends { await backend.stop() }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

#if canImport(Glibc)
    import Glibc
#endif
