import Crypto
import Foundation
import MeshModel
import MeshValidation
import Testing
import X509

@testable import MeshAnalysis

/// Loads the documents (validation findings are not required to be clean) and returns the
/// analysis findings only.
func analyzeAny(_ yaml: String, mesh: MeshConfig = MeshConfig()) -> [Diagnostic] {
    var rules = LoadedRules()
    RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &rules, validate: Validator().validate)
    var analysis = Analysis(resources: rules.resources, mesh: mesh)
    return analysis.run()
}

/// "CODE Kind ns/name", sorted: what istioctl's own analyzer tests compare.
func verdicts(_ findings: [Diagnostic], _ codes: Set<String>? = nil) -> [String] {
    findings.filter { codes?.contains($0.code) ?? true }.map { "\($0.code) \($0.resource ?? "-")" }.sorted()
}

func mesh(_ yaml: String) -> MeshConfig {
    let (config, problems, _) = MeshConfig.parse(Array(yaml.utf8), path: "mesh.yaml")
    #expect(problems.isEmpty, "\(problems.map(\.headline))")
    return config
}

let httpbin = """
    apiVersion: v1
    kind: Service
    metadata: {name: httpbin, namespace: default}
    spec:
      selector: {app: httpbin}
      ports: [{name: http, port: 8000}]
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: httpbin-1, namespace: default, labels: {app: httpbin, version: v1}}
    ---

    """

