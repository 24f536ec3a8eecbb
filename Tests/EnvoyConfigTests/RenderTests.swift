import Foundation
import MeshModel
import MeshRouting
import MeshValidation
import MeshYAML
import Testing

@testable import EnvoyConfig

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

/// Loads project files by their package-relative names, so output never embeds a machine path.
func load(_ relativePaths: [String], mesh: MeshConfig = MeshConfig()) throws -> RouteTable {
    var rules = LoadedRules()
    let validator = Validator()
    for path in relativePaths {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent(path))
        RuleLoader.load(Array(data), name: path, into: &rules, validate: validator.validate)
    }
    try #require(!rules.hasErrors, "\(rules.diagnostics.map(\.headline))")
    return RouteTable(resources: rules.resources, mesh: mesh)
}

func renderText(_ yaml: String) throws -> JSONValue {
    var rules = LoadedRules()
    let validator = Validator()
    RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &rules, validate: validator.validate)
    try #require(!rules.hasErrors, "\(rules.diagnostics.map(\.headline))")
    return ConfigDumpRenderer(table: RouteTable(resources: rules.resources)).render()
}

let tutorial = ["samples/tutorial/registry.yaml", "samples/tutorial/destination-rules.yaml", "samples/tutorial/routes.yaml"]

/// Compares with a golden file next to this test; MESHCTL_RECORD_GOLDEN=1 rewrites it.
func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = here.appendingPathComponent("Golden").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["MESHCTL_RECORD_GOLDEN"] == "1" {
        try Data(text.utf8).write(to: url)
        return
    }
    let golden = try String(contentsOf: url, encoding: .utf8)
    #expect(
        text == golden, "\(name) differs from its golden file; if the change is intended, rerun with MESHCTL_RECORD_GOLDEN=1",
        sourceLocation: sourceLocation)
}

func allTables(_ dump: ConfigDump) throws -> String {
    [
        try ConfigTables.routeSummary(dump), try ConfigTables.clusterSummary(dump), try ConfigTables.listenerSummary(dump),
        ConfigTables.hostEndpointSummary(ClusterStatuses(dump: dump)), try ConfigTables.edsSummary(dump),
    ].joined(separator: "\n")
}

@Suite struct GoldenTests {
    @Test func tutorialJSON() throws {
        let dump = ConfigDumpRenderer(table: try load(tutorial)).render()
        try expectGolden(dump.json() + "\n", "tutorial-config-dump.json")
    }

    @Test func tutorialYAML() throws {
        let dump = ConfigDumpRenderer(table: try load(tutorial)).render()
        try expectGolden(dump.yaml(), "tutorial-config-dump.yaml")
    }

    @Test func tutorialTables() throws {
        var dump = try ConfigDump(ConfigDumpRenderer(table: try load(tutorial)).render())
        dump.addEndpointsFromClusters()
        try expectGolden(try allTables(dump), "tutorial-tables.txt")
    }

    @Test func renderingIsDeterministic() throws {
        let a = ConfigDumpRenderer(table: try load(tutorial)).render().json()
        let b = ConfigDumpRenderer(table: try load(tutorial)).render().json()
        #expect(a == b)
    }
}

@Suite struct RoundTripTests {
    @Test func renderedDumpReadBackGivesTheSameTables() throws {
        var rendered = try ConfigDump(ConfigDumpRenderer(table: try load(tutorial)).render())
        var reread = try ConfigDump.parse(Array(rendered.document.json().utf8), path: "dump.json")
        rendered.addEndpointsFromClusters()
        reread.addEndpointsFromClusters()
        #expect(try allTables(reread) == (try allTables(rendered)))
        #expect(reread.document == rendered.document)
    }

