import ArgumentParser
import EnvoyConfig
import MeshYAML

/// istioctl's `proxy-config` subcommands, with its names, aliases and filters.
extension Meshctl.ProxyConfig {
    struct Clusters: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cluster", abstract: "Clusters: one per service port and subset.",
            discussion:
                "Examples:\n  meshctl proxy-config cluster -f samples/tutorial/\n  meshctl proxy-config clusters --admin 127.0.0.1:15000 --fqdn recommendation.default.svc.cluster.local",
            aliases: ["clusters", "c"])
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var format: OutputOption
        @OptionGroup var filters: ClusterFilters

        func run() throws {
            try source.emit(format: format.output) { loaded in
                let dump = source.dump(loaded)
                switch format.output {
                case .short:
                    return .text(
                        table { () throws(ConfigDump.ReadError) in try ConfigTables.clusterSummary(dump, filters.filter) })
                default:
                    return format.resources(
                        table { () throws(ConfigDump.ReadError) in try ConfigTables.clusters(dump, filters.filter) },
                        type: "envoy.config.cluster.v3.Cluster")
                }
            }
        }
    }

    struct Listeners: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "listener", abstract: "Listeners and where their traffic goes.",
            discussion:
                "Examples:\n  meshctl proxy-config listener -f samples/tutorial/\n  meshctl proxy-config listeners --admin 127.0.0.1:15000 -o jso",
            aliases: ["listeners", "l"])
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var format: OutputOption
        @OptionGroup var filters: ListenerFilters

        func run() throws {
            try source.emit(format: format.output) { loaded in
                let dump = source.dump(loaded)
                switch format.output {
                case .short:
                    return .text(
                        table { () throws(ConfigDump.ReadError) in try ConfigTables.listenerSummary(dump, filters.filter) })
                default:
                    return format.resources(
                        table { () throws(ConfigDump.ReadError) in try ConfigTables.listeners(dump, filters.filter) },
                        type: "envoy.config.listener.v3.Listener")
                }
            }
        }
    }

    struct Routes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "route", abstract: "Route configurations: virtual hosts and routes.",
            discussion:
                "Examples:\n  meshctl proxy-config route -f samples/tutorial/\n  meshctl proxy-config routes --admin 127.0.0.1:15000 --name 8080",
            aliases: ["routes", "r"])
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var format: OutputOption
        @OptionGroup var filters: RouteFilters

        func run() throws {
            try source.emit(format: format.output) { loaded in
                let dump = source.dump(loaded)
                switch format.output {
                case .short:
                    return .text(table { () throws(ConfigDump.ReadError) in try ConfigTables.routeSummary(dump, filters.filter) })
                default:
                    return format.resources(
                        table { () throws(ConfigDump.ReadError) in try ConfigTables.routes(dump, filters.filter) },
                        type: "envoy.config.route.v3.RouteConfiguration")
                }
            }
        }
    }

    struct Endpoints: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "endpoint",
            abstract: "Endpoints of each cluster with health and outlier status, as Envoy's /clusters lists them.",
            discussion: """
                From --admin, the live STATUS (HEALTHY, UNHEALTHY, ...) and OUTLIER CHECK (OK, or FAILED \
                while outlier detection has ejected the host) of every host. --file takes Envoy's \
                /clusters?format=json or a config dump.

                Examples:
                  meshctl proxy-config endpoints --admin 127.0.0.1:15000
                  meshctl proxy-config endpoint -f samples/tutorial/ --port 19101
                """, aliases: ["endpoints", "ep"])
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var format: OutputOption
        @OptionGroup var filters: EndpointFilters

        func run() throws {
            try source.emit(adminPath: "/clusters?format=json", format: format.output) { loaded in
                let statuses: ClusterStatuses
                switch loaded {
                case .clusters(let document): statuses = document
                case .dump(let dump, _): statuses = ClusterStatuses(dump: dump)
                }
                switch format.output {
                case .short: return .text(ConfigTables.hostEndpointSummary(statuses, filters.filter))
                default: return format.resources(statuses.clusters(filters.filter), type: "envoy.admin.v3.ClusterStatus")
                }
            }
        }
    }

    struct EDS: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eds", abstract: "Endpoints from the config dump's EDS section, with locality.",
            discussion: "Examples:\n  meshctl proxy-config eds -f samples/tutorial/")
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var format: OutputOption
        @OptionGroup var filters: EndpointFilters

        func run() throws {
            try source.emit(adminPath: "/config_dump?include_eds", format: format.output) { loaded in
                let dump = source.dump(loaded)
                switch format.output {
                case .short:
                    return .text(table { () throws(ConfigDump.ReadError) in try ConfigTables.edsSummary(dump, filters.filter) })
                default:
                    return format.resources(
                        table { () throws(ConfigDump.ReadError) in try ConfigTables.edsAssignments(dump, filters.filter) },
                        type: "envoy.config.endpoint.v3.ClusterLoadAssignment")
                }
            }
        }
    }

    struct Bootstrap: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bootstrap", abstract: "The bootstrap configuration (-o short: Istio and Envoy versions).",
            discussion: "Examples:\n  meshctl proxy-config bootstrap -f samples/tutorial/ -o short",
            aliases: ["b"])
        @OptionGroup var source: ProxyConfigSource
        @Option(name: [.short, .long], help: "Output format: json (the default), yaml or short.")
        var output: ProxyConfigFormat = .json

        func run() throws {
            try source.emit(format: output) { loaded in
                let dump = source.dump(loaded)
                if output == .short {
                    return .text(table { () throws(ConfigDump.ReadError) in try ConfigTables.bootstrapSummary(dump) })
                }
                let section = table { () throws(ConfigDump.ReadError) in try dump.section(TypeURL.bootstrapDump) }
                return printedSection(section, type: "envoy.admin.v3.BootstrapConfigDump", output: output)
            }
        }
    }

    struct Secrets: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "secret", abstract: "Secrets (certificates) with their validity and serial numbers.",
            discussion: "Examples:\n  meshctl proxy-config secret --file config_dump.jso",
            aliases: ["secrets", "s"])
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var format: OutputOption

        func run() throws {
            try source.emit(format: format.output) { loaded in
                let dump = source.dump(loaded)
                if format.output == .short {
                    return .text(table { () throws(ConfigDump.ReadError) in try ConfigTables.secretSummary(dump) })
                }
                let section = table { () throws(ConfigDump.ReadError) in try dump.section(TypeURL.secretsDump) }
                return printedSection(section, type: "envoy.admin.v3.SecretsConfigDump", output: format.output)
            }
        }
    }

    struct ECDS: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ecds", abstract: "Extension configurations delivered by ECDS.",
            discussion: "Examples:\n  meshctl proxy-config ecds --file config_dump.jso", aliases: ["ec"])
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var format: OutputOption

        func run() throws {
            try source.emit(adminPath: "/config_dump?include_eds", format: format.output) { loaded in
                let dump = source.dump(loaded)
                if format.output == .short {
                    return .text(table { () throws(ConfigDump.ReadError) in try ConfigTables.ecdsSummary(dump) })
                }
                let section = table { () throws(ConfigDump.ReadError) in try dump.section(TypeURL.ecdsDump) }
                return format.document(ProtoJSON.goOrder(section.unpacked, type: "envoy.admin.v3.EcdsConfigDump"))
            }
        }
    }

    struct All: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "all",
            abstract: "Everything: with -o json or yaml, the whole /config_dump document.", aliases: ["a"])
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var format: OutputOption
        @OptionGroup var clusterFilters: ClusterFilters
        @Option(help: "Filter listeners by address field.") var address = ""
        @Option(help: "Filter listeners by type field.") var type = ""
        @Option(help: "Filter routes by route name field.") var name = ""
        @Flag(inversion: .prefixedNo, help: "Output more information (--no-verbose: istioctl's --verbose=false).")
        var verbose = true

        func run() throws {
            try source.emit(adminPath: "/config_dump?include_eds", format: format.output) { loaded in
                guard case .dump(let dump, let raw) = loaded else {
                    fail("this is Envoy's /clusters output, not a config dump: only `proxy-config endpoints` reads it")
                }
                switch format.output {
                case .json:
                    // As istioctl: the dump as read; rendered rules as Envoy's own /config_dump.
                    return .document(
                        dump.document, printed: (raw.map { String(decoding: $0, as: UTF8.self) } ?? dump.document.json()) + "\n")
                case .yaml:
                    return .document(dump.document, printed: GoYAML.document(dump.document) + "\n")
                case .short:
                    return .text(summary(dump))
                }
            }
        }

        func summary(_ dump: ConfigDump) -> String {
            var listenerFilter = ConfigTables.ListenerFilter()
            (listenerFilter.address, listenerFilter.port, listenerFilter.type) = (address, clusterFilters.port, type)
            listenerFilter.verbose = verbose
            var routeFilter = ConfigTables.RouteFilter()
            (routeFilter.name, routeFilter.verbose) = (name, verbose)
            var endpointFilter = ConfigTables.EndpointFilter()
            (endpointFilter.address, endpointFilter.port) = (address, clusterFilters.port)
            let sections: [(String, () throws(ConfigDump.ReadError) -> String)] = [
                ("bootstrap", { () throws(ConfigDump.ReadError) in try ConfigTables.bootstrapSummary(dump) }),
                (
                    "cluster",
                    { () throws(ConfigDump.ReadError) in
                        try ConfigTables.clusterSummary(dump, clusterFilters.filter, named: true)
                    }
                ),
                (
                    "listener",
                    { () throws(ConfigDump.ReadError) in try ConfigTables.listenerSummary(dump, listenerFilter, named: true) }
                ),
                (
                    "route",
                    { () throws(ConfigDump.ReadError) in try ConfigTables.routeSummary(dump, routeFilter, named: true) }
                ),
                (
                    "secret",
                    { () throws(ConfigDump.ReadError) in
                        dump.sections[TypeURL.secretsDump] == nil
                            ? "No active or warming secrets found.\n" : try ConfigTables.secretSummary(dump, named: true)
                    }
                ),
                (
                    "endpoints",
                    { () throws(ConfigDump.ReadError) in try ConfigTables.edsSummary(dump, endpointFilter, named: true) }
                ),
            ]
            var out = ""
            for (i, (title, body)) in sections.enumerated() {
                out += (i > 0 ? "\n" : "") + "------ \(title) info ------\n\n" + table(body)
            }
            return out
        }
    }
}

