import ArgumentParser
import MeshModel
import MeshProxy

/// `--timeout DURATION`: one deadline for everything a command asks of admin APIs.
struct AdminDeadline: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How long the whole command may wait for the proxies' admin APIs (e.g. 10s, 500ms).", valueName: "duration"))
    var timeout = "10s"

    func validate() throws {
        guard let d = MeshDuration(timeout), d.nanoseconds > 0 else {
            throw ValidationError("--timeout must be a positive duration such as 10s or 500ms, got '\(timeout)'")
        }
    }

    /// The deadline, counted from the command's start.
    var end: Int64 {
        Self.start + (MeshDuration(timeout)?.nanoseconds ?? 10_000_000_000)
    }

    static let start = Int64(DispatchTime.now().uptimeNanoseconds)
    static var now: Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }

    /// GETs `path` from an admin API within what is left of the deadline; a failure ends the
    /// command with one line naming the proxy.
    func get(host: String, port: Int, path: String, name: String) -> HTTPClient.Response {
        let left = end - Self.now
        guard left > 0 else { fail("\(name) did not answer in time (--timeout \(timeout))") }
        do {
            return try HTTPClient.sendBlocking("GET", host: host, port: port, path: path, timeoutNanos: left)
        } catch {
            if error.description.hasPrefix("no complete answer within") {
                fail("\(name) did not answer in time (--timeout \(timeout))")
            }
            fail("cannot reach \(name): \(error.description)")
        }
    }
}

import Dispatch
