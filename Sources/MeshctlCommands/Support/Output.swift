import Foundation
import MeshModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes reports to standard output and problems with the invocation to standard error.
///
/// Every byte meshctl prints goes through here, unbuffered. When the reader of standard output
/// goes away (`meshctl proxy stats | head -1`), the command ends quietly with status 0, as a
/// filter does; SIGPIPE is ignored for the whole process (the proxy's sockets need that anyway),
/// so the write's EPIPE is where that is noticed.
enum Output {
    /// Makes a closed standard output an EPIPE the writer sees, for every command alike.
    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `text` to standard output as it is.
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { write($0, to: STDOUT_FILENO) }
    }

    /// Writes `data` to standard output as it is.
    static func write(_ data: Data) {
        data.withUnsafeBytes { write($0.bindMemory(to: UInt8.self), to: STDOUT_FILENO) }
    }

    /// Writes `text` and a newline unless it ends with one.
    static func print(_ text: String) {
        write(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Writes `text` to standard error, ending it with a newline unless `newline` is false.
    static func error(_ text: String, newline: Bool = true) {
        var line = !newline || text.hasSuffix("\n") ? text : text + "\n"
        line.withUTF8 { write($0, to: STDERR_FILENO) }
    }

    /// Writes all of `bytes`. On standard output a reader that went away ends the process with
    /// status 0 and any other failure with a one-line error and status 1; failures to write to
    /// standard error are dropped, as there is nowhere left to report them.
    private static func write(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32) {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = systemWrite(descriptor, next, left)
            if written > 0 {
                next += written
                left -= written
                continue
            }
            let failure = errno
            if written < 0, failure == EINTR { continue }
            if written < 0, failure == EAGAIN || failure == EWOULDBLOCK {
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, -1)
                continue
            }
            guard descriptor == STDOUT_FILENO else { return }
            if written < 0, failure == EPIPE { exit(0) }
            error("error: cannot write to standard output: \(String(cString: strerror(failure)))")
            exit(1)
        }
    }

    private static func systemWrite(_ descriptor: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(descriptor, bytes, count)
        #else
            Darwin.write(descriptor, bytes, count)
        #endif
    }

    /// Orders findings by the order the files were given, then by position.
    static func sorted(_ diagnostics: [Diagnostic], fileOrder: [String]) -> [Diagnostic] {
        var rank: [String: Int] = [:]
        for (i, f) in fileOrder.enumerated() where rank[f] == nil { rank[f] = i }
        // Sort positions by key, not the findings themselves: moving a finding copies its strings.
        let keys = diagnostics.map { (rank[$0.file] ?? -1, $0.line, $0.column) }
        let order = diagnostics.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : a < b }
        return order.map { diagnostics[$0] }
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func summary(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.level == .error }.count
        let warnings = diagnostics.filter { $0.level == .warning }.count
        var parts: [String] = []
        if errors > 0 { parts.append(plural(errors, "error")) }
        if warnings > 0 { parts.append(plural(warnings, "warning")) }
        return parts.joined(separator: ", ")
    }
}
