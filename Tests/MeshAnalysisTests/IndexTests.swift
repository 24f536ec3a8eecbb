import Foundation
import MeshModel
import MeshRouting
import Testing

@testable import MeshAnalysis

/// The indexes analyzers use instead of comparing every pair must answer exactly what the pairwise
/// comparison answers: checked here against it on random inputs drawn from small pools, so that
/// covering, overlapping and colliding entries are common.
@Suite struct IndexTests {
    struct Random {
        var generator: SplitMix64
        init(seed: UInt64) { generator = SplitMix64(seed: seed) }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(generator.next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { generator.next() % 100 < percent }
    }

    /// The VirtualServices of `yaml`, decoded without validation.
    func resources(_ yaml: String) -> [Resource] {
        var rules = LoadedRules()
        RuleLoader.load(Array(yaml.utf8), name: "t.yaml", into: &rules)
        return rules.resources
    }

    func stringMatch(_ random: inout Random, values: [String]) -> String {
        let value = random.pick(values)
        switch random.pick([0, 1, 1, 2, 2, 3]) {
        case 0: return "{}"
        case 1: return "{exact: \"\(value)\"}"
        case 2: return "{prefix: \"\(value)\"}"
        default: return "{regex: \"\(value)\"}"
        }
    }

    /// One random match entry, as YAML flow mapping.
    func matchEntry(_ random: inout Random) -> String {
        var fields: [String] = []
        let paths = ["/", "/a", "/a/b", "/ab", "/b", "/é", "/e\u{301}"]
        if random.chance(70) { fields.append("uri: \(stringMatch(&random, values: paths))") }
        if random.chance(20) { fields.append("ignoreUriCase: true") }
        if random.chance(15) { fields.append("method: \(stringMatch(&random, values: ["GET", "G", "POST"]))") }
        if random.chance(10) { fields.append("authority: \(stringMatch(&random, values: ["a.com", "a", "b.com"]))") }
        if random.chance(40) {
            var headers: [String] = []
            for name in ["x", "X", "y"] where random.chance(40) {
                headers.append("\(name): \(stringMatch(&random, values: ["1", "12", "2"]))")
            }
            fields.append("headers: {\(headers.joined(separator: ", "))}")
        }
        if random.chance(15) {
            fields.append("withoutHeaders: {\(random.pick(["x", "Y"])): \(stringMatch(&random, values: ["1"]))}")
        }
        if random.chance(15) {
            fields.append("queryParams: {\(random.pick(["q", "Q"])): \(stringMatch(&random, values: ["1", "12"]))}")
        }
        if random.chance(15) { fields.append("port: \(random.pick([80, 8080]))") }
        if random.chance(10) { fields.append("sourceLabels: {\(random.pick(["app: a", "app: b", "app: a, v: 1"]))}") }
        if random.chance(10) { fields.append("sourceNamespace: \(random.pick(["a", "b"]))") }
        if random.chance(10) { fields.append("gateways: [\(random.pick(["g1", "g2", "g1, g2", "g2, g1"]))]") }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func coverageIndexFindsWhatAScanFinds(seed: UInt64) throws {
        var random = Random(seed: seed)
        var yaml = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n  http:\n"
        for _ in 0..<200 {
            let entries = (0..<random.pick([1, 1, 2, 3])).map { _ in matchEntry(&random) }
            yaml += "  - match: [\(entries.joined(separator: ", "))]\n    route: [{destination: {host: r}}]\n"
        }
        let rules = try #require(resources(yaml).first?.virtualService).http
        #expect(rules.count == 200)
        var index = CoverageIndex()
        var earlier: [(rule: Int, match: HTTPMatchRequest)] = []
        var covered = 0
        for (i, rule) in rules.enumerated() {
            for match in rule.match {
                let scanned = earlier.first { Coverage.covers($0.match, match) }
                let indexed = index.firstCovering(match)
                #expect(indexed?.rule == scanned?.rule)
                #expect(indexed?.match.node == scanned?.match.node)
                if scanned != nil { covered += 1 }
            }
            for match in rule.match {
                index.add(match, rule: i)
                earlier.append((i, match))
            }
        }
        // The pools are small enough that coverage is common: the comparison tested something.
        #expect(covered > 20)
    }

    @Test func coverageComparesBytesAsTheProxyDoes() throws {
        // "é" precomposed and "e" + U+0301 are equal Swift strings, but different bytes on the wire.
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r}
            spec:
              hosts: [r]
              http:
              - match: [{uri: {prefix: "/\u{E9}"}}]
                route: [{destination: {host: r}}]
              - match: [{uri: {exact: "/e\u{301}x"}}, {uri: {exact: "/\u{E9}x"}}]
                route: [{destination: {host: r}}]
            """
        let rules = try #require(resources(yaml).first?.virtualService).http
        let (broad, decomposed, precomposed) = (rules[0].match[0], rules[1].match[0], rules[1].match[1])
        #expect(!Coverage.covers(broad, decomposed))
        #expect(Coverage.covers(broad, precomposed))
        var index = CoverageIndex()
        index.add(broad, rule: 0)
        #expect(index.firstCovering(decomposed) == nil)
        #expect(index.firstCovering(precomposed)?.rule == 0)
    }

    let hostPool = ["*", "*.com", "a.com", "b.a.com", "*.a.com", "A.com", "*.b.a.com", "c.org", "*.org", ".com", "com"]

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func gatewayHostsAcceptWhatAPairwiseCheckAccepts(seed: UInt64) throws {
        var random = Random(seed: seed)
        let entries = (0..<random.pick([1, 3, 8])).map { _ in
            random.pick(["", "*/", "./", "prod/", "default/"]) + random.pick(hostPool)
        }
        let yaml = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: g, namespace: prod}
            spec:
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: [\(entries.map { "\"\($0)\"" }.joined(separator: ", "))]
            """
        let gateway = try #require(resources(yaml).first?.gateway)
        let hosts = GatewayHosts(gateway, namespace: "prod")
        for host in hostPool {
            for namespace in ["prod", "default", "other"] {
                let pairwise = entries.contains { entry in
                    var ns = "*"
                    var pattern = entry
                    if let slash = entry.firstIndex(of: "/") {
                        ns = String(entry[..<slash])
                        pattern = String(entry[entry.index(after: slash)...])
                    }
                    if ns == "." { ns = "prod" }
                    return (ns == "*" || ns == namespace)
                        && GatewayHosts.overlap(pattern.lowercased(), host.lowercased())
                }
                #expect(hosts.accepts(host, from: namespace) == pairwise, "\(host) from \(namespace) in \(entries)")
            }
        }
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func catalogWildcardLookupFindsWhatAScanFinds(seed: UInt64) throws {
        var random = Random(seed: seed)
        var yaml = ""
        var patterns: [String] = []
        for s in 0..<6 {
            let host = random.pick(["*", "*.com", "*.a.com", "*.b.a.com", "*.org"])
            patterns.append(host)
            yaml += """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: s\(s)}
                spec:
                  hosts: ["\(host)"]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                ---

                """
        }
        let all = resources(yaml)
        let mesh = MeshConfig()
        let catalog = ServiceCatalog(all, workloads: Workloads(all, mesh: mesh), visibility: Visibility(mesh: mesh))
        for host in hostPool.map({ $0.lowercased() }) where !host.hasPrefix("*") {
            // istioctl's rule: the host ends with the entry's host less its `*`.
            let scanned = Set(patterns.filter { host.hasSuffix($0.dropFirst()) })
            let found = Set(catalog.lookUp(host, from: ["default"]).map(\.fqdn))
            #expect(found == scanned, "\(host)")
        }
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func wildcardServiceLookupFindsWhatAScanFinds(seed: UInt64) throws {
        var random = Random(seed: seed)
        var yaml = ""
        for s in 0..<8 {
            yaml += """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: s\(s)}
                spec:
                  hosts: ["\(random.pick(["*", "*.com", "*.a.com", "*a.com", "*.b.a.com", "*.org", "*m"]))"]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: NONE
                ---

                """
        }
        let registry = Registry(resources: resources(yaml))
        for host in ["a.com", "b.a.com", "x.b.a.com", "com", ".com", "a.org", "xa.com", "*.a.com", "m", "org"] {
            let scanned = registry.wildcardServices.first { HostNames.wildcardCovers($0.fqdn, host) }
            #expect(registry.service(host)?.origin == scanned?.origin, "\(host)")
        }
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func selectorsFindTheWorkloadsAScanFinds(seed: UInt64) throws {
        var random = Random(seed: seed)
        func labels(_ random: inout Random) -> String {
            let pairs = ["app: a", "app: b", "version: v1", "version: v2", "tier: x"].filter { _ in random.chance(45) }
            return "{"
                + Set(pairs.map { $0.split(separator: ":")[0] }).sorted().compactMap { key in
                    pairs.first { $0.hasPrefix(key + ":") }
                }.joined(separator: ", ") + "}"
        }
        var docs: [String] = []
        var workloads: [(kind: String, name: String, namespace: String, labels: String)] = []
        for i in 0..<30 {
            let namespace = random.pick(["a", "b"])
            let l = labels(&random)
            if random.chance(50) {
                workloads.append(("Pod", "p\(i)", namespace, l))
                docs.append("apiVersion: v1\nkind: Pod\nmetadata: {name: p\(i), namespace: \(namespace), labels: \(l)}\n")
            } else {
                workloads.append(("WorkloadEntry", "w\(i)", namespace, l))
                docs.append(
                    "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w\(i), namespace: \(namespace)}\nspec: {address: w\(i), labels: \(l)}\n"
                )
            }
        }
        var selectors: [(fqdn: String, kind: String, namespace: String, selector: String)] = []
        for i in 0..<12 {
            let namespace = random.pick(["a", "b"])
            let selector = labels(&random)
            if random.chance(50) {
                selectors.append(("s\(i).\(namespace).svc.cluster.local", "Pod", namespace, selector))
                docs.append(
                    "apiVersion: v1\nkind: Service\nmetadata: {name: s\(i), namespace: \(namespace)}\nspec: {selector: \(selector), ports: [{port: 80}]}\n"
                )
            } else {
                selectors.append(("e\(i).example.com", "WorkloadEntry", namespace, selector))
                docs.append(
                    "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: e\(i), namespace: \(namespace)}\nspec: {hosts: [e\(i).example.com], ports: [{number: 80, name: http}], resolution: STATIC, workloadSelector: {labels: \(selector)}}\n"
                )
            }
        }
        let all = resources(docs.joined(separator: "---\n"))
        #expect(all.count == 42)
        let registry = Registry(resources: all)
        func pairs(_ flow: String) -> [String: String] {
            var map: [String: String] = [:]
            for pair in flow.dropFirst().dropLast().split(separator: ",") {
                let parts = pair.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                map[parts[0]] = parts[1]
            }
            return map
        }
        var found = 0
        for s in selectors {
            let selector = pairs(s.selector)
            // A Kubernetes Service without a selector selects nothing; a workloadSelector without
            // labels selects every WorkloadEntry of its namespace.
            let expected = workloads.filter { w in
                w.kind == s.kind && w.namespace == s.namespace && !(s.kind == "Pod" && selector.isEmpty)
                    && selector.allSatisfy { pairs(w.labels)[$0.key] == $0.value }
            }.map(\.name)
            #expect(registry.services[s.fqdn]?.endpoints.map(\.address) == expected, "\(s)")
            found += expected.count
        }
        #expect(found > 5)
    }
}
