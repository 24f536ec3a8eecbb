/// A request's place in a trace, as W3C Trace Context (`traceparent`) or Zipkin's B3 headers
/// carry it.
struct TraceContext: Sendable, Equatable {
    var traceHigh: UInt64
    var traceLow: UInt64
    /// The span that sent the request to this proxy (its parent), if any.
    var parent: UInt64?
    var sampled: Bool

    /// `traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`.
    static func parse(traceparent value: String) -> TraceContext? {
        let parts = value.split(separator: "-")
        guard parts.count >= 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts[0] != "ff", let high = UInt64(parts[1].prefix(16), radix: 16), let low = UInt64(parts[1].suffix(16), radix: 16),
            let parent = UInt64(parts[2], radix: 16), let flags = UInt8(parts[3], radix: 16), high != 0 || low != 0, parent != 0
        else { return nil }
        return TraceContext(traceHigh: high, traceLow: low, parent: parent, sampled: flags & 1 == 1)
    }

    /// Zipkin's multi-header B3 (`x-b3-traceid`, `x-b3-spanid`, `x-b3-sampled`) or its single
    /// `b3` header (`traceid-spanid[-sampled[-parentid]]`).
    static func parse(b3 single: String?, traceID: String?, spanID: String?, sampled: String?) -> TraceContext? {
        if let single {
            let parts = single.split(separator: "-")
            guard parts.count >= 2, let (high, low) = traceID128(parts[0]), let span = UInt64(parts[1], radix: 16) else {
                return nil
            }
            let flag = parts.count >= 3 ? String(parts[2]) : "1"
            return TraceContext(traceHigh: high, traceLow: low, parent: span, sampled: flag == "1" || flag == "d")
        }
        guard let traceID, let spanID, let (high, low) = traceID128(Substring(traceID)), let span = UInt64(spanID, radix: 16)
        else { return nil }
        return TraceContext(
            traceHigh: high, traceLow: low, parent: span, sampled: sampled.map { $0 == "1" || $0 == "true" } ?? true)
    }

    /// A 64- or 128-bit hex trace id.
    static func traceID128(_ text: Substring) -> (UInt64, UInt64)? {
        switch text.count {
        case 16: return UInt64(text, radix: 16).map { (0, $0) }
        case 32:
            guard let high = UInt64(text.prefix(16), radix: 16), let low = UInt64(text.suffix(16), radix: 16) else { return nil }
            return (high, low)
        default: return nil
        }
    }

    var traceID: String { Self.hex(traceHigh) + Self.hex(traceLow) }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
