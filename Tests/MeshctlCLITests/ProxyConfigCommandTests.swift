import Foundation
import Testing

@Suite struct ProxyConfigCommandTests {
    @Test func tablesFromRules() throws {
        let routes = try CLI.run(["proxy-config", "routes", "-f", "samples/tutorial/"])
        #expect(routes.status == 0)
        let lines = routes.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("NAME") && lines[0].hasSuffix("VIRTUAL SERVICE"))
        #expect(lines.contains { $0.contains("recommendation.default.svc.cluster.local:8080") })
        let clusters = try CLI.run(["proxy-config", "clusters", "-f", "samples/tutorial/", "--subset", "version-v2"])
        #expect(clusters.stdout.split(separator: "\n").count == 2)
        #expect(clusters.stdout.contains("recommendation.default.svc.cluster.local     8080     version-v2     outbound"))
    }

    @Test func jsonIsEnvoysResources() throws {
        let result = try CLI.run(["proxy-config", "clusters", "-f", "samples/tutorial/", "-o", "json", "--fqdn", "customer"])
        #expect(result.status == 0)
        let clusters = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [[String: Any]]
        #expect(clusters.count == 1)
        #expect(clusters[0]["@type"] == nil)
        #expect(clusters[0]["connectTimeout"] as? String == "10s")
        #expect(clusters[0]["name"] as? String == "outbound|8080||customer.default.svc.cluster.local")
    }

    @Test func allAsJSONReadsBackThroughFile() throws {
        let dir = try CLI.temporaryDirectory()
        let dump = try CLI.run(["proxy-config", "all", "-f", "samples/tutorial/", "-o", "json"])
        #expect(dump.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as! [String: Any]
        let types = (json["configs"] as! [[String: Any]]).map { $0["@type"] as! String }
        #expect(
            types == [
                "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump", "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
                "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
            ])
        let path = try CLI.write(dump.stdout, to: "dump.json", in: dir)
        for kind in ["routes", "clusters", "listeners", "endpoints"] {
            let fromRules = try CLI.run(["proxy-config", kind, "-f", "samples/tutorial/"])
            let fromFile = try CLI.run(["proxy-config", kind, "--file", path])
            #expect(fromFile.status == 0)
            #expect(fromFile.stdout == fromRules.stdout, "\(kind) differs after a round trip")
        }
    }

    @Test func listenAddress() throws {
        let result = try CLI.run(["proxy-config", "listeners", "-f", "samples/tutorial/", "--listen", "127.0.0.1:16001"])
        // The listen address is virtualOutbound's; HTTP routes sit on a listener per service port.
        #expect(result.stdout.contains("127.0.0.1 16001 ALL                                  PassthroughCluster"))
        #expect(result.stdout.contains("0.0.0.0   8080  Trans: raw_buffer; App: http/1.1,h2c Route: 8080"))
        #expect(try CLI.run(["proxy-config", "listeners", "-f", "samples/tutorial/", "--listen", "nope"]).status == 64)
    }

    @Test func yamlOutput() throws {
        let result = try CLI.run(["proxy-config", "listeners", "-f", "samples/tutorial/", "-o", "yaml"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("- address:\n    socketAddress:\n      address: 127.0.0.1\n"))
    }

    @Test func badSources() throws {
        let dir = try CLI.temporaryDirectory()
        let notJSON = try CLI.write("{ nope", to: "bad.json", in: dir)
        let result = try CLI.run(["proxy-config", "routes", "--file", notJSON])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(notJSON):"))
        #expect(result.stderr.contains("not valid JSON"))
        let notDump = try CLI.write("{\"hello\": 1}", to: "other.json", in: dir)
        let other = try CLI.run(["proxy-config", "clusters", "--file", notDump])
        #expect(other.status == 1)
        #expect(other.stderr.contains("not an Envoy config dump"))
        #expect(try CLI.run(["proxy-config", "routes", "--file", dir.appendingPathComponent("missing.json").path]).status == 1)
        #expect(try CLI.run(["proxy-config", "routes"]).status == 64)
        #expect(try CLI.run(["proxy-config", "routes", "-f", "samples/tutorial/", "--file", notDump]).status == 64)
        let unreachable = try CLI.run(["proxy-config", "routes", "--admin", "127.0.0.1:1"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr == "error: cannot reach 127.0.0.1:1: connection refused\n")
    }

    @Test func unknownTypesAreNoted() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(
            "{\"configs\": [{\"@type\": \"type.googleapis.com/envoy.admin.v3.NewDump\"}, {\"@type\": \"type.googleapis.com/envoy.admin.v3.RoutesConfigDump\"}]}",
            to: "dump.json", in: dir)
        let result = try CLI.run(["proxy-config", "routes", "--file", path])
        // A dump without routes is an error, as istioctl's "no routes found".
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: no routes found"))
        #expect(result.stderr.contains("note: skipped config of unknown type type.googleapis.com/envoy.admin.v3.NewDump"))
    }

    @Test func invalidRulesAreNotRendered() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: ['*']\n  http:\n  - route:\n    - destination: {host: r}\n",
            to: "bad.yaml", in: dir)
        let result = try CLI.run(["proxy-config", "routes", "-f", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("wildcard host `*` is not allowed"))
    }
}

