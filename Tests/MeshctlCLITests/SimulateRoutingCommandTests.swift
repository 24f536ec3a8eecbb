import Foundation
import Testing

/// `simulate` and `proxy-config` for one proxy (namespace, labels, gateway), on ports, for TCP
/// and TLS, with Istio's compatibility versions and mesh config.
@Suite struct SimulateRoutingCommandTests {
    static let rules = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: db, namespace: data}
        spec:
          hosts: [db.example.com]
          addresses: [10.0.0.5]
          ports: [{number: 5432, name: tcp, protocol: TCP}]
          resolution: STATIC
          endpoints: [{address: 10.1.0.1, labels: {v: a}}, {address: 10.1.0.2, labels: {v: b}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: db, namespace: data}
        spec:
          host: db.example.com
          subsets: [{name: a, labels: {v: a}}, {name: b, labels: {v: b}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: db, namespace: data}
        spec:
          hosts: [db.example.com]
          tcp:
          - match: [{port: 5432, destinationSubnets: [10.0.0.5/32]}]
            route:
            - {destination: {host: db.example.com, subset: a}, weight: 60}
            - {destination: {host: db.example.com, subset: b}, weight: 40}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: wiki, namespace: data}
        spec:
          hosts: ["*.wikipedia.org"]
          exportTo: ["."]
          ports: [{number: 443, name: tls, protocol: TLS}]
          resolution: NONE
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: wiki, namespace: data}
        spec:
          hosts: ["*.wikipedia.org"]
          exportTo: ["."]
          tls:
          - match: [{port: 443, sniHosts: [en.wikipedia.org]}]
            route: [{destination: {host: en.wikipedia.org}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: web, namespace: data}
        spec:
          hosts: [web.example.com]
          ports: [{number: 80, name: http, protocol: HTTP}, {number: 8080, name: http-alt, protocol: HTTP}]
          resolution: DNS
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: data}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*.example.com"]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: site, namespace: data}
        spec:
          hosts: [web.example.com]
          gateways: [edge]
          http:
          - route: [{destination: {host: web.example.com}}]
        """

    func path() throws -> String { try CLI.write(Self.rules, to: "rules.yaml", in: try CLI.temporaryDirectory()) }

    func json(_ arguments: [String], path: String) throws -> [String: Any] {
        let result = try CLI.run(["simulate", "-f", path, "-o", "json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    @Test func tcpConnectionsFollowTcpRoutes() throws {
        let path = try path()
        let doc = try json(["--protocol", "tcp", "--port", "5432", "--destination-ip", "10.0.0.5"], path: path)
        #expect(doc["protocol"] as? String == "tcp")
        #expect(doc["listener"] as? String == "10.0.0.5_5432")
        #expect(doc["virtualService"] as? String == "data/db")
        #expect(doc["rule"] as? Int == 0)
        #expect(doc["ruleKind"] as? String == "tcp")
        #expect((doc["weights"] as? [[String: Any]])?.map { $0["percent"] as? Double } == [60, 40])
        #expect((doc["cluster"] as? String)?.hasPrefix("outbound|5432|") == true)
        let split = try json(["--protocol", "tcp", "--port", "5432", "--destination-ip", "10.0.0.5", "-n", "10000"], path: path)
        let clusters = try #require(split["clusters"] as? [String: Int])
        #expect(abs(Double(clusters["outbound|5432|a|db.example.com"] ?? 0) / 100 - 60) < 2)
    }

    @Test func tlsConnectionsAreRoutedBySNI() throws {
        let path = try path()
        let inData = try json(
            ["--protocol", "tls", "--port", "443", "--sni", "en.wikipedia.org", "--source-namespace", "data"], path: path)
        #expect(inData["cluster"] as? String == "outbound|443||en.wikipedia.org")
        #expect(inData["ruleKind"] as? String == "tls")
        // Exported to its own namespace only: elsewhere the connection passes through.
        let elsewhere = try json(["--protocol", "tls", "--port", "443", "--sni", "en.wikipedia.org"], path: path)
        #expect(elsewhere["cluster"] as? String == "PassthroughCluster")
        #expect(elsewhere["listener"] as? String == "virtualOutbound")
    }

    @Test func theRequestsPortPicksTheCluster() throws {
        let path = try path()
        let doc = try json(["--host", "web.example.com:8080"], path: path)
        #expect(doc["cluster"] as? String == "outbound|8080||web.example.com")
        #expect(doc["routeConfiguration"] as? String == "8080")
        #expect(doc["virtualHost"] as? String == "web.example.com:8080")
        #expect(doc["port"] as? Int == 8080)
    }

    @Test func aGatewayWithoutAServerOnThePortRefusesTheConnection() throws {
        let path = try path()
        let served = try json(["--host", "web.example.com", "--gateway", "data/edge"], path: path)
        // A destination without port at a gateway: the service's ports are 80 and 8080, so the listener's.
        #expect(served["cluster"] as? String == "outbound|80||web.example.com")
        #expect(served["routeConfiguration"] as? String == "http.80")
        let refused = try json(["--host", "web.example.com:8080", "--gateway", "data/edge"], path: path)
        #expect(refused["cluster"] is NSNull)
        #expect(refused["listener"] is NSNull)
        #expect(refused["status"] is NSNull)
        #expect((refused["explain"] as? [String])?.first?.contains("has no HTTP server on port 8080") == true)
    }

    @Test func compatibilityVersionRestoresTheOld503Retry() throws {
        let current = try json(["--host", "web.example.com"], path: try path())
        #expect((current["retries"] as? [String: Any])?["retriableStatusCodes"] as? [Int] == [])
        let old = try json(["--host", "web.example.com", "--compatibility-version", "1.23"], path: try path())
        #expect((old["retries"] as? [String: Any])?["retriableStatusCodes"] as? [Int] == [503])
        let rendered = try CLI.run([
            "proxy-config", "routes", "-f", try path(), "--compatibility-version", "1.23", "-o", "json",
        ])
        #expect(rendered.status == 0)
        let compact = rendered.stdout.split(whereSeparator: \.isWhitespace).joined()
        #expect(compact.contains("\"retriableStatusCodes\":[503]"))
        let now = try CLI.run(["proxy-config", "routes", "-f", try path(), "-o", "json"])
        #expect(!now.stdout.contains("retriableStatusCodes"))
    }

    @Test(arguments: [
        (["--protocol", "tcp"], "--protocol tcp needs the destination port: give --port"),
        (["--host", "x", "--sni", "a.b"], "--sni is for --protocol tls"),
        (["--protocol", "tcp", "--port", "1", "--sni", "a.b"], "--sni is for --protocol tls"),
        (["--protocol", "tcp", "--port", "1", "--destination-ip", "nope"], "--destination-ip must be an IPv4 or IPv6 address"),
        (["--host", "x", "--destination-ip", "10.0.0.1"], "--destination-ip is for --protocol tcp or tls"),
        (["--host", "x", "--compatibility-version", "1"], "--compatibility-version must be MAJOR.MINOR"),
        (["--protocol", "udp", "--port", "1"], "udp"),
        (["--port", "80"], "give the request's host with --host"),
    ])
    func usageErrors(arguments: [String], message: String) throws {
        let result = try CLI.run(["simulate", "-f", "samples/tutorial/"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func meshConfigFieldsMeshctlDoesNotImplementAreWarnings() throws {
        let dir = try CLI.temporaryDirectory()
        let mesh = try CLI.write(
            "outboundTrafficPolicy:\n  mode: ALLOW_ANY_DYNAMIC_DNS\nenableTracing: true\n", to: "mesh.yaml", in: dir)
        let result = try CLI.run([
            "simulate", "-f", "samples/tutorial/", "--host", "example.org:8080", "--mesh-config", mesh, "-o", "json",
        ])
        #expect(result.status == 0)
        #expect(result.stderr.contains("mesh.yaml:3:1: warning: mesh config field `enableTracing` is not implemented by meshctl"))
        let doc = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(doc["cluster"] as? String == "AllowAnyDynamicDNSCluster")
        let clusters = try CLI.run(["proxy-config", "clusters", "-f", "samples/tutorial/", "--mesh-config", mesh])
        #expect(clusters.status == 0)
        #expect(clusters.stdout.contains("AllowAnyDynamicDNSCluster"))
    }

    @Test func proxyConfigRendersWhatTheNamespaceSees() throws {
        let path = try path()
        let inData = try CLI.run(["proxy-config", "listeners", "-f", path, "--source-namespace", "data"])
        #expect(inData.status == 0, "\(inData.stderr)")
        #expect(inData.stdout.contains("0.0.0.0   443   SNI: en.wikipedia.org"))
        #expect(inData.stdout.contains("10.0.0.5  5432  Addr: 10.0.0.5/32"))
        let elsewhere = try CLI.run(["proxy-config", "listeners", "-f", path, "--source-namespace", "other"])
        #expect(!elsewhere.stdout.contains("wikipedia"))
        let gateway = try CLI.run(["proxy-config", "routes", "-f", path, "--gateway", "data/edge"])
        #expect(gateway.stdout.contains("http.80"))
        #expect(gateway.stdout.contains("web.example.com:80"))
    }

    @Test func sidecarResourcesAreValidated() throws {
        let dir = try CLI.temporaryDirectory()
        let good = try CLI.write(
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: shop}
            spec:
              egress:
              - hosts: ["./*", "istio-system/*"]
              outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            """, to: "good.yaml", in: dir)
        #expect(try CLI.run(["validate", "-f", good]).status == 0)
        let bad = try CLI.write(
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: shop}
            spec:
              egress:
              - hosts: ["reviews.shop.svc.cluster.local"]
              - port: {number: 9080, protocol: HTTP, name: http}
                hosts: ["*/*"]
            """, to: "bad.yaml", in: dir)
        let result = try CLI.run(["validate", "-f", bad])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "bad.yaml:6:13: error: Sidecar shop/default: egress host `reviews.shop.svc.cluster.local` must be namespace/host")
        )
        #expect(result.stdout.contains("only the last egress listener may leave out its port"))
    }
}

/// The proxy routes with the same engine: the request's port picks the route configuration and
/// the cluster's port.
@Suite(.serialized) struct ProxyPortRoutingTests {
    @Test func aPortSpecificRuleAndPortSpecificClusters() throws {
        let eighty = try ServerProcess(["demo", "backend", "--name", "web", "--version", "p80", "--listen", "127.0.0.1:0"])
        let other = try ServerProcess(["demo", "backend", "--name", "web", "--version", "p8080", "--listen", "127.0.0.1:0"])
        defer {
            eighty.stop()
            other.stop()
        }
        let rules = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: web}
            spec:
              hosts: [web.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}, {number: 8080, name: http-alt, protocol: HTTP}, {number: 9090, name: http-admin, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 127.0.0.1, ports: {http: \(eighty.port), http-alt: \(other.port), http-admin: \(other.port)}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web}
            spec:
              hosts: [web.example.com]
              http:
              - match: [{port: 9090}]
                directResponse: {status: 200, body: {string: "port 9090 rule"}}
              - route: [{destination: {host: web.example.com}}]
            """
        let path = try CLI.write(rules, to: "rules.yaml", in: try CLI.temporaryDirectory())
        let proxy = try ServerProcess(["proxy", "run", "-f", path, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        defer { proxy.stop() }
        func get(_ host: String) throws -> String { try CLI.httpGet(proxy.listen, host: host).text }
        #expect(try get("web.example.com").contains("web p80"))
        #expect(try get("web.example.com:8080").contains("web p8080"))
        let rule = try get("web.example.com:9090")
        #expect(rule.hasPrefix("HTTP/1.1 200"))
        #expect(rule.contains("port 9090 rule"))
    }
}