func route(_ name: String, namespace: String = "default", to host: String, port: Int? = nil, extra: String = "") -> String {
    let portField = port.map { ", port: {number: \($0)}" } ?? ""
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: \(name), namespace: \(namespace)}
        spec:
          hosts: [\(name)]
        \(extra)  http:
          - route: [{destination: {host: \(host)\(portField)}}]
        ---

        """
}

@Suite struct DestinationHostAnalyzerTests {
    @Test func portTheServiceDoesNotExpose() {
        let findings = analyzeAny(httpbin + route("a", to: "httpbin", port: 9999))
        #expect(verdicts(findings) == ["IST0101 VirtualService default/a"])
        #expect(findings.first?.message.contains("httpbin:9999") == true)
        #expect(analyzeAny(httpbin + route("a", to: "httpbin", port: 8000)).isEmpty)
    }

    @Test func serviceEntryExportedToAnotherNamespace() {
        let entry = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ext, namespace: other}
            spec:
              hosts: [api.example.com]
              exportTo: [EXPORT]
              ports: [{number: 443, name: tls, protocol: TLS}]
              resolution: DNS
            ---

            """
        let local = entry.replacingOccurrences(of: "EXPORT", with: "\".\"")
        let findings = analyzeAny(local + route("a", to: "api.example.com"))
        #expect(verdicts(findings) == ["IST0101 VirtualService default/a"])
        #expect(findings.first?.message.contains("is not exported to namespace default") == true)
        let exported = entry.replacingOccurrences(of: "EXPORT", with: "default")
        #expect(analyzeAny(exported + route("a", to: "api.example.com")).isEmpty)
        // The mesh config's default applies to an entry without exportTo.
        let unset = entry.replacingOccurrences(of: "  exportTo: [EXPORT]\n", with: "")
        #expect(analyzeAny(unset + route("a", to: "api.example.com")).isEmpty)
        let narrow = mesh("defaultServiceExportTo: [\".\"]")
        #expect(
            verdicts(analyzeAny(unset + route("a", to: "api.example.com"), mesh: narrow)) == ["IST0101 VirtualService default/a"])
    }

    @Test func kubernetesServiceExportAnnotationAndVirtualServiceExportTo() {
        let service = """
            apiVersion: v1
            kind: Service
            metadata:
              name: hello
              namespace: hello
              annotations: {networking.istio.io/exportTo: "hello1,."}
            spec:
              ports: [{name: http, port: 9080}]
            ---

            """
        let findings = analyzeAny(
            service + route("a", namespace: "hello1", to: "hello.hello.svc.cluster.local")
                + route("b", namespace: "hello2", to: "hello.hello.svc.cluster.local")
                + route("c", namespace: "hello", to: "hello.hello.svc.cluster.local", extra: "  exportTo: [bogus]\n")
                + route("d", namespace: "hello", to: "hello.hello.svc.cluster.local"))
        #expect(verdicts(findings) == ["IST0101 VirtualService hello/c", "IST0101 VirtualService hello2/b"])
    }

    @Test func wildcardEntryCoversHostsBelowIt() {
        let entry = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: eu}
            spec:
              hosts: ["*.eu.example.com"]
              ports: [{number: 80, name: http, protocol: HTTP}]
            ---

            """
        #expect(analyzeAny(entry + route("a", to: "reviews.eu.example.com")).isEmpty)
        #expect(verdicts(analyzeAny(entry + route("a", to: "reviews.us.example.com"))) == ["IST0101 VirtualService default/a"])
    }
}

@Suite struct DestinationSubsetAnalyzerTests {
    @Test func destinationRuleNotExportedToTheVirtualService() {
        let rule = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: httpbin, namespace: default}
            spec:
              host: httpbin.default.svc.cluster.local
              exportTo: [EXPORT]
              subsets: [{name: v1, labels: {version: v1}}]
            ---

            """
        let vs = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: front, namespace: front}
            spec:
              hosts: [front]
              http:
              - route: [{destination: {host: httpbin.default.svc.cluster.local, subset: v1, port: {number: 8000}}}]
            """
        let hidden = analyzeAny(httpbin + rule.replacingOccurrences(of: "EXPORT", with: "\".\"") + vs)
        #expect(verdicts(hidden) == ["IST0101 VirtualService front/front"])
        #expect(hidden.first?.message.contains("not exported to namespace front") == true)
        #expect(analyzeAny(httpbin + rule.replacingOccurrences(of: "EXPORT", with: "front") + vs).isEmpty)
    }
}

@Suite struct ConflictingMeshGatewayHostsAnalyzerTests {
    func vs(_ name: String, _ namespace: String, exportTo: String?) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: \(name), namespace: \(namespace)}
        spec:
          hosts: [productpage.default.svc.cluster.local]
        \(exportTo.map { "  exportTo: [\($0)]\n" } ?? "")  http:
          - route: [{destination: {host: productpage.default.svc.cluster.local}}]
        ---

        """
    }

    @Test func virtualServicesSeenTogetherConflict() {
        let both = analyzeAny(vs("a", "foo", exportTo: nil) + vs("b", "bar", exportTo: "\".\""))
        // foo/a is seen everywhere, bar too: bar's proxies see both.
        #expect(verdicts(both, ["IST0109"]) == ["IST0109 VirtualService bar/b", "IST0109 VirtualService foo/a"])
        let sameNamespace = analyzeAny(vs("a", "foo", exportTo: "foo") + vs("b", "bar", exportTo: "foo"))
        #expect(verdicts(sameNamespace, ["IST0109"]).count == 2)
    }

    @Test func virtualServicesNoNamespaceSeesTogetherDoNotConflict() {
        let apart = analyzeAny(vs("a", "foo", exportTo: "\".\"") + vs("b", "bar", exportTo: "\".\""))
        #expect(verdicts(apart, ["IST0109"]).isEmpty)
    }
}

@Suite struct VirtualServiceGatewayAnalyzerTests {
    @Test func generatedGatewayOfTheGatewayAPI() {
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: httpbin}
            spec:
              hosts: [foo.com]
              gateways: [GATEWAY]
              http:
              - route: [{destination: {host: httpbin, port: {number: 8000}}}]
            ---

            """
        let generated = analyzeAny(
            httpbin + yaml.replacingOccurrences(of: "GATEWAY", with: "istio-ingress/gateway-istio-autogenerated-k8s-gateway-foo"))
        #expect(verdicts(generated) == ["IST0165 VirtualService default/httpbin"])
        #expect(generated.first?.level == .warning)
        let own = analyzeAny(httpbin + yaml.replacingOccurrences(of: "GATEWAY", with: "istio-ingress/gateway-foo"))
        #expect(verdicts(own) == ["IST0101 VirtualService default/httpbin", "IST0132 VirtualService default/httpbin"])
    }
}

let ingressGateway = """
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata: {name: edge, namespace: istio-system}
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ---

    """

@Suite struct IngressRouteRulesAnalyzerTests {
    let split = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: httpbin}
        spec:
          host: httpbin
          subsets: [{name: v1, labels: {version: v1}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: httpbin-split}
        spec:
          hosts: [httpbin]
          http:
          - route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
        ---

        """

