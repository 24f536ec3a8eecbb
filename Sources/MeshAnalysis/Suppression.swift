import MeshModel

/// `-S CODE=Kind namespace/name` (with `*` wildcards), istioctl's `CODE=Kind name.namespace`, and
/// the resource annotation `galley.istio.io/analyze-suppress: "CODE,CODE"` (`*` for every code), as
/// istioctl has them.
public struct Suppression: Sendable, CustomStringConvertible {
    public let code: String
    public let resource: String

    public static let annotation = "galley.istio.io/analyze-suppress"

    /// Parses `IST0130=VirtualService default/legacy` or `IST0130=VirtualService legacy.default`.
    public init?(_ text: String) {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        code = text[..<eq].trimmingSpaces()
        resource = text[text.index(after: eq)...].trimmingSpaces()
        guard !code.isEmpty, !resource.isEmpty else { return nil }
    }

    public var description: String { "\(code)=\(resource)" }

    /// Whether the code (or its wildcard pattern) names at least one code meshctl reports.
    public var codeIsKnown: Bool { DiagnosticCode.all.contains { Glob.matches(code, $0.code) } }

    func matches(_ d: Diagnostic) -> Bool {
        guard Glob.matches(code, d.code), let reference = d.resource else { return false }
        if Glob.matches(resource, reference) { return true }
        guard let parts = ResourceReference(reference) else { return false }
        // istioctl names a resource `Kind name.namespace`, and `Kind name` in the default namespace.
        if Glob.matches(resource, "\(parts.kind) \(parts.name).\(parts.namespace)") { return true }
        return parts.namespace == "default" && Glob.matches(resource, "\(parts.kind) \(parts.name)")
    }

    /// Findings without the suppressed ones.
    public static func apply(_ suppressions: [Suppression], to findings: [Diagnostic], resources: [Resource]) -> [Diagnostic] {
        var annotated: [String: [String]] = [:]
        for r in resources {
            if let value = r.annotations[annotation] {
                annotated[r.reference] = value.split(separator: ",").map { $0.trimmingSpaces() }
            }
        }
        return findings.filter { d in
            if suppressions.contains(where: { $0.matches(d) }) { return false }
            if let reference = d.resource, let codes = annotated[reference], codes.contains(where: { $0 == "*" || $0 == d.code })
            {
                return false
            }
            return true
        }
    }
}

/// `Kind namespace/name`, as findings name their resource, in its parts.
struct ResourceReference {
    var kind: Substring
    var namespace: Substring
    var name: Substring

    init?(_ reference: String) {
        guard let space = reference.firstIndex(of: " "),
            let slash = reference[space...].firstIndex(of: "/")
        else { return nil }
        kind = reference[..<space]
        namespace = reference[reference.index(after: space)..<slash]
        name = reference[reference.index(after: slash)...]
    }
}

extension Diagnostic {
    /// The namespace of the resource the finding is about; nil for a problem with a file itself.
    public var namespace: String? { resource.flatMap(ResourceReference.init).map { String($0.namespace) } }
}

/// Shell-style `*` and `?` wildcards.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern)
        let t = Array(text)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
