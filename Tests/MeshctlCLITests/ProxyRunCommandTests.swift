import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `meshctl proxy run` and `meshctl demo backend` as a user runs them: separate processes,
/// real ports, signals.
@Suite struct ProxyRunCommandTests {
    /// A demo backend process, and rules for service `svc` pointing at it.
    func backend(_ version: String = "v1", _ extra: [String] = []) throws -> ServerProcess {
        try ServerProcess(["demo", "backend", "--name", "svc", "--version", version, "--listen", "127.0.0.1:0"] + extra)
    }

    func rules(_ ports: [(String, Int)], route: String = "  - route: [{destination: {host: svc}}]") -> String {
        let endpoints = ports.map { "  - {address: 127.0.0.1, ports: {http: \($0.1)}, labels: {version: \($0.0)}}\n" }.joined()
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
              subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: svc}
            spec:
              hosts: [svc]
              http:
            \(route)

            """
    }

    func proxy(_ rulesPath: String, _ extra: [String] = []) throws -> ServerProcess {
        try ServerProcess(["proxy", "run", "-f", rulesPath, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"] + extra)
    }

    func rawGet(_ address: String, host: String, path: String) throws -> (status: Int, body: String) {
        let answer = try CLI.httpGet(address, host: host, path: path)
        return (answer.status, answer.body)
    }

    @Test func servesTheRulesAndStopsCleanlyOnSigterm() throws {
        let v1 = try backend()
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(rules([("v1", v1.port)]), to: "rules.yaml", in: dir)
        let proxy = try proxy(path, ["--concurrency", "2", "--access-log", "-"])
        let first = try rawGet(proxy.listen, host: "svc", path: "/hello")
        #expect(first.status == 200)
        #expect(first.body.hasPrefix("svc v1 from '127.0.0.1:\(v1.port)': 1"))
        #expect(proxy.stop(SIGTERM) == 0, "\(proxy.log)")
        #expect(proxy.log.contains("\"GET /hello HTTP/1.1\" 200 - via_upstream"), "an access log line: \(proxy.log)")
        #expect(v1.stop(SIGINT) == 0)
    }

    @Test func aPortInUseIsOneLineAndExit1() throws {
        let v1 = try backend()
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(rules([("v1", v1.port)]), to: "rules.yaml", in: dir)
        let taken = try CLI.run(["proxy", "run", "-f", path, "--listen", v1.listen, "--admin", "127.0.0.1:0"])
        #expect(taken.status == 1)
        #expect(taken.stderr == "error: cannot listen on \(v1.listen): address already in use\n")
        let backendTaken = try CLI.run(["demo", "backend", "--name", "x", "--version", "v1", "--listen", v1.listen])
        #expect(backendTaken.status == 1)
        #expect(backendTaken.stderr.contains("address already in use"))
    }

    @Test func badFlagsAndRulesAreRefusedBeforeListening() throws {
        let dir = try CLI.temporaryDirectory()
        let bad = try CLI.write(
            rules([("v1", 1)], route: "  - route: [{destination: {host: svc}, weight: -1}]"), to: "bad.yaml", in: dir)
        let invalid = try CLI.run(["proxy", "run", "-f", bad, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("bad.yaml:"))
        let exposed = try CLI.run(["proxy", "run", "-f", bad, "--admin", "0.0.0.0:15000"])
        #expect(exposed.status == 64)
        #expect(exposed.stderr.contains("--expose-admin"))
        #expect(try CLI.run(["proxy", "run", "-f", bad, "--listen", "nope"]).status == 64)
        #expect(
            try CLI.run(["demo", "backend", "--name", "a", "--version", "v1", "--listen", "127.0.0.1:0", "--fail-rate", "2"])
                .status == 64)
    }

    @Test func watchReloadsGoodChangesAndKeepsServingOnBadOnes() throws {
        let v1 = try backend("v1")
        let v2 = try backend("v2")
        let dir = try CLI.temporaryDirectory()
        let ports = [("v1", v1.port), ("v2", v2.port)]
        let path = try CLI.write(
            rules(ports, route: "  - route: [{destination: {host: svc, subset: v1}}]"), to: "rules.yaml", in: dir)
        let proxy = try proxy(path, ["--watch"])
        #expect(try rawGet(proxy.listen, host: "svc", path: "/").body.hasPrefix("svc v1"))
        _ = try CLI.write(rules(ports, route: "  - route: [{destination: {host: svc, subset: v2}}]"), to: "rules.yaml", in: dir)
        var body = ""
        for _ in 0..<60 {
            body = try rawGet(proxy.listen, host: "svc", path: "/").body
            if body.hasPrefix("svc v2") { break }
            usleep(100_000)
        }
        #expect(body.hasPrefix("svc v2"), "reloaded: \(proxy.log)")
        _ = try CLI.write(
            rules(ports, route: "  - route: [{destination: {host: svc, subset: v1}, weight: -3}]"), to: "rules.yaml", in: dir)
        for _ in 0..<30 where !proxy.log.contains("running configuration is kept") { usleep(100_000) }
        #expect(proxy.log.contains("running configuration is kept"))
        #expect(try rawGet(proxy.listen, host: "svc", path: "/").body.hasPrefix("svc v2"))
    }

    @Test func aHundredMegabytesPassInBoundedMemory() throws {
        let v1 = try backend()
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(rules([("v1", v1.port)]), to: "rules.yaml", in: dir)
        let proxy = try proxy(path, ["--concurrency", "1"])
        let port = UInt16(proxy.listen.split(separator: ":").last!)!
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let request = Array("GET /bytes/100000000 HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            total += n
            if total % (8 << 20) < n { usleep(20_000) }  // a slow reader: the proxy must hold back, not buffer
        }
        #expect(total > 100_000_000)
        // And the other way: a 100 MB upload, streamed to the backend, which counts it.
        let up = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(up) }
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(up, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let size = 100_000_000
        let head = Array("POST /upload HTTP/1.1\r\nHost: svc\r\nContent-Length: \(size)\r\nConnection: close\r\n\r\n".utf8)
        _ = head.withUnsafeBytes { send(up, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let chunk = [UInt8](repeating: 1, count: 1 << 20)
        var sent = 0
        while sent < size {
            let n = chunk.withUnsafeBytes { send(up, $0.baseAddress, min($0.count, size - sent), Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var answer: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(up, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer.append(contentsOf: buffer[0..<n])
        }
        #expect(String(decoding: answer, as: UTF8.self).hasSuffix("\r\n\r\n100000000\n"))
        let status = try String(contentsOfFile: "/proc/\(proxy.pid)/status", encoding: .utf8)
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?.split(separator: " ").dropFirst().first
        let peakKB = Int(peak ?? "") ?? .max
        #expect(peakKB < 80 * 1024, "peak RSS \(peakKB) kB while streaming 100 MB")
    }
}
