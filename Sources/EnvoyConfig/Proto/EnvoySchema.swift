/// The layout of Envoy's v3 messages (generated from Envoy's protos by
/// scripts/generate-envoy-schema.py): each message's fields in declaration order, with their
/// kinds. It lets meshctl read either protobuf JSON spelling and print messages in the order
/// Go's protobuf JSON marshalers use.
public struct EnvoySchema: Sendable {
    public struct Field: Sendable {
        public let name: String
        public let jsonName: String
        public let kind: Kind
        public let repeated: Bool
    }

    public indirect enum Kind: Sendable, Equatable {
        case string, bool, enumeration, int32, int64, double, bytes
        case message(Int)
        case map(key: Kind, value: Kind)
    }

    public struct Message: Sendable {
        public let name: String
        public let fields: [Field]
        let byName: [String: Int]

        /// The field for a JSON key in either spelling (snake_case or lowerCamelCase).
        public func field(_ key: String) -> Field? { byName[key].map { fields[$0] } }
    }

    public let messages: [Message]
    let byName: [String: Int]

    public static let shared = EnvoySchema(source: EnvoySchema.source)

    /// The message named by a full name or an Any's type URL.
    public func message(_ nameOrTypeURL: String) -> Message? {
        let name = nameOrTypeURL.split(separator: "/").last.map(String.init) ?? nameOrTypeURL
        return byName[name].map { messages[$0] }
    }

    init(source: String) {
        var messages: [Message] = []
        var byName: [String: Int] = [:]
        for line in source.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard let name = parts.first else { continue }
            var fields: [Field] = []
            var index: [String: Int] = [:]
            for spec in parts.dropFirst() {
                let pieces = spec.split(separator: ":")
                guard pieces.count >= 2 else { continue }
                let fieldName = String(pieces[0])
                let field = Field(
                    name: fieldName, jsonName: Self.jsonName(fieldName), kind: Self.kind(pieces[1]),
                    repeated: pieces.count > 2 && pieces[2] == "r")
                index[field.name] = fields.count
                index[field.jsonName] = fields.count
                fields.append(field)
            }
            byName[String(name)] = messages.count
            messages.append(Message(name: String(name), fields: fields, byName: index))
        }
        self.messages = messages
        self.byName = byName
    }

    static func kind(_ code: Substring) -> Kind {
        switch code {
        case "s": return .string
        case "b": return .bool
        case "e": return .enumeration
        case "i": return .int32
        case "l": return .int64
        case "d": return .double
        case "y": return .bytes
        default:
            if code.hasPrefix("m"), let arrow = code.firstIndex(of: ">") {
                return .map(
                    key: kind(code[code.index(after: code.startIndex)..<arrow]), value: kind(code[code.index(after: arrow)...]))
            }
            return Int(code).map { .message($0) } ?? .string
        }
    }

    /// protoc's JSON name: underscores dropped, the letter after each one capitalized.
    public static func jsonName(_ name: String) -> String {
        var out = ""
        var upper = false
        for ch in name {
            if ch == "_" {
                upper = true
            } else {
                out += upper ? ch.uppercased() : String(ch)
                upper = false
            }
        }
        return out
    }
}
