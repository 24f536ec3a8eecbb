import Foundation
import MeshDemo
import MeshLoad
import MeshYAML

/// One step of the demo's story: what it shows, and how.
struct DemoStage: Sendable {
    var name: String
    var title: String
    var run: @Sendable (DemoTour) async -> Void

    /// The stages, in the order of the Istio tutorial and its blog series.
    static let all: [DemoStage] = [
        .routing, .header, .split, .mirror, .fault, .circuitBreaker, .ejection, .egress, .canary,
    ]

    static var names: [String] { all.map(\.name) }
}

/// What the stages share: the running mesh, how much traffic to send, and the report so far.
final class DemoTour: @unchecked Sendable {
    let mesh: DemoMesh
    /// Requests per measurement (the split and the canary steps send five times as many).
    let requests: Int
    let faultDelayNanos: Int64
    /// Customer, through the ingress proxy.
    let target: LoadTarget
    private let print: @Sendable (String) -> Void

    struct StageResult {
        var name: String
        var title: String
        var seconds: Double
        var figures: [(String, JSONValue)]
        var problems: [String]
    }

    private(set) var results: [StageResult] = []
    private var figures: [(String, JSONValue)] = []
    private var problems: [String] = []

    init(mesh: DemoMesh, requests: Int, faultDelayNanos: Int64, print: @escaping @Sendable (String) -> Void) throws {
        self.target = try LoadTarget(url: "http://127.0.0.1:\(mesh.listeners[.ingress] ?? 0)/")
        self.mesh = mesh
        self.requests = requests
        self.faultDelayNanos = faultDelayNanos
        self.print = print
    }

    /// Stopped (Ctrl-C, SIGTERM) before every stage had run: a stage cut short is not counted.
    private(set) var interrupted = false
    var passed: Bool { !interrupted && results.allSatisfy { $0.problems.isEmpty } }

    func run(_ stages: [DemoStage]) async {
        for (i, stage) in stages.enumerated() {
            if Task.isCancelled {
                interrupted = true
                return
            }
            say("")
            say(Terminal.bold("[\(i + 1)/\(stages.count)] \(stage.name): \(stage.title)"))
            figures = []
            problems = []
            let started = DispatchTime.now().uptimeNanoseconds
            await stage.run(self)
            if Task.isCancelled {
                interrupted = true
                return
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            results.append(
                StageResult(name: stage.name, title: stage.title, seconds: seconds, figures: figures, problems: problems))
        }
    }

    /// A line of the story, indented under its stage.
    func say(_ line: String) {
        print(line.isEmpty || line.hasPrefix("[") || line.hasPrefix("\u{1B}") ? line : "  " + line)
    }

    /// A number the stage observed, for `-o json` (and the tests).
    func note(_ name: String, _ value: Int) { figures.append((name, .int(Int64(value)))) }
    func note(_ name: String, _ value: Double) { figures.append((name, .double(Meshctl.Experimental.Metrics.rounded(value, 4)))) }

    /// Checks what the stage promised: a green line when it holds, a red one (and a failed demo) when not.
    func expect(_ holds: Bool, _ claim: String, else observed: @autoclosure () -> String = "") {
        // Stopped mid-stage: the figures are partial, so no verdict on them.
        if Task.isCancelled { return }
        if holds {
            say(Terminal.paint("✓ \(claim)", .green))
        } else {
            let detail = observed()
            problems.append(detail.isEmpty ? claim : "\(claim): \(detail)")
            say(Terminal.paint("✗ expected: \(claim)\(detail.isEmpty ? "" : " (\(detail))")", .red))
        }
    }

    /// Pushes a rule set to every proxy, saying what changed; false (and a problem) when refused.
    @discardableResult
    func apply(_ what: String, _ yaml: String) async -> Bool {
        if let failure = await mesh.apply(yaml) {
            problems.append(failure)
            say(Terminal.paint("✗ \(failure)", .red))
            return false
        }
        say("applied: \(what)")
        return true
    }

    var ingress: String { "127.0.0.1:\(mesh.listeners[.ingress] ?? 0)" }

    /// The curl command for one request through the ingress, and its answer.
    @discardableResult
    func curl(_ headers: [(String, String)] = []) async -> (status: Int, body: String) {
        let flags = headers.map { " -H '\($0.0): \($0.1)'" }.joined()
        say("$ curl -H 'Host: customer:8080'\(flags) http://\(ingress)/")
        let answer = await mesh.get(headers: headers)
        say(answer.body.trimmingCharacters(in: .newlines))
        return answer
    }

    /// Sends `count` requests to customer through the ingress over `connections` connections.
    func load(_ count: Int, connections: Int = 4, headers: [(String, String)] = []) async -> LoadReport {
        var plan = LoadPlan(target: target)
        plan.connections = max(1, min(connections, count))
        plan.stop = .count(count)
        plan.headers = [("host", "customer:8080")] + headers
        plan.timeoutNanos = 30_000_000_000
        let generator = LoadGenerator(plan: plan)
        let progress = Progress("sending \(count) requests…")
        defer { progress.finish() }
        return (try? await generator.run()) ?? LoadReport(plan: plan, elapsedNanos: 0)
    }

    /// `200 × 180, 503 × 20` for a report's statuses (and errors).
    func statuses(_ report: LoadReport) -> String {
        var parts = report.statuses.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }
        parts += report.errors.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }
        return parts.isEmpty ? "nothing answered" : parts.joined(separator: ", ")
    }

    /// How many requests each recommendation version took since `before`.
    func delta(since before: [String: Int]) -> [String: Int] {
        mesh.counts().reduce(into: [:]) { result, entry in result[entry.key] = entry.value - (before[entry.key] ?? 0) }
    }

    func versions(_ delta: [String: Int]) -> String {
        ["v1", "v2", "v3"].map { "\($0) \(delta[$0] ?? 0)" }.joined(separator: ", ")
    }

    /// Istio's metrics from a proxy's `/stats/prometheus`, read now.
    func scrape(_ proxy: DemoMesh.ProxyRole) async -> Scrape? {
        guard let text = await mesh.admin(proxy, "/stats/prometheus") else { return nil }
        return Scrape(text)
    }

    /// The tolerance for a count drawn `n` times with probability `p`: four standard deviations.
    static func tolerance(_ n: Int, _ p: Double) -> Double { 4 * (Double(n) * p * (1 - p)).squareRoot() + 1 }
}
