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
                config dump (--file, or -f given a dump, e.g. a real Envoy's /config_dump), or from a \
                running proxy's admin API (--admin). Commands, aliases, filters, tables and -o json|yaml \
                follow istioctl's proxy-config, byte for byte for the same dump.

                Examples:
                  meshctl proxy-config routes -f samples/tutorial/
                  meshctl pc clusters -f samples/tutorial/ --direction outbound -o json
                  meshctl proxy-config all -f samples/tutorial/ -o json      # Envoy's /config_dump
                  meshctl proxy-config listeners --file envoy_config_dump.json
                """,
            subcommands: [
                Clusters.self, Listeners.self, Routes.self, Endpoints.self, EDS.self, Bootstrap.self, Secrets.self,
                ECDS.self, All.self,
            ],
            aliases: ["pc"])
    }
}

enum ProxyConfigFormat: String, ExpressibleByArgument, CaseIterable {
    case short, json, yaml
}

/// Where the configuration comes from: rule files, a dump file, or a running proxy.
struct ProxyConfigSource: ParsableArguments {
    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: ArgumentHelp(
            "Rule files or directories to render (repeatable; - for stdin), or one Envoy config dump.", valueName: "path"),
        completion: .file(extensions: ["yaml", "yml", "json"]))
    var paths: [String] = []

    @Option(
        name: .customLong("file"),
        help: ArgumentHelp("An Envoy config dump (JSON), or /clusters?format=json for endpoints.", valueName: "dump"),
        completion: .file(extensions: ["json"]))
    var dumpFile: String?

    @Option(help: ArgumentHelp("A running proxy's admin address, HOST:PORT.", valueName: "host:port"))
    var admin: String?

    @OptionGroup var deadline: AdminDeadline

    @Option(help: ArgumentHelp("The listener address to render rules for (the proxy's default).", valueName: "host:port"))
    var listen = "127.0.0.1:15001"

    @OptionGroup var meshConfig: MeshConfigOption

    /// The proxy to render rules for (a sidecar's namespace and labels, or a gateway).
    @OptionGroup var proxy: ProxySelection

    func validate() throws {
        let given = [!paths.isEmpty, dumpFile != nil, admin != nil].filter { $0 }.count
        if given == 0 {
            throw ValidationError("give rule files (-f PATH), a config dump (--file DUMP.json) or a proxy (--admin HOST:PORT)")
        }
        if given > 1 { throw ValidationError("-f, --file and --admin are alternatives: give one") }
        _ = try Self.hostPort(listen, option: "--listen")
        if let admin { _ = try Self.hostPort(admin, option: "--admin") }
        try deadline.validate()
    }

    /// `HOST:PORT`, with an IPv6 host in brackets (`[::1]:15001`); the host comes back without
    /// them, as Envoy wants an address.
    static func hostPort(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
            colon > text.startIndex
        else {
            throw ValidationError("\(option) '\(text)' is not HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw ValidationError("\(option) '\(text)' is not HOST:PORT (write an IPv6 address in brackets: [::1]:15001)")
        }
        if host.isEmpty { throw ValidationError("\(option) '\(text)' has no host") }
        return (host, port)
    }

    /// What was read: a dump (with its bytes when it came from a file or a proxy), or Envoy's
    /// `/clusters` document.
    enum Loaded {
        case dump(ConfigDump, raw: [UInt8]?)
        case clusters(ClusterStatuses)
    }

    /// The configuration, from whichever source was given. `adminPath` is the admin endpoint
    /// the command reads (istioctl's).
    func load(adminPath: String = "/config_dump") throws -> Loaded {
        if let dumpFile { return try read(path: dumpFile) }
        if paths.count == 1, paths[0] != "-", let loaded = try? readIfDump(path: paths[0]) { return loaded }
        if let admin {
            let (host, port) = try Self.hostPort(admin, option: "--admin")
            let url = "http://\(admin)\(adminPath)"
            let response = deadline.get(host: host, port: port, path: adminPath, name: admin)
            guard response.status == 200 else { fail("\(url) answered HTTP \(response.status)") }
            return try parse(response.body, path: url)
        }
        let rules = try loadValidRules(paths)
        let mesh = try meshConfig.load()
        let table = RouteTable(
            resources: rules.resources, mesh: mesh, identity: try proxy.identity(in: rules.resources),
            compatibility: proxy.compatibility.version)
        let renderer = ConfigDumpRenderer(table: table, listen: try Self.hostPort(listen, option: "--listen"))
        var dump = try ConfigDump(renderer.render())
        dump.addEndpointsFromClusters()
        return .dump(dump, raw: nil)
    }

    func read(path: String) throws -> Loaded {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            fail("cannot read config dump `\(path)`: it is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            fail("cannot read config dump `\(path)`: no such file or directory")
        }
        return try parse(Array(data), path: path)
    }

    /// A `-f` file that is a config dump (a document with `configs`) rather than rules.
    func readIfDump(path: String) throws -> Loaded? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path),
            let document = try? ConfigDump.document(Array(data), path: path),
            document["configs"] != nil || ClusterStatuses.isClusters(document)
        else { return nil }
        return try parse(Array(data), path: path)
    }

    func parse(_ bytes: [UInt8], path: String) throws -> Loaded {
        do {
            let document = try ConfigDump.document(bytes, path: path)
            if ClusterStatuses.isClusters(document) { return .clusters(ClusterStatuses(document)) }
            let dump = try ConfigDump(document)
            for note in dump.notes { Output.error("note: \(note)") }
            return .dump(dump, raw: bytes)
        } catch {
            fail(error.description)
        }
    }

    /// The config dump; a `/clusters` document is refused.
    func loadDump(adminPath: String = "/config_dump") throws -> ConfigDump {
        switch try load(adminPath: adminPath) {
        case .dump(let dump, _): return dump
        case .clusters:
            fail("this is Envoy's /clusters output, not a config dump: only `proxy-config endpoints` reads it")
        }
    }
}

/// Prints an error and ends the command with exit 1.
func fail(_ message: String) -> Never {
    Output.error("error: \(message)")
    Meshctl.ProxyConfig.exit(withError: ExitCode(1))
}

struct OutputOption: ParsableArguments {
    @Option(name: [.short, .long], help: "Output format: short (a table), json or yaml.")
    var output: ProxyConfigFormat = .short

    /// A dump section as istioctl prints it: Go's protobuf JSON of each resource, indented by
    /// four spaces, or that JSON as YAML.
    func printResources(_ resources: [JSONValue], type: String) {
        printDocument(.array(resources.map { ProtoJSON.goOrder($0.unpacked, type: type) }))
    }

    func printDocument(_ document: JSONValue) {
        switch output {
        case .yaml: write(GoYAML.document(document) + "\n")
        default: write(GoJSON.indented(document) + "\n")
        }
    }
}

/// Writes `text` to standard output as it is.
func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Runs a table writer, turning istioctl's errors (a missing section) into exit 1.
func table<T>(_ body: () throws(ConfigDump.ReadError) -> T) -> T {
    do {
        return try body()
    } catch {
        fail(error.description)
    }
}
