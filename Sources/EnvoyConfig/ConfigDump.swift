import MeshYAML

/// An Envoy `/config_dump`, from meshctl's renderer, a file or a running proxy, read as istioctl
/// reads it: either protobuf JSON spelling (snake_case or lowerCamelCase), the last section of
/// each type, dynamic resources before static ones, and warming resources left out.
public struct ConfigDump: Sendable {
    /// The document as given (Envoy's own format when it came from Envoy or meshctl).
    public var document: JSONValue
    /// Each section by its type URL, with snake_case field names.
    public var sections: [String: JSONValue] = [:]
    /// Things skipped while reading, for the user.
    public var notes: [String] = []

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public init(_ document: JSONValue) throws(ReadError) {
        self.document = document
        guard case .object = document, let configs = (document["configs"] ?? document["Configs"])?.array else {
            throw ReadError(
                description: "not an Envoy config dump: expected a JSON object with a \"configs\" list (as /config_dump returns)")
        }
        for (i, config) in configs.enumerated() {
            guard let type = config["@type"]?.string else {
                notes.append("configs[\(i)] has no @type; skipped")
                continue
            }
            if EnvoySchema.shared.message(type) == nil {
                notes.append("skipped config of unknown type \(type)")
                continue
            }
            sections[type] = ProtoJSON.snakeCase(config, type: type)
        }
    }

    /// Parses dump text (JSON; YAML is accepted too). Errors name the position.
    public static func parse(_ bytes: [UInt8], path: String) throws(ReadError) -> ConfigDump {
        try ConfigDump(document(bytes, path: path))
    }

    /// The JSON (or YAML) document in `bytes`.
    public static func document(_ bytes: [UInt8], path: String) throws(ReadError) -> JSONValue {
        let file: YAMLFile
        do {
            file = try YAMLLoader.load(bytes, path: path, limits: YAMLLimits(maxAliasExpansion: 0, maxDepth: 512))
        } catch {
            throw ReadError(description: "\(path):\(error.mark.line):\(error.mark.column): not valid JSON: \(error.message)")
        }
        guard let root = file.documents.first else {
            throw ReadError(description: "\(path) is empty: expected an Envoy config dump")
        }
        return file.jsonValue(root)
    }

    // MARK: Sections

    /// istioctl's words when a dump lacks a section.
    public func section(_ type: String) throws(ReadError) -> JSONValue {
        guard let section = sections[type] else {
            throw ReadError(description: "config dump has no configuration type \(type)")
        }
        return section
    }

    /// Dynamic active clusters, then static ones (istioctl's order; warming ones left out).
    public func clusters() throws(ReadError) -> [JSONValue] {
        let dump = try section(TypeURL.clustersDump)
        return entries(dump, "dynamic_active_clusters", "cluster") + entries(dump, "static_clusters", "cluster")
    }

    public func listeners() throws(ReadError) -> [JSONValue] {
        let dump: JSONValue
        do { dump = try section(TypeURL.listenersDump) } catch { throw ReadError(description: "listener dump: \(error)") }
        let dynamic = (dump["dynamic_listeners"]?.array ?? []).compactMap { $0["active_state"]?["listener"] }
        return dynamic + entries(dump, "static_listeners", "listener")
    }

    public func routeConfigs() throws(ReadError) -> [JSONValue] {
        let dump = try section(TypeURL.routesDump)
        return entries(dump, "dynamic_route_configs", "route_config") + entries(dump, "static_route_configs", "route_config")
    }

    public func endpointConfigs() throws(ReadError) -> [JSONValue] {
        let dump = try section(TypeURL.endpointsDump)
        return entries(dump, "dynamic_endpoint_configs", "endpoint_config")
            + entries(dump, "static_endpoint_configs", "endpoint_config")
    }

    func entries(_ dump: JSONValue, _ list: String, _ key: String) -> [JSONValue] {
        (dump[list]?.array ?? []).compactMap { $0[key] }
    }

    /// A rendered dump has no EDS section (Envoy adds one only for `?include_eds`): this one is
    /// what Envoy would list there.
    public mutating func addEndpointsFromClusters() {
        guard sections[TypeURL.endpointsDump] == nil, let clusters = try? clusters() else { return }
        sections[TypeURL.endpointsDump] = Self.endpointsSection(clusters: clusters)
    }

    /// The EDS section (`EndpointsConfigDump`) for rendered clusters: every cluster's own load
    /// assignment, each host HEALTHY (a rendered host is; Envoy reports health there).
    public static func endpointsSection(clusters: [JSONValue]) -> JSONValue {
        let assignments: [JSONValue] = clusters.compactMap { cluster in
            guard case .object(var fields) = cluster["load_assignment"] else { return nil }
            fields.insert(("@type", .string(TypeURL.clusterLoadAssignment)), at: 0)
            for (i, field) in fields.enumerated() where field.0 == "endpoints" {
                fields[i].1 = .array(
                    (field.1.array ?? []).map { locality in
                        guard case .object(var l) = locality else { return locality }
                        for (j, entry) in l.enumerated() where entry.0 == "lb_endpoints" {
                            l[j].1 = .array(
                                (entry.1.array ?? []).map { lb in
                                    guard case .object(var e) = lb, lb["health_status"] == nil else { return lb }
                                    e.insert(("health_status", "HEALTHY"), at: min(1, e.count))
                                    return .object(e)
                                })
                        }
                        return .object(l)
                    })
            }
            return ["endpoint_config": .object(fields)]
        }
        return ["@type": .string(TypeURL.endpointsDump), "static_endpoint_configs": .array(assignments)]
    }
}

extension JSONValue {
    /// The value without its `@type`: an Any's message as istioctl holds it once unpacked.
    public var unpacked: JSONValue {
        guard case .object(let fields) = self else { return self }
        return .object(fields.filter { $0.0 != "@type" })
    }
}
