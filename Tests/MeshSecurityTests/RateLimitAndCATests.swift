import Dispatch
import Foundation
import MeshModel
import MeshSecurity
import Synchronization
import Testing
import X509

@Suite struct TokenBucketTests {
    @Test func startsFullAndRefillsByElapsedTime() {
        // 10 tokens, 10 per second.
        let bucket = TokenBucket(maxTokens: 10, tokensPerFill: 10, fillInterval: 1_000_000, now: 5_000_000)
        let admitted = (0..<50).filter { _ in bucket.consume(now: 5_000_000) }.count
        #expect(admitted == 10)
        // 100ms later one token has come back, not two.
        #expect(bucket.consume(now: 5_100_000))
        #expect(!bucket.consume(now: 5_100_000))
        // Never more than max_tokens, however long it waits.
        #expect(bucket.tokens(now: 500_000_000) == 10)
    }

    @Test func fractionalRatesAreExact() {
        // 3 tokens per 7 seconds: one every 2.333s.
        let bucket = TokenBucket(maxTokens: 1, tokensPerFill: 3, fillInterval: 7_000_000, now: 0)
        #expect(bucket.consume(now: 0))
        #expect(!bucket.consume(now: 2_333_333))
        #expect(bucket.consume(now: 2_333_334))
    }

    @Test func exactUnderConcurrency() {
        let bucket = TokenBucket(maxTokens: 1000, tokensPerFill: 1, fillInterval: 3_600_000_000, now: 10)
        let admitted = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<1000 where bucket.consume(now: 10) { admitted.add(1, ordering: .relaxed) }
        }
        #expect(admitted.load(ordering: .relaxed) == 1000)
    }
}

@Suite struct LocalRateLimitTests {
    /// Istio's local rate limit task: the HTTP_FILTER patch with a token bucket.
    static func filter(maxTokens: Int = 4, fill: String = "60s", extra: String = "", selector: String = "app: reviews") -> String
    {
        """
        apiVersion: networking.istio.io/v1alpha3
        kind: EnvoyFilter
        metadata:
          name: filter-local-ratelimit-svc
          namespace: istio-system
        spec:
          workloadSelector:
            labels:
              \(selector)
          configPatches:
            - applyTo: HTTP_FILTER
              match:
                context: SIDECAR_INBOUND
                listener:
                  filterChain:
                    filter:
                      name: "envoy.filters.network.http_connection_manager"
              patch:
                operation: INSERT_BEFORE
                value:
                  name: envoy.filters.http.local_ratelimit
                  typed_config:
                    "@type": type.googleapis.com/udpa.type.v1.TypedStruct
                    type_url: type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                    value:
                      stat_prefix: http_local_rate_limiter
                      token_bucket:
                        max_tokens: \(maxTokens)
                        tokens_per_fill: \(maxTokens)
                        fill_interval: \(fill)
                      filter_enabled:
                        runtime_key: local_rate_limit_enabled
                        default_value:
                          numerator: 100
                          denominator: HUNDRED
                      filter_enforced:
                        runtime_key: local_rate_limit_enforced
                        default_value:
                          numerator: 100
                          denominator: HUNDRED
                      response_headers_to_add:
                        - append: false
                          header:
                            key: x-local-rate-limit
                            value: 'true'
        \(extra)
        """
    }

    static let perRoute = """
            - applyTo: HTTP_ROUTE
              match:
                context: SIDECAR_INBOUND
                routeConfiguration:
                  vhost:
                    name: "inbound|http|9080"
                    route:
                      action: ANY
              patch:
                operation: MERGE
                value:
                  route:
                    rate_limits:
                      - actions:
                        - request_headers:
                            header_name: ":path"
                            descriptor_key: path
                  typed_per_filter_config:
                    envoy.filters.http.local_ratelimit:
                      "@type": type.googleapis.com/udpa.type.v1.TypedStruct
                      type_url: type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                      value:
                        stat_prefix: http_local_rate_limiter
                        token_bucket:
                          max_tokens: 10
                          tokens_per_fill: 10
                          fill_interval: 60s
                        descriptors:
                          - entries:
                              - key: path
                                value: /login
                            token_bucket:
                              max_tokens: 2
                              tokens_per_fill: 2
                              fill_interval: 60s
                        filter_enabled:
                          default_value: {numerator: 100, denominator: HUNDRED}
                        filter_enforced:
                          default_value: {numerator: 100, denominator: HUNDRED}
                        response_headers_to_add:
                          - append_action: OVERWRITE_IF_EXISTS_OR_ADD
                            header: {key: x-local-rate-limit, value: 'true'}
        """

