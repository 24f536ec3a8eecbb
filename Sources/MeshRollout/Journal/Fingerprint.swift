import MeshModel
import MeshYAML

/// Short, stable hashes of a rollout's inputs (FNV-1a, 64 bits, as hex).
public enum Fingerprint {
    public static func of(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The Rollout's spec, and its VirtualService with the weights it shifts left out.
    public static func of(rollout: Resource, virtualService: Resource, routes: [RolloutRoute]) -> Fingerprints {
        let spec = rollout.file.value("spec", in: rollout.node).map { rollout.file.jsonValue($0) } ?? .null
        var vs = virtualService.file.jsonValue(virtualService.node)
        for route in routes {
            for destination in [route.stable, route.canary] {
                vs = WeightEdit.setting(vs, route: route.index, destination: destination, weight: nil)
            }
        }
        return Fingerprints(rollout: of(spec.json(pretty: false)), virtualService: of(vs.json(pretty: false)))
    }
}

/// Weight changes to a VirtualService, as a document (for pushes) or as scalar edits of its
/// file (for `--write`).
public enum WeightEdit {
    /// `document` (a VirtualService) with `spec.http[route].route[destination].weight` set, or
    /// removed when `weight` is nil.
    public static func setting(_ document: JSONValue, route: Int, destination: Int, weight: Int?) -> JSONValue {
        document.updating(["spec", "http"]) { http in
            guard case .array(var routes) = http, route < routes.count else { return http }
            routes[route] = routes[route].updating(["route"]) { list in
                guard case .array(var destinations) = list, destination < destinations.count,
                    case .object(var fields) = destinations[destination]
                else { return list }
                fields.removeAll { $0.0 == "weight" }
                if let weight { fields.append(("weight", .int(Int64(weight)))) }
                destinations[destination] = .object(fields)
                return .array(destinations)
            }
            return .array(routes)
        }
    }

    /// The VirtualService document with every bound route at `canaryWeight` (stable the rest).
    public static func document(_ vs: Resource, routes: [RolloutRoute], canaryWeight: Int) -> JSONValue {
        var document = vs.file.jsonValue(vs.node)
        for route in routes {
            document = setting(document, route: route.index, destination: route.stable, weight: 100 - canaryWeight)
            document = setting(document, route: route.index, destination: route.canary, weight: canaryWeight)
        }
        return document
    }

    /// The scalar edits that set every bound route's weights in the file, or why they cannot
    /// be made (a destination written without a weight).
    public static func scalarEdits(_ routes: [RolloutRoute], canaryWeight: Int) -> Result<[ScalarEdit], RolloutBindingProblem> {
        var edits: [ScalarEdit] = []
        for route in routes {
            for (weight, node, value) in [
                (route.stableWeight, route.stableNode, 100 - canaryWeight), (route.canaryWeight, route.canaryNode, canaryWeight),
            ] {
                guard let weight else {
                    return .failure(
                        RolloutBindingProblem(
                            message:
                                "this destination has no `weight:`; --write rewrites weights in place, so write one (e.g. `weight: 0`)",
                            node: node, inVirtualService: true))
                }
                edits.append(ScalarEdit(node: weight.node, value: String(value)))
            }
        }
        return .success(edits)
    }
}

extension JSONValue {
    /// The document with the value at `path` (object keys) replaced by `change(old)`.
    func updating(_ path: [String], _ change: (JSONValue) -> JSONValue) -> JSONValue {
        guard let key = path.first else { return change(self) }
        guard case .object(var fields) = self, let i = fields.firstIndex(where: { $0.0 == key }) else { return self }
        fields[i].1 = fields[i].1.updating(Array(path.dropFirst()), change)
        return .object(fields)
    }
}
