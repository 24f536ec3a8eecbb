import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A `meshctl` server process (`proxy run`, `demo backend`) started by a test on free ports:
/// it is given `--ready-file` and the test waits for the addresses it bound. Signals reach it
/// (it starts with an empty signal mask), and it is killed when the value goes away.
final class ServerProcess: @unchecked Sendable {
    let pid: pid_t
    let addresses: [String: String]
    let logPath: String
    private var exited: Int32?

    /// Starts `meshctl ARGUMENTS --ready-file ...` and waits until it listens.
    init(_ arguments: [String], in directory: URL = CLI.root, timeout: TimeInterval = 30) throws {
        let dir = try CLI.temporaryDirectory()
        let ready = dir.appendingPathComponent("ready.json").path
        logPath = dir.appendingPathComponent("log").path
        let command =
            "cd \(CLI.shellQuote(directory.path)) && exec "
            + ([CLI.binary.path] + arguments + ["--ready-file", ready]).map(CLI.shellQuote)
            .joined(separator: " ") + " </dev/null >>\(CLI.shellQuote(logPath)) 2>&1"
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (s: String) in strdup(s) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        self.pid = pid
        let deadline = Date().addingTimeInterval(timeout)
        var found: [String: String]?
        while found == nil {
            if let data = FileManager.default.contents(atPath: ready),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
            {
                found = object
                break
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exited = status
                throw ServerError(description: "meshctl \(arguments.joined(separator: " ")) exited: \(Self.read(logPath))")
            }
            if Date() > deadline {
                kill(pid, SIGKILL)
                throw ServerError(description: "meshctl \(arguments.joined(separator: " ")) did not start: \(Self.read(logPath))")
            }
            usleep(10_000)
        }
        addresses = found ?? [:]
    }

    struct ServerError: Error, CustomStringConvertible { var description: String }

    var listen: String { addresses["listen"] ?? "" }
    var admin: String { addresses["admin"] ?? "" }
    var port: Int { Int(listen.split(separator: ":").last ?? "") ?? 0 }
    var log: String { Self.read(logPath) }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits (up to `timeout`) for the exit status; nil if it did not exit.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, timeout: TimeInterval = 20) -> Int32? {
        if let exited { return Self.exitCode(exited) }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                exited = status
                return Self.exitCode(status)
            }
            usleep(10_000)
        }
        return nil
    }

    /// The exit code, or 128 + the signal that ended the process.
    static func exitCode(_ status: Int32) -> Int32 { (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }

    deinit {
        if exited == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}
