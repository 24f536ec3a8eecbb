import MeshYAML

/// Protobuf JSON, as Envoy prints it (snake_case, field-number order) and as Go's protobuf JSON
/// marshalers print it (lowerCamelCase, declaration order, map keys sorted, 64-bit integers as
/// strings). Messages are walked with `EnvoySchema`, so map keys and `Struct` contents, which
/// are data rather than field names, are never renamed.
public enum ProtoJSON {
    enum Spelling { case snake, go }

    /// The message with every field name in snake_case and the order as given: how a dump in
    /// either spelling is read.
    public static func snakeCase(_ value: JSONValue, type: String) -> JSONValue {
        convert(value, type: type, spelling: .snake)
    }

    /// The message as Go's protobuf JSON marshalers print it (and so istioctl).
    public static func goOrder(_ value: JSONValue, type: String) -> JSONValue {
        convert(value, type: type, spelling: .go)
    }

    static func convert(_ value: JSONValue, type: String, spelling: Spelling) -> JSONValue {
        let schema = EnvoySchema.shared
        guard let message = schema.message(type) else { return value }
        return convert(value, message: message, spelling: spelling)
    }

    static let wrappers64: Set<String> = ["google.protobuf.Int64Value", "google.protobuf.UInt64Value"]
    static let wrappers32: Set<String> = ["google.protobuf.Int32Value", "google.protobuf.UInt32Value"]
    static let wrappersDouble: Set<String> = ["google.protobuf.DoubleValue", "google.protobuf.FloatValue"]
    static let opaque: Set<String> = [
        "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
    ]
    static let scalarMessages: Set<String> = [
        "google.protobuf.Duration", "google.protobuf.Timestamp", "google.protobuf.FieldMask",
        "google.protobuf.StringValue", "google.protobuf.BoolValue", "google.protobuf.BytesValue",
    ]

    static func convert(_ value: JSONValue, message: EnvoySchema.Message, spelling: Spelling) -> JSONValue {
        let name = message.name
        if opaque.contains(name) { return spelling == .go ? sortedKeys(value) : value }
        if wrappers64.contains(name) { return spelling == .go ? int64(value) : value }
        if wrappers32.contains(name) { return spelling == .go ? int32(value) : value }
        if wrappersDouble.contains(name) || scalarMessages.contains(name) { return value }
        if name == "google.protobuf.Any" { return any(value, spelling: spelling) }
        guard case .object(let fields) = value else { return value }
        var known: [(Int, String, JSONValue)] = []
        var unknown: [(String, JSONValue)] = []
        for (key, item) in fields {
            guard let index = message.byName[key] else {
                unknown.append((spelling == .go && key.contains("_") ? EnvoySchema.jsonName(key) : key, item))
                continue
            }
            let field = message.fields[index]
            let converted = convert(item, field: field, spelling: spelling)
            known.append((index, spelling == .go ? field.jsonName : field.name, converted))
        }
        if spelling == .go { known.sort { $0.0 < $1.0 } }
        return .object(known.map { ($0.1, $0.2) } + unknown)
    }

    static func convert(_ value: JSONValue, field: EnvoySchema.Field, spelling: Spelling) -> JSONValue {
        if field.repeated, case .array(let items) = value {
            return .array(items.map { convert($0, kind: field.kind, spelling: spelling) })
        }
        return convert(value, kind: field.kind, spelling: spelling)
    }

    static func convert(_ value: JSONValue, kind: EnvoySchema.Kind, spelling: Spelling) -> JSONValue {
        switch kind {
        case .message(let index):
            return convert(value, message: EnvoySchema.shared.messages[index], spelling: spelling)
        case .map(let key, let valueKind):
            guard case .object(let entries) = value else { return value }
            var converted = entries.map { ($0.0, convert($0.1, kind: valueKind, spelling: spelling)) }
            if spelling == .go { converted = sortMapEntries(converted, key: key) }
            return .object(converted)
        case .int64: return spelling == .go ? int64(value) : value
        case .int32: return spelling == .go ? int32(value) : value
        default: return value
        }
    }

    static func any(_ value: JSONValue, spelling: Spelling) -> JSONValue {
        guard case .object(let fields) = value, let type = value["@type"]?.string,
            let message = EnvoySchema.shared.message(type)
        else { return value }
        let rest = JSONValue.object(fields.filter { $0.0 != "@type" })
        if message.name.hasPrefix("google.protobuf."), message.name != "google.protobuf.Any",
            opaque.contains(message.name) || wrappers64.contains(message.name) || wrappers32.contains(message.name)
                || wrappersDouble.contains(message.name) || scalarMessages.contains(message.name)
        {
            let inner = rest["value"].map { convert($0, message: message, spelling: spelling) }
            return .object([("@type", .string(type))] + (inner.map { [("value", $0)] } ?? []))
        }
        guard case .object(let converted) = convert(rest, message: message, spelling: spelling) else { return value }
        return .object([("@type", .string(type))] + converted)
    }

    static func int64(_ value: JSONValue) -> JSONValue {
        switch value {
        case .int(let i): .string(String(i))
        case .double(let d) where d == d.rounded() && abs(d) < 9.2e18: .string(String(Int64(d)))
        default: value
        }
    }

    static func int32(_ value: JSONValue) -> JSONValue {
        if case .string(let s) = value, let i = Int64(s) { return .int(i) }
        return value
    }

    /// Go sorts map entries: integers numerically, booleans false first, strings by bytes.
    static func sortMapEntries(_ entries: [(String, JSONValue)], key: EnvoySchema.Kind) -> [(String, JSONValue)] {
        switch key {
        case .int32, .int64:
            return entries.sorted { (Int64($0.0) ?? 0) < (Int64($1.0) ?? 0) }
        default:
            return entries.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        }
    }

    static func sortedKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields):
            return .object(sortMapEntries(fields.map { ($0.0, sortedKeys($0.1)) }, key: .string))
        case .array(let items):
            return .array(items.map(sortedKeys))
        default:
            return value
        }
    }
}
