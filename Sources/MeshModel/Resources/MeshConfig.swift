import Foundation
import MeshYAML

/// The mesh-wide settings meshctl uses from Istio's MeshConfig.
public struct MeshConfig: Sendable {
    public enum OutboundMode: String, Sendable, CaseIterable {
        case allowAny = "ALLOW_ANY"
        case registryOnly = "REGISTRY_ONLY"
        /// Plaintext HTTP to an unknown host goes to `AllowAnyDynamicDNSCluster`, which resolves
        /// the Host by DNS; other traffic to unknown destinations passes through as ALLOW_ANY.
        case allowAnyDynamicDNS = "ALLOW_ANY_DYNAMIC_DNS"

        /// True for the modes that let traffic to unknown destinations out.
        public var allowsUnknown: Bool { self != .registryOnly }
    }
    public var outboundTrafficPolicy: OutboundMode = .allowAny
    /// `defaultVirtualServiceExportTo`, `defaultDestinationRuleExportTo`, `defaultServiceExportTo`:
    /// where resources without `exportTo` are visible (Istio's default: everywhere).
    public var defaultVirtualServiceExportTo = ["*"]
    public var defaultDestinationRuleExportTo = ["*"]
    public var defaultServiceExportTo = ["*"]
    /// Where mesh-wide Sidecars and DestinationRules live.
    public var rootNamespace = "istio-system"
    /// Fields given that meshctl does not implement: one warning each, saying what meshctl does
    /// instead. They never make the config invalid.
    public var notices: [Diagnostic] = []
    /// `defaultHttpRetryPolicy`: replaces Istio's built-in retry default when set.
    public var defaultRetryAttempts: Int?
    public var defaultRetryOn: String?
    public var defaultPerTryTimeout: MeshDuration?
    /// `ingressControllerMode` and `ingressService`: with a mode other than OFF, `istioctl analyze`
    /// assumes Istio's default ingress gateway (a pod and its Service in istio-system).
    public var ingressControllerMode = "STRICT"
    public var ingressService = "istio-ingressgateway"
    /// `defaultConfig.proxyMetadata`: e.g. ISTIO_META_DNS_CAPTURE, ISTIO_META_DNS_AUTO_ALLOCATE.
    public var proxyMetadata: [String: String] = [:]

    public init(outboundTrafficPolicy: OutboundMode = .allowAny) { self.outboundTrafficPolicy = outboundTrafficPolicy }

    /// MeshConfig's fields; others are reported as unknown (with a suggestion).
    static let fieldNames = [
        "proxyListenPort", "proxyInboundListenPort", "proxyHttpPort", "connectTimeout", "protocolDetectionTimeout",
        "tcpKeepalive", "ingressClass", "ingressService", "ingressControllerMode", "ingressSelector", "enableTracing",
        "accessLogFile", "accessLogFormat", "accessLogEncoding", "enableEnvoyAccessLogService", "disableEnvoyListenerLog",
        "defaultConfig", "outboundTrafficPolicy", "inboundTrafficPolicy", "configSources", "enableAutoMtls", "trustDomain",
        "trustDomainAliases", "caCertificates", "defaultServiceExportTo", "defaultVirtualServiceExportTo",
        "defaultDestinationRuleExportTo", "rootNamespace", "localityLbSetting", "dnsRefreshRate", "h2UpgradePolicy",
        "inboundClusterStatName", "outboundClusterStatName", "certificates", "thriftConfig", "serviceSettings",
        "enablePrometheusMerge", "verifyCertificateAtClient", "ca", "extensionProviders", "defaultProviders",
        "discoverySelectors", "pathNormalization", "defaultHttpRetryPolicy", "meshMTLS", "tlsDefaults",
        "serviceScopeConfigs", "mixerCheckServer", "mixerReportServer", "disablePolicyChecks", "policyCheckFailOpen",
        "sidecarToTelemetrySessionAffinity", "sdsUdsPath", "enableSdsTokenMount", "outboundTrafficPolicyMode",
        "authPolicy", "rdsRefreshDelay", "mtlsOrigination",
    ]

    /// Decodes a MeshConfig mapping (the `mesh` document of Istio's `istio` ConfigMap).
    public static func decode(_ n: Node) -> MeshConfig {
        var config = MeshConfig()
        n.fields(fieldNames) { name, v in
            switch name {
            case "outboundTrafficPolicy":
                v.fields(["mode"]) { field, mode in
                    guard field == "mode" else { return false }
                    if let value = mode.enumValue(OutboundMode.allCases.map(\.rawValue)) {
                        config.outboundTrafficPolicy = OutboundMode(rawValue: value)!
                    }
                    return true
                }
            case "defaultHttpRetryPolicy":
                v.fields(["attempts", "perTryTimeout", "retryOn", "retryRemoteLocalities"]) { field, x in
                    switch field {
                    case "attempts": config.defaultRetryAttempts = x.int32()
                    case "perTryTimeout": config.defaultPerTryTimeout = x.duration()
                    case "retryOn": config.defaultRetryOn = x.string()
                    case "retryRemoteLocalities": _ = x.bool()
                    default: return false
                    }
                    return true
                }
            case "defaultVirtualServiceExportTo": config.defaultVirtualServiceExportTo = v.stringList()
            case "defaultDestinationRuleExportTo": config.defaultDestinationRuleExportTo = v.stringList()
            case "defaultServiceExportTo": config.defaultServiceExportTo = v.stringList()
            case "rootNamespace": config.rootNamespace = v.string() ?? config.rootNamespace
            case "ingressControllerMode":
                config.ingressControllerMode =
                    v.enumValue(["UNSPECIFIED", "OFF", "DEFAULT", "STRICT"]) ?? config.ingressControllerMode
            case "ingressService": config.ingressService = v.string() ?? config.ingressService
            case "defaultConfig":
                // ProxyConfig has dozens of fields meshctl does not model; only proxyMetadata is read.
                let file = v.ctx.file
                if file[v.index].kind == .mapping, let metadata = file.value("proxyMetadata", in: v.index) {
                    config.proxyMetadata = v.ctx.node(metadata).stringMap()
                }
            case let other where fieldNames.contains(other):
                let file = v.ctx.file
                let mark = file.mark(of: file.key(ofValue: v.index) ?? v.index)
                config.notices.append(
                    Diagnostic(
                        level: .warning, code: DiagnosticCode.invalidMeshConfig.code, message: notImplemented(other),
                        file: file.path, line: mark.line, column: mark.column))
            default: return false
            }
            return true
        }
        return config
    }

