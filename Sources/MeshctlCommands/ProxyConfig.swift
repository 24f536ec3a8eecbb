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
                  meshctl proxy-config endpoints --admin 127.0.0.1:15000
                  meshctl proxy-config log --admin 127.0.0.1:15000 --level debug
                """,
            subcommands: [
                Clusters.self, Listeners.self, Routes.self, Endpoints.self, EDS.self, Bootstrap.self, Secrets.self,
                ECDS.self, All.self, Log.self,
            ],
            aliases: ["pc"])
    }
}

enum ProxyConfigFormat: String, ExpressibleByArgument, CaseIterable {
    case short, json, yaml
}

/// Where the configuration comes from: rule files, a dump file, or running proxies.
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

    @Option(help: ArgumentHelp("A running proxy's admin address, HOST:PORT (repeatable).", valueName: "host:port"))
    var admin: [String] = []

    @OptionGroup var deadline: AdminDeadline

    @Option(help: ArgumentHelp("The listener address to render rules for (the proxy's default).", valueName: "host:port"))
    var listen = "127.0.0.1:15001"

    @OptionGroup var meshConfig: MeshConfigOption

    /// The largest dump read, from a file or a proxy (the one HTTP client's cap).
    static let maxDumpBytes = 100 << 20

    /// The proxy to render rules for (a sidecar's namespace and labels, or a gateway).
    @OptionGroup var proxy: ProxySelection

    func validate() throws {
        let given = [!paths.isEmpty, dumpFile != nil, !admin.isEmpty].filter { $0 }.count
        if given == 0 {
            throw ValidationError("give rule files (-f PATH), a config dump (--file DUMP.json) or a proxy (--admin HOST:PORT)")
        }
        if given > 1 { throw ValidationError("-f, --file and --admin are alternatives: give one") }
        _ = try HostPort.parse(listen, option: "--listen")
        for address in admin { _ = try AdminAddress(address) }
        try deadline.validate()
    }

    /// What was read: a dump (with its bytes when it came from a file or a proxy), or Envoy's
    /// `/clusters` document.
    enum Loaded {
        case dump(ConfigDump, raw: [UInt8]?)
        case clusters(ClusterStatuses)
    }

    /// The configuration, from whichever source was given (`address`: one of several
    /// `--admin`). `adminPath` is the admin endpoint the command reads (istioctl's).
    func load(adminPath: String = "/config_dump", admin address: AdminAddress? = nil) throws -> Loaded {
        if let dumpFile { return try read(path: dumpFile) }
        if paths.count == 1, paths[0] != "-", let loaded = try readIfDump(path: paths[0]) { return loaded }
        if let address = try address ?? admin.first.map({ try AdminAddress($0) }) {
            let client = AdminClient(address: address, deadline: deadline)
            let what = adminPath.hasPrefix("/clusters") ? "clusters" : "config dump"
            switch client.fetch(adminPath, what: what) {
            case .success(let response):
                return try parse(response.body, path: "http://\(address)\(adminPath)") {
                    client.notAdmin("GET", adminPath, response, what: what).description
                }
            case .failure(let failure): fail(failure.description)
            }
        }
        let rules = try loadValidRules(paths)
        let mesh = try meshConfig.load()
        let table = RouteTable(
            resources: rules.resources, mesh: mesh, identity: try proxy.identity(in: rules.resources),
            compatibility: proxy.compatibility.version)
        let renderer = ConfigDumpRenderer(table: table, listen: try HostPort.parse(listen, option: "--listen"))
        var dump = try ConfigDump(renderer.render())
        dump.addEndpointsFromClusters()
        return .dump(dump, raw: nil)
    }

    func read(path: String) throws -> Loaded {
        try refuseLarge(path)
        switch InputFile.read(path) {
        case .success(let bytes): return try parse(bytes, path: path)
        case .failure(let problem): fail("cannot read config dump `\(path)`: \(problem.reason)")
        }
    }

    /// A dump over 100 MiB is refused with its size, before it is read.
    func refuseLarge(_ path: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size > Self.maxDumpBytes {
            fail(
                "config dump `\(path)` is \(size) bytes (\(size >> 20) MiB); dumps over \(Self.maxDumpBytes >> 20) MiB are refused"
            )
        }
    }

    /// A `-f` file that is a config dump (a document with `configs`) rather than rules.
    func readIfDump(path: String) throws -> Loaded? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        try refuseLarge(path)
        guard let data = FileManager.default.contents(atPath: path),
            let document = try? ConfigDump.document(Array(data), path: path),
            document["configs"] != nil || ClusterStatuses.isClusters(document)
        else { return nil }
        return try parse(Array(data), path: path)
    }

    /// A dump or `/clusters` document; `notDump` words the error when the bytes are neither
    /// (a proxy's port that answers something else).
    func parse(_ bytes: [UInt8], path: String, notDump: (() -> String)? = nil) throws -> Loaded {
        do {
            let document = try ConfigDump.document(bytes, path: path)
            if ClusterStatuses.isClusters(document) { return .clusters(ClusterStatuses(document)) }
            if let notDump, document["configs"] == nil { fail(notDump()) }
            let dump = try ConfigDump(document)
            for note in dump.notes { Output.error("note: \(note)") }
            return .dump(dump, raw: bytes)
        } catch {
            fail(notDump?() ?? error.description)
        }
    }

    /// The config dump; a `/clusters` document is refused.
    func dump(_ loaded: Loaded) -> ConfigDump {
        switch loaded {
        case .dump(let dump, _): return dump
        case .clusters:
            fail("this is Envoy's /clusters output, not a config dump: only `proxy-config endpoints` reads it")
        }
    }

    /// Renders the configuration: once, or with several --admin once per proxy, each table
    /// after a `HOST:PORT:` line and each JSON or YAML document under its proxy's address.
    func emit(adminPath: String = "/config_dump", format: ProxyConfigFormat, _ render: (Loaded) -> Rendered) throws {
        let addresses = try admin.map { try AdminAddress($0) }
        guard addresses.count > 1 else {
            switch render(try load(adminPath: adminPath)) {
            case .text(let text): write(text)
            case .document(_, let printed): write(printed)
            }
            return
        }
        var documents: [(String, JSONValue)] = []
        for (i, address) in addresses.enumerated() {
            switch render(try load(adminPath: adminPath, admin: address)) {
            case .text(let text): write((i > 0 ? "\n" : "") + "\(address):\n" + text)
            case .document(let document, _): documents.append((address.text, document))
            }
        }
        if !documents.isEmpty {
            write(format == .yaml ? GoYAML.document(.object(documents)) + "\n" : GoJSON.indented(.object(documents)) + "\n")
        }
    }
}

/// One source's output: a table, or a document with the text it prints as on its own.
enum Rendered {
    case text(String)
    case document(JSONValue, printed: String)
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
    func resources(_ resources: [JSONValue], type: String) -> Rendered {
        document(.array(resources.map { ProtoJSON.goOrder($0.unpacked, type: type) }))
    }

    func document(_ document: JSONValue) -> Rendered {
        switch output {
        case .yaml: .document(document, printed: GoYAML.document(document) + "\n")
        default: .document(document, printed: GoJSON.indented(document) + "\n")
        }
    }
}

/// Writes `text` to standard output as it is (see `Output.write`).
func write(_ text: String) {
    Output.write(text)
}

/// Runs a table writer, turning istioctl's errors (a missing section) into exit 1.
func table<T>(_ body: () throws(ConfigDump.ReadError) -> T) -> T {
    do {
        return try body()
    } catch {
        fail(error.description)
    }
}
