import Logging
import Synchronization

/// The proxy's log level, changed at run time by `POST /logging?level=`.
public enum ProxyLogLevel {
    private static let level = Atomic<UInt8>(2)
    static let names = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public static var current: String { names[Int(level.load(ordering: .relaxed))] }
    public static var logLevel: Logger.Level { Logger.Level(rawValue: current) ?? .info }

    public static func isValid(_ name: String) -> Bool { index(name) != nil }

    static func index(_ name: String) -> Int? {
        let normalized =
            switch name.lowercased() {
            case "warn": "warning"
            case "err": "error"
            case "off": "critical"
            default: name.lowercased()
            }
        return names.firstIndex(of: normalized)
    }

    /// Sets the level by name (Envoy's `warn` and `err` accepted); false when unknown.
    @discardableResult
    public static func set(_ name: String) -> Bool {
        guard let index = index(name) else { return false }
        level.store(UInt8(index), ordering: .relaxed)
        return true
    }
}

/// A log handler writing `LEVEL label: message` lines to standard error, filtered by
/// `ProxyLogLevel` so the admin API can change the level while the proxy runs.
public struct ProxyLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public let label: String
    public init(label: String) { self.label = label }

    public var logLevel: Logger.Level {
        get { ProxyLogLevel.logLevel }
        set { ProxyLogLevel.set(newValue.rawValue) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(event.level) \(label): \(event.message)\n"
        line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