    func ingress(subset: String?) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ingress}
        spec:
          hosts: ["*"]
          gateways: [istio-system/edge]
          http:
          - route: [{destination: {host: httpbin, port: {number: 8000}\(subset.map { ", subset: \($0)" } ?? "")}}]
        """
    }

    @Test func gatewayRouteWithoutSubsetBypassesTheSplit() {
        let findings = analyzeAny(httpbin + split + ingressGateway + ingress(subset: nil))
        #expect(verdicts(findings) == ["IST0140 VirtualService default/ingress"])
        #expect(findings.first?.message.contains("default/httpbin-split") == true)
        #expect(analyzeAny(httpbin + split + ingressGateway + ingress(subset: "v1")).isEmpty)
    }
}

@Suite struct JWTClaimRouteAnalyzerTests {
    let claims = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: claims}
        spec:
          hosts: ["*"]
          gateways: [istio-system/edge]
          http:
          - match: [{headers: {"@request.auth.claims.groups": {exact: admin}}}]
            route: [{destination: {host: httpbin, port: {number: 8000}}}]
        ---

        """

    @Test func claimsNeedARequestAuthenticationOnTheGateway() throws {
        // `analyze` requires the fixture to validate: a claim is not refused as a header name.
        let findings = try analyze(httpbin + ingressGateway + claims)
        #expect(verdicts(findings) == ["IST0149 VirtualService default/claims"])
        #expect(findings.first?.level == .error)
        let authn = """
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: jwt, namespace: istio-system}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              jwtRules: [{issuer: "https://issuer.example.com"}]
            """
        #expect(analyzeAny(httpbin + ingressGateway + claims + authn).isEmpty)
        let elsewhere = authn.replacingOccurrences(of: "istio: ingressgateway", with: "app: httpbin")
        #expect(verdicts(analyzeAny(httpbin + ingressGateway + claims + elsewhere)) == ["IST0149 VirtualService default/claims"])
    }
}

@Suite struct GatewayWorkloadAnalyzerTests {
    func gateway(selector: String, port: Int) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: private}
        spec:
          selector: {\(selector)}
          servers:
          - port: {number: \(port), name: http, protocol: HTTP}
            hosts: ["*"]
        ---

        """
    }

    let workload = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: private-gateway}
        spec:
          selector: {matchLabels: {app: private-gateway}}
          template:
            metadata: {labels: {app: private-gateway}}
            spec: {containers: [{name: istio-proxy, image: proxy}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: private-gateway}
        spec:
          selector: {app: private-gateway}
          ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}, {name: dns, port: 53, protocol: UDP}]
        """

    @Test func selectorThatMatchesNoPod() {
        let findings = analyzeAny(gateway(selector: "app: missing", port: 8080) + workload)
        #expect(verdicts(findings) == ["IST0101 Gateway default/private"])
        #expect(findings.first?.message.contains("app=missing") == true)
        #expect(analyzeAny(gateway(selector: "app: private-gateway", port: 8080) + workload).isEmpty)
    }

    @Test func portTheServiceDoesNotForwardTo() {
        // The Service forwards 80 to targetPort 8080: a server on 8080 is served, one on 80 is
        // not, nor one on a UDP port.
        #expect(
            verdicts(analyzeAny(gateway(selector: "app: private-gateway", port: 80) + workload)) == [
                "IST0162 Gateway default/private"
            ])
        #expect(
            verdicts(analyzeAny(gateway(selector: "app: private-gateway", port: 53) + workload)) == [
                "IST0162 Gateway default/private"
            ])
        // Istio's default ingress gateway (assumed, as istioctl does) serves 80 and 443.
        #expect(analyzeAny(gateway(selector: "istio: ingressgateway", port: 443)).isEmpty)
        #expect(
            verdicts(analyzeAny(gateway(selector: "istio: ingressgateway", port: 8443))) == ["IST0162 Gateway default/private"])
        // With the ingress controller off, it is not assumed.
        #expect(
            verdicts(
                analyzeAny(gateway(selector: "istio: ingressgateway", port: 443), mesh: mesh("ingressControllerMode: \"OFF\"")))
                == ["IST0101 Gateway default/private"])
    }
}

