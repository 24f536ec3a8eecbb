/// Every code meshctl reports, with its level and meaning. `meshctl analyze --list-analyzers`
/// prints this table and `docs/diagnostics.md` documents it.
public struct DiagnosticCode: Sendable, Hashable {
    public let code: String
    public let level: Severity
    public let name: String
    public let summary: String

    public init(_ code: String, _ level: Severity, _ name: String, _ summary: String) {
        self.code = code
        self.level = level
        self.name = name
        self.summary = summary
    }
}

extension DiagnosticCode {
    // Istio's own codes, used where Istio has the same check.
    public static let deprecated = DiagnosticCode(
        "IST0002", .warning, "Deprecated", "A field the configuration uses is deprecated; Istio still accepts it.")
    public static let referencedResourceNotFound = DiagnosticCode(
        "IST0101", .error, "ReferencedResourceNotFound",
        "A host, port, subset, gateway, selector or credential that a resource refers to does not exist, or is not exported to the referring namespace."
    )
    public static let schemaError = DiagnosticCode(
        "IST0106", .error, "SchemaValidationError", "The resource does not match Istio's schema or validation rules.")
    public static let conflictingMeshGatewayVirtualServiceHosts = DiagnosticCode(
        "IST0109", .error, "ConflictingMeshGatewayVirtualServiceHosts",
        "Several mesh VirtualServices claim the same host for the same namespace.")
    public static let virtualServiceDestinationPortSelectorRequired = DiagnosticCode(
        "IST0112", .error, "VirtualServiceDestinationPortSelectorRequired",
        "The destination service has several ports and the route names none.")
    public static let virtualServiceUnreachableRule = DiagnosticCode(
        "IST0130", .warning, "VirtualServiceUnreachableRule",
        "A route rule can never match because an earlier rule takes all its traffic.")
    public static let virtualServiceIneffectiveMatch = DiagnosticCode(
        "IST0131", .info, "VirtualServiceIneffectiveMatch", "A match condition is fully covered by an earlier one.")
    public static let virtualServiceHostNotFoundInGateway = DiagnosticCode(
        "IST0132", .warning, "VirtualServiceHostNotFoundInGateway",
        "None of a VirtualService's hosts is among the hosts of a Gateway it binds to.")
    public static let noMatchingWorkloadsFound = DiagnosticCode(
        "IST0127", .warning, "NoMatchingWorkloadsFound",
        "A security policy's selector (or, without one, its namespace) matches no workload of the input.")
    public static let noServerCertificateVerificationDestinationLevel = DiagnosticCode(
        "IST0128", .error, "NoServerCertificateVerificationDestinationLevel",
        "A DestinationRule originates TLS (SIMPLE or MUTUAL) without caCertificates, so the server's certificate is not verified."
    )
    public static let noServerCertificateVerificationPortLevel = DiagnosticCode(
        "IST0129", .error, "NoServerCertificateVerificationPortLevel",
        "A DestinationRule's port-level TLS (SIMPLE or MUTUAL) has no caCertificates, so the server's certificate is not verified."
    )
    public static let schemaWarning = DiagnosticCode(
        "IST0133", .warning, "SchemaWarning", "The resource is valid but uses a form Istio warns about.")
    public static let serviceEntryAddressesRequired = DiagnosticCode(
        "IST0134", .warning, "ServiceEntryAddressesRequired",
        "A ServiceEntry port whose protocol is TCP or unset needs addresses (unless the mesh allocates them).")
    public static let gatewayDuplicateCertificate = DiagnosticCode(
        "IST0138", .warning, "GatewayDuplicateCertificate",
        "Servers of several Gateways on one workload use the same certificate.")
    public static let ingressRouteRulesNotAffected = DiagnosticCode(
        "IST0140", .warning, "IngressRouteRulesNotAffected",
        "A gateway route to a host without a subset: the subset rules another VirtualService has for that host do not apply to it."
    )
    public static let conflictingGateways = DiagnosticCode(
        "IST0145", .error, "ConflictingGateways", "Gateways on the same workload and port claim the same host.")
    public static let jwtClaimBasedRoutingWithoutRequestAuthN = DiagnosticCode(
        "IST0149", .error, "JwtClaimBasedRoutingWithoutRequestAuthN",
        "A gateway route matches JWT claims, but no RequestAuthentication applies to the gateway's pods.")
    public static let invalidGatewayCredential = DiagnosticCode(
        "IST0161", .error, "InvalidGatewayCredential",
        "A Gateway's credential Secret lacks its keys, or holds a certificate that is not valid PEM X.509, has expired, or does not match its key."
    )
    public static let gatewayPortNotDefinedOnService = DiagnosticCode(
        "IST0162", .warning, "GatewayPortNotDefinedOnService",
        "A Gateway server port is not a port (or targetPort) of the Service in front of the gateway's pods.")
    public static let referencedInternalGateway = DiagnosticCode(
        "IST0165", .warning, "ReferencedInternalGateway",
        "A VirtualService names a Gateway that Istio generates for a Kubernetes Gateway API gateway.")
    public static let destinationRuleSubsetNotSelectPods = DiagnosticCode(
        "IST0173", .warning, "DestinationRuleSubsetNotSelectPods", "A DestinationRule subset's labels select no endpoint.")
    public static let unknownDestinationRuleHost = DiagnosticCode(
        "IST0174", .warning, "DestinationRuleHostNotFound", "A DestinationRule's host matches no service visible to it.")
    public static let conflictingServiceEntryProtocol = DiagnosticCode(
        "IST0177", .warning, "ConflictingServiceEntryProtocol",
        "ServiceEntries visible in one namespace define the same host and port with different protocols.")

