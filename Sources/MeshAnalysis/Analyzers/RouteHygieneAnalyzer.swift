import MeshModel
import MeshRouting

/// meshctl's own checks of things users hit in practice:
/// MESH0101 a weighted destination whose subset has no endpoints (its share will 503);
/// MESH0102 retries that cannot all happen within the route timeout;
/// MESH0103 a mirror to the destination the route already sends to;
/// MESH0104 a catch-all rule that aborts every request.
struct RouteHygieneAnalyzer: Analyzer {
    static let name = "meshctl.RouteHygieneAnalyzer"
    static let codes: [DiagnosticCode] = [
        .subsetWithoutEndpoints, .retriesExceedTimeout, .mirrorToRouteDestination, .fullAbortOnCatchAll,
    ]

    func analyze(_ analysis: inout Analysis) {
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService else { continue }
            for (i, route) in spec.http.enumerated() {
                let label = route.name.map { "\"\($0)\"" } ?? "#\(i)"
                emptySubsets(route, label: label, vs: vs, &analysis)
                if let retries = route.retries, let timeout = route.timeout, let perTry = retries.perTryTimeout,
                    let attempts = retries.attempts?.value, attempts > 0, timeout.nanoseconds > 0,
                    Self.exceeds(attempts: attempts, perTry: perTry.nanoseconds, timeout: timeout.nanoseconds)
                {
                    analysis.report(
                        .retriesExceedTimeout,
                        "rule \(label): \(attempts) attempts × perTryTimeout \(perTry.text) exceed the route timeout \(timeout.text), so the last tries never happen",
                        vs, at: retries.perTryTimeout?.node ?? retries.node)
                }
                let mirrors = (route.mirror.map { [$0] } ?? []) + route.mirrors.compactMap(\.destination)
                for mirror in mirrors
                where route.route.contains(where: { same($0.destination, mirror, vs.namespace) && ($0.weight?.value ?? 100) > 0 })
                {
                    analysis.report(
                        .mirrorToRouteDestination,
                        "rule \(label) mirrors to \(describe(mirror)), where it already sends the requests; each is then handled twice by the same destination",
                        vs, at: mirror.node)
                }
                if route.match.isEmpty, let abort = route.fault?.abort, let status = abort.httpStatus?.value,
                    (abort.percentage?.value ?? 0) >= 100
                {
                    analysis.report(
                        .fullAbortOnCatchAll,
                        "rule \(label) has no match and aborts 100% of requests with \(status): every request to \(spec.hosts.map(\.value).joined(separator: ", ")) fails",
                        vs, at: abort.percentage?.node ?? abort.node)
                }
            }
        }
    }

    /// Whether `attempts` tries of `perTry` each last longer than `timeout`. A product too large
    /// for 64 bits (about 292 years) exceeds any timeout.
    static func exceeds(attempts: Int, perTry: Int64, timeout: Int64) -> Bool {
        let (total, overflow) = Int64(clamping: attempts).multipliedReportingOverflow(by: perTry)
        return overflow || total > timeout
    }

    func emptySubsets(_ route: HTTPRoute, label: String, vs: Resource, _ analysis: inout Analysis) {
        guard route.route.count > 1 else { return }
        for d in route.route where (d.weight?.value ?? 0) > 0 {
            guard let host = d.destination?.host, let subset = d.destination?.subset else { continue }
            let fqdn = HostNames.fqdn(host.value, namespace: vs.namespace)
            guard let service = analysis.service(fqdn), service.endpointsAreKnown,
                analysis.selectsNoEndpoint(fqdn, subset: subset.value)
            else { continue }
            analysis.report(
                .subsetWithoutEndpoints,
                "rule \(label) sends weight \(d.weight!.value) to subset \(subset.value), which has no endpoints: that share of requests will fail with 503",
                vs, at: subset.node)
        }
    }

    func same(_ a: Destination?, _ b: Destination, _ namespace: String) -> Bool {
        guard let a, let ha = a.host?.value, let hb = b.host?.value else { return false }
        return HostNames.fqdn(ha, namespace: namespace) == HostNames.fqdn(hb, namespace: namespace)
            && a.subset?.value == b.subset?.value
            && a.port?.number == b.port?.number
    }

    func describe(_ d: Destination) -> String {
        (d.host?.value ?? "?") + (d.subset.map { " subset \($0.value)" } ?? "")
    }
}
