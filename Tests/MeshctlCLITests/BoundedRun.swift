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
    ///
    /// A small Python process forks and waits for the binary: a child of the (large) test process
    /// itself would carry the test process's peak memory into its own `ru_maxrss`.
    static func runBounded(
        _ arguments: [String], cpuSeconds: Int = 20, memoryBytes: Int = 4 << 30, stdin: String? = nil, in directory: URL = root
    ) throws -> Usage {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("stdout").path
        let errPath = dir.appendingPathComponent("stderr").path
        let inPath = dir.appendingPathComponent("stdin").path
        let reportPath = dir.appendingPathComponent("usage.json").path
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inPath))
        let runner = """
            import json, os, resource, sys
            cpu, mem, cwd, stdin, stdout, stderr, report = sys.argv[1:8]
            args = sys.argv[8:]
            pid = os.fork()
            if pid == 0:
                resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu)))
                resource.setrlimit(resource.RLIMIT_AS, (int(mem), int(mem)))
                os.chdir(cwd)
                for fd, path, mode in ((0, stdin, os.O_RDONLY), (1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), (2, stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
                    os.dup2(os.open(path, mode, 0o644), fd)
                os.execv(args[0], args)
            _, status, usage = os.wait4(pid, 0)
            json.dump({"exited": os.WIFEXITED(status), "status": os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1,
                       "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                       "maxrss": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, open(report, "w"))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", "-c", runner, String(cpuSeconds), String(memoryBytes), directory.path, inPath, outPath, errPath,
                reportPath,
            ]
            + [binary.path] + arguments
        try process.run()
        process.waitUntilExit()
        guard let data = FileManager.default.contents(atPath: reportPath),
            let report = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw POSIXError(.EIO) }
        return Usage(
            status: Int32(report["status"] as? Int ?? -1), signal: Int32(report["signal"] as? Int ?? 0),
            peakMemory: (report["maxrss"] as? Int ?? 0) * 1024, cpuSeconds: report["cpu"] as? Double ?? 0,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