    @Test func yamlOutputReadsBackAsTheSameDocument() throws {
        for scenario in ["mirror", "fault-abort", "circuit-breaker", "pool-ejection", "egress"] {
            let table = try load([
                "samples/tutorial/registry.yaml", "samples/tutorial/destination-rules.yaml", "samples/scenarios/\(scenario).yaml",
            ])
            let document = ConfigDumpRenderer(table: table).render()
            let file = try YAMLLoader.load(document.yaml(), path: "dump.yaml")
            #expect(file.jsonValue(file.documents[0]) == document, "\(scenario)")
        }
    }

    @Test func listenAddressIsPartOfTheRendering() throws {
        let dump = try ConfigDump(ConfigDumpRenderer(table: try load(tutorial), listen: ("127.0.0.2", 16001)).render())
        // The listen address is virtualOutbound's; routes are named by the service port, as a sidecar's.
        let listeners = try ConfigTables.listenerSummary(dump)
        #expect(listeners.contains("\n127.0.0.2 16001 ALL                                  PassthroughCluster\n"))
        #expect(listeners.contains("\n0.0.0.0   8080  Trans: raw_buffer; App: http/1.1,h2c Route: 8080\n"))
        #expect(try ConfigTables.routes(dump).first?["name"]?.string == "8080")
    }
}

@Suite struct RealDumpTests {
    func fixture() throws -> ConfigDump {
        let data = try Data(contentsOf: here.appendingPathComponent("Fixtures/istio-sidecar-dump.json"))
        return try ConfigDump.parse(Array(data), path: "istio-sidecar-dump.json")
    }

    @Test func tablesFromAnIstioSidecarDump() throws {
        try expectGolden(try allTables(try fixture()), "istio-sidecar-tables.txt")
    }

    @Test func unknownConfigTypesAreSkippedWithANote() throws {
        #expect(try fixture().notes == ["skipped config of unknown type type.googleapis.com/envoy.admin.v3.FutureConfigDump"])
    }

    @Test(arguments: [
        ("{not json", "not valid JSON"),
        ("{\"clusters\": []}", "not an Envoy config dump"),
        ("[1, 2]", "not an Envoy config dump"),
        ("", "is empty"),
    ])
    func badDumps(text: String, phrase: String) {
        #expect {
            _ = try ConfigDump.parse(Array(text.utf8), path: "d.json")
        } throws: { error in
            (error as? ConfigDump.ReadError)?.description.contains(phrase) == true
        }
    }
}

@Suite struct EnvoyShapeTests {
    func route(_ dump: JSONValue, vhost: String, _ index: Int = 0) -> JSONValue? {
        let config = dump["configs"]?.array?[3]["dynamic_route_configs"]?.array?[0]["route_config"]
        let host = config?["virtual_hosts"]?.array?.first { $0["name"]?.string?.hasPrefix(vhost) == true }
        return host?["routes"]?.array?[index]
    }

    func cluster(_ dump: JSONValue, _ name: String) -> JSONValue? {
        dump["configs"]?.array?[1]["dynamic_active_clusters"]?.array?.first { $0["cluster"]?["name"]?.string == name }?["cluster"]
    }

