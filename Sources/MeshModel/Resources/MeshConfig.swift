import Foundation
import MeshYAML

/// The mesh-wide settings meshctl uses from Istio's MeshConfig.
public struct MeshConfig: Sendable {
    public enum OutboundMode: String, Sendable {
        case allowAny = "ALLOW_ANY"
        case registryOnly = "REGISTRY_ONLY"
    }
    public var outboundTrafficPolicy: OutboundMode = .allowAny
    /// `defaultHttpRetryPolicy`: replaces Istio's built-in retry default when set.
    public var defaultRetryAttempts: Int?
    public var defaultRetryOn: String?
    public var defaultPerTryTimeout: MeshDuration?
    /// Where a ServiceEntry, Service, VirtualService or DestinationRule without `exportTo` is
    /// visible (Istio's default: every namespace).
    public var defaultServiceExportTo = ["*"]
    public var defaultVirtualServiceExportTo = ["*"]
    public var defaultDestinationRuleExportTo = ["*"]
    /// The namespace whose Sidecar and DestinationRules apply mesh-wide.
    public var rootNamespace = "istio-system"
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
                    if let value = mode.enumValue(["ALLOW_ANY", "REGISTRY_ONLY"]) {
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
            case "defaultServiceExportTo": config.defaultServiceExportTo = v.stringList()
            case "defaultVirtualServiceExportTo": config.defaultVirtualServiceExportTo = v.stringList()
            case "defaultDestinationRuleExportTo": config.defaultDestinationRuleExportTo = v.stringList()
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
            case let other where fieldNames.contains(other): break
            default: return false
            }
            return true
        }
        return config
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
        let (config, inner, _) = parse(Array(file.string(scalar).utf8), path: file.path)
        let mark = file.mark(of: scalar)
        let block = file[scalar].style == .literal || file[scalar].style == .folded
        let firstLine = block ? mark.line + 1 : mark.line
        let indent = block ? (file.sourceLine(firstLine)?.prefix { $0 == " " }.count ?? 0) : mark.column - 1
        let shifted = inner.map { d -> Diagnostic in
            var d = d
            d.file = file.path
            d.line = firstLine + d.line - 1
            d.column += indent
            return d
        }
        return (config, shifted)
    }

    static func meshError(_ path: String, _ message: String) -> Diagnostic {
        Diagnostic(level: .error, code: DiagnosticCode.invalidMeshConfig.code, message: message, file: path, line: 1, column: 1)
    }
}
