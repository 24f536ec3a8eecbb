import ArgumentParser
import EnvoyConfig
import Foundation
import MeshModel
import MeshRouting
import MeshYAML

extension Meshctl {
    struct ProxyConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "proxy-config",
            abstract: "Show the Envoy configuration rules produce, or that a proxy runs.",
            discussion: """
                Reads the configuration from rule files (-f, rendered offline), from an Envoy \
                config dump (--file, e.g. from a real Envoy's /config_dump or meshctl's own), or \
                from a running proxy's admin API (--admin). Tables follow istioctl's columns; -o json \
                and -o yaml print Envoy's own v3 resources.

                Examples:
                  meshctl proxy-config routes -f samples/tutorial/
                  meshctl proxy-config clusters -f samples/tutorial/ -o json
                  meshctl proxy-config all -f samples/tutorial/ -o yaml
                  meshctl proxy-config routes --file envoy_config_dump.json
                """,
            subcommands: [Routes.self, Clusters.self, Listeners.self, Endpoints.self, All.self])
    }
}

enum ProxyConfigFormat: String, ExpressibleByArgument, CaseIterable {
    case short, json, yaml
}

/// Where the configuration comes from: rule files, a dump file, or a running proxy.
struct ProxyConfigSource: ParsableArguments {
    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: ArgumentHelp("Rule files or directories to render (repeatable; - for stdin).", valueName: "path"),
        completion: .file(extensions: ["yaml", "yml", "json"]))
    var paths: [String] = []

    @Option(
        name: .customLong("file"), help: ArgumentHelp("An Envoy config dump (JSON) to read.", valueName: "dump"),
        completion: .file(extensions: ["json"]))
    var dumpFile: String?

    @Option(help: ArgumentHelp("A running proxy's admin address, HOST:PORT (reads /config_dump).", valueName: "host:port"))
    var admin: String?

    @Option(help: ArgumentHelp("The listener address to render rules for (the proxy's default).", valueName: "host:port"))
    var listen = "127.0.0.1:15001"

    @OptionGroup var meshConfig: MeshConfigOption

    @Option(name: [.short, .long], help: "Output format: short (a table), json or yaml.")
    var output: ProxyConfigFormat = .short

    func validate() throws {
        let given = [!paths.isEmpty, dumpFile != nil, admin != nil].filter { $0 }.count
        if given == 0 {
            throw ValidationError("give rule files (-f PATH), a config dump (--file DUMP.json) or a proxy (--admin HOST:PORT)")
        }
        if given > 1 { throw ValidationError("-f, --file and --admin are alternatives: give one") }
        _ = try Self.hostPort(listen, option: "--listen")
        if let admin { _ = try Self.hostPort(admin, option: "--admin") }
    }

    static func hostPort(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
            colon > text.startIndex
        else {
            throw ValidationError("\(option) '\(text)' is not HOST:PORT")
        }
        return (String(text[..<colon]), port)
    }

    /// The config dump, from whichever source was given.
    func load() throws -> ConfigDump {
        if let dumpFile {
            let data: [UInt8]
            switch InputFile.read(dumpFile) {
            case .success(let bytes): data = bytes
            case .failure(let problem):
                Output.error("error: cannot read config dump `\(dumpFile)`: \(problem.reason)")
                throw ExitCode(1)
            }
            return try report { () throws(ConfigDump.ReadError) in try ConfigDump.parse(data, path: dumpFile) }
        }
        if let admin {
            let (host, port) = try Self.hostPort(admin, option: "--admin")
            let url = "http://\(admin)/config_dump"
            let response: (status: Int, body: [UInt8])
            do {
                response = try AdminClient.get(host: host, port: port, path: "/config_dump")
            } catch {
                Output.error("error: cannot reach \(url): \(error.description)")
                throw ExitCode(1)
            }
            guard response.status == 200 else {
                Output.error("error: \(url) answered HTTP \(response.status)")
                throw ExitCode(1)
            }
            return try report { () throws(ConfigDump.ReadError) in try ConfigDump.parse(response.body, path: url) }
        }
        let rules = try loadValidRules(paths)
        let mesh = try meshConfig.load()
        let table = RouteTable(resources: rules.resources, mesh: mesh)
        let renderer = ConfigDumpRenderer(table: table, listen: try Self.hostPort(listen, option: "--listen"))
        return try ConfigDump(renderer.render())
    }

    func report(_ body: () throws(ConfigDump.ReadError) -> ConfigDump) throws -> ConfigDump {
        do {
            let dump = try body()
            for note in dump.notes { Output.error("note: \(note)") }
            return dump
        } catch {
            Output.error("error: \(error.description)")
            throw ExitCode(1)
        }
    }

    func print(_ resources: [JSONValue], table: [[String]]) {
        switch output {
        case .short: Output.print(ConfigTables.format(table))
        case .json: Output.print(JSONValue.array(resources).json())
        case .yaml: Output.print(JSONValue.array(resources).yaml())
        }
    }
}

