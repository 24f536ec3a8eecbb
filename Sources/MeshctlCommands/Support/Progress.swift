import Foundation

/// A line on standard error that says what a command is doing once it has run for more than a
/// second: on a terminal only (pipes, files and scripts never see it), rewritten in place and
/// erased when the work ends.
final class Progress: @unchecked Sendable {
    static let enabled: Bool = {
        isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }()

    private let lock = NSLock()
    private var message: String
    private var shown = false
    private var stopped = false
    private let started = DispatchTime.now().uptimeNanoseconds
    private var timer: DispatchSourceTimer?

    /// Starts counting; nothing is printed during the first second.
    init(_ message: String) {
        self.message = message
        guard Self.enabled else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: .milliseconds(250))
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
        self.timer = timer
    }

    deinit { timer?.cancel() }

    /// Replaces what the line says (its elapsed time is added).
    func update(_ message: String) {
        lock.withLock { self.message = message }
    }

    /// Erases the line; call before printing the command's results.
    func finish() {
        timer?.cancel()
        lock.withLock {
            stopped = true
            if shown { Output.error("\r\u{1B}[K", newline: false) }
            shown = false
        }
    }

    private func draw() {
        lock.withLock {
            guard !stopped else { return }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let line = "\(message) \(String(format: "%.0fs", seconds.rounded(.down)))"
            Output.error("\r\u{1B}[K\(line)", newline: false)
            shown = true
        }
    }

    /// Runs `work` with a progress line saying `message`.
    static func during<T>(_ message: String, _ work: () throws -> T) rethrows -> T {
        let progress = Progress(message)
        defer { progress.finish() }
        return try work()
    }

    /// Runs asynchronous `work` with a progress line saying `message`.
    static func during<T>(_ message: String, _ work: () async throws -> T) async rethrows -> T {
        let progress = Progress(message)
        defer { progress.finish() }
        return try await work()
    }
}
