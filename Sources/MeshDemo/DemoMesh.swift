import Logging
import MeshModel
import MeshProxy
import MeshRouting
import NIOCore

/// The Istio tutorial's application running in this process: customer → preference →
/// recommendation v1, v2, v3 as demo backends, each caller with its sidecar proxy, and an
/// ingress proxy where requests from outside come in. Every proxy has its admin API; rules
/// are pushed through `PUT /config`, as `meshctl apply` does.
public final class DemoMesh: @unchecked Sendable {
    /// A backend's part in the story.
    public enum Role: String, CaseIterable, Sendable {
        case customer, preference
        case recommendationV1 = "recommendation-v1"
        case recommendationV2 = "recommendation-v2"
        case recommendationV3 = "recommendation-v3"
        /// A second v2 instance, the one that misbehaves in the pool-ejection stage.
        case recommendationV2b = "recommendation-v2b"
        /// A service outside the mesh, for egress.
        case worldClock = "worldclockapi"

        /// Offset from `--base-port`.
        var offset: Int {
            switch self {
            case .customer: 10
            case .preference: 11
            case .recommendationV1: 12
            case .recommendationV2: 13
            case .recommendationV3: 14
            case .recommendationV2b: 15
            case .worldClock: 16
            }
        }

        var service: (name: String, version: String) {
            switch self {
            case .customer: ("customer", "v1")
            case .preference: ("preference", "v1")
            case .recommendationV1: ("recommendation", "v1")
            case .recommendationV2, .recommendationV2b: ("recommendation", "v2")
            case .recommendationV3: ("recommendation", "v3")
            case .worldClock: ("worldclockapi", "v1")
            }
        }
    }

    /// A proxy of the demo: the ingress, or a caller's sidecar.
    public enum ProxyRole: String, CaseIterable, Sendable {
        case ingress
        case customer = "customer-sidecar"
        case preference = "preference-sidecar"

        var offset: Int {
            switch self {
            case .ingress: 0
            case .customer: 2
            case .preference: 4
            }
        }

        /// The workload it serves, as Istio's metrics name it.
        public var workload: String {
            switch self {
            case .ingress: "istio-ingressgateway"
            case .customer: "customer"
            case .preference: "preference"
            }
        }
    }

    /// The highest offset from the base port the demo uses.
    public static let portSpan = 16

    public private(set) var backends: [Role: DemoBackend] = [:]
    public private(set) var backendPorts: [Role: Int] = [:]
    public private(set) var proxies: [ProxyRole: ProxyServer] = [:]
    /// Each proxy's bound outbound listener and admin API, as (host, port).
    public private(set) var listeners: [ProxyRole: Int] = [:]
    public private(set) var admins: [ProxyRole: Int] = [:]
    public var rules: DemoRules { DemoRules(ports: backendPorts) }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private init() {}

    /// Starts every proxy and backend on `basePort` and the ports after it (see `Role` and
    /// `ProxyRole` for the offsets), or on free ports when `basePort` is nil, and pushes the
    /// tutorial's rules. With `zipkin`, every proxy sends its spans there. Whatever started is
    /// stopped again when something fails.
    public static func start(basePort: Int?, zipkin: String? = nil) async throws(StartError) -> DemoMesh {
        let mesh = DemoMesh()
        do {
            try await mesh.startAll(basePort: basePort, zipkin: zipkin)
        } catch {
            await mesh.stop()
            throw error
        }
        return mesh
    }