    @Test func weightedClustersRetriesAndMetadata() throws {
        let dump = ConfigDumpRenderer(table: try load(tutorial)).render()
        let canary = try #require(route(dump, vhost: "recommendation", 3))
        let clusters = canary["route"]?["weighted_clusters"]?["clusters"]?.array
        #expect(clusters?.map { $0["weight"]?.int } == [90, 10])
        #expect(canary["route"]?["retry_policy"]?["num_retries"]?.int == 2)
        // Since Istio 1.24 the default retry policy retries no status code.
        #expect(canary["route"]?["retry_policy"]?["retriable_status_codes"] == nil)
        #expect(canary["route"]?["timeout"]?.string == "0s")
        #expect(
            canary["metadata"]?["filter_metadata"]?["istio"]?["config"]?.string
                == "/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/recommendation")
        let safari = try #require(route(dump, vhost: "recommendation", 0))
        #expect(
            safari["match"]?["headers"]?.array?[0] == [
                "name": "baggage-user-agent", "string_match": ["safe_regex": ["regex": ".*Safari.*"]],
            ])
        let preference = try #require(route(dump, vhost: "preference"))
        #expect(preference["route"]?["timeout"]?.string == "2s")
        #expect(preference["route"]?["retry_policy"]?["per_try_timeout"]?.string == "0.500s")
        #expect(preference["route"]?["retry_policy"]?["retry_on"]?.string == "5xx,connect-failure")
    }

    @Test func faultMirrorRedirectAndHeaders() throws {
        let dump = try renderText(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [r.example.com]
              http:
              - match: [{uri: {prefix: /old}, ignoreUriCase: true}]
                redirect: {uri: /new, redirectCode: 307}
              - match: [{uri: {exact: /x}}, {withoutHeaders: {x-beta: {}}}]
                fault:
                  abort: {httpStatus: 503, percentage: {value: 12.5}}
                  delay: {fixedDelay: 1.5s, percentage: {value: 100}}
                route: [{destination: {host: r.example.com}}]
                retries: {attempts: 3}
              - route: [{destination: {host: r.example.com}}]
                mirror: {host: r.example.com}
                mirrorPercentage: {value: 5}
                headers:
                  request: {set: {x-a: "1"}, add: {x-b: "2"}, remove: [x-c]}
            """)
        let redirect = try #require(route(dump, vhost: "r.example.com", 0))
        #expect(redirect["redirect"] == ["path_redirect": "/new", "response_code": "TEMPORARY_REDIRECT"])
        #expect(redirect["match"] == ["prefix": "/old", "case_sensitive": false])
        // One Envoy route per match entry, in order.
        let exact = try #require(route(dump, vhost: "r.example.com", 1))
        let without = try #require(route(dump, vhost: "r.example.com", 2))
        #expect(exact["match"] == ["path": "/x", "case_sensitive": true])
        #expect(
            without["match"] == [
                "prefix": "/", "case_sensitive": true,
                "headers": [["name": "x-beta", "present_match": true, "invert_match": true]],
            ])
        let fault = exact["typed_per_filter_config"]?["envoy.filters.http.fault"]
        #expect(fault?["abort"] == ["http_status": 503, "percentage": ["numerator": 125000, "denominator": "MILLION"]])
        #expect(fault?["delay"]?["fixed_delay"]?.string == "1.500s")
        // Istio renders the route's retries and timeout with a fault too.
        #expect(exact["route"]?["retry_policy"]?["num_retries"] == 3)
        #expect(exact["route"]?["timeout"] == "0s")
        let mirrored = try #require(route(dump, vhost: "r.example.com", 3))
        #expect(
            mirrored["route"]?["request_mirror_policies"]?.array?[0]["runtime_fraction"]?["default_value"] == [
                "numerator": 50000, "denominator": "MILLION",
            ])
        #expect(mirrored["request_headers_to_add"]?.array?.count == 2)
        #expect(mirrored["request_headers_to_remove"] == ["x-c"])
    }

    @Test func clusterPolicyFromDestinationRules() throws {
        let table = try load(["samples/tutorial/registry.yaml", "samples/scenarios/circuit-breaker.yaml"])
        let dump = ConfigDumpRenderer(table: table).render()
        let v2 = try #require(cluster(dump, "outbound|8080|version-v2|recommendation.default.svc.cluster.local"))
        let thresholds = v2["circuit_breakers"]?["thresholds"]?.array?[0]
        #expect(thresholds?["max_connections"]?.int == 1)
        #expect(thresholds?["max_pending_requests"]?.int == 1)
        #expect(thresholds?["max_requests"]?.int == 4_294_967_295)
        #expect(
            v2["typed_extension_protocol_options"]?["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]?[
                "common_http_protocol_options"]?["max_requests_per_connection"]?.int == 1)
        #expect(v2["load_assignment"]?["endpoints"]?.array?[0]["lb_endpoints"]?.array?.count == 1)
        let v1 = try #require(cluster(dump, "outbound|8080|version-v1|recommendation.default.svc.cluster.local"))
        #expect(v1["circuit_breakers"]?["thresholds"]?.array?[0]["max_connections"]?.int == 4_294_967_295)
    }

    @Test func outlierDetectionFollowsIstiosTranslation() throws {
        let dump = try renderText(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: s}
            spec:
              hosts: [s.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 10.0.0.1, labels: {v: a}}]
            ---
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata: {name: s}
            spec:
              host: s.example.com
              trafficPolicy:
                outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 15s, maxEjectionPercent: 100}
                loadBalancer: {simple: RANDOM}
              subsets:
              - name: legacy
                labels: {v: a}
                trafficPolicy:
                  outlierDetection: {consecutiveErrors: 2}
            """)
        let base = try #require(cluster(dump, "outbound|80||s.example.com"))
        #expect(base["lb_policy"]?.string == "RANDOM")
        #expect(
            base["outlier_detection"] == [
                "consecutive_5xx": 3, "enforcing_consecutive_5xx": 100, "interval": "1s", "base_ejection_time": "15s",
                "max_ejection_percent": 100, "enforcing_success_rate": 0,
            ])
        let legacy = try #require(cluster(dump, "outbound|80|legacy|s.example.com"))
        #expect(legacy["outlier_detection"]?["consecutive_gateway_failure"]?.int == 2)
        #expect(legacy["outlier_detection"]?["enforcing_consecutive_5xx"]?.int == 0)
        #expect(legacy["lb_policy"]?.string == "RANDOM")  // the subset replaced only outlierDetection
    }

    @Test func registryOnlyBlocksUnknownHosts() throws {
        let dump = ConfigDumpRenderer(table: try load(tutorial, mesh: MeshConfig(outboundTrafficPolicy: .registryOnly))).render()
        let last = dump["configs"]?.array?[3]["dynamic_route_configs"]?.array?[0]["route_config"]?["virtual_hosts"]?.array?.last
        #expect(last?["name"]?.string == "block_all")
        #expect(last?["routes"]?.array?[0]["direct_response"] == ["status": 502])
    }

    @Test func everyAnyHasAType() throws {
        func check(_ value: JSONValue, _ path: String) {
            switch value {
            case .object(let fields):
                for (key, child) in fields {
                    if key == "typed_config" || key == "cluster" && path.hasSuffix("dynamic_active_clusters") {
                        #expect(child["@type"] != nil, "\(path).\(key) lacks @type")
                    }
                    check(child, "\(path).\(key)")
                }
            case .array(let items):
                for item in items { check(item, path) }
            default: break
            }
        }
        let dump = ConfigDumpRenderer(table: try load(tutorial)).render()
        for config in dump["configs"]?.array ?? [] { #expect(config["@type"] != nil) }
        check(dump, "")
    }
}

@Suite struct UnregisteredHostRenderTests {
    @Test func unregisteredDestinationsGetEDSClusters() throws {
        let dump = try ConfigDump(
            try renderText(
                """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews}
                spec:
                  host: reviews
                  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
                  subsets: [{name: v1, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews}
                spec:
                  hosts: [reviews]
                  http:
                  - route: [{destination: {host: reviews, subset: v1, port: {number: 9080}}}]
                """))
        #expect(
            try ConfigTables.clusterSummary(dump).contains(
                "reviews.default.svc.cluster.local     9080     v1         outbound      EDS              reviews.default"))
        let cluster = try dump.clusters().first { $0["name"]?.string == "outbound|9080|v1|reviews.default.svc.cluster.local" }
        #expect(cluster?["eds_cluster_config"]?["service_name"]?.string == "outbound|9080|v1|reviews.default.svc.cluster.local")
        #expect(cluster?["lb_policy"]?.string == "ROUND_ROBIN")
        #expect(cluster?["load_assignment"] == nil)
    }
}
