import Foundation
import MeshDemo
import MeshModel
import Testing

@testable import MeshProxy

/// A mesh root and workload certificates with SPIFFE identities, made with openssl for the test.
struct TestMeshCA {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try run(
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /O=cluster.local "
                + "-keyout root.key -out root.pem -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign"
        )
    }

    func run(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// A workload certificate for `spiffe://cluster.local/ns/NS/sa/SA`, signed by the root.
    func workload(namespace: String = "default", serviceAccount: String) throws -> WorkloadTLS.Material {
        let name = "\(namespace)-\(serviceAccount)"
        try run(
            "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /O=cluster.local -keyout \(name).key -out \(name).csr"
                + " && printf 'subjectAltName=URI:spiffe://cluster.local/ns/\(namespace)/sa/\(serviceAccount)\\nextendedKeyUsage=serverAuth,clientAuth\\n' > \(name).ext"
                + " && openssl x509 -req -in \(name).csr -CA root.pem -CAkey root.key -CAcreateserial -days 1 -extfile \(name).ext -out \(name).pem"
        )
        func read(_ file: String) throws -> String { try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) }
        return .init(
            certificateChainPEM: try read("\(name).pem"), privateKeyPEM: try read("\(name).key"), rootsPEM: try read("root.pem"))
    }
}

/// A gate for tests: STRICT mutual TLS, and only `allowed` principals get in.
struct PrincipalGate: InboundGate {
    let allowed: Set<String>
    func requiresMutualTLS(port: Int) -> Bool { true }
    func admit(_ request: InboundRequest) -> InboundVerdict {
        guard let principal = request.principal, allowed.contains(principal) else {
            return .deny(status: 403, body: "RBAC: access denied", headers: [], flag: "RBAC")
        }
        return .allow(addHeaders: [], removeHeaders: [])
    }
}

@Suite struct MutualTLSTests {
    @Test func meshPeersTalkOverMutualTLSAndPlaintextIsRefused() async throws {
        let ca = try TestMeshCA()
        let app = DemoBackend(.init(name: "callee", version: "v1"))
        let appAddress = try await app.start(host: "127.0.0.1", port: 0)
        let appPort = Int(appAddress.split(separator: ":").last!)!

        // The callee's sidecar: inbound listener in front of the app, STRICT, only `caller` admitted.
        var calleeOptions = ProxyOptions()
        calleeOptions.listen = .init(host: "127.0.0.1", port: 0)
        calleeOptions.admin = .init(host: "127.0.0.1", port: 0)
        calleeOptions.inbound = .init(host: "127.0.0.1", port: 0)
        calleeOptions.app = .init(host: "127.0.0.1", port: appPort)
        calleeOptions.concurrency = 1
        calleeOptions.tls = try WorkloadTLS(try ca.workload(serviceAccount: "callee"))
        calleeOptions.inboundGate = { _ in PrincipalGate(allowed: ["cluster.local/ns/default/sa/caller"]) }
        let callee = ProxyServer(options: calleeOptions, rules: LoadedRules())
        try await callee.start()
        let inboundPort = Int(callee.boundInbound!.split(separator: ":").last!)!

        // Callers: their registry says the callee's endpoint runs a mesh proxy (auto mutual TLS).
        let rules = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: callee}
            spec:
              hosts: [callee.default.svc.cluster.local]
              location: MESH_INTERNAL
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints:
              - {address: 127.0.0.1, ports: {http: \(inboundPort)}, labels: {app: callee, security.istio.io/tlsMode: istio}}

            """
        guard case .success(let loaded) = ConfigStore.load(Array(rules.utf8), name: "callers.yaml") else {
            Issue.record("rules do not validate")
            return
        }
        func caller(_ serviceAccount: String) async throws -> ProxyServer {
            var options = ProxyOptions()
            options.listen = .init(host: "127.0.0.1", port: 0)
            options.admin = .init(host: "127.0.0.1", port: 0)
            options.concurrency = 1
            options.tls = try WorkloadTLS(try ca.workload(serviceAccount: serviceAccount))
            let server = ProxyServer(options: options, rules: loaded)
            try await server.start()
            return server
        }
        let good = try await caller("caller")
        let other = try await caller("intruder")
        defer {
            Task {
                for server in [good, other, callee] { await server.shutdown() }
                await app.stop()
            }
        }
        let answer = try await HTTPClient.send(
            "GET", host: "127.0.0.1", port: good.listenAddress!.port!, path: "/echo", headers: [("host", "callee")])
        #expect(answer.status == 200, "\(answer.text)")
        #expect(
            answer.text.contains(
                "x-forwarded-client-cert: By=spiffe://cluster.local/ns/default/sa/callee;URI=spiffe://cluster.local/ns/default/sa/caller"
            ))
        let refused = try await HTTPClient.send(
            "GET", host: "127.0.0.1", port: other.listenAddress!.port!, path: "/", headers: [("host", "callee")])
        #expect(refused.status == 403)
        #expect(refused.text == "RBAC: access denied")
        // Plaintext straight to the STRICT inbound listener: closed before any HTTP answer.
        do {
            let plain = try await HTTPClient.send(
                "GET", host: "127.0.0.1", port: inboundPort, path: "/", headers: [("host", "callee")])
            Issue.record("plaintext got an answer: \(plain.status)")
        } catch {
            #expect(error.description.contains("closed"), "\(error)")
        }
        #expect(app.requestCount == 1, "only the admitted caller reached the application")
    }
}