    // meshctl's own codes.
    public static let unreadableFile = DiagnosticCode(
        "MESH0001", .error, "UnreadableFile", "A path given with -f cannot be read, or holds no rule files.")
    public static let yamlSyntax = DiagnosticCode(
        "MESH0002", .error, "YAMLSyntaxError", "The file is not well-formed YAML (or JSON).")
    public static let yamlLimit = DiagnosticCode(
        "MESH0003", .error, "YAMLLimitExceeded",
        "The file exceeds a safety limit: alias expansion (nodes or bytes), nesting depth or key length.")
    public static let duplicateKey = DiagnosticCode(
        "MESH0004", .error, "DuplicateKey", "A mapping defines the same key twice.")
    public static let unsupportedKind = DiagnosticCode(
        "MESH0005", .warning, "UnsupportedKind", "A document of a kind or API group meshctl does not model; it is skipped.")
    public static let emptyInput = DiagnosticCode(
        "MESH0006", .info, "NothingToCheck", "A file holds no documents.")
    public static let notAResource = DiagnosticCode(
        "MESH0007", .error, "NotAResource", "A document lacks apiVersion, kind or metadata.name, or is not a mapping.")
    public static let duplicateResource = DiagnosticCode(
        "MESH0008", .warning, "DuplicateResource", "Two documents define the same kind, namespace and name; the later one wins.")
    public static let invalidMeshConfig = DiagnosticCode(
        "MESH0009", .error, "InvalidMeshConfig", "The --mesh-config file is not a valid Istio MeshConfig.")
    public static let subsetWithoutEndpoints = DiagnosticCode(
        "MESH0101", .warning, "WeightedSubsetWithoutEndpoints",
        "A weighted destination's subset has no endpoints; its share of traffic will fail with 503.")
    public static let retriesExceedTimeout = DiagnosticCode(
        "MESH0102", .warning, "RetriesExceedTimeout",
        "attempts × perTryTimeout is longer than the route timeout, so the last tries never happen.")
    public static let mirrorToRouteDestination = DiagnosticCode(
        "MESH0103", .warning, "MirrorToSameDestination", "A route mirrors traffic to the destination it already routes to.")
    public static let fullAbortOnCatchAll = DiagnosticCode(
        "MESH0104", .warning, "FullAbortOnCatchAll", "A catch-all rule aborts 100% of requests: every request to the host fails.")
    public static let gatewayCredentialKeyMismatch = DiagnosticCode(
        "MESH0106", .error, "GatewayCredentialKeyMismatch",
        "A Gateway's credential Secret holds a valid certificate but a private key that is not PEM or does not match it.")
    public static let overlappingDestinationRules = DiagnosticCode(
        "MESH0105", .warning, "OverlappingDestinationRules",
        "Several DestinationRules apply to one host; Istio uses only the oldest.")

    public static let policyNeverMatches = DiagnosticCode(
        "MESH0107", .warning, "PolicyNeverMatches",
        "An authorization rule or a value in it can never match: a peer identity where mutual TLS is off, a JWT where no RequestAuthentication applies, or a value written so that no request carries it."
    )
    public static let notEnforced = DiagnosticCode(
        "MESH0108", .warning, "NotEnforcedByMeshctl",
        "meshctl does not enforce this: a CUSTOM authorization, a policy attached by targetRef, an EnvoyFilter patch other than the local rate limit, or a JWKS it would have to fetch."
    )
    public static let ignoredSetting = DiagnosticCode(
        "MESH0109", .warning, "IgnoredSecuritySetting",
        "Istio ignores this security setting: a PeerAuthentication that another of the same scope overrides, a selector in the root namespace, or jwksUri beside jwks."
    )
    public static let meshctlOnly = DiagnosticCode(
        "MESH0110", .info, "MeshctlOnlyForm",
        "A form meshctl accepts and Istio does not (a jwksUri with file://); the file needs a change before it moves to Istio.")

    /// Every code, in code order.
    public static let all: [DiagnosticCode] = [
        .deprecated, .referencedResourceNotFound, .schemaError, .conflictingMeshGatewayVirtualServiceHosts,
        .virtualServiceDestinationPortSelectorRequired, .noMatchingWorkloadsFound,
        .noServerCertificateVerificationDestinationLevel,
        .noServerCertificateVerificationPortLevel, .virtualServiceUnreachableRule, .virtualServiceIneffectiveMatch,
        .virtualServiceHostNotFoundInGateway, .schemaWarning, .serviceEntryAddressesRequired, .gatewayDuplicateCertificate,
        .ingressRouteRulesNotAffected, .conflictingGateways, .jwtClaimBasedRoutingWithoutRequestAuthN,
        .invalidGatewayCredential, .gatewayPortNotDefinedOnService, .referencedInternalGateway,
        .destinationRuleSubsetNotSelectPods, .unknownDestinationRuleHost, .conflictingServiceEntryProtocol, .unreadableFile,
        .yamlSyntax, .yamlLimit, .duplicateKey, .unsupportedKind,
        .emptyInput, .notAResource, .duplicateResource, .invalidMeshConfig, .subsetWithoutEndpoints,
        .retriesExceedTimeout, .mirrorToRouteDestination, .fullAbortOnCatchAll, .overlappingDestinationRules,
        .gatewayCredentialKeyMismatch, .policyNeverMatches, .notEnforced, .ignoredSetting, .meshctlOnly,
        .rolloutRouteMismatch, .rolloutSubsetWithoutEndpoints, .rolloutSubsetWithoutVersion, .rolloutFieldNotApplied,
    ]
}
