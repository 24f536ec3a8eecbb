import ArgumentParser
import Dispatch
import MeshModel
import MeshProxy
import Synchronization

/// `--timeout DURATION`: one deadline for everything a command asks of admin APIs.
struct AdminDeadline: ParsableArguments {
    // `.unconditional`: `--timeout -1s` is a negative duration to refuse, not a missing value.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "How long the whole command may wait for the proxies' admin APIs (e.g. 10s, 500ms).", valueName: "duration"))
    var timeout = "10s"

    func validate() throws {
        _ = try DurationArgument.nanoseconds(timeout, option: "--timeout", example: "10s or 500ms")
    }

    /// The deadline, counted from the command's start; time the command spends waiting on
    /// purpose (`pause`) is added, so `--timeout` bounds only the proxies' answers.
    var end: Int64 {
        Self.start + (MeshDuration(timeout)?.nanoseconds ?? 10_000_000_000) + Self.paused.load(ordering: .relaxed)
    }

    static let start = Int64(DispatchTime.now().uptimeNanoseconds)
    static var now: Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }
    private static let paused = Atomic<Int64>(0)

    /// Sleeps for `nanoseconds` without spending the deadline.
    static func pause(_ nanoseconds: Int64) {
        guard nanoseconds > 0 else { return }
        paused.add(nanoseconds, ordering: .relaxed)
        var left = nanoseconds
        while left > 0 {
            let step = min(left, 100_000_000)
            usleep(UInt32(step / 1000))
            left -= step
        }
    }

    /// Sends one request to an admin API within what is left of the deadline. The failure is
    /// one line naming the proxy: unreachable, too slow, or not speaking HTTP.
    func send(_ method: String, to admin: AdminAddress, path: String, body: [UInt8]? = nil) -> Result<
        HTTPClient.Response, AdminFailure
    > {
        let left = end - Self.now
        guard left > 0 else { return .failure(AdminFailure("\(admin) did not answer in time (--timeout \(timeout))")) }
        do {
            let headers: [(String, String)] = body == nil ? [] : [("content-type", "application/yaml")]
            return .success(
                try HTTPClient.sendBlocking(
                    method, host: admin.host, port: admin.port, path: path, body: body, headers: headers, timeoutNanos: left))
        } catch {
            let reason = error.description
            if reason.hasPrefix("no complete answer within") {
                return .failure(AdminFailure("\(admin) did not answer in time (--timeout \(timeout))"))
            }
            if reason.hasPrefix("the answer is not HTTP") {
                return .failure(AdminFailure("\(admin) is not an admin API: \(reason)"))
            }
            if reason.hasPrefix("the answer is larger than") {
                return .failure(AdminFailure("\(admin) \(method) \(path): \(reason)"))
            }
            if reason.hasPrefix("the connection closed") {
                return .failure(AdminFailure("\(admin) closed the connection before a complete answer to \(method) \(path)"))
            }
            return .failure(AdminFailure("cannot reach \(admin): \(reason)"))
        }
    }

    /// GETs `path`; a failure ends the command with its one line.
    func get(_ admin: AdminAddress, path: String) -> HTTPClient.Response {
        switch send("GET", to: admin, path: path) {
        case .success(let response): return response
        case .failure(let failure): fail(failure.description)
        }
    }
}

/// Why an admin API gave no usable answer, in one line that names the proxy.
struct AdminFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

#if canImport(Glibc)
    import Glibc
#endif
