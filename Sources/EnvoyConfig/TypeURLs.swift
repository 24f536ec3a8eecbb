/// The `@type` URLs of the Envoy v3 messages meshctl renders and reads.
public enum TypeURL {
    public static let prefix = "type.googleapis.com/"
    public static let bootstrapDump = prefix + "envoy.admin.v3.BootstrapConfigDump"
    public static let clustersDump = prefix + "envoy.admin.v3.ClustersConfigDump"
    public static let listenersDump = prefix + "envoy.admin.v3.ListenersConfigDump"
    public static let routesDump = prefix + "envoy.admin.v3.RoutesConfigDump"
    public static let endpointsDump = prefix + "envoy.admin.v3.EndpointsConfigDump"
    public static let secretsDump = prefix + "envoy.admin.v3.SecretsConfigDump"
    public static let ecdsDump = prefix + "envoy.admin.v3.EcdsConfigDump"
    public static let cluster = prefix + "envoy.config.cluster.v3.Cluster"
    public static let listener = prefix + "envoy.config.listener.v3.Listener"
    public static let routeConfiguration = prefix + "envoy.config.route.v3.RouteConfiguration"
    public static let clusterLoadAssignment = prefix + "envoy.config.endpoint.v3.ClusterLoadAssignment"
    public static let httpConnectionManager =
        prefix + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
    public static let router = prefix + "envoy.extensions.filters.http.router.v3.Router"
    public static let fault = prefix + "envoy.extensions.filters.http.fault.v3.HTTPFault"
    public static let httpProtocolOptions = prefix + "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
    public static let previousHosts = prefix + "envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"
    public static let fileAccessLog = prefix + "envoy.extensions.access_loggers.file.v3.FileAccessLog"

}
