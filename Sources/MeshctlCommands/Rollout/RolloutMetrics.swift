import ArgumentParser
import Foundation
import MeshModel
import MeshProxy
import MeshRollout
import MeshYAML

/// Gate numbers from the proxies' own `/stats/prometheus`: counters read when a window starts
/// and when it is judged, their increases summed over every proxy.
struct AdminStatsSource: MetricsSource {
    let clients: [AdminClient]
    let plan: RolloutPlan

    var versions: Set<String> { Set([plan.stableVersion, plan.canaryVersion].compactMap { $0 }) }

    func snapshot(now: Int64) throws(TargetFailure) -> CounterSnapshot? {
        var snapshot = CounterSnapshot(time: now)
        for client in clients {
            // The same scrape as `x metrics`, keyed by the rollout's series.
            switch Scrape.take(client) {
            case .failure(let failure): throw TargetFailure(failure.description)
            case .success(let scrape):
                var values: [String: Double] = [:]
                for (sample, value) in scrape.values.values {
                    if let key = CounterSnapshot.key(
                        name: sample.name, label: sample.label, service: plan.service, versions: versions)
                    {
                        values[key, default: 0] += value
                    }
                }
                snapshot.proxies[client.address.text] = values
            }
        }
        return snapshot
    }

    func observe(since snapshot: CounterSnapshot?, windowStart: Int64, now: Int64) throws(TargetFailure) -> Observations {
        guard let stable = plan.stableVersion, let canary = plan.canaryVersion else {
            throw TargetFailure("the subsets have no `version` label, so their requests cannot be told apart (MESH0203)")
        }
        guard let before = snapshot else { throw TargetFailure("no counters were read when the window started") }
        guard let after = try self.snapshot(now: now) else { throw TargetFailure("no counters") }
        return after.since(before, stableVersion: stable, canaryVersion: canary)
    }
}

/// Gate numbers from Prometheus's HTTP API (`/api/v1/query`), by the PromQL `PromQL` writes.
struct PrometheusSource: MetricsSource {
    let address: AdminAddress
    let prefix: String
    let plan: RolloutPlan
    let deadline: AdminDeadline
    let url: String

    init(url: String, plan: RolloutPlan, deadline: AdminDeadline) throws {
        let (address, prefix) = try Self.parse(url)
        self.address = address
        self.prefix = prefix
        self.plan = plan
        self.deadline = deadline
        self.url = url
    }

    /// `http://HOST:PORT[/PREFIX]`.
    static func parse(_ url: String) throws -> (AdminAddress, String) {
        guard url.hasPrefix("http://") else {
            throw ValidationError("--prometheus must be an http:// URL such as http://127.0.0.1:9090, got '\(url)'")
        }
        let rest = url.dropFirst("http://".count)
        let hostPort = rest.prefix { $0 != "/" }
        var prefix = String(rest.dropFirst(hostPort.count))
        while prefix.hasSuffix("/") { prefix.removeLast() }
        let withPort = hostPort.contains(":") && !hostPort.hasSuffix("]") ? String(hostPort) : "\(hostPort):80"
        return (try AdminAddress(withPort, option: "--prometheus"), prefix)
    }

    func snapshot(now: Int64) throws(TargetFailure) -> CounterSnapshot? { nil }

    /// One instant query's value: nil when the answer is empty or NaN (no data).
    func query(_ promql: String, at time: Int64) throws(TargetFailure) -> Double? {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: allowed) ?? promql
        let path = "\(prefix)/api/v1/query?query=\(encoded)&time=\(Double(time) / 1000)"
        let response: MeshProxy.HTTPClient.Response
        switch deadline.send("GET", to: address, path: path) {
        case .success(let answer): response = answer
        case .failure(let failure): throw TargetFailure("Prometheus at \(url): \(failure.description)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw TargetFailure(
                "Prometheus at \(url) answered HTTP \(response.status) without a query result: \(AdminClient.excerpt(response.text))"
            )
        }
        guard object["status"] as? String == "success", let data = object["data"] as? [String: Any] else {
            throw TargetFailure(
                "Prometheus at \(url) refused `\(promql)`: \(object["error"] as? String ?? "HTTP \(response.status)")")
        }
        guard let result = data["result"] as? [[String: Any]], let first = result.first,
            let pair = first["value"] as? [Any], pair.count == 2, let text = pair[1] as? String, let value = Double(text),
            !value.isNaN
        else { return nil }
        return value
    }

    func observe(since snapshot: CounterSnapshot?, windowStart: Int64, now: Int64) throws(TargetFailure) -> Observations {
        let window = max(now - windowStart, 1)
        let promql = PromQL(service: plan.service)
        let stable = plan.stableVersion ?? plan.stableSubset
        let canary = plan.canaryVersion ?? plan.canarySubset
        func traffic(_ version: String, quantiles: [Double]) throws(TargetFailure) -> VersionTraffic {
            var t = VersionTraffic(
                requests: try query(promql.requests(version, window: window), at: now) ?? 0,
                errors: try query(promql.errors(version, window: window), at: now) ?? 0)
            for q in quantiles {
                t.quantiles.append(.init(q: q, ms: try query(promql.latency(q, version, window: window), at: now)))
            }
            return t
        }
        let quantiles = plan.gates.metrics.compactMap(\.quantile)
        return Observations(
            stable: try traffic(stable, quantiles: []), canary: try traffic(canary, quantiles: quantiles),
            seconds: Double(window) / 1000)
    }
}
