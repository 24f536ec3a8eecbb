import Foundation

/// `--ready-file`: the addresses a server bound, written atomically once it listens, so a
/// script (or a test) that asked for port 0 learns the port.
enum ReadyFile {
    static func write(_ addresses: [String: String], to path: String) {
        let body =
            "{" + addresses.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}\n"
        do {
            try Data(body.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            Output.error("warning: cannot write the ready file `\(path)`: \(error.localizedDescription)")
        }
    }
}
