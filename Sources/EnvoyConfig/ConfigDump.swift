import MeshYAML

/// The resources of an Envoy `/config_dump`, from meshctl's renderer or from a real Envoy.
///
/// Reading is lenient where Envoy is rich: fields meshctl never produces are kept as they are,
/// and config sections of types it does not know are skipped with a note.
public struct ConfigDump: Sendable {
    public var bootstrap: JSONValue?
    public var clusters: [JSONValue] = []
    public var listeners: [JSONValue] = []
    public var routeConfigs: [JSONValue] = []
    /// ClusterLoadAssignments from an EndpointsConfigDump (`/config_dump?include_eds`).
    public var endpointConfigs: [JSONValue] = []
    /// Things skipped while reading, for the user.
    public var notes: [String] = []
    /// The document as read.
    public var document: JSONValue

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ document: JSONValue) throws(ReadError) {
        self.document = document
        guard case .object = document, let configs = document["configs"]?.array else {
            throw ReadError(
                description: "not an Envoy config dump: expected a JSON object with a \"configs\" list (as /config_dump returns)")
        }
        for (i, config) in configs.enumerated() {
            guard let type = config["@type"]?.string else {
                notes.append("configs[\(i)] has no @type; skipped")
                continue
            }
            switch type {
            case TypeURL.bootstrapDump:
                bootstrap = config["bootstrap"]
            case TypeURL.clustersDump:
                for section in ["static_clusters", "dynamic_active_clusters", "dynamic_warming_clusters"] {
                    for entry in config[section]?.array ?? [] { if let c = entry["cluster"] { clusters.append(c) } }
                }
            case TypeURL.listenersDump:
                for entry in config["static_listeners"]?.array ?? [] { if let l = entry["listener"] { listeners.append(l) } }
                for entry in config["dynamic_listeners"]?.array ?? [] {
                    if let l = entry["active_state"]?["listener"] ?? entry["warming_state"]?["listener"] { listeners.append(l) }
                }
            case TypeURL.routesDump:
                for section in ["static_route_configs", "dynamic_route_configs"] {
                    for entry in config[section]?.array ?? [] { if let r = entry["route_config"] { routeConfigs.append(r) } }
                }
            case TypeURL.endpointsDump:
                for section in ["static_endpoint_configs", "dynamic_endpoint_configs"] {
                    for entry in config[section]?.array ?? [] {
                        if let e = entry["endpoint_config"] { endpointConfigs.append(e) }
                    }
                }
            default:
                if !TypeURL.knownOtherDumps.contains(type) { notes.append("skipped config of unknown type \(type)") }
            }
        }
    }

    /// Parses dump text (JSON; YAML is accepted too). Errors name the position.
    public static func parse(_ bytes: [UInt8], path: String) throws(ReadError) -> ConfigDump {
        let file: YAMLFile
        do {
            file = try YAMLLoader.load(bytes, path: path, limits: YAMLLimits(maxAliasExpansion: 0, maxDepth: 512))
        } catch {
            throw ReadError(description: "\(path):\(error.mark.line):\(error.mark.column): not valid JSON: \(error.message)")
        }
        guard let root = file.documents.first else {
            throw ReadError(description: "\(path) is empty: expected an Envoy config dump")
        }
        do {
            return try ConfigDump(file.jsonValue(root))
        } catch {
            throw ReadError(description: "\(path): \(error.description)")
        }
    }
}
