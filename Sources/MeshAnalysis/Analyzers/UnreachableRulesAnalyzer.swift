import MeshModel

/// IST0130: a rule that can never match; IST0131: a match entry an earlier one already covers.
///
/// Beyond Istio's check for identical matches, a match is covered when an earlier match asks
/// for no more than it does: `prefix: /api` covers `prefix: /api/v1` and `exact: /api/x`.
struct UnreachableRulesAnalyzer: Analyzer {
    static let name = "schema.ValidationAnalyzer.VirtualService"
    static let codes: [DiagnosticCode] = [.virtualServiceUnreachableRule, .virtualServiceIneffectiveMatch]

    func analyze(_ analysis: inout Analysis) {
        for vs in analysis.index.virtualServices {
            guard let spec = vs.virtualService else { continue }
            var catchAll: Int?
            var earlier = CoverageIndex()
            for (i, rule) in spec.http.enumerated() {
                let label = rule.name.map { "\"\($0)\"" } ?? "#\(i)"
                if let first = catchAll {
                    let reason =
                        rule.match.isEmpty
                        ? "only the last rule can have no matches"
                        : "rule #\(first) before it has no matches and takes every request"
                    analysis.report(
                        .virtualServiceUnreachableRule, "VirtualService rule \(label) not used (\(reason))", vs, at: rule.node)
                    continue
                }
                if rule.match.isEmpty {
                    catchAll = i
                    continue
                }
                var covered = 0
                for (m, match) in rule.match.enumerated() {
                    if let prior = earlier.firstCovering(match) {
                        covered += 1
                        analysis.report(
                            .virtualServiceIneffectiveMatch,
                            "VirtualService rule \(label) match #\(m) is not used (rule #\(prior.rule) already matches every request it would)",
                            vs, at: match.node)
                    }
                }
                if covered == rule.match.count {
                    analysis.report(
                        .virtualServiceUnreachableRule, "VirtualService rule \(label) not used (all matches used by prior rules)",
                        vs, at: rule.node)
                }
                for match in rule.match { earlier.add(match, rule: i) }
            }
        }
    }
}

/// Whether one match entry takes every request another would.
enum Coverage {
    static func covers(_ a: HTTPMatchRequest, _ b: HTTPMatchRequest) -> Bool {
        // Conditions on the proxy's identity must be the same, or absent from `a`.
        if !a.sourceLabels.isEmpty && a.sourceLabels != b.sourceLabels { return false }
        if a.sourceNamespace != nil && a.sourceNamespace != b.sourceNamespace { return false }
        if !a.gateways.isEmpty && Set(a.gateways.map(\.value)) != Set(b.gateways.map(\.value)) { return false }
        if a.port != nil && a.port?.value != b.port?.value { return false }
        if a.ignoreUriCase != b.ignoreUriCase && a.uri != nil { return false }
        guard implies(b.uri?.match, a.uri?.match), implies(b.scheme?.match, a.scheme?.match),
            implies(b.method?.match, a.method?.match), implies(b.authority?.match, a.authority?.match)
        else { return false }
        for header in a.headers {
            let other = b.headers.first { $0.key.lowercased() == header.key.lowercased() }?.value.match
            if !implies(other, header.value.match) { return false }
        }
        for header in a.withoutHeaders {
            guard let other = b.withoutHeaders.first(where: { $0.key.lowercased() == header.key.lowercased() }),
                other.value.match == header.value.match
            else {
                return false
            }
        }
        for param in a.queryParams {
            let other = b.queryParams.first { $0.key == param.key }?.value.match
            if !implies(other, param.value.match) { return false }
        }
        return true
    }

    /// Whether every value satisfying `narrow` satisfies `broad` (nil: no condition). Values are
    /// compared byte for byte, as the proxy compares them.
    static func implies(_ narrow: StringMatch?, _ broad: StringMatch?) -> Bool {
        guard let broad else { return true }
        guard let narrow else { return false }
        switch (narrow, broad) {
        case (_, .present): return true
        case (.exact(let n), .exact(let b)), (.regex(let n), .regex(let b)): return n.utf8.elementsEqual(b.utf8)
        case (.exact(let n), .prefix(let b)), (.prefix(let n), .prefix(let b)): return n.utf8.starts(with: b.utf8)
        default: return false
        }
    }
}