@Suite struct ConflictingGatewayAnalyzerTests {
    func gateway(_ name: String, selector: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: \(name)}
        spec:
          selector: {\(selector)}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [shop.example.com]
        ---

        """
    }

    @Test func subSelectorOfTheSamePods() {
        let gateways =
            gateway("alpha", selector: "istio: ingressgateway") + gateway("beta", selector: "istio: ingressgateway, app: edge")
        // No pod carries both labels: the gateways apply to different workloads.
        #expect(verdicts(analyzeAny(gateways), ["IST0145"]).isEmpty)
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: edge-1, namespace: istio-system, labels: {istio: ingressgateway, app: edge}}
            """
        #expect(
            verdicts(analyzeAny(gateways + pod), ["IST0145"]) == [
                "IST0145 Gateway default/alpha", "IST0145 Gateway default/beta",
            ])
    }
}

/// Certificates and keys made for the credential tests.
struct TestCredential {
    var certificate: String
    var key: String

    static func make(validFrom: Date, until: Date) throws -> TestCredential {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("shop.example.com") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: validFrom, notValidAfter: until, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions {}, issuerPrivateKey: .init(key))
        return TestCredential(certificate: try certificate.serializeAsPEM().pemString, key: key.pemRepresentation)
    }

    static let day: TimeInterval = 86_400
}

@Suite struct GatewaySecretAnalyzerTests {
    func secret(_ name: String, namespace: String = "istio-system", type: String = "kubernetes.io/tls", _ data: [String: String])
        -> String
    {
        let entries = data.sorted { $0.key < $1.key }.map { "  \($0.key): \(Data($0.value.utf8).base64EncodedString())" }
        return """
            apiVersion: v1
            kind: Secret
            metadata: {name: \(name), namespace: \(namespace)}
            type: \(type)
            data:
            \(entries.joined(separator: "\n"))
            ---

            """
    }

