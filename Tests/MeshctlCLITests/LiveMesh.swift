import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real `meshctl proxy run` in front of real `meshctl demo backend`s, all on free ports, with
/// the rules in a temporary directory: the recommendation service of the Istio tutorial, one
/// backend per entry of `backends` (its version label, and extra `demo backend` flags).
final class LiveMesh {
    let dir: URL
    let backends: [(version: String, process: ServerProcess)]
    let proxy: ServerProcess
    let rulesPath: String

    init(backends specs: [(String, [String])] = [("v1", []), ("v2", [])], weights: [(String, Int)] = [("v1", 100)]) throws {
        dir = try CLI.temporaryDirectory()
        backends = try specs.map { version, extra in
            (
                version,
                try ServerProcess(
                    ["demo", "backend", "--name", "recommendation", "--version", version, "--listen", "127.0.0.1:0"] + extra)
            )
        }
        rulesPath = try CLI.write(
            Self.registry(backends.map { ($0.version, $0.process.port) }) + "---\n" + Self.routes(weights), to: "rules.yaml",
            in: dir)
        proxy = try ServerProcess([
            "proxy", "run", "-f", rulesPath, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--concurrency", "1",
        ])
    }

    var admin: String { proxy.admin }

    /// A ServiceEntry with the backends as STATIC endpoints, and a DestinationRule with a
    /// subset per version (plus `policy`, YAML under `trafficPolicy:`).
    static func registry(_ endpoints: [(String, Int)], policy: String? = nil) -> String {
        var yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: recommendation
            spec:
              hosts: [recommendation.default.svc.cluster.local]
              location: MESH_INTERNAL
              ports: [{number: 8080, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints:

            """
        for (version, port) in endpoints {
            yaml += "  - {address: 127.0.0.1, ports: {http: \(port)}, labels: {version: \(version)}}\n"
        }
        yaml += """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: recommendation
            spec:
              host: recommendation

            """
        if let policy { yaml += "  trafficPolicy:\n" + policy }
        yaml += "  subsets:\n"
        var seen: Set<String> = []
        for (version, _) in endpoints where seen.insert(version).inserted {
            yaml += "  - {name: version-\(version), labels: {version: \(version)}}\n"
        }
        return yaml
    }

    /// A VirtualService splitting recommendation's traffic between subsets by weight.
    static func routes(_ weights: [(String, Int)]) -> String {
        var yaml = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: recommendation
            spec:
              hosts: [recommendation]
              http:
              - route:

            """
        for (version, weight) in weights {
            yaml += "    - {destination: {host: recommendation, subset: version-\(version)}, weight: \(weight)}\n"
        }
        return yaml
    }

    /// One request through the proxy; the backend's answer (`recommendation v1 from ...`).
    func request(_ path: String = "/") throws -> String {
        try CLI.httpGet(proxy.listen, host: "recommendation:8080", path: path).text
    }

    /// The versions that answered `count` requests, e.g. ["v1": 10].
    func versions(_ count: Int) throws -> [String: Int] {
        var seen: [String: Int] = [:]
        for _ in 0..<count {
            let answer = try request()
            let version = answer.components(separatedBy: "recommendation ").dropFirst().first?.prefix(2) ?? "none"
            seen[String(version), default: 0] += 1
        }
        return seen
    }

    /// `meshctl proxy-status -o json` for this proxy, as a dictionary.
    func status(rules: String? = nil) throws -> [String: Any] {
        let result = try CLI.run(["proxy-status", "--admin", admin, "-o", "json"] + (rules.map { ["--rules", $0] } ?? []))
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (document?["proxies"] as? [[String: Any]])?.first ?? [:]
    }
}

/// A TCP port that accepts connections and never answers (the kernel completes the
/// handshake for the listen backlog).
final class SilentPort {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            port = 0
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}
