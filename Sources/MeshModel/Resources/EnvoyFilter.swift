/// `networking.istio.io/v1alpha3` EnvoyFilter. meshctl applies one documented use of it, the
/// local rate limit of Istio's rate-limit task: an `HTTP_FILTER` patch inserting
/// `envoy.filters.http.local_ratelimit` (a token bucket for the listener), and `HTTP_ROUTE`
/// patches merging the filter's per-route config (a bucket per route, with descriptors) and the
/// route's `rate_limits`. Every other patch is kept with the reason it is not applied, so
/// `validate` and `analyze` can say so.
public struct EnvoyFilter: Sendable {
    public static let applyToValues = [
        "INVALID", "LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER", "ROUTE_CONFIGURATION", "VIRTUAL_HOST",
        "HTTP_ROUTE", "CLUSTER", "EXTENSION_CONFIG", "BOOTSTRAP", "LISTENER_FILTER",
    ]
    public static let contexts = ["ANY", "SIDECAR_INBOUND", "SIDECAR_OUTBOUND", "GATEWAY"]
    public static let operations = [
        "INVALID", "MERGE", "ADD", "REMOVE", "INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "REPLACE",
    ]
    public static let filterClasses = ["UNSPECIFIED", "AUTHN", "AUTHZ", "STATS"]
    public static let routeActions = ["ANY", "ROUTE", "REDIRECT", "DIRECT_RESPONSE"]
    /// The HTTP filter meshctl applies.
    public static let localRateLimitFilter = "envoy.filters.http.local_ratelimit"

    /// `match`: where in the proxy's configuration the patch applies.
    public struct Match: Sendable {
        public var node: Int32
        public var context: Located<String>?
        /// `listener.portNumber`, `listener.filterChain.filter.name`.
        public var listenerPort: Located<Int>?
        public var networkFilter: Located<String>?
        public var subFilter: Located<String>?
        /// `routeConfiguration.portNumber`, `.vhost.name`, `.vhost.route.name`, `.vhost.route.action`.
        public var routePort: Located<Int>?
        public var vhostName: Located<String>?
        public var routeName: Located<String>?
        public var routeAction: Located<String>?
        /// Match fields meshctl does not evaluate (so a patch using them is not applied).
        public var otherFields: [Located<String>] = []

        /// The context, ANY when not written.
        public var effectiveContext: String { context?.value ?? "ANY" }
    }

    public struct Patch: Sendable {
        public var node: Int32
        public var applyTo: Located<String>?
        public var match: Match?
        public var operation: Located<String>?
        /// `patch.value` (-1 when absent).
        public var valueNode: Int32 = -1
        public var filterClass: Located<String>?
        /// What meshctl makes of the patch.
        public var rateLimit: RateLimitPatch = .notApplied("it is not a local rate limit patch")
    }

    /// How meshctl reads one patch.
    public enum RateLimitPatch: Sendable {
        /// Inserts the local rate limit filter, with this listener-wide configuration (its token
        /// bucket may be absent: then only routes with their own configuration are limited).
        case filter(LocalRateLimitSettings)
        /// Merges into inbound routes: the filter's per-route configuration and/or the route's
        /// `rate_limits` (descriptor actions).
        case route(settings: LocalRateLimitSettings?, rateLimits: [RouteRateLimit])
        /// Not applied by meshctl, and why.
        case notApplied(String)
    }

    public var node: Int32
    public var workloadSelector: WorkloadSelector?
    public var configPatches: [Patch] = []
    public var priority: Located<Int>?
    public var targetRefs: [PolicyTargetReference] = []
}

/// `envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`, the fields meshctl reads.
public struct LocalRateLimitSettings: Sendable {
    public struct TokenBucket: Sendable {
        public var node: Int32
        public var maxTokens: Located<Int>?
        /// Default 1.
        public var tokensPerFill: Located<Int>?
        public var fillInterval: MeshDuration?
    }
    /// `{runtime_key, default_value: {numerator, denominator}}`: a RuntimeFractionalPercent.
    public struct Fraction: Sendable {
        public var node: Int32
        public var numerator = 0
        /// HUNDRED, TEN_THOUSAND or MILLION.
        public var denominator = "HUNDRED"