    /// What meshctl does in place of a MeshConfig field it does not implement.
    static func notImplemented(_ field: String) -> String {
        let instead: String
        switch field {
        case "connectTimeout": instead = "clusters connect within 10s unless a DestinationRule sets tcp.connectTimeout"
        case "enableAutoMtls", "meshMTLS", "tlsDefaults", "trustDomain", "trustDomainAliases", "caCertificates", "ca",
            "certificates", "verifyCertificateAtClient", "mtlsOrigination", "authPolicy":
            instead = "meshctl does not originate or terminate TLS; traffic is routed as plaintext"
        case "accessLogFile", "accessLogFormat", "accessLogEncoding", "enableEnvoyAccessLogService", "disableEnvoyListenerLog":
            instead = "`meshctl proxy run` writes Istio's default text access log when its own options ask for it"
        case "enableTracing", "defaultProviders", "extensionProviders":
            instead = "trace headers are forwarded unchanged; no spans are reported"
        case "localityLbSetting": instead = "endpoints are balanced without regard to locality"
        case "h2UpgradePolicy": instead = "upstream connections stay HTTP/1.1"
        case "protocolDetectionTimeout":
            instead = "on ports without a declared protocol, HTTP requests are HTTP-routed and other traffic follows tcp routes"
        case "defaultConfig", "proxyListenPort", "proxyInboundListenPort", "proxyHttpPort":
            instead = "the proxy's own settings come from `meshctl proxy run`'s options"
        case "discoverySelectors": instead = "every namespace in the files given is part of the mesh"
        case "outboundTrafficPolicyMode": instead = "only outboundTrafficPolicy.mode is read"
        default: instead = "it has no effect here; meshctl behaves as Istio does with it unset"
        }
        return "mesh config field `\(field)` is not implemented by meshctl: \(instead)"
    }

    /// Reads `--mesh-config FILE`: a MeshConfig YAML, or Istio's `istio` ConfigMap holding one
    /// under `data.mesh`. Problems come back as diagnostics; none means the config is usable.
    public static func load(path: String) -> (MeshConfig, [Diagnostic], YAMLFile?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return (MeshConfig(), [meshError(path, "cannot read mesh config `\(path)`: no such file or directory")], nil)
        }
        return parse(Array(data), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) -> (MeshConfig, [Diagnostic], YAMLFile?) {
        let file: YAMLFile
        do {
            file = try YAMLLoader.load(bytes, path: path)
        } catch {
            return (MeshConfig(), [RuleLoader.yamlDiagnostic(error, file: path)], nil)
        }
        guard let root = file.documents.first else { return (MeshConfig(), [], file) }
        guard file[root].kind == .mapping else {
            return (MeshConfig(), [meshError(path, "mesh config must be a mapping of MeshConfig fields")], file)
        }
        let ctx = DecodeContext(file: file)
        // Istio reads MeshConfig as protobuf JSON, which takes `attempts: "3"` as well as 3.
        ctx.acceptsQuotedScalars = true
        // The ConfigMap form: decode the YAML text under data.mesh.
        if file.value("kind", in: root).map({ file.string($0) }) == "ConfigMap" {
            guard let dataNode = file.value("data", in: root), let meshNode = file.value("mesh", in: dataNode) else {
                return (MeshConfig(), [meshError(path, "ConfigMap has no data.mesh holding the MeshConfig")], file)
            }
            let (config, shifted) = parseEmbedded(meshNode, in: file)
            return (config, shifted, file)
        }
        let config = decode(ctx.node(root))
        return (
            config,
            ctx.diagnostics.map { d in
                var d = d
                if d.level == .error { d.code = DiagnosticCode.invalidMeshConfig.code }
                return d
            }, file
        )
    }

    /// Parses the MeshConfig text held by a scalar (a ConfigMap's data.mesh), with findings
    /// moved to where the embedded lines sit in the outer file.
    public static func parseEmbedded(_ scalar: Int32, in file: YAMLFile) -> (MeshConfig, [Diagnostic]) {
        var (config, inner, _) = parse(Array(file.string(scalar).utf8), path: file.path)
        let mark = file.mark(of: scalar)
        let block = file[scalar].style == .literal || file[scalar].style == .folded
        let firstLine = block ? mark.line + 1 : mark.line
        let indent = block ? (file.sourceLine(firstLine)?.prefix { $0 == " " }.count ?? 0) : mark.column - 1
        func shift(_ d: Diagnostic) -> Diagnostic {
            var d = d
            d.file = file.path
            d.line = firstLine + d.line - 1
            d.column += indent
            return d
        }
        config.notices = config.notices.map(shift)
        return (config, inner.map(shift))
    }

    static func meshError(_ path: String, _ message: String) -> Diagnostic {
        Diagnostic(level: .error, code: DiagnosticCode.invalidMeshConfig.code, message: message, file: path, line: 1, column: 1)
    }
}