struct TableFilters: ParsableArguments {
    @Option(help: "Only clusters whose service FQDN contains this.") var fqdn: String?
    @Option(help: "Only this port.") var port: Int?
    @Option(help: "Only this subset.") var subset: String?
    @Option(help: "Only this direction (outbound).") var direction: String?

    var filter: ConfigTables.Filter {
        var f = ConfigTables.Filter()
        (f.fqdn, f.port, f.subset, f.direction) = (fqdn, port, subset, direction)
        return f
    }
}

extension Meshctl.ProxyConfig {
    struct Routes: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Route configurations: virtual hosts and routes.")
        @OptionGroup var source: ProxyConfigSource
        @Option(help: "Only the route configuration with this name (e.g. 15001).") var name: String?

        func run() throws {
            let dump = try source.load()
            var filter = ConfigTables.Filter()
            filter.name = name
            let configs = dump.routeConfigs.filter { name == nil || $0["name"]?.string == name }
            source.print(configs, table: ConfigTables.routes(dump, filter))
        }
    }

    struct Clusters: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Clusters: one per service port and subset.")
        @OptionGroup var source: ProxyConfigSource
        @OptionGroup var filters: TableFilters

        func run() throws {
            let dump = try source.load()
            let clusters = dump.clusters.filter { ConfigTables.clusterRow($0, filters.filter) != nil }
            source.print(clusters, table: ConfigTables.clusters(dump, filters.filter))
        }
    }

    struct Listeners: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Listeners and where their traffic goes.")
        @OptionGroup var source: ProxyConfigSource
        @Option(help: "Only listeners on this address.") var address: String?
        @Option(help: "Only listeners on this port.") var port: Int?

        func run() throws {
            let dump = try source.load()
            var filter = ConfigTables.Filter()
            (filter.address, filter.port) = (address, port)
            let listeners = dump.listeners.filter { l in
                let socket = l["address"]?["socket_address"]
                return (address == nil || socket?["address"]?.string == address)
                    && (port == nil || socket?["port_value"]?.int == Int64(port!))
            }
            source.print(listeners, table: ConfigTables.listeners(dump, filter))
        }
    }

    struct Endpoints: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Endpoints of each cluster, with health and outlier status.")
        @OptionGroup var source: ProxyConfigSource
        @Option(help: "Only endpoints of clusters whose name contains this.") var cluster: String?

        func run() throws {
            let dump = try source.load()
            var filter = ConfigTables.Filter()
            filter.cluster = cluster
            var assignments: [JSONValue] = dump.clusters.compactMap { $0["load_assignment"] }
            assignments += dump.endpointConfigs
            assignments = assignments.filter { a in cluster == nil || (a["cluster_name"]?.string ?? "").contains(cluster!) }
            source.print(assignments, table: ConfigTables.endpoints(dump, filter))
        }
    }

    struct All: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Everything: with -o json or yaml, the whole /config_dump document.")
        @OptionGroup var source: ProxyConfigSource

        func run() throws {
            let dump = try source.load()
            switch source.output {
            case .json: Output.print(dump.document.json())
            case .yaml: Output.print(dump.document.yaml())
            case .short:
                Output.print(
                    [
                        ConfigTables.format(ConfigTables.clusters(dump)), ConfigTables.format(ConfigTables.listeners(dump)),
                        ConfigTables.format(ConfigTables.routes(dump)), ConfigTables.format(ConfigTables.endpoints(dump)),
                    ].joined(separator: "\n\n"))
            }
        }
    }
}
