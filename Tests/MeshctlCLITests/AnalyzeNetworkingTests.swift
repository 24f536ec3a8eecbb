import Foundation
import Testing

/// `analyze` on manifests as a cluster holds them: Kubernetes Services, Pods, Deployments and
/// Secrets beside Istio's networking resources.
@Suite struct AnalyzeNetworkingTests {
    /// A gateway credential whose data is not a certificate; its values must never be printed.
    let secret = """
        apiVersion: v1
        kind: Secret
        metadata: {name: shop-cert, namespace: istio-system}
        type: kubernetes.io/tls
        data:
          tls.crt: aHVzaCBodXNoIGh1c2gK
          tls.key: c2VjcmV0IHNlY3JldAo=
        stringData:
          note: do-not-print-me

        """

    let mixed = """
        apiVersion: v1
        kind: Service
        metadata: {name: shop, namespace: shop}
        spec:
          selector: {app: shop}
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: shop-v1, namespace: shop}
        spec:
          selector: {matchLabels: {app: shop}}
          template:
            metadata: {labels: {app: shop, version: v1}}
            spec: {containers: [{name: shop, image: shop:1}]}
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: shop, namespace: shop}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            tls: {mode: SIMPLE, credentialName: shop-cert}
            hosts: [shop.example.com]
          - port: {number: 8443, name: https-alt, protocol: HTTPS}
            tls: {mode: SIMPLE, credentialName: missing-cert}
            hosts: [shop.example.com]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: shop, namespace: shop}
        spec:
          hosts: [shop.example.com]
          gateways: [shop]
          http:
          - route: [{destination: {host: shop, port: {number: 9090}}}]
        ---

        """

    @Test func secretsAreAcceptedQuietlyAndNeverPrinted() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(secret, to: "secret.yaml", in: dir)
        let validate = try CLI.run(["validate", "-f", path])
        #expect(validate.status == 0)
        #expect(!validate.output.contains("MESH0005"))
        let analyze = try CLI.run(["analyze", "-f", path, "-f", try CLI.write(mixed, to: "mixed.yaml", in: dir), "-o", "json"])
        #expect(analyze.status == 79)
        for value in ["aHVzaCBodXNoIGh1c2gK", "c2VjcmV0IHNlY3JldAo=", "hush", "secret secret", "do-not-print-me"] {
            #expect(!analyze.output.contains(value), "\(value) printed")
            #expect(!validate.output.contains(value), "\(value) printed")
        }
    }

    @Test func mixedManifestsAsIstioctlReadsThemFromACluster() throws {
        let dir = try CLI.temporaryDirectory()
        _ = try CLI.write(secret, to: "cluster/secret.yaml", in: dir)
        _ = try CLI.write(mixed, to: "cluster/shop.yaml", in: dir)
        let result = try CLI.run(["analyze", "-f", dir.appendingPathComponent("cluster").path, "-o", "json"])
        #expect(result.status == 79)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let found = (json["diagnostics"] as! [[String: Any]]).map { "\($0["code"]!) \($0["resource"]!)" }.sorted()
        #expect(
            found
                == [
                    // host:port the Service does not expose
                    "IST0101 VirtualService shop/shop",
                    // credentialName with no Secret in istio-system, where the gateway's pods run
                    "IST0101 Gateway shop/shop",
                    // the Secret's data is no certificate
                    "IST0161 Gateway shop/shop",
                    // 8443 is not a port of the default ingress gateway's Service
                    "IST0162 Gateway shop/shop",
                ].sorted())
        #expect(json["resources"] as? Int == 5)
    }

    @Test func listAnalyzersNamesWhatReportsEachCode() throws {
        let result = try CLI.run(["analyze", "--list-analyzers"])
        #expect(result.status == 0)
        let tables = result.stdout.components(separatedBy: "\n\n")
        try #require(tables.count == 2)
        let lines = tables[1].split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ANALYZER") == true)
        for (code, analyzer) in [
            ("IST0128", "destinationrule.CaCertificateAnalyzer"), ("IST0134", "serviceentry.Analyzer"),
            ("IST0138", "gateway.CertificateAnalyzer"), ("IST0140", "virtualservice.IngressRouteRulesAnalyzer"),
            ("IST0149", "virtualservice.JWTClaimRouteAnalyzer"), ("IST0161", "gateway.SecretAnalyzer"),
            ("IST0162", "gateway.IngressGatewayPortAnalyzer"), ("IST0165", "virtualservice.GatewayAnalyzer"),
            ("IST0177", "serviceentry.ConflictingServiceEntryProtocolAnalyzer"), ("IST0106", "validation"),
        ] {
            #expect(lines.contains { $0.hasPrefix(analyzer + " ") && $0.contains(code) }, "\(code) \(analyzer)")
        }
        let json = try CLI.run(["analyze", "--list-analyzers", "-o", "json"])
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        let ist0101 = try #require(entries.first { $0["code"] as? String == "IST0101" })
        #expect((ist0101["reportedBy"] as? [String])?.contains("gateway.SecretAnalyzer") == true)
    }

    @Test func meshConfigExportToDefaultsDecideVisibility() throws {
        let dir = try CLI.temporaryDirectory()
        let rules = try CLI.write(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api, namespace: platform}
            spec:
              hosts: [api.example.com]
              ports: [{number: 443, name: tls, protocol: TLS}]
              resolution: DNS
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: api, namespace: shop}
            spec:
              hosts: [api.example.com]
              tls:
              - match: [{port: 443, sniHosts: [api.example.com]}]
                route: [{destination: {host: api.example.com}}]
            """, to: "rules.yaml", in: dir)
        #expect(try CLI.run(["analyze", "-f", rules]).status == 0)
        let mesh = try CLI.write("defaultServiceExportTo: [\".\"]\n", to: "mesh.yaml", in: dir)
        let narrow = try CLI.run(["analyze", "-f", rules, "--mesh-config", mesh])
        #expect(narrow.status == 79)
        #expect(narrow.stdout.contains("IST0101"))
        #expect(narrow.stdout.contains("ServiceEntry platform/api defines api.example.com but is not exported to namespace shop"))
    }
}
