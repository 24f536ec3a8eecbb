import Foundation
import Testing

/// `meshctl ... | head -1`: once the reader of standard output is gone, every command ends
/// quietly with status 0, without a trace or an error on standard error (`x metrics` still says
/// what it samples there).
@Suite(.serialized) struct BrokenPipeTests {
    static func expectQuiet(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try CLI.runWithClosedStdout(arguments)
        #expect(result.reason == .exit, "\(arguments) ended by a signal", sourceLocation: sourceLocation)
        #expect(result.status == 0, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("rror"), "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count <= 1, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        ["validate", "-f", "samples/"],
        ["analyze", "-f", "samples/tutorial", "-o", "json"],
        ["simulate", "-f", "samples/tutorial", "--host", "recommendation", "-o", "json"],
        ["proxy-config", "routes", "-f", "samples/tutorial"],
        ["proxy-config", "all", "-f", "samples/tutorial", "-o", "json"],
        ["version"],
    ])
    func offlineCommands(_ arguments: [String]) throws {
        try Self.expectQuiet(arguments)
    }

    @Test func commandsTalkingToProxies() throws {
        let first = try LiveMesh()
        let second = try LiveMesh()
        _ = try first.versions(3)
        let admins = ["--admin", first.admin, "--admin", second.admin]
        for arguments in [
            ["proxy", "stats", "--admin", first.admin, "-o", "prom"],
            ["proxy", "stats"] + admins,
            ["proxy-config", "routes"] + admins,
            ["proxy-config", "clusters"] + admins,
            ["proxy-config", "endpoints"] + admins,
            ["proxy-config", "log"] + admins,
            ["proxy-status"] + admins,
            ["version"] + admins,
            ["x", "metrics", "--duration", "100ms"] + admins,
            ["apply", "-f", first.rulesPath, "--admin", first.admin],
        ] {
            try Self.expectQuiet(arguments)
        }
    }
}