    func gateway(_ credential: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: https}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            tls: {mode: SIMPLE, credentialName: \(credential)}
            hosts: [shop.example.com]
        """
    }

    @Test func validCredentialInTheGatewayNamespace() throws {
        let valid = try TestCredential.make(validFrom: Date() - TestCredential.day, until: Date() + 365 * TestCredential.day)
        #expect(analyzeAny(secret("shop", ["tls.crt": valid.certificate, "tls.key": valid.key]) + gateway("shop")).isEmpty)
        #expect(
            analyzeAny(secret("shop", type: "Opaque", ["cert": valid.certificate, "key": valid.key]) + gateway("shop")).isEmpty)
        // Written namespace/name, from another namespace.
        #expect(
            analyzeAny(
                secret("shop", namespace: "certs", ["tls.crt": valid.certificate, "tls.key": valid.key]) + gateway("certs/shop")
            )
            .isEmpty)
    }

    @Test func missingSecretOrOneInAnotherNamespace() throws {
        let valid = try TestCredential.make(validFrom: Date() - TestCredential.day, until: Date() + 365 * TestCredential.day)
        let findings = analyzeAny(
            secret("shop", namespace: "default", ["tls.crt": valid.certificate, "tls.key": valid.key]) + gateway("shop"))
        #expect(verdicts(findings) == ["IST0101 Gateway default/https"])
        #expect(findings.first?.message.contains("no Secret istio-system/shop") == true)
    }

    @Test func unusableCredentials() throws {
        let valid = try TestCredential.make(validFrom: Date() - TestCredential.day, until: Date() + 365 * TestCredential.day)
        let expired = try TestCredential.make(validFrom: Date() - 30 * TestCredential.day, until: Date() - TestCredential.day)
        let future = try TestCredential.make(validFrom: Date() + TestCredential.day, until: Date() + 30 * TestCredential.day)
        let other = try TestCredential.make(validFrom: Date() - TestCredential.day, until: Date() + 365 * TestCredential.day)
        let cases: [(String, [String: String], String, String)] = [
            ("missing", ["tls.cert": valid.certificate], "no non-empty tls.crt and tls.key", "IST0161"),
            ("wrong-names", ["certificate": valid.certificate, "key": valid.key], "no non-empty tls.crt and tls.key", "IST0161"),
            ("garbage", ["tls.crt": "hush hush hush\n", "tls.key": valid.key], "not a PEM-encoded X.509 certificate", "IST0161"),
            ("expired", ["tls.crt": expired.certificate, "tls.key": expired.key], "expired on", "IST0161"),
            ("early", ["tls.crt": future.certificate, "tls.key": future.key], "not valid before", "IST0161"),
            // istioctl does not check the key: meshctl's own code says it.
            ("mismatch", ["tls.crt": valid.certificate, "tls.key": other.key], "does not match", "MESH0106"),
            (
                "bad-key", ["tls.crt": valid.certificate, "tls.key": "secret secret\n"], "not a PEM-encoded private key",
                "MESH0106"
            ),
        ]
        for (name, data, reason, code) in cases {
            let findings = analyzeAny(secret(name, data) + gateway(name))
            #expect(verdicts(findings) == ["\(code) Gateway default/https"], "\(name)")
            #expect(findings.first?.message.contains(reason) == true, "\(name): \(findings.map(\.message))")
            // The finding never shows what the Secret holds.
            for value in data.values {
                #expect(!(findings.first?.message.contains(value.trimmingCharacters(in: .whitespacesAndNewlines)) ?? true))
            }
        }
    }
}

@Suite struct GatewayCertificateAnalyzerTests {
    func gateway(_ name: String, selector: String, credential: String) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: \(name), namespace: istio-system}
        spec:
          selector: {\(selector)}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            tls: {mode: SIMPLE, credentialName: \(credential)}
            hosts: [\(name).example.com]
        ---

        """
    }

    @Test func sameCertificateOnOneWorkload() {
        let findings = analyzeAny(
            gateway("a", selector: "istio: ingressgateway", credential: "shop")
                + gateway("b", selector: "istio: ingressgateway", credential: "shop"))
        #expect(verdicts(findings, ["IST0138"]) == ["IST0138 Gateway istio-system/a", "IST0138 Gateway istio-system/b"])
        let different = analyzeAny(
            gateway("a", selector: "istio: ingressgateway", credential: "shop")
                + gateway("b", selector: "istio: ingressgateway", credential: "blog"))
        #expect(verdicts(different, ["IST0138"]).isEmpty)
        // A narrower selector is reported against the wider one, not the other way round.
        let narrower = analyzeAny(
            gateway("a", selector: "istio: ingressgateway", credential: "shop")
                + gateway("b", selector: "istio: ingressgateway, app: edge", credential: "shop"))
        #expect(verdicts(narrower, ["IST0138"]) == ["IST0138 Gateway istio-system/a"])
    }
}

@Suite struct CACertificateAnalyzerTests {
    func rule(_ tls: String, portLevel: Bool = false, selector: Bool = false) -> String {
        let policy =
            portLevel
            ? "  trafficPolicy:\n    portLevelSettings:\n    - port: {number: 443}\n      tls: \(tls)\n"
            : "  trafficPolicy:\n    tls: \(tls)\n"
        return """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: db-tls}
            spec:
              host: mydb.example.com
            \(selector ? "  workloadSelector: {matchLabels: {istio: egressgateway}}\n" : "")\(policy)
            """
    }

    let codes: Set<String> = ["IST0128", "IST0129"]

    @Test func tlsWithoutCACertificates() {
        #expect(verdicts(analyzeAny(rule("{mode: SIMPLE}")), codes) == ["IST0128 DestinationRule default/db-tls"])
        #expect(
            verdicts(analyzeAny(rule("{mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem}", portLevel: true)), codes)
                == [
                    "IST0129 DestinationRule default/db-tls"
                ])
        #expect(
            verdicts(analyzeAny(rule("{mode: SIMPLE, credentialName: db}")), codes) == ["IST0128 DestinationRule default/db-tls"])
    }

    @Test func verifiedOrNotOriginatingTLS() {
        #expect(verdicts(analyzeAny(rule("{mode: SIMPLE, caCertificates: /ca.pem}")), codes).isEmpty)
        #expect(verdicts(analyzeAny(rule("{mode: ISTIO_MUTUAL}")), codes).isEmpty)
        #expect(verdicts(analyzeAny(rule("{mode: SIMPLE, credentialName: db}", selector: true)), codes).isEmpty)
        #expect(verdicts(analyzeAny(rule("{mode: SIMPLE, credentialName: db}", portLevel: true, selector: true)), codes).isEmpty)
    }
}

