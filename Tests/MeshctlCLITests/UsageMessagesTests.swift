import Foundation
import Testing

/// A usage error names what is actually wrong with the command line.
@Suite struct UsageMessagesTests {
    @Test(arguments: [
        (["validate", "--bogus"], "Unknown option '--bogus'"),
        (["analyze", "--bogus"], "Unknown option '--bogus'"),
        (["proxy", "run", "--bogus"], "Unknown option '--bogus'"),
        (["validate", "--file", "x.yaml"], "Unknown option '--file'"),
        (["simulate", "--host", "a", "--bogus"], "Unknown option '--bogus'"),
        (["validate"], "give at least one rule file or directory with -f PATH"),
        (["analyze"], "give at least one file or directory with -f PATH"),
        (
            ["proxy-status", "--admin", "http://127.0.0.1:25000"],
            "--admin 'http://127.0.0.1:25000' is not HOST:PORT: give the address without a scheme, as 127.0.0.1:25000"
        ),
        (
            ["proxy-status", "--timeout", "99999999999h"],
            "--timeout '99999999999h' is too long: a duration is at most 2562047h47m16.854775807s"
        ),
        (["proxy-status", "--timeout", "-1s"], "--timeout must be more than zero, got '-1s'"),
        (["proxy-status", "--timeout", "soon"], "--timeout must be a duration such as 10s or 500ms, got 'soon'"),
        (
            ["demo", "backend", "--name", "a", "--version", "v1", "--listen", "127.0.0.1:0", "--delay", "100000000h"],
            "--delay '100000000h' is too long: a duration is at most 2562047h47m16.854775807s"
        ),
        (["proxy", "run", "-f", "samples/tutorial", "--drain-time", "-1s"], "--drain-time must be zero or more, got '-1s'"),
    ])
    func saysWhatIsWrong(_ arguments: [String], _ message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("Error: \(message)"), "\(result.stderr)")
    }
}
