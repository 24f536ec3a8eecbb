import CRE2

/// A regular expression compiled by RE2, the engine Envoy and Istio use.
///
/// Matching is always a *full* match, as in Envoy's `safe_regex`: the pattern must cover the
/// whole value. Compile once per rule set; matching is thread-safe.
public final class RE2Regex: @unchecked Sendable {
    public let pattern: String
    private let program: OpaquePointer

    /// Compiles `pattern`, or throws with RE2's own reason (e.g. `invalid perl operator: (?=`).
    public init(_ pattern: String) throws(RE2Error) {
        var error = [CChar](repeating: 0, count: 256)
        var utf8 = pattern
        let compiled = utf8.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                mesh_re2_compile(chars.baseAddress, chars.count, &error, error.count)
            }
        }
        guard let compiled else {
            let reason = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw RE2Error(pattern: pattern, reason: reason)
        }
        self.pattern = pattern
        self.program = compiled
    }

    deinit { mesh_re2_free(program) }

    /// Compiles `pattern` only to judge it, keeping nothing: its program size (see
    /// `programSize`), or RE2's reason for refusing it. Checking many patterns this way holds
    /// no compiled programs.
    public static func check(_ pattern: String) -> Result<Int, RE2Error> {
        var error = [CChar](repeating: 0, count: 256)
        var utf8 = pattern
        let size = utf8.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                mesh_re2_check(chars.baseAddress, chars.count, &error, error.count)
            }
        }
        guard size < 0 else { return .success(Int(size)) }
        return .failure(RE2Error(pattern: pattern, reason: error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))
    }

    /// True when the whole of `text` matches.
    public func fullMatch(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { fullMatch(utf8: $0) }
    }

    /// True when the whole of the UTF-8 bytes match.
    public func fullMatch(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withMemoryRebound(to: CChar.self) { chars in
            mesh_re2_full_match(program, chars.baseAddress, chars.count) == 1
        }
    }

    /// The compiled program, for callers that keep the regex alive and want to match without
    /// reference counting (see `fullMatch(program:utf8:)`).
    public var rawProgram: OpaquePointer { program }

    /// Full match through a raw program from `rawProgram`; its `RE2Regex` must be alive.
    @inline(__always)
    public static func fullMatch(program: OpaquePointer, utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withMemoryRebound(to: CChar.self) { chars in
            mesh_re2_full_match(program, chars.baseAddress, chars.count) == 1
        }
    }

    /// Every match in `text` replaced by `rewrite` (`\1` refers to a group), as Envoy's
    /// `regex_rewrite`; nil when `rewrite` refers to a group the regex lacks.
    public func replacingAll(in text: String, with rewrite: String) -> String? {
        var text = text
        var rewrite = rewrite
        return text.withUTF8 { textBytes in
            rewrite.withUTF8 { rewriteBytes in
                var length = 0
                let result = textBytes.withMemoryRebound(to: CChar.self) { t in
                    rewriteBytes.withMemoryRebound(to: CChar.self) { r in
                        mesh_re2_global_replace(program, t.baseAddress, t.count, r.baseAddress, r.count, &length)
                    }
                }
                guard let result else { return nil }
                defer { mesh_re2_string_free(result) }
                return String(decoding: UnsafeRawBufferPointer(start: result, count: length), as: UTF8.self)
            }
        }
    }

    /// RE2's program size, its measure of how costly the regex is to run.
    public var programSize: Int { Int(mesh_re2_program_size(program)) }
}

/// RE2 refused a pattern.
public struct RE2Error: Error, CustomStringConvertible, Sendable {
    public let pattern: String
    public let reason: String
    public var description: String { "invalid RE2 regex `\(pattern)`: \(reason)" }
}
