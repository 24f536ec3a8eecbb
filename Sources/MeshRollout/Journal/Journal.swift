import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One line of a rollout's journal.
public struct JournalRecord: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, Equatable {
        /// The rollout began: its settings, plan and fingerprints.
        case start
        /// A change about to be made to the targets (written, with fsync, before it is made).
        case intent
        /// The change of intent `intent` is verified on every target.
        case commit
        /// The gates were evaluated: the inputs, the verdict and the status that follows.
        case decision
        /// A new status without a change of weights (pause, resume, drift).
        case state
    }

    public var seq: Int
    /// Milliseconds since 1970.
    public var time: Int64
    public var kind: Kind
    public var action: String?
    /// The status after this record; for an intent, the status its commit will bring.
    public var status: RolloutStatus?
    /// Canary weights before and after (intent).
    public var from: Int?
    public var to: Int?
    /// The intent a commit completes.
    public var intent: Int?
    /// The counters at the start of the gate window that begins here.
    public var snapshot: CounterSnapshot?
    public var evaluation: Evaluation?
    public var settings: RolloutSettings?
    public var fingerprints: Fingerprints?
    public var plan: RolloutPlan?
    /// What each target said (config versions, files written).
    public var targets: [String]?
    public var message: String?

    public init(seq: Int = 0, time: Int64, kind: Kind, action: String? = nil, status: RolloutStatus? = nil) {
        self.seq = seq
        self.time = time
        self.kind = kind
        self.action = action
        self.status = status
    }
}

/// What `rollout start` was given, remembered for the later commands.
public struct RolloutSettings: Sendable, Codable, Equatable {
    /// The `-f` paths, absolute.
    public var files: [String]
    public var admins: [String]
    public var prometheus: String?
    public var write: Bool

    public init(files: [String], admins: [String], prometheus: String?, write: Bool) {
        self.files = files
        self.admins = admins
        self.prometheus = prometheus
        self.write = write
    }
}

/// Hashes of what a rollout was started with: its spec, and its VirtualService without the
/// weights it shifts.
public struct Fingerprints: Sendable, Codable, Equatable {
    public var rollout: String
    public var virtualService: String

    public init(rollout: String, virtualService: String) {
        self.rollout = rollout
        self.virtualService = virtualService
    }
}

/// A rollout's journal: JSON lines, each appended and flushed to disk (fsync) before the
/// command goes on, so a crash at any point leaves every record written before it. A last line
/// cut short by a crash is ignored.
public struct Journal: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public struct Contents: Sendable {
        public var records: [JournalRecord]
        /// True when the last line was incomplete (a crash while writing it) and was ignored.
        public var truncatedTail: Bool

        /// The records since the last start (or restart).
        var current: ArraySlice<JournalRecord> {
            guard let start = records.lastIndex(where: { $0.kind == .start }) else { return records[...] }
            return records[(start + 1)...]
        }

        /// The status after the last record that sets one (an intent's is pending, not current).
        public var status: RolloutStatus? {
            current.last { $0.kind != .intent && $0.status != nil }?.status
        }

        /// The last intent without a commit (or a finding of drift) after it.
        public var pendingIntent: JournalRecord? {
            guard let last = current.last(where: { $0.kind == .intent || $0.kind == .commit || $0.action == "drift" }),
                last.kind == .intent
            else { return nil }
            return last
        }

        /// The counters where the current gate window starts.
        public var windowSnapshot: CounterSnapshot? { current.last { $0.snapshot != nil }?.snapshot }

        public var start: JournalRecord? { records.last { $0.kind == .start } }

        public var nextSeq: Int { (records.last?.seq ?? 0) + 1 }
    }

    /// Why the journal cannot be read or written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Histogram bounds include +Inf, which JSON has no number for.
    public static let floats = (
        encoding: JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN"),
        decoding: JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
    )

    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Every complete record. A line that does not parse is an error unless it is the last
    /// one and unterminated (a write cut short).
    public func read() throws(Failure) -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            if !exists { return Contents(records: [], truncatedTail: false) }
            throw Failure(description: "cannot read the journal \(path)")
        }
        let bytes = [UInt8](data)
        var records: [JournalRecord] = []
        var truncated = false
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = Self.floats.decoding
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? bytes.count
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            do {
                records.append(try decoder.decode(JournalRecord.self, from: Data(line)))
            } catch {
                if newline == nil {
                    truncated = true
                    break
                }
                throw Failure(
                    description:
                        "\(path):\(lineNumber): the journal line is not a record (\(error)); it was written by something else")
            }
            if newline == nil { break }
        }
        return Contents(records: records, truncatedTail: truncated)
    }

    /// Appends one record and waits until it is on disk. A cut-short last line left by a crash
    /// is cut off first, so the new record starts on a line of its own.
    public func append(_ record: JournalRecord) throws(Failure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = Self.floats.encoding
        guard var line = try? encoder.encode(record) else { throw Failure(description: "cannot encode a journal record") }
        line.append(UInt8(ascii: "\n"))
        let created = !exists
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot open the journal \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        if size > 0 {
            // A previous write cut short leaves no newline at the end: drop that partial line.
            let reader = open(path, O_RDONLY | O_CLOEXEC)
            if reader >= 0 {
                defer { close(reader) }
                var last: UInt8 = 0
                if pread(reader, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") {
                    let contents = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
                    let keep = (contents.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
                    _ = ftruncate(fd, off_t(keep))
                }
            }
        }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw Failure(description: "cannot write the journal \(path): \(String(cString: strerror(errno)))")
        }
        if created { FileSystem.syncDirectory(of: path) }
    }
}

/// File operations a crash must not leave half done.
public enum FileSystem {
    /// Flushes a directory's entries (a file created or renamed in it) to disk.
    public static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Replaces `path` with `bytes` atomically: a temporary file beside it is written, flushed
    /// (fsync) and renamed over it, so a reader sees the old file or the new one, never a part.
    /// The file keeps its permissions.
    public static func replaceAtomically(_ path: String, with bytes: [UInt8]) throws(Journal.Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).meshctl-\(getpid()).tmp"
        var info = stat()
        let mode = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw Journal.Failure(description: "cannot write beside \(path): \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw Journal.Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        chmod(temporary, mode)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Journal.Failure(description: "cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        syncDirectory(of: path)
    }
}

/// One writer at a time: an exclusive `flock` on a file beside the journal, released when the
/// holder exits, however it exits.
public final class RolloutLock: @unchecked Sendable {
    private let fd: Int32

    /// Takes the lock, or fails naming the process that holds it: at once, or after waiting up to
    /// `waitMilliseconds` for it to be let go (`rollout run` between its rounds).
    public init(path: String, waitMilliseconds: Int = 0) throws(Journal.Failure) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Journal.Failure(description: "cannot open the lock \(path): \(String(cString: strerror(errno)))")
        }
        var waited = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 && waited < waitMilliseconds {
            usleep(20_000)
            waited += 20
        }
        if waited >= waitMilliseconds, flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let holder =
                n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw Journal.Failure(
                description:
                    "another meshctl rollout command (pid \(holder)) is acting on this rollout; try again when it is done")
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
