import Foundation
import Testing

/// `proxy-config listeners|clusters --admin` against a `proxy run` with an inbound side: the
/// inbound rows istioctl prints for a sidecar's `virtualInbound`, for the mutual TLS mode the
/// proxy enforces.
@Suite(.serialized) struct InboundProxyConfigTests {
    /// `meshctl proxy run --inbound ... --app ...` with a workload certificate from a mesh CA
    /// (`x ca init`), in front of a demo backend, under a PeerAuthentication of `mode`.
    final class InboundProxy {
        let app: ServerProcess
        let proxy: ServerProcess

        init(mode: String) throws {
            let dir = try CLI.temporaryDirectory()
            let ca = dir.appendingPathComponent("ca").path
            let made = try CLI.run(["x", "ca", "init", "--dir", ca])
            #expect(made.status == 0, "\(made.stderr)")
            app = try ServerProcess(["demo", "backend", "--name", "reviews", "--version", "v1", "--listen", "127.0.0.1:0"])
            let rules = try CLI.write(
                """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: reviews, namespace: default}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  mtls: {mode: \(mode)}
                """, to: "rules.yaml", in: dir)
            proxy = try ServerProcess([
                "proxy", "run", "-f", rules, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--inbound", "127.0.0.1:0",
                "--app", app.listen, "--labels", "app=reviews", "--service-account", "reviews", "--ca", ca, "--concurrency", "1",
            ])
        }

        var inbound: String { proxy.addresses["inbound"] ?? "" }
        var inboundPort: String { String(inbound.split(separator: ":").last ?? "") }

        /// The words of each table line whose PORT is the inbound listener's, after the header.
        func inboundRows() throws -> (header: [Substring], rows: [[Substring]]) {
            let table = try CLI.run(["proxy-config", "listeners", "--admin", proxy.admin])
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ") }
            return (lines.first ?? [], lines.dropFirst().filter { $0.count > 1 && $0[1] == inboundPort })
        }

        /// The `proxy-config clusters --direction inbound` rows, as words.
        func inboundClusters() throws -> [[Substring]] {
            let table = try CLI.run(["proxy-config", "clusters", "--admin", proxy.admin, "--direction", "inbound"])
            #expect(table.status == 0, "\(table.stderr)")
            return table.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ") }
        }
    }

    @Test func strictShowsOnlyTheMutualTLSChain() throws {
        let mesh = try InboundProxy(mode: "STRICT")
        let (header, rows) = try mesh.inboundRows()
        #expect(header == ["ADDRESSES", "PORT", "MATCH", "DESTINATION"])
        let app = mesh.app.port
        #expect(
            rows == [
                ["127.0.0.1", Substring(mesh.inboundPort), "Trans:", "tls;", "Addr:", "*:\(app)", "Cluster:", "inbound|\(app)||"]
            ])
        #expect(try mesh.inboundClusters() == [["\(app)", "-", "inbound", "STATIC"]])
        // What the table claims: plaintext gets no answer.
        #expect(try CLI.httpGet(mesh.inbound, host: "reviews").status == 0)
    }

    @Test func permissiveShowsTheMutualTLSAndPlaintextChains() throws {
        let mesh = try InboundProxy(mode: "PERMISSIVE")
        let (_, rows) = try mesh.inboundRows()
        let app = mesh.app.port
        let port = Substring(mesh.inboundPort)
        #expect(
            rows == [
                [
                    "127.0.0.1", port, "Trans:", "tls;", "App:",
                    "istio,istio-peer-exchange,istio-http/1.0,istio-http/1.1,istio-h2;",
                    "Addr:", "*:\(app)", "Cluster:", "inbound|\(app)||",
                ],
                ["127.0.0.1", port, "Trans:", "raw_buffer;", "Addr:", "*:\(app)", "Cluster:", "inbound|\(app)||"],
            ])
        #expect(try mesh.inboundClusters() == [["\(app)", "-", "inbound", "STATIC"]])
        #expect(try CLI.httpGet(mesh.inbound, host: "reviews").status == 200)
        // The JSON form names the listener as Istio does.
        let json = try CLI.run([
            "proxy-config", "listeners", "--admin", mesh.proxy.admin, "--port", mesh.inboundPort, "-o", "json",
        ])
        let listeners = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(listeners?.map { $0["name"] as? String } == ["virtualInbound"])
    }
}