@Suite struct ServiceEntryAddressesAnalyzerTests {
    func entry(_ protocolName: String?, addresses: Bool = false) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: db}
        spec:
          hosts: [db.example.com]
        \(addresses ? "  addresses: [240.0.0.1]\n" : "")  ports: [{number: 5432, name: db\(protocolName.map { ", protocol: \($0)" } ?? "")}]
          resolution: DNS
        """
    }

    @Test func tcpOrUnsetWithoutAddresses() {
        for proto in ["TCP", "tcp", nil] as [String?] {
            #expect(verdicts(analyzeAny(entry(proto))) == ["IST0134 ServiceEntry default/db"], "\(proto ?? "unset")")
        }
        #expect(analyzeAny(entry("HTTP")).isEmpty)
        #expect(analyzeAny(entry("TCP", addresses: true)).isEmpty)
    }

    @Test func meshThatAllocatesAddresses() {
        let allocating = mesh(
            "defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: \"true\"\n    ISTIO_META_DNS_AUTO_ALLOCATE: \"true\"\n"
        )
        #expect(analyzeAny(entry("TCP"), mesh: allocating).isEmpty)
        let captureOnly = mesh("defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: \"true\"\n")
        #expect(verdicts(analyzeAny(entry("TCP"), mesh: captureOnly)) == ["IST0134 ServiceEntry default/db"])
        let status = entry("TCP") + "\nstatus:\n  addresses: [{value: 240.240.0.1}]\n"
        #expect(analyzeAny(status).isEmpty)
    }
}

@Suite struct ConflictingServiceEntryProtocolAnalyzerTests {
    func entry(_ name: String, namespace: String, protocolName: String, exportTo: String? = nil) -> String {
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: \(name), namespace: \(namespace)}
        spec:
          hosts: [api.example.com]
          addresses: [240.0.0.1]
        \(exportTo.map { "  exportTo: [\($0)]\n" } ?? "")  ports: [{number: 443, name: p, protocol: \(protocolName)}]
          resolution: DNS
        ---

        """
    }

    @Test func sameHostAndPortWithDifferentProtocols() {
        let findings = analyzeAny(
            entry("a", namespace: "one", protocolName: "HTTPS") + entry("b", namespace: "two", protocolName: "TLS"))
        #expect(verdicts(findings) == ["IST0177 ServiceEntry one/a", "IST0177 ServiceEntry two/b"])
        #expect(findings.first?.message.contains("HTTPS, TLS") == true)
        // Case does not make a protocol different.
        #expect(
            analyzeAny(entry("a", namespace: "one", protocolName: "TLS") + entry("b", namespace: "two", protocolName: "tls"))
                .isEmpty)
    }

    @Test func entriesNoNamespaceSeesTogether() {
        let apart = analyzeAny(
            entry("a", namespace: "one", protocolName: "HTTPS", exportTo: "\".\"")
                + entry("b", namespace: "two", protocolName: "TLS", exportTo: "\".\""))
        #expect(apart.isEmpty)
        let seen = analyzeAny(
            entry("a", namespace: "one", protocolName: "HTTPS", exportTo: "\".\"")
                + entry("b", namespace: "two", protocolName: "TLS"))
        #expect(verdicts(seen).count == 2)
    }
}

