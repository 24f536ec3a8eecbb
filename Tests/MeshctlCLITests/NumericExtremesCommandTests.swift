import Foundation
import Testing

/// The largest numbers each field admits, and just beyond: every command answers (an error or
/// a result), never a trap, within a small CPU and memory bound the kernel enforces.
@Suite struct NumericExtremesCommandTests {
    /// A registry and subsets for `r.example.com`, with extremes that are valid.
    static let validExtremes = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: r}
        spec:
          hosts: [r.example.com]
          ports: [{number: 65535, name: http, protocol: HTTP, targetPort: 65535}]
          resolution: STATIC
          endpoints:
          - {address: 127.0.0.1, labels: {v: a}, weight: 4294967294}
          - {address: 127.0.0.2, labels: {v: b}}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: r}
        spec:
          host: r.example.com
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 2147483647, connectTimeout: 2562047h47m16.854s}
              http: {http1MaxPendingRequests: 2147483647, http2MaxRequests: 2147483647, maxRequestsPerConnection: 2147483647, maxRetries: 2147483647}
            outlierDetection: {consecutive5xxErrors: 4294967295, consecutiveGatewayErrors: 4294967295, interval: 2562047h, baseEjectionTime: 2562047h, maxEjectionPercent: 100, minHealthPercent: 100}
            loadBalancer: {consistentHash: {httpHeaderName: x, minimumRingSize: 8388608}}
          subsets:
          - {name: a, labels: {v: a}}
          - {name: b, labels: {v: b}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: r}
        spec:
          hosts: [r.example.com]
          http:
          - match: [{port: 65535, headers: {x-extreme: {exact: "1"}}}]
            route:
            - {destination: {host: r.example.com, subset: a}, weight: 2147483647}
            - {destination: {host: r.example.com, subset: b}, weight: 2147483647}
            timeout: 2562047h47m16.854s
            retries: {attempts: 2147483647, perTryTimeout: 2562047h47m16.854s}
            mirror: {host: r.example.com, subset: b, port: {number: 65535}}
            mirrorPercentage: {value: 100}
          - route:
            - {destination: {host: r.example.com, subset: a}, weight: 2147483647}
            - {destination: {host: r.example.com, subset: b}, weight: 0}
            fault:
              delay: {fixedDelay: 2562047h47m16.854s, percentage: {value: 100}}
              abort: {httpStatus: 599, percentage: {value: 0.0001}}
        """

    static let invalidExtremes = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: r}
        spec:
          hosts: [r.example.com]
          http:
          - match: [{port: 4294967295}, {port: 4294967296}]
            route:
            - {destination: {host: r.example.com, subset: a, port: {number: 99999999999999999999}}, weight: 2147483647}
            - {destination: {host: r.example.com, subset: b}, weight: 2147483647}
            - {destination: {host: r.example.com, subset: c}, weight: 2147483647}
            timeout: 2562048h
            retries: {attempts: 2147483648, perTryTimeout: -2562047h47m16.854775808s}
            mirrorPercentage: {value: 1e308}
            fault:
              delay: {fixedDelay: 9223372036854775808ns, percentage: {value: .inf}}
              abort: {httpStatus: -9223372036854775809, percentage: {value: .nan}}
          - route:
            - {destination: {host: r.example.com}, weight: '50'}
            - {destination: {host: r.example.com, subset: a}, weight: -2147483648}
        """

    func bounded(_ arguments: [String]) throws -> CLI.Usage {
        let usage = try CLI.runBounded(arguments, cpuSeconds: 20, memoryBytes: 2 << 30)
        #expect(usage.signal == 0, "\(arguments) ended by signal \(usage.signal): \(usage.stderr)")
        #expect(usage.cpuSeconds < 5, "\(arguments) took \(usage.cpuSeconds) s of CPU")
        #expect(usage.peakMemory < 200 << 20, "\(arguments) peaked at \(usage.peakMemory) bytes")
        return usage
    }

    @Test func validExtremesValidateSimulateAndRender() throws {
        let path = try CLI.write(Self.validExtremes, to: "extremes.yaml", in: try CLI.temporaryDirectory())
        let validate = try bounded(["validate", "-f", path])
        #expect(validate.status == 0, "\(validate.stdout)")

        let single = try bounded(["simulate", "-f", path, "--host", "r.example.com:65535", "-H", "x-extreme: 1", "-o", "json"])
        #expect(single.status == 0, "\(single.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as! [String: Any]
        #expect(doc["timeout"] as? String == "2562047h47m16.854s")
        #expect((doc["weights"] as? [[String: Any]])?.map { $0["percent"] as? Double } == [50, 50])
        #expect((doc["retries"] as? [String: Any])?["attempts"] as? Int == 2_147_483_647)

        let many = try bounded(["simulate", "-f", path, "--host", "r.example.com", "-n", "20000", "-o", "json"])
        #expect(many.status == 0, "\(many.stderr)")
        let split = try JSONSerialization.jsonObject(with: Data(many.stdout.utf8)) as! [String: Any]
        #expect(split["delayed"] as? Int == 20_000)

        let dump = try bounded(["proxy-config", "all", "-f", path, "-o", "json"])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("\"timeout\": \"9223372036.854s\""))
        #expect(dump.stdout.contains("\"num_retries\": 2147483647"))
        #expect(dump.stdout.contains("\"weight\": 2147483647"))
        #expect(dump.stdout.contains("\"load_balancing_weight\": 4294967294"))
    }

    @Test func invalidExtremesAreLocatedErrors() throws {
        let path = try CLI.write(Self.invalidExtremes, to: "extremes.yaml", in: try CLI.temporaryDirectory())
        for command in ["validate", "analyze"] {
            let usage = try bounded([command, "-f", path])
            #expect(usage.status == (command == "validate" ? 1 : 79), "\(usage.stderr)")
            for expected in [
                "extremes.yaml:7:40: error: VirtualService default/r: spec.http[0].match[1].port must be between 0 and 4294967295, got 4294967296",
                "extremes.yaml:9:5: error: VirtualService default/r: the weights of these 3 destinations add up to 6442450941, more than the 4294967295 Envoy accepts",
                "spec.http[0].timeout `2562048h` is out of range: a duration can be at most 2562047h47m16.854775807s",
                "spec.http[0].retries.attempts must fit in 32 bits, got 2147483648",
                "spec.http[0].retries.perTryTimeout must be at least 1ms, got `-2562047h47m16.854775808s`",
                "spec.http[0].fault.abort.httpStatus must fit in 32 bits, got -9223372036854775809",
                "spec.http[0].fault.abort.percentage.value must be between 0 and 100, got nan",
                "spec.http[0].mirrorPercentage.value must be between 0 and 100, got 1e+308",
                "spec.http[1].route[0].weight must be an integer, got the string \"50\"; write 50 without quotes",
                "weight must not be negative, got -2147483648",
            ] {
                #expect(usage.stdout.contains(expected), "\(command) lacks: \(expected)\n\(usage.stdout)")
            }
        }
    }

    @Test func configDumpsWithOversizedNumbersAreRead() throws {
        let dir = try CLI.temporaryDirectory()
        let clusters = try CLI.write(
            """
            {"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump", "dynamic_active_clusters": [
              {"cluster": {"name": "outbound|1234567|v1|a.example.com"}},
              {"cluster": {"name": "outbound|99999999999999999999999|v1|a.example.com"}},
              {"cluster": {"name": "outbound|80|v1|a.example.com"}}]}]}
            """, to: "clusters.json", in: dir)
        let table = try bounded(["proxy-config", "clusters", "--file", clusters])
        #expect(table.status == 0, "\(table.stderr)")
        let ports = table.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: " ", omittingEmptySubsequences: true)[1]
        }
        // istioctl reads a port that is not a 32-bit number as 0, and sorts by host, subset, port.
        #expect(ports == ["0", "80", "1234567"])

        let listeners = try CLI.write(
            """
            {"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump", "dynamic_listeners": [
              {"active_state": {"listener": {"name": "a", "address": {"socket_address": {"address": "10.0.0.1", "port_value": 1e300}}, "filter_chains": [{}]}}},
              {"active_state": {"listener": {"name": "b", "address": {"socket_address": {"address": "10.0.0.2", "port_value": 15001.0}}, "filter_chains": [{}]}}}]}]}
            """, to: "listeners.json", in: dir)
        let rows = try bounded(["proxy-config", "listeners", "--file", listeners])
        #expect(rows.status == 0, "\(rows.stderr)")
        #expect(rows.stdout.contains("10.0.0.1"))
        #expect(rows.stdout.contains("10.0.0.2"))
        #expect(rows.stdout.contains("15001"))
    }

    @Test func aHugeUnknownFieldNameIsNotMeasuredAgainstEveryField() throws {
        // An explicit key (`? KEY`): YAML limits implicit keys to 1024 characters.
        let name = String(repeating: "x", count: 2 << 20)
        let path = try CLI.write(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [r]
              http:
              - route: [{destination: {host: r}}]
                ? \(name)
                : 1
            """, to: "long-key.yaml", in: try CLI.temporaryDirectory())
        let usage = try bounded(["validate", "-f", path])
        #expect(usage.status == 1)
        #expect(usage.stdout.contains("meshctl reads keys of at most 1024 bytes"), "refused before any field is looked up")
        #expect(!usage.stdout.contains("did you mean"))
    }
}