/// A whole section (bootstrap, secrets) as istioctl prints it: Go's jsonpb with a four-space
/// indent, or that as YAML.
func printedSection(_ section: JSONValue, type: String, output: ProxyConfigFormat) -> Rendered {
    let message = ProtoJSON.goOrder(section.unpacked, type: type)
    return .document(
        message, printed: output == .yaml ? GoYAML.document(message) + "\n" : GoJSON.jsonpbIndented(message) + "\n")
}

struct ClusterFilters: ParsableArguments {
    @Option(help: "Filter clusters by substring of Service FQDN field.") var fqdn = ""
    @Option(help: "Filter clusters by Direction field (a substring, as istioctl: inbound matches inbound|...).")
    var direction = ""
    @Option(help: "Filter clusters by substring of Subset field.") var subset = ""
    @Option(help: "Filter clusters (and listeners, endpoints) by Port field.") var port = 0

    var filter: ConfigTables.ClusterFilter {
        var f = ConfigTables.ClusterFilter()
        (f.fqdn, f.direction, f.subset, f.port) = (fqdn, direction, subset, port)
        return f
    }
}

struct ListenerFilters: ParsableArguments {
    @Option(help: "Filter listeners by address field.") var address = ""
    @Option(help: "Filter listeners by type field (HTTP, TCP, HTTP+TCP, UNKNOWN).") var type = ""
    @Option(help: "Filter listeners by Port field.") var port = 0
    @Flag(inversion: .prefixedNo, help: "Output more information (--no-verbose: istioctl's --verbose=false).")
    var verbose = true

    var filter: ConfigTables.ListenerFilter {
        var f = ConfigTables.ListenerFilter()
        (f.address, f.type, f.port, f.verbose) = (address, type, port, verbose)
        return f
    }
}

struct RouteFilters: ParsableArguments {
    @Option(help: "Filter routes by route name field.") var name = ""
    @Flag(inversion: .prefixedNo, help: "Output more information (--no-verbose: istioctl's --verbose=false).")
    var verbose = true

    var filter: ConfigTables.RouteFilter {
        var f = ConfigTables.RouteFilter()
        (f.name, f.verbose) = (name, verbose)
        return f
    }
}

struct EndpointFilters: ParsableArguments {
    @Option(help: "Filter endpoints by address field.") var address = ""
    @Option(help: "Filter endpoints by Port field.") var port = 0
    @Option(help: "Filter endpoints by cluster name field.") var cluster = ""
    @Option(help: "Filter endpoints by status field.") var status = ""

    var filter: ConfigTables.EndpointFilter {
        var f = ConfigTables.EndpointFilter()
        (f.address, f.port, f.cluster, f.status) = (address, port, cluster, status)
        return f
    }
}
