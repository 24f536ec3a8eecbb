#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a path given on the command line could not be read, in words a user can act on.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public var path: String
    /// What is wrong, e.g. `permission denied` or `it is a directory`.
    public var reason: String
    /// The path is a directory that could not be listed.
    public var isDirectory = false

    public var description: String { "cannot read \(isDirectory ? "directory " : "")`\(path)`: \(reason)" }

    /// The error `errno` means for `path`, telling a dangling symbolic link from a missing file.
    init(path: String, errno code: Int32) {
        self.path = path
        switch code {
        case ENOENT:
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                reason = "it is a symbolic link to `\(Self.linkTarget(path))`, which does not exist"
            } else {
                reason = "no such file or directory"
            }
        case ELOOP: reason = "symbolic link loop (following its links never reaches a file)"
        case EACCES, EPERM: reason = "permission denied"
        case ENOTDIR: reason = "a part of the path is not a directory"
        case EISDIR: reason = "it is a directory, not a file"
        default: reason = String(cString: strerror(code)).lowercased()
        }
    }

    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    static func linkTarget(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length >= 0 else { return "?" }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Reading inputs: files, and whatever else can be read as a stream.
public enum InputFile {
    /// Everything `path` yields until end of file: a regular file, and also a pipe
    /// (`-f <(cat x.yaml)`, `/dev/stdin`), a FIFO or a `/proc` file, which have no size up front.
    public static func read(_ path: String) -> Result<[UInt8], InputError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(InputError(path: path, errno: errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(InputError(path: path, errno: errno)) }
        if info.st_mode & S_IFMT == S_IFDIR { return .failure(InputError(path: path, errno: EISDIR)) }
        return readToEnd(fd, info: info).mapError { InputError(path: path, errno: $0.errno) }
    }

    /// Everything standard input yields until end of file (what was read, if reading fails).
    public static func readStandardInput() -> [UInt8] {
        var info = stat()
        if fstat(STDIN_FILENO, &info) != 0 { info.st_mode = 0 }
        switch readToEnd(STDIN_FILENO, info: info) {
        case .success(let bytes): return bytes
        case .failure(let partial): return partial.bytes
        }
    }

    /// Reads `fd` to its end: a regular file in one go into a buffer of its size plus one byte,
    /// which the read that finds the end needs; a stream grows its buffer as it comes.
    private static func readToEnd(_ fd: Int32, info: stat) -> Result<[UInt8], ReadFailure> {
        let regular = info.st_mode & S_IFMT == S_IFREG && info.st_size > 0
        var bytes = [UInt8](repeating: 0, count: regular ? Int(info.st_size) + 1 : 64 << 10)
        var used = 0
        while true {
            if used == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let count = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + used, $0.count - used) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                bytes.removeLast(bytes.count - used)
                return .failure(ReadFailure(errno: code, bytes: bytes))
            }
            used += count
        }
        bytes.removeLast(bytes.count - used)
        return .success(bytes)
    }

    /// A read that failed part way: why, and what came before.
    private struct ReadFailure: Error {
        var errno: Int32
        var bytes: [UInt8]
    }

    /// Whether `path` names a directory (following symbolic links), or why it cannot be known.
    static func isDirectory(_ path: String) -> Result<Bool, InputError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(InputError(path: path, errno: errno)) }
        return .success(info.st_mode & S_IFMT == S_IFDIR)
    }
}

/// `read(2)`, under a name that `InputFile.read` does not shadow.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }

/// The rule files under one directory: recursively, by extension, skipping hidden entries
/// (`.git/`, and a mounted ConfigMap's `..data` and `..2024_*` folders, whose files the visible
/// names already link to). Symbolic links to files and directories are followed (a ConfigMap
/// mount is all links); each directory and each file is taken once, so a link back to an
/// ancestor ends instead of looping.
struct DirectoryWalk {
    private struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    let extensions: Set<String>
    private(set) var files: [String] = []
    private(set) var problems: [InputError] = []
    private var directories: Set<FileID> = []
    private var seenFiles: Set<FileID> = []

    init(root: String, extensions: Set<String>) {
        self.extensions = extensions
        var info = stat()
        if stat(root, &info) == 0 { directories.insert(FileID(info)) }
        visit(root)
        files.sort()
    }

    private mutating func visit(_ directory: String) {
        guard let handle = opendir(directory) else {
            var problem = InputError(path: directory, errno: errno)
            problem.isDirectory = true
            problems.append(problem)
            return
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(handle)
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            let isRuleFile = extensions.contains(Self.pathExtension(name))
            var info = stat()
            guard stat(path, &info) == 0 else {
                // A dangling or looping link that looks like a rule file is worth a word; other
                // entries were never going to be read.
                if isRuleFile { problems.append(InputError(path: path, errno: errno)) }
                continue
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                if directories.insert(FileID(info)).inserted { visit(path) }
            } else if isRuleFile, seenFiles.insert(FileID(info)).inserted {
                files.append(path)
            }
        }
    }

    static func pathExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}
