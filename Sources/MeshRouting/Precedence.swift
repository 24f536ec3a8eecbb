import MeshModel

/// Istio's order among resources that claim the same thing (a host, a subset, a port): the
/// oldest `metadata.creationTimestamp` first, then by name, then by namespace. A resource
/// without a timestamp counts as the oldest possible. Where the files list them never matters.
public enum Precedence {
    /// `resources` in Istio's order (stable: equal keys keep their file order).
    public static func sorted(_ resources: [Resource]) -> [Resource] {
        let keyed = resources.enumerated().map { (index: $0.offset, time: $0.element.creationTimestamp, resource: $0.element) }
        return keyed.sorted { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.resource.name != b.resource.name { return a.resource.name < b.resource.name }
            if a.resource.namespace != b.resource.namespace { return a.resource.namespace < b.resource.namespace }
            return a.index < b.index
        }.map(\.resource)
    }

    /// Why `first` comes before `second`, for explanations.
    public static func reason(_ first: Resource, before second: Resource) -> String {
        let (a, b) = (first.creationTimestamp, second.creationTimestamp)
        if a != b {
            return a == .zero
                ? "\(first.reference) has no creationTimestamp, which counts as the oldest"
                : "\(first.reference) is older (creationTimestamp \(a) < \(b))"
        }
        if first.name != second.name { return "same creationTimestamp; \(first.name) sorts before \(second.name) by name" }
        return "same creationTimestamp and name; namespace \(first.namespace) sorts before \(second.namespace)"
    }
}

/// `exportTo`: which namespaces see a VirtualService, DestinationRule or service.
public enum Visibility {
    /// True when a resource in `namespace` exported to `exportTo` is visible from `viewer`.
    /// `*` is every namespace, `.` the resource's own, `~` none; other entries name namespaces.
    public static func isVisible(exportTo: [String], namespace: String, from viewer: String) -> Bool {
        for entry in exportTo {
            switch entry {
            case "*": return true
            case ".": if namespace == viewer { return true }
            case "~": continue
            default: if entry == viewer { return true }
            }
        }
        return false
    }

    /// The effective `exportTo`: as written, or the mesh default when empty.
    static func effective(_ written: [String], default fallback: [String]) -> [String] {
        written.isEmpty ? fallback : written
    }

    /// Istio's grouping for ordering: 0 private to its namespace (`.`), 1 exported to named
    /// namespaces, 2 public (`*`).
    static func tier(_ exportTo: [String]) -> Int {
        if exportTo.contains("*") { return 2 }
        if exportTo.contains(".") { return 0 }
        return 1
    }

    /// `exportTo` in words.
    static func describe(_ exportTo: [String]) -> String {
        exportTo.isEmpty ? "nowhere" : exportTo.map { $0 == "." ? ". (its own namespace)" : $0 }.joined(separator: ", ")
    }
}

/// Istio's `--compatibility-version`: the defaults an older Istio release had.
public struct CompatibilityVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// `1.23` → 1.23; nil for anything that is not MAJOR.MINOR.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0,
            parts.allSatisfy({ $0.allSatisfy(\.isNumber) })
        else { return nil }
        self.init(major: major, minor: minor)
    }

    public var description: String { "\(major).\(minor)" }

    /// True for this release or an older one.
    public func isAtMost(_ major: Int, _ minor: Int) -> Bool { (self.major, self.minor) <= (major, minor) }

    /// Istio 1.23 and earlier retried 503 by default.
    public var retries503ByDefault: Bool { isAtMost(1, 23) }
    /// Istio 1.27 and earlier sent mirrored requests to `HOST-shadow`.
    public var mirrorsToShadowHost: Bool { isAtMost(1, 27) }
}
