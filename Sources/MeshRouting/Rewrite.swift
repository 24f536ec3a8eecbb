import MeshModel
import MeshRegex

extension RouteTable {
    /// The path and authority the upstream sees after the rule's `rewrite`, or nil when the rule
    /// has none. A `uri` rewrite replaces the prefix that matched when the match was a prefix
    /// match, and the whole path otherwise (Envoy's prefix_rewrite); `uriRegexRewrite` replaces
    /// every regex match (Envoy's regex_rewrite).
    public func rewrite(_ request: HTTPRequest, _ decision: Decision) -> (path: String, authority: String)? {
        guard let route = decision.route, let rewrite = route.rewrite, let vh = decision.virtualHost else { return nil }
        let fullPath = request.path
        let pathOnly = String(request.pathOnly)
        let query = String(fullPath.dropFirst(pathOnly.count))
        var path = pathOnly
        if let replacement = rewrite.uri {
            if let prefix = matchedURIPrefix(request, route, vh) {
                path = replacement + pathOnly.dropFirst(prefix.count)
                if path.hasPrefix("//") { path.removeFirst() }
                if path.isEmpty { path = "/" }
            } else {
                path = replacement.isEmpty ? "/" : replacement
            }
        } else if let pattern = rewrite.uriRegexMatch?.value, let replacement = rewrite.uriRegexRewrite,
            let regex = try? RE2Regex(pattern), let rewritten = regex.replacingAll(in: pathOnly, with: replacement)
        {
            path = rewritten
        }
        return (path + query, rewrite.authority ?? request.authority)
    }

    /// The `uri` prefix of the match entry that matched, when it was a prefix match.
    func matchedURIPrefix(_ request: HTTPRequest, _ route: CompiledRoute, _ vh: VirtualHost) -> String? {
        var entry = 0
        for candidate in vh.routes {
            if candidate === route { break }
            entry += candidate.matches.count
        }
        for (i, match) in route.matches.enumerated() where vh.program.firstFailure(entry: entry + i, request) == nil {
            for condition in match.conditions where condition.field == .uri {
                if let m = condition.matcher, m.kind == .prefix { return m.text }
            }
            return nil
        }
        return nil
    }
}

extension Headers.Operations {
    /// `set a=1, add b=2, remove c`, for explanations.
    public var summary: String {
        var parts: [String] = []
        if !set.isEmpty { parts.append("set " + set.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        if !add.isEmpty { parts.append("add " + add.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        if !remove.isEmpty { parts.append("remove " + remove.map(\.value).joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