@Suite struct ProxyConfigAdminTests {
    /// Serves `configDump` at /config_dump from a real HTTP server on an ephemeral port.
    func withAdminServer(_ configDump: String, chunked: Bool = false, _ body: (String) throws -> Void) throws {
        let dir = try CLI.temporaryDirectory()
        _ = try CLI.write(configDump, to: "config_dump", in: dir)
        let portFile = dir.appendingPathComponent("port")
        let script = """
            import functools, http.server, sys
            class Chunked(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    data = open(sys.argv[1] + self.path, "rb").read()
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for i in range(0, len(data), 1000):
                        piece = data[i:i + 1000]
                        self.wfile.write(b"%x\\r\\n" % len(piece) + piece + b"\\r\\n")
                    self.wfile.write(b"0\\r\\n\\r\\n")
            plain = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Chunked if sys.argv[3] == "chunked" else plain)
            open(sys.argv[2] + ".tmp", "w").write(str(server.server_address[1]))
            __import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
            server.serve_forever()
            """
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", script, dir.path, portFile.path, chunked ? "chunked" : "plain"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // SIGKILL: a child started from a test thread inherits that thread's blocked signals,
        // so SIGTERM may never arrive.
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        var port: String?
        while port == nil && Date() < deadline {
            port = try? String(contentsOf: portFile, encoding: .utf8)
            if port == nil { Thread.sleep(forTimeInterval: 0.02) }
        }
        try body("127.0.0.1:\(try #require(port))")
    }

    @Test func readsAConfigDumpOverHTTP() throws {
        let dump = try CLI.run(["proxy-config", "all", "-f", "samples/tutorial/", "-o", "json"]).stdout
        try withAdminServer(dump) { admin in
            let fromAdmin = try CLI.run(["proxy-config", "clusters", "--admin", admin])
            #expect(fromAdmin.status == 0, "\(fromAdmin.stderr)")
            #expect(fromAdmin.stdout == (try CLI.run(["proxy-config", "clusters", "-f", "samples/tutorial/"])).stdout)
            let missing = try CLI.run([
                "proxy-config", "routes", "--admin", admin.replacingOccurrences(of: "127.0.0.1", with: "localhost"),
            ])
            #expect(missing.status == 0, "a host name resolves too: \(missing.stderr)")
        }
    }

    @Test func chunkedResponses() throws {
        let dump = try CLI.run(["proxy-config", "all", "-f", "samples/tutorial/", "-o", "json"]).stdout
        try withAdminServer(dump, chunked: true) { admin in
            let fromAdmin = try CLI.run(["proxy-config", "routes", "--admin", admin])
            #expect(fromAdmin.status == 0, "\(fromAdmin.stderr)")
            #expect(fromAdmin.stdout == (try CLI.run(["proxy-config", "routes", "-f", "samples/tutorial/"])).stdout)
        }
    }
}
