import Foundation

/// `--ready-file`: the addresses a server bound, written atomically once it listens, so a
/// script (or a test) that asked for port 0 learns the port. A script waiting for a file that
/// never comes would wait forever, so failing to write it is an error: the caller stops.
enum ReadyFile {
    /// Writes the file; false (with the error reported) when it cannot.
    static func write(_ addresses: [String: String], to path: String) -> Bool {
        let body =
            "{" + addresses.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}\n"
        do {
            try Data(body.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            return true
        } catch {
            Output.error("error: cannot write the ready file `\(path)`: \(error.localizedDescription)")
            return false
        }
    }
}
