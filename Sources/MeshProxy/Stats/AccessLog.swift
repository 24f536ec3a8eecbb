import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Access log lines in Istio's default text format, written to standard output or a file.
public final class AccessLog: Sendable {
    private let file: Mutex<UnsafeMutablePointer<FILE>?>
    private let ownsFile: Bool

    /// `-` for standard output, or a path (appended to).
    public init(path: String) throws {
        if path == "-" {
            file = Mutex(fdopen(dup(1), "w"))
            ownsFile = false
        } else {
            guard let handle = fopen(path, "a") else {
                throw AccessLogError(description: "cannot open access log `\(path)`: \(String(cString: strerror(errno)))")
            }
            file = Mutex(handle)
            ownsFile = true
        }
    }

    struct AccessLogError: Error, CustomStringConvertible { var description: String }

    func write(_ line: String) {
        file.withLock { handle in
            guard let handle else { return }
            var line = line
            line.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, handle) }
            fflush(handle)
        }
    }

    deinit {
        if ownsFile { file.withLock { if let handle = $0 { fclose(handle) } } }
    }

    /// `2026-11-25T07:22:40.123Z`, as Envoy's `%START_TIME%`.
    static func timestamp(_ date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(width - s.count, 0)) + s
        }
        return
            "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