        /// The fraction as a share of one million.
        public var perMillion: Int {
            let scale =
                switch denominator {
                case "TEN_THOUSAND": 100
                case "MILLION": 1
                default: 10_000
                }
            return min(1_000_000, numerator * scale)
        }
        public var percent: Double { Double(perMillion) / 10_000 }
    }
    public struct Header: Sendable {
        public var key: String
        public var value: String
        /// `append: false` or `append_action: OVERWRITE_IF_EXISTS_OR_ADD`: replace, not add.
        public var overwrite: Bool
    }
    public struct Descriptor: Sendable {
        public var node: Int32
        public var entries: [(key: String, value: String)]
        public var tokenBucket: TokenBucket?
    }

    /// The `typed_config` (or per-route config) mapping.
    public var node: Int32
    public var statPrefix: Located<String>?
    public var tokenBucket: TokenBucket?
    /// Envoy's defaults: 0% when absent, so a filter without `filter_enabled` limits nothing.
    public var filterEnabled: Fraction?
    public var filterEnforced: Fraction?
    public var responseHeadersToAdd: [Header] = []
    public var requestHeadersToAddWhenNotEnforced: [Header] = []
    /// `status.code`; Envoy answers 429 unless this is 400 or more.
    public var status: Located<Int>?
    public var descriptors: [Descriptor] = []
    public var alwaysConsumeDefaultTokenBucket: Located<Bool>?
    /// Fields of the Envoy message meshctl does not apply, with where.
    public var unappliedFields: [Located<String>] = []
}

/// One `route.rate_limits[]` entry: the actions that build a descriptor for a request.
public struct RouteRateLimit: Sendable {
    public enum Action: Sendable {
        /// The value of a request header under `descriptorKey`; without the header the whole
        /// descriptor is not produced, unless `skipIfAbsent` (then this entry is left out).
        case requestHeaders(header: String, descriptorKey: String, skipIfAbsent: Bool)
        case genericKey(value: String, descriptorKey: String)
        /// The client's address, under `remote_address`.
        case remoteAddress
        /// `descriptorValue` under `descriptorKey` (default `header_match`) when the headers match
        /// (or, with `expectMatch: false`, when they do not).
        case headerValueMatch(value: String, descriptorKey: String, expectMatch: Bool, headers: [HeaderCondition])
    }
    /// An Envoy HeaderMatcher (the forms meshctl reads).
    public struct HeaderCondition: Sendable {
        public enum Kind: Sendable, Equatable {
            case exact(String), prefix(String), suffix(String), contains(String), regex(String), present(Bool)
        }
        public var name: String
        public var kind: Kind
        public var invert: Bool
    }

    public var node: Int32
    public var actions: [Action]
    /// Actions meshctl does not evaluate: their descriptor is never produced.
    public var unsupported: [Located<String>] = []
}

extension EnvoyFilter {
    static let fieldNames = ["workloadSelector", "configPatches", "priority", "targetRefs"]

    public static func decode(_ n: Node) -> EnvoyFilter {
        var filter = EnvoyFilter(node: n.index)
        n.fields(fieldNames) { name, v in
            switch name {
            case "workloadSelector": filter.workloadSelector = v.workloadSelector()
            case "configPatches": filter.configPatches = v.list(Patch.decode)
            case "priority": filter.priority = v.located { $0.int32() }
            case "targetRefs": filter.targetRefs = v.list { $0.policyTargetReference() }
            default: return false
            }
            return true
        }
        return filter
    }
}

