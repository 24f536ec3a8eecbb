import MeshYAML

/// `metadata.creationTimestamp` as Kubernetes writes it (RFC 3339), for ordering resources the
/// way Istio does: oldest first. A resource without one has Go's zero time, before every other.
public struct CreationTime: Sendable, Comparable, Hashable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64
    public var nanoseconds: Int32
    public var text: String?

    /// Go's zero time, 0001-01-01T00:00:00Z.
    public static let zero = CreationTime(seconds: -62_135_596_800, nanoseconds: 0, text: nil)

    public static func < (a: CreationTime, b: CreationTime) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }
    public static func == (a: CreationTime, b: CreationTime) -> Bool {
        a.seconds == b.seconds && a.nanoseconds == b.nanoseconds
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(seconds)
        hasher.combine(nanoseconds)
    }

    public var description: String { text ?? "no creationTimestamp" }

    /// Reads `2024-05-01T10:00:00Z`, with optional fractional seconds and a `±hh:mm` offset.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<start + count {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20, let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
            b[7] == UInt8(ascii: "-"), let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
            let second = digits(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var nanos = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 100_000_000
            let start = i
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                nanos += Int(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let h = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let m = digits(i + 4, 2) else {
                return nil
            }
            offset = (h * 3600 + m * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        // Days from 1970-01-01 in the proleptic Gregorian calendar.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        self.init(
            seconds: Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset), nanoseconds: Int32(nanos),
            text: text)
    }

    init(seconds: Int64, nanoseconds: Int32, text: String?) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.text = text
    }
}

extension Resource {
    /// `metadata.creationTimestamp`, or the zero time when it is absent or not a timestamp.
    public var creationTimestamp: CreationTime {
        guard let metadata = file.value("metadata", in: node), let value = file.value("creationTimestamp", in: metadata),
            file[value].kind == .scalar, let time = CreationTime(rfc3339: file.string(value))
        else { return .zero }
        return time
    }

    /// A scalar at `spec.KEY` of the document (for the few Kubernetes fields the registry reads).
    public func specScalar(_ key: StaticString) -> String? {
        guard let spec = file.value("spec", in: node), let value = file.value(key, in: spec), file[value].kind == .scalar
        else { return nil }
        let text = file.string(value)
        return text.isEmpty ? nil : text
    }

    /// A Kubernetes Service's `spec.type` (`ClusterIP` when unset).
    public var kubernetesServiceType: String { specScalar("type") ?? "ClusterIP" }

    /// A Kubernetes `ExternalName` Service's `spec.externalName`.
    public var externalName: String? {
        guard kubernetes?.kind == .service, kubernetesServiceType == "ExternalName" else { return nil }
        return specScalar("externalName")
    }

    /// A Kubernetes Service's cluster IPs (`spec.clusterIP` and `spec.clusterIPs`); none for a
    /// headless service (`None`).
    public var clusterIPs: [String] {
        guard kubernetes?.kind == .service, let spec = file.value("spec", in: node) else { return [] }
        var ips: [String] = []
        if let ip = specScalar("clusterIP") { ips.append(ip) }
        if let list = file.value("clusterIPs", in: spec), file[list].kind == .sequence {
            for child in file.children(list) where file[child].kind == .scalar && !ips.contains(file.string(child)) {
                ips.append(file.string(child))
            }
        }
        return ips.filter { $0 != "None" && !$0.isEmpty }
    }

    /// `exportTo` of this resource: the spec's field, or for a Kubernetes Service the
    /// `networking.istio.io/exportTo` annotation (comma separated). Empty when unset.
    public var exportTo: [String] {
        switch spec {
        case .virtualService(let vs): return vs.exportTo.map(\.value)
        case .destinationRule(let dr): return dr.exportTo.map(\.value)
        case .serviceEntry(let se): return se.exportTo.map(\.value)
        case .kubernetes(let k8s) where k8s.kind == .service:
            guard let annotation = annotations["networking.istio.io/exportTo"] else { return [] }
            return annotation.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        default: return []
        }
    }
}