    private func startAll(basePort: Int?, zipkin: String?) async throws(StartError) {
        func port(_ offset: Int) -> Int { basePort.map { $0 + offset } ?? 0 }
        let quiet = Logger(label: "meshctl.demo") { _ in SwiftLogNoOpLogHandler() }
        for role in ProxyRole.allCases {
            var options = ProxyOptions()
            options.listen = .init(host: "127.0.0.1", port: port(role.offset + 1))
            options.admin = .init(host: "127.0.0.1", port: port(role.offset))
            options.concurrency = 1
            options.workload = role.workload
            options.identity = ProxyIdentity(namespace: "default", labels: ["app": role.workload, "version": "v1"])
            options.mesh = MeshConfig(outboundTrafficPolicy: .registryOnly)
            options.drainNanos = 100_000_000
            options.zipkin = zipkin
            let server = ProxyServer(options: options, rules: LoadedRules(), logger: quiet)
            do {
                try await server.start()
            } catch {
                throw StartError(description: "\(role.rawValue): \(error)")
            }
            proxies[role] = server
            listeners[role] = server.listenAddress?.port ?? 0
            admins[role] = server.adminAddress?.port ?? 0
        }
        for role in Role.allCases {
            var behaviour = DemoBackend.Behaviour(name: role.service.name, version: role.service.version)
            switch role {
            case .customer:
                behaviour.call = .init(authority: "preference:8080", proxyHost: "127.0.0.1", proxyPort: listeners[.customer]!)
            case .preference:
                behaviour.call = .init(
                    authority: "recommendation:8080", proxyHost: "127.0.0.1", proxyPort: listeners[.preference]!)
            default: break
            }
            let backend = DemoBackend(behaviour)
            let bound: String
            do {
                bound = try await backend.start(host: "127.0.0.1", port: port(role.offset))
            } catch {
                await backend.stop()
                throw StartError(
                    description:
                        "\(role.rawValue): cannot listen on 127.0.0.1:\(port(role.offset)): \(DemoBackend.describe(error))")
            }
            backends[role] = backend
            backendPorts[role] = Int(bound.split(separator: ":").last ?? "") ?? 0
        }
        if let failure = await apply(rules.ruleSet(DemoRules.tutorialRoutes)) {
            throw StartError(description: failure)
        }
    }

    /// Pushes a whole rule set to every proxy (`PUT /config`); nil when all took it, else why not.
    public func apply(_ yaml: String) async -> String? {
        for role in ProxyRole.allCases {
            guard let port = admins[role] else { continue }
            do {
                let answer = try await HTTPClient.send(
                    "PUT", host: "127.0.0.1", port: port, path: "/config", body: Array(yaml.utf8),
                    headers: [("content-type", "application/yaml")])
                if answer.status != 200 { return "\(role.rawValue) refused the rules: \(answer.text)" }
            } catch {
                return "\(role.rawValue): \(error)"
            }
        }
        return nil
    }

    /// Requests each recommendation version has answered so far (mirrored copies included).
    public func counts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for (role, backend) in backends where role.service.name == "recommendation" {
            counts[role.service.version, default: 0] += backend.requestCount
        }
        return counts
    }

    /// One GET through the ingress to customer (or to `host`, through `proxy`): status and body.
    public func get(
        _ path: String = "/", host: String = "customer:8080", through proxy: ProxyRole = .ingress,
        headers: [(String, String)] = []
    ) async -> (status: Int, body: String) {
        do {
            let answer = try await HTTPClient.send(
                "GET", host: "127.0.0.1", port: listeners[proxy] ?? 0, path: path, headers: [("host", host)] + headers)
            return (answer.status, answer.text)
        } catch {
            return (0, "\(error)")
        }
    }

    /// A GET on a proxy's admin API; the body, or nil.
    public func admin(_ proxy: ProxyRole, _ path: String) async -> String? {
        guard let port = admins[proxy] else { return nil }
        guard let answer = try? await HTTPClient.send("GET", host: "127.0.0.1", port: port, path: path), answer.status == 200
        else { return nil }
        return answer.text
    }

    /// A counter or gauge of a proxy's `/stats`, or 0.
    public func stat(_ proxy: ProxyRole, _ name: String) async -> Int {
        guard let text = await admin(proxy, "/stats") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ": ") {
            return Int(line.dropFirst(name.count + 2)) ?? 0
        }
        return 0
    }

    /// Stops every proxy and backend; every port is free when it returns.
    public func stop() async {
        for server in proxies.values {
            server.requestQuit()
            await server.shutdown()
        }
        for backend in backends.values { await backend.stop() }
        proxies = [:]
        backends = [:]
    }
}
