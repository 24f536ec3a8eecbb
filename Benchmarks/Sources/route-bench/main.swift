// In-process benchmark of RouteTable.decide on one core.
//   tutorial: the tutorial rules (header regex, prefix matches, a weighted canary)
//   large:    1,000 VirtualServices of 10 rules each (host lookup must not be linear)
// Prints the median decisions per second over RUNS runs of N decisions each.
import Foundation
import MeshModel
import MeshRouting
import MeshValidation

let arguments = CommandLine.arguments
let samples = arguments.count > 1 ? arguments[1] : "samples/tutorial"
let decisions = arguments.count > 2 ? Int(arguments[2])! : 2_000_000
let runs = arguments.count > 3 ? Int(arguments[3])! : 7

func loadTable(paths: [String]) -> RouteTable {
    let validator = Validator()
    let rules = RuleLoader.load(paths, validate: validator.validate)
    precondition(!rules.hasErrors, "benchmark rules must validate")
    return RouteTable(resources: rules.resources)
}

func loadTable(yaml: String) -> RouteTable {
    var rules = LoadedRules()
    let validator = Validator()
    RuleLoader.load(Array(yaml.utf8), name: "generated.yaml", into: &rules, validate: validator.validate)
    precondition(!rules.hasErrors, "generated rules must validate: \(rules.diagnostics.prefix(3).map(\.headline))")
    return RouteTable(resources: rules.resources)
}

/// Runs `decisions` decisions over `requests` (cycled), `runs` times; returns the median rate.
func measure(_ name: String, _ table: RouteTable, _ requests: [HTTPRequest]) {
    var random = SplitMix64(seed: 42)
    var rates: [Double] = []
    var sink = 0
    for _ in 0..<runs {
        let start = ContinuousClock.now
        var i = 0
        for _ in 0..<decisions {
            let decision = table.decide(requests[i], random: &random)
            sink &+= decision.routeIndex ?? 0
            i += 1
            if i == requests.count { i = 0 }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        rates.append(Double(decisions) / seconds)
    }
    rates.sort()
    let median = rates[rates.count / 2]
    print(
        String(
            format: "%-10@ %12.0f decisions/s  (%.0f ns each; median of %d runs of %d; min %.0f, max %.0f)  [%d]",
            name as NSString, median, 1e9 / median, runs, decisions, rates.first!, rates.last!, sink % 10))
}

// Tutorial rules: a mix of the requests the tutorial sends.
let tutorial = loadTable(paths: [samples])
let tutorialRequests = [
    HTTPRequest(
        authority: "recommendation:8080",
        headers: [
            (
                "baggage-user-agent",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
            )
        ]),
    HTTPRequest(authority: "recommendation:8080", headers: [("user-agent", "curl/8.4.0"), ("user-preference", "1234")]),
    HTTPRequest(authority: "recommendation:8080", headers: [("user-agent", "curl/8.4.0"), ("user-preference", "129")]),
    HTTPRequest(
        authority: "recommendation:8080",
        headers: [
            ("user-agent", "curl/8.4.0"),
            ("baggage-user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"),
        ]),
    HTTPRequest(authority: "preference:8080", path: "/"),
    HTTPRequest(authority: "customer:8080", path: "/"),
]
measure("tutorial", tutorial, tutorialRequests)

// 1,000 VirtualServices × 10 rules, each with a ServiceEntry and two subsets.
var yaml = ""
let serviceCount = Int(ProcessInfo.processInfo.environment["SERVICES"] ?? "1000")!
for s in 0..<serviceCount {
    yaml += """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: svc-\(s)}
        spec:
          hosts: [svc-\(s).default.svc.cluster.local]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: STATIC
          endpoints:
          - {address: 127.0.0.1, labels: {version: v1}}
          - {address: 127.0.0.2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: svc-\(s)}
        spec:
          host: svc-\(s)
          subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: svc-\(s)}
        spec:
          hosts: [svc-\(s)]
          http:

        """
    for r in 0..<9 {
        yaml += """
              - match:
                - headers:
                    x-route: {exact: rule-\(r)}
                  uri: {prefix: /api/\(r)}
                route:
                - destination: {host: svc-\(s), subset: v2}

            """
    }
    yaml += """
          - route:
            - destination: {host: svc-\(s), subset: v1}
              weight: 90
            - destination: {host: svc-\(s), subset: v2}
              weight: 10
        ---

        """
}
let large = loadTable(yaml: yaml)
var generator = SplitMix64(seed: 9)
let largeRequests = (0..<10_000).map { _ -> HTTPRequest in
    let service = Int(generator.next() % UInt64(serviceCount))
    let rule = Int(generator.next() % 11)  // 9 and 10 fall through to the catch-all
    return HTTPRequest(authority: "svc-\(service)", path: "/api/\(rule)/items", headers: [("x-route", "rule-\(rule)")])
}
measure("large", large, largeRequests)
