import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension CLI {
    /// What a bounded run of the binary cost, as the kernel accounted it.
    struct Usage {
        var status: Int32
        /// The signal that ended the process, or 0.
        var signal: Int32
        /// Peak resident set size in bytes.
        var peakMemory: Int
        /// User plus system CPU time in seconds.
        var cpuSeconds: Double
        var stdout: String
        var stderr: String
    }

    /// Runs the binary with hard limits the kernel enforces: CPU seconds (RLIMIT_CPU) and address
    /// space (RLIMIT_AS), and reports the peak memory and CPU time from `wait4`, so a test asserts a
    /// time and memory bound without sleeping or timing the wall clock. A run that exceeds a limit
    /// is killed (SIGXCPU / SIGKILL, or an allocation failure) and the test sees it in `signal`.
    static func runBounded(
        _ arguments: [String], cpuSeconds: Int = 20, memoryBytes: Int = 4 << 30, stdin: String? = nil, in directory: URL = root
    ) throws -> Usage {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("stdout").path
        let errPath = dir.appendingPathComponent("stderr").path
        let inPath = dir.appendingPathComponent("stdin").path
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inPath))
        // prlimit(1) sets the limits on itself and execs the binary; the shell sends the streams to
        // files so nothing can block on a full pipe.
        let command =
            "cd \(shellQuote(directory.path)) && exec /usr/bin/prlimit --cpu=\(cpuSeconds) --as=\(memoryBytes) -- "
            + ([binary.path] + arguments).map(shellQuote).joined(separator: " ")
            + " <\(shellQuote(inPath)) >\(shellQuote(outPath)) 2>\(shellQuote(errPath))"
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (s: String) in strdup(s) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        return Usage(
            status: exited ? (status >> 8) & 0xff : -1, signal: exited ? 0 : status & 0x7f,
            peakMemory: Int(usage.ru_maxrss) * 1024,
            cpuSeconds: cpu,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
