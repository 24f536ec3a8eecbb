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
        pid = try Self.spawn(arguments + ["--ready-file", ready], in: directory, output: logPath)
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

    /// Starts `meshctl ARGUMENTS` with standard output and error appended to `output` (and
    /// `errors`, when given, for standard error alone), with an empty signal mask so signals
    /// reach it.
    static func spawn(_ arguments: [String], in directory: URL = CLI.root, output: String, errors: String? = nil) throws
        -> pid_t
    {
        let command =
            "cd \(CLI.shellQuote(directory.path)) && exec "
            + ([CLI.binary.path] + arguments).map(CLI.shellQuote).joined(separator: " ")
            + " </dev/null >>\(CLI.shellQuote(output)) 2>" + (errors.map { CLI.shellQuote($0) } ?? "&1")
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
        return pid
    }

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

extension CLI {
    /// One `GET` with `Connection: close` over a plain socket: the status, the body and the whole
    /// answer as text (status 0 when nothing listens).
    static func httpGet(_ address: String, host: String, path: String = "/", headers: [String] = []) throws -> (
        status: Int, body: String, text: String
    ) {
        try httpSend("GET", address, host: host, path: path, headers: headers)
    }

    /// One request with `Connection: close` over a plain socket (see `httpGet`).
    static func httpSend(
        _ method: String, _ address: String, host: String, path: String = "/", headers: [String] = [], body: String? = nil
    ) throws -> (status: Int, body: String, text: String) {
        let port = UInt16(address.split(separator: ":").last!)!
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return (0, "", "") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for header in headers { head += header + "\r\n" }
        if let body { head += "Content-Length: \(body.utf8.count)\r\n" }
        let request = Array((head + "\r\n" + (body ?? "")).utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: out, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (status, body, text)
    }
}