    func limit(_ text: String, port: Int = 9080) -> InboundRateLimit {
        InboundRateLimit.build(resources: resources(text), workload: reviews, port: port, rootNamespace: "istio-system", now: 0)
    }

    @Test func listenerBucketAdmitsMaxTokensThen429() {
        let limit = limit(Self.filter(maxTokens: 10, fill: "1s"))
        let results = (0..<50).map { _ in limit.check(headers: [], now: 0) }
        #expect(results.filter(\.allowed).count == 10)
        let limited = results.last!
        #expect(limited.status == 429)
        #expect(limited.responseHeaders.first { $0.name == "x-local-rate-limit" }?.value == "true")
        #expect(
            limited.counters == [
                "http_local_rate_limiter.http_local_rate_limit.enabled",
                "http_local_rate_limiter.http_local_rate_limit.rate_limited",
                "http_local_rate_limiter.http_local_rate_limit.enforced",
            ])
        #expect(results[0].counters.last == "http_local_rate_limiter.http_local_rate_limit.ok")
    }

    @Test func selectorAndPortsDecideWhereItApplies() {
        #expect(limit(Self.filter(selector: "app: ratings")).limiters.isEmpty)
        #expect(limit(Self.filter()).limiters.count == 1)
    }

    @Test func notEnabledLimitsNothing() {
        let text = Self.filter(maxTokens: 1).replacingOccurrences(of: "numerator: 100\n", with: "numerator: 0\n")
        let limit = limit(text)
        #expect((0..<5).allSatisfy { _ in limit.check(headers: [], now: 0).allowed })
    }

    @Test func perRouteDescriptorsLimitTheirPathAndTheRouteBucketTheRest() {
        let limit = limit(Self.filter() + Self.perRoute)
        #expect(limit.limiters.count == 1)
        let login = (0..<5).map { _ in limit.check(headers: [(":path", "/login")], now: 0) }
        #expect(login.filter(\.allowed).count == 2)
        #expect(login.last?.descriptor == "path=/login")
        // The route bucket (10) took two tokens for the admitted /login requests.
        let other = (0..<20).map { _ in limit.check(headers: [(":path", "/other")], now: 0) }
        #expect(other.filter(\.allowed).count == 8)
        // On another port the route configuration does not apply: the listener bucket (4) does.
        let otherPort = self.limit(Self.filter() + Self.perRoute, port: 9090)
        #expect((0..<10).filter { _ in otherPort.check(headers: [(":path", "/login")], now: 0).allowed }.count == 4)
    }

    @Test func otherPatchesAreKeptAsNotApplied() throws {
        let text = Self.filter(
            extra: """
                    - applyTo: CLUSTER
                      patch:
                        operation: MERGE
                        value: {connect_timeout: 1s}
                """)
        let patches = try #require(resources(text).first?.envoyFilter?.configPatches)
        #expect(patches.count == 2)
        guard case .notApplied(let reason) = patches[1].rateLimit else {
            Issue.record("the CLUSTER patch should not be applied")
            return
        }
        #expect(reason.contains("CLUSTER"))
    }
}

@Suite struct MeshCATests {
    @Test func initWritesTheRootAndIssuesSpiffeCertificates() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meshctl-ca-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = try MeshCA.create(trustDomain: "example.org")
        try ca.write(to: dir)
        let keyMode = try FileManager.default.attributesOfItem(atPath: dir + "/root-key.pem")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        #expect(throws: MeshCAError.self) { try ca.write(to: dir) }

        let loaded = try MeshCA.load(dir: dir)
        #expect(loaded.trustDomain == "example.org")
        let issued = try loaded.issueWorkloadCertificate(namespace: "default", serviceAccount: "productpage", lifetime: 3600)
        #expect(issued.spiffeID == "spiffe://example.org/ns/default/sa/productpage")
        let leaf = try Certificate(pemEncoded: issued.certificatePEM)
        let names = try #require(try leaf.extensions.subjectAlternativeNames)
        #expect(Array(names) == [.uniformResourceIdentifier("spiffe://example.org/ns/default/sa/productpage")])
        #expect(leaf.issuer == loaded.certificate.subject)
        #expect(loaded.certificate.publicKey.isValidSignature(leaf.signature, for: leaf))
        #expect(leaf.notValidAfter.timeIntervalSince(leaf.notValidBefore) <= 3660)
        #expect(issued.chain == [loaded.certificatePEM])
    }

    @Test func loadExplainsWhatIsMissing() {
        #expect {
            try MeshCA.load(dir: "/nonexistent-meshctl-ca")
        } throws: { error in
            (error as? MeshCAError)?.description.contains("meshctl x ca init") == true
        }
    }
}