@Suite struct DeprecationAnalyzerTests {
    @Test func sidecarEgressProxyIsIgnored() {
        let sidecar = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: no-selector}
            spec:
              egress: [{hosts: ["./*"]}]
              outboundTrafficPolicy:
                mode: ALLOW_ANY
            """
        #expect(analyzeAny(sidecar).isEmpty)
        let findings = analyzeAny(sidecar + "\n    egressProxy: {host: example, port: {number: 9080}}\n")
        #expect(verdicts(findings) == ["IST0002 Sidecar default/no-selector"])
        #expect(findings.first?.level == .warning)
    }
}

@Suite struct SubsetSelectsPodsTests {
    @Test func kubernetesServiceWithoutPodsInTheInput() {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: httpbin}
            spec:
              selector: {app: httpbin}
              ports: [{name: http, port: 8000}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: httpbin}
            spec:
              host: httpbin.default.svc.cluster.local
              subsets: [{name: fake, labels: {version: v3}}]
            """
        #expect(verdicts(analyzeAny(yaml)) == ["IST0173 DestinationRule default/httpbin"])
        let pod = "\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: httpbin-3, labels: {app: httpbin, version: v3}}\n"
        #expect(analyzeAny(yaml + pod).isEmpty)
    }

    @Test func podsCarryTheTopologyOfTheirNode() {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: httpbin}
            spec:
              selector: {app: httpbin}
              ports: [{name: http, port: 8000}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: httpbin-1, labels: {app: httpbin, version: v1}}
            spec: {nodeName: node-1, containers: [{name: httpbin, image: httpbin}]}
            ---
            apiVersion: v1
            kind: Node
            metadata: {name: node-1, labels: {topology.kubernetes.io/region: REGION}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: httpbin}
            spec:
              host: httpbin
              subsets:
              - {name: west, labels: {topology.kubernetes.io/region: SUBSET}}
              - {name: v1-west, labels: {version: v1, topology.kubernetes.io/region: SUBSET}}
              - {name: on-node, labels: {kubernetes.io/hostname: node-1}}
            """
        func region(_ node: String, _ subset: String) -> String {
            yaml.replacingOccurrences(of: "REGION", with: node).replacingOccurrences(of: "SUBSET", with: subset)
        }
        #expect(analyzeAny(region("us-west-1", "us-west-1")).isEmpty)
        // An empty region on the node is no region: subsets asking for "" select nothing.
        let empty = verdicts(analyzeAny(region("\"\"", "\"\"")))
        #expect(empty == ["IST0173 DestinationRule default/httpbin", "IST0173 DestinationRule default/httpbin"])
    }

    @Test func destinationRuleHostNotExportedToIt() {
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api, namespace: other}
            spec:
              hosts: [api.example.com]
              exportTo: ["."]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: DNS
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: api, namespace: NS}
            spec:
              host: api.example.com
            """
        #expect(
            verdicts(analyzeAny(yaml.replacingOccurrences(of: "NS", with: "default"))) == ["IST0174 DestinationRule default/api"])
        #expect(analyzeAny(yaml.replacingOccurrences(of: "NS", with: "other")).isEmpty)
    }
}

@Suite struct AnalysisRulesTests {
    @Test func resourcesWithSchemaErrorsAreStillAnalyzed() {
        // No hosts (IST0106 from validation) does not hide the broken destination.
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              http:
              - route: [{destination: {host: reviews-bogus}}]
            """
        var rules = LoadedRules()
        RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &rules, validate: Validator().validate)
        #expect(rules.diagnostics.contains { $0.code == "IST0106" })
        #expect(verdicts(analyzeAny(yaml)) == ["IST0101 VirtualService default/reviews"])
    }

    @Test func everyAnalyzerNamesItsCodesAndEveryCodeIsKnown() {
        let known = Set(DiagnosticCode.all.map(\.code))
        for analyzer in Analysis.analyzers {
            #expect(!analyzer.codes.isEmpty, "\(analyzer.name)")
            for code in analyzer.codes { #expect(known.contains(code.code)) }
        }
        #expect(Analysis.analyzers(reporting: "IST0161") == ["gateway.SecretAnalyzer"])
        #expect(Analysis.analyzers(reporting: "MESH0106") == ["gateway.SecretAnalyzer"])
    }

    @Test func meshctlFindingsDoNotRepeatAnIstioFindingAtTheSamePlace() {
        // A weighted subset the route cannot see (IST0101) is also one without endpoints
        // (MESH0101) at the same place: only the Istio finding stays; a meshctl finding of another
        // problem there stays too, and duplicates of one finding are dropped.
        var analysis = Analysis(resources: [])
        let resource = "VirtualService default/a"
        func finding(_ code: String) -> Diagnostic {
            Diagnostic(level: .warning, code: code, message: "m", file: "t.yaml", line: 3, column: 5, resource: resource)
        }
        analysis.inject([finding("IST0101"), finding("MESH0101"), finding("IST0101"), finding("MESH0105")])
        #expect(analysis.run().map(\.code) == ["IST0101", "MESH0105"])
    }
}