extension EnvoyFilter.Patch {
    static func decode(_ n: Node) -> Self? {
        var patch = Self(node: n.index)
        n.fields(["applyTo", "match", "patch"]) { name, v in
            switch name {
            case "applyTo": patch.applyTo = v.located { $0.enumValue(EnvoyFilter.applyToValues) }
            case "match": patch.match = EnvoyFilter.Match.decode(v)
            case "patch":
                v.fields(["operation", "value", "filterClass"]) { field, value in
                    switch field {
                    case "operation": patch.operation = value.located { $0.enumValue(EnvoyFilter.operations) }
                    case "value": patch.valueNode = value.index
                    case "filterClass": patch.filterClass = value.located { $0.enumValue(EnvoyFilter.filterClasses) }
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        guard n.raw.kind == .mapping else { return nil }
        patch.rateLimit = patch.interpret(n.ctx)
        return patch
    }

    /// Reads the patch as a local rate limit patch, or says why it is not one meshctl applies.
    func interpret(_ ctx: DecodeContext) -> EnvoyFilter.RateLimitPatch {
        let file = ctx.file
        let applyTo = applyTo?.value ?? "INVALID"
        let context = match?.effectiveContext ?? "ANY"
        guard context == "SIDECAR_INBOUND" || context == "ANY" else {
            return .notApplied("it patches \(context) configuration; meshctl applies rate limits to a sidecar's inbound side")
        }
        if let other = match?.otherFields.first {
            return .notApplied("meshctl does not evaluate the match field `\(other.value)`")
        }
        guard valueNode >= 0, file[valueNode].kind == .mapping else {
            return .notApplied("it has no patch value to read")
        }
        switch applyTo {
        case "HTTP_FILTER":
            guard let op = operation?.value, ["INSERT_BEFORE", "INSERT_AFTER", "INSERT_FIRST", "ADD"].contains(op) else {
                return .notApplied(
                    "an HTTP_FILTER patch with operation \(operation?.value ?? "INVALID") does not insert a filter")
            }
            guard let nameNode = file.value("name", in: valueNode), file[nameNode].kind == .scalar else {
                return .notApplied("the inserted filter has no name")
            }
            let name = file.string(nameNode)
            guard name == EnvoyFilter.localRateLimitFilter else {
                return .notApplied("meshctl applies only the \(EnvoyFilter.localRateLimitFilter) HTTP filter, not `\(name)`")
            }
            guard let typed = file.value("typed_config", in: valueNode) ?? file.value("typedConfig", in: valueNode) else {
                return .notApplied("the \(name) filter has no typed_config")
            }
            guard let settings = LocalRateLimitSettings.decodeTyped(ctx.node(typed)) else {
                return .notApplied("its typed_config is not a LocalRateLimit")
            }
            return .filter(settings)
        case "HTTP_ROUTE":
            guard operation?.value == "MERGE" else {
                return .notApplied("an HTTP_ROUTE patch with operation \(operation?.value ?? "INVALID") is not a merge")
            }
            var settings: LocalRateLimitSettings?
            var rateLimits: [RouteRateLimit] = []
            var read = false
            for (key, value) in file.pairs(valueNode) {
                switch file.string(key) {
                case "typed_per_filter_config", "typedPerFilterConfig":
                    guard file[value].kind == .mapping else { continue }
                    for (filterKey, config) in file.pairs(value) {
                        guard file.string(filterKey) == EnvoyFilter.localRateLimitFilter else {
                            return .notApplied(
                                "it configures `\(file.string(filterKey))` per route, which meshctl does not apply")
                        }
                        guard let decoded = LocalRateLimitSettings.decodeTyped(ctx.node(config)) else {
                            return .notApplied("its per-route config is not a LocalRateLimit")
                        }
                        settings = decoded
                        read = true
                    }
                case "route":
                    guard file[value].kind == .mapping else { continue }
                    for (routeKey, routeValue) in file.pairs(value) {
                        guard file.string(routeKey) == "rate_limits" || file.string(routeKey) == "rateLimits" else {
                            return .notApplied("it merges route.\(file.string(routeKey)), which meshctl does not apply")
                        }
                        rateLimits += ctx.node(routeValue).list(RouteRateLimit.decode)
                        read = true
                    }
                default:
                    return .notApplied("it merges `\(file.string(key))` into the route, which meshctl does not apply")
                }
            }
            guard read else { return .notApplied("it merges nothing meshctl reads") }
            return .route(settings: settings, rateLimits: rateLimits)
        default:
            return .notApplied("meshctl applies HTTP_FILTER and HTTP_ROUTE patches for the local rate limit, not \(applyTo)")
        }
    }
}

extension EnvoyFilter.Match {
    static let listenerFields = ["portNumber", "portName", "filterChain", "listenerFilter", "name"]
    static let filterChainFields = [
        "name", "sni", "transportProtocol", "applicationProtocols", "filter", "destinationPort",
    ]
    static let routeFields = ["portNumber", "portName", "gateway", "vhost", "name"]

    static func decode(_ n: Node) -> Self? {
        var match = Self(node: n.index)
        func other(_ v: Node) { match.otherFields.append(Located(v.path, node: v.index)) }
        n.fields(["context", "proxy", "listener", "routeConfiguration", "cluster"]) { name, v in
            switch name {
            case "context": match.context = v.located { $0.enumValue(EnvoyFilter.contexts) }
            case "proxy", "cluster": other(v)
            case "listener":
                v.fields(listenerFields) { field, value in
                    switch field {
                    case "portNumber": match.listenerPort = value.located { $0.uint32() }
                    case "filterChain":
                        value.fields(filterChainFields) { chainField, chainValue in
                            guard filterChainFields.contains(chainField) else { return false }
                            guard chainField == "filter" else {
                                other(chainValue)
                                return true
                            }
                            chainValue.fields(["name", "subFilter"]) { filterField, filterValue in
                                switch filterField {
                                case "name": match.networkFilter = filterValue.located { $0.string() }
                                case "subFilter":
                                    filterValue.fields(["name"]) { subField, subValue in
                                        guard subField == "name" else { return false }
                                        match.subFilter = subValue.located { $0.string() }
                                        return true
                                    }
                                default: return false
                                }
                                return true
                            }
                            return true
                        }
                    case let known where listenerFields.contains(known): other(value)
                    default: return false
                    }
                    return true
                }
            case "routeConfiguration":
                v.fields(routeFields) { field, value in
                    switch field {
                    case "portNumber": match.routePort = value.located { $0.uint32() }
                    case "vhost":
                        value.fields(["name", "route", "domainName"]) { vhostField, vhostValue in
                            switch vhostField {
                            case "name": match.vhostName = vhostValue.located { $0.string() }
                            case "domainName": other(vhostValue)
                            case "route":
                                vhostValue.fields(["name", "action"]) { routeField, routeValue in
                                    switch routeField {
                                    case "name": match.routeName = routeValue.located { $0.string() }
                                    case "action":
                                        match.routeAction = routeValue.located { $0.enumValue(EnvoyFilter.routeActions) }
                                    default: return false
                                    }
                                    return true
                                }
                            default: return false
                            }
                            return true
                        }
                    case let known where routeFields.contains(known): other(value)
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? match : nil
    }
}

extension LocalRateLimitSettings {
    static let typedStruct = "type.googleapis.com/udpa.type.v1.TypedStruct"
    static let xdsTypedStruct = "type.googleapis.com/xds.type.v3.TypedStruct"
    static let typeURL = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"
    /// LocalRateLimit fields meshctl reads.
    static let appliedFields = [
        "stat_prefix", "token_bucket", "filter_enabled", "filter_enforced", "response_headers_to_add",
        "request_headers_to_add_when_not_enforced", "status", "descriptors", "always_consume_default_token_bucket",
    ]
    /// LocalRateLimit fields Envoy knows that meshctl does not apply.
    static let otherEnvoyFields = [
        "stage", "local_rate_limit_per_downstream_connection", "local_cluster_rate_limit", "enable_x_ratelimit_headers",
        "vh_rate_limits", "rate_limited_as_resource_exhausted", "rate_limits", "max_dynamic_descriptors",
    ]

    /// A `typed_config` Any: a TypedStruct wrapping the fields, or the LocalRateLimit itself.
    /// nil when its type is another filter's.
    static func decodeTyped(_ n: Node) -> LocalRateLimitSettings? {
        let file = n.ctx.file
        guard n.raw.kind == .mapping, let typeNode = file.value("@type", in: n.index), file[typeNode].kind == .scalar else {
            if n.raw.kind == .mapping {
                n.ctx.report(.schemaError, "\(n.path) needs an `@type`", at: n.index)
            }
            return nil
        }
        switch file.string(typeNode) {
        case typedStruct, xdsTypedStruct:
            guard let url = file.value("type_url", in: n.index), file[url].kind == .scalar, file.string(url) == typeURL else {
                return nil
            }
            guard let value = file.value("value", in: n.index) else {
                return LocalRateLimitSettings(node: n.index)
            }
            return decode(n.ctx.node(value), skipping: [])
        case typeURL:
            return decode(n, skipping: ["@type"])
        default:
            return nil
        }
    }

    static func decode(_ n: Node, skipping: Set<String>) -> LocalRateLimitSettings? {
        var s = LocalRateLimitSettings(node: n.index)
        n.fields(appliedFields + otherEnvoyFields) { name, v in
            switch name {
            case let skip where skipping.contains(skip): break
            case "stat_prefix": s.statPrefix = v.located { $0.string() }
            case "token_bucket": s.tokenBucket = TokenBucket.decode(v)
            case "filter_enabled": s.filterEnabled = Fraction.decode(v)
            case "filter_enforced": s.filterEnforced = Fraction.decode(v)
            case "response_headers_to_add": s.responseHeadersToAdd = v.list(Header.decode)
            case "request_headers_to_add_when_not_enforced": s.requestHeadersToAddWhenNotEnforced = v.list(Header.decode)
            case "status":
                v.fields(["code"]) { field, code in
                    guard field == "code" else { return false }
                    s.status = code.located { $0.httpStatusCode() }
                    return true
                }
            case "descriptors": s.descriptors = v.list(Descriptor.decode)
            case "always_consume_default_token_bucket": s.alwaysConsumeDefaultTokenBucket = v.located { $0.bool() }
            case let other where otherEnvoyFields.contains(other):
                s.unappliedFields.append(Located(other, node: n.ctx.file.key(ofValue: v.index) ?? v.index))
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? s : nil
    }
}

extension LocalRateLimitSettings.TokenBucket {
    static func decode(_ n: Node) -> Self? {
        var bucket = Self(node: n.index)
        n.fields(["max_tokens", "tokens_per_fill", "fill_interval"]) { name, v in
            switch name {
            case "max_tokens": bucket.maxTokens = v.located { $0.uint32() }
            case "tokens_per_fill":
                // A UInt32Value wrapper: a plain number, or `{value: N}`.
                if v.raw.kind == .mapping, let inner = v.ctx.file.value("value", in: v.index) {
                    bucket.tokensPerFill = v.ctx.node(inner).located { $0.uint32() }
                } else {
                    bucket.tokensPerFill = v.located { $0.uint32() }
                }
            case "fill_interval": bucket.fillInterval = v.duration()
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? bucket : nil
    }
}

extension LocalRateLimitSettings.Fraction {
    static let denominators = ["HUNDRED", "TEN_THOUSAND", "MILLION"]

    static func decode(_ n: Node) -> Self? {
        var fraction = Self(node: n.index)
        n.fields(["runtime_key", "default_value"]) { name, v in
            switch name {
            case "runtime_key": _ = v.string()
            case "default_value":
                v.fields(["numerator", "denominator"]) { field, value in
                    switch field {
                    case "numerator": fraction.numerator = value.uint32() ?? 0
                    case "denominator": fraction.denominator = value.enumValue(denominators) ?? "HUNDRED"
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? fraction : nil
    }
}

extension LocalRateLimitSettings.Header {
    static let appendActions = [
        "APPEND_IF_EXISTS_OR_ADD", "ADD_IF_ABSENT", "OVERWRITE_IF_EXISTS_OR_ADD", "OVERWRITE_IF_EXISTS",
    ]

    static func decode(_ n: Node) -> Self? {
        var key: String?
        var value = ""
        var overwrite = false
        n.fields(["header", "append", "append_action", "keep_empty_value"]) { name, v in
            switch name {
            case "header":
                v.fields(["key", "value", "raw_value"]) { field, text in
                    switch field {
                    case "key": key = text.string()
                    case "value", "raw_value": value = text.isNull ? "" : text.string() ?? ""
                    default: return false
                    }
                    return true
                }
            case "append": overwrite = !(v.bool() ?? true)
            case "append_action": overwrite = (v.enumValue(appendActions) ?? "").hasPrefix("OVERWRITE")
            case "keep_empty_value": _ = v.bool()
            default: return false
            }
            return true
        }
        guard let key else { return nil }
        return Self(key: key, value: value, overwrite: overwrite)
    }
}

extension LocalRateLimitSettings.Descriptor {
    static func decode(_ n: Node) -> Self? {
        var descriptor = Self(node: n.index, entries: [])
        n.fields(["entries", "token_bucket"]) { name, v in
            switch name {
            case "entries":
                descriptor.entries = v.list { entry in
                    var key: String?
                    var value = ""
                    entry.fields(["key", "value"]) { field, text in
                        switch field {
                        case "key": key = text.string()
                        case "value": value = text.isNull ? "" : text.string() ?? ""
                        default: return false
                        }
                        return true
                    }
                    return key.map { (key: $0, value: value) }
                }
            case "token_bucket": descriptor.tokenBucket = LocalRateLimitSettings.TokenBucket.decode(v)
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? descriptor : nil
    }
}

extension RouteRateLimit {
    static let envoyActions = [
        "source_cluster", "destination_cluster", "request_headers", "remote_address", "generic_key", "header_value_match",
        "dynamic_metadata", "metadata", "extension", "masked_remote_address", "query_parameter_value_match",
        "query_parameters",
    ]

    static func decode(_ n: Node) -> Self? {
        var limit = Self(node: n.index, actions: [])
        n.fields(["actions", "stage", "disable_key", "limit", "hits_addend", "apply_on_stream_done"]) { name, v in
            switch name {
            case "actions":
                for action in v.ctx.file.children(v.index) where v.ctx.file[action].kind == .mapping {
                    for (key, value) in v.ctx.file.pairs(action) {
                        let kind = v.ctx.file.string(key)
                        if let decoded = decodeAction(kind, v.ctx.node(value)) {
                            limit.actions.append(decoded)
                        } else if envoyActions.contains(kind) {
                            limit.unsupported.append(Located(kind, node: key))
                        } else {
                            var message = "unknown rate limit action `\(kind)`"
                            if let suggestion = Suggest.closest(to: kind, in: envoyActions) {
                                message += "; did you mean `\(suggestion)`?"
                            }
                            v.ctx.report(.schemaError, message, at: key)
                        }
                    }
                }
            case "stage", "disable_key", "limit", "hits_addend", "apply_on_stream_done":
                limit.unsupported.append(Located(name, node: v.ctx.file.key(ofValue: v.index) ?? v.index))
            default: return false
            }
            return true
        }
        return n.raw.kind == .mapping ? limit : nil
    }

    static func decodeAction(_ kind: String, _ n: Node) -> Action? {
        var fields: [String: Node] = [:]
        guard n.raw.kind == .mapping || n.isNull else { return nil }
        if n.raw.kind == .mapping {
            for (key, value) in n.ctx.file.pairs(n.index) { fields[n.ctx.file.string(key)] = n.ctx.node(value) }
        }
        switch kind {
        case "request_headers":
            guard let header = fields["header_name"]?.string(), let key = fields["descriptor_key"]?.string() else {
                n.ctx.report(.schemaError, "\(n.path) needs header_name and descriptor_key", at: n.index)
                return nil
            }
            return .requestHeaders(
                header: header.lowercased(), descriptorKey: key, skipIfAbsent: fields["skip_if_absent"]?.bool() ?? false)
        case "generic_key":
            guard let value = fields["descriptor_value"]?.string() else {
                n.ctx.report(.schemaError, "\(n.path) needs descriptor_value", at: n.index)
                return nil
            }
            return .genericKey(value: value, descriptorKey: fields["descriptor_key"]?.string() ?? "generic_key")
        case "remote_address":
            return .remoteAddress
        case "header_value_match":
            guard let value = fields["descriptor_value"]?.string() else {
                n.ctx.report(.schemaError, "\(n.path) needs descriptor_value", at: n.index)
                return nil
            }
            let headers = fields["headers"]?.list(HeaderCondition.decode) ?? []
            return .headerValueMatch(
                value: value, descriptorKey: fields["descriptor_key"]?.string() ?? "header_match",
                expectMatch: fields["expect_match"]?.bool() ?? true, headers: headers)
        default:
            return nil
        }
    }
}

extension RouteRateLimit.HeaderCondition {
    static func decode(_ n: Node) -> Self? {
        var name: String?
        var kind: Kind?
        var invert = false
        n.fields([
            "name", "exact_match", "prefix_match", "suffix_match", "contains_match", "present_match", "string_match",
            "safe_regex_match", "invert_match",
        ]) { field, v in
            switch field {
            case "name": name = v.string()?.lowercased()
            case "exact_match": kind = v.string().map(Kind.exact)
            case "prefix_match": kind = v.string().map(Kind.prefix)
            case "suffix_match": kind = v.string().map(Kind.suffix)
            case "contains_match": kind = v.string().map(Kind.contains)
            case "present_match": kind = v.bool().map(Kind.present)
            case "invert_match": invert = v.bool() ?? false
            case "safe_regex_match":
                if let regex = v.ctx.file.value("regex", in: v.index), v.ctx.file[regex].kind == .scalar {
                    kind = .regex(v.ctx.file.string(regex))
                }
            case "string_match":
                v.fields(["exact", "prefix", "suffix", "contains", "ignore_case", "safe_regex"]) { matcher, text in
                    switch matcher {
                    case "exact": kind = text.string().map(Kind.exact)
                    case "prefix": kind = text.string().map(Kind.prefix)
                    case "suffix": kind = text.string().map(Kind.suffix)
                    case "contains": kind = text.string().map(Kind.contains)
                    case "safe_regex":
                        if let regex = text.ctx.file.value("regex", in: text.index), text.ctx.file[regex].kind == .scalar {
                            kind = .regex(text.ctx.file.string(regex))
                        }
                    case "ignore_case": _ = text.bool()
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        guard let name else { return nil }
        return Self(name: name, kind: kind ?? .present(true), invert: invert)
    }
}

extension Node {
    /// An HTTP status as Envoy's StatusCode enum takes it: a number, or a name such as
    /// `TooManyRequests`.
    func httpStatusCode() -> Int? {
        guard raw.kind == .scalar, !isNull else {
            typeError("an HTTP status code")
            return nil
        }
        let text = ctx.file.string(index)
        if let number = Int(text) { return number }
        let names = [
            "BadRequest": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404, "TooManyRequests": 429,
            "InternalServerError": 500, "ServiceUnavailable": 503,
        ]
        guard let code = names[text] else {
            typeError("an HTTP status code such as 429 or TooManyRequests")
            return nil
        }
        return code
    }
}
