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
        (
            ["proxy", "run", "-f", "samples/tutorial", "--listen", "127.0.0.1:23300", "--admin", "127.0.0.1:23300"],
            "--listen and --admin both name 127.0.0.1:23300: give each its own port"
        ),
        // A negative number after an option reaches it, and its range is named.
        (["x", "traces", "list", "--limit", "-1"], "--limit must be from 1 to 10000"),
        (["demo", "--base-port", "-5"], "--base-port must be from 1 to"),
        (
            ["x", "traces", "list", "--zipkin", "http://127.0.0.1:99999"],
            "--zipkin 'http://127.0.0.1:99999' is not an http:// URL with a host and a port from 1 to 65535"
        ),
    ])
    func saysWhatIsWrong(_ arguments: [String], _ message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("Error: \(message)"), "\(result.stderr)")
    }
}

/// What the help and the docs show matches what meshctl does.
@Suite struct HelpAndDocsTests {
    /// `proxy run --help` starts its backends where samples/tutorial/registry.yaml looks for them.
    @Test func proxyRunExampleUsesTheRegistrysPorts() throws {
        // Help wraps lines: read it as one line.
        let help = try CLI.run(["proxy", "run", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let registry = try String(contentsOf: CLI.root.appendingPathComponent("samples/tutorial/registry.yaml"), encoding: .utf8)
        let ports = help.components(separatedBy: "--listen 127.0.0.1:").dropFirst().map { $0.prefix { $0.isNumber } }
        #expect(ports.count == 2)
        for port in ports { #expect(registry.contains("http: \(port)"), "\(port)") }
    }

    /// docs/inspect.md's routes table is what proxy-config prints for the tutorial's rules.
    @Test func inspectGuideShowsTheRoutesTablePrinted() throws {
        let guide = try String(contentsOf: CLI.root.appendingPathComponent("docs/inspect.md"), encoding: .utf8)
        let table = try CLI.run(["proxy-config", "routes", "-f", "samples/tutorial/"]).stdout
        #expect(guide.contains("$ meshctl proxy-config routes --admin 127.0.0.1:15000\n" + table + "\n"))
    }

    /// Help text flows: a line ends in a backslash only in an example command that continues.
    @Test(arguments: [
        ["demo", "run"], ["demo", "backend"], ["graph"], ["version"], ["rollout", "start"], ["proxy-status"], ["validate"],
        ["analyze"], ["simulate"], ["apply"], ["proxy", "run"], ["x", "traces", "list"], ["x", "load"],
    ])
    func helpHasNoStrayBackslashes(_ command: [String]) throws {
        let help = try CLI.run(command + ["--help"])
        #expect(help.status == 0)
        let stray = help.stdout.split(separator: "\n").filter { $0.hasSuffix("\\") && !$0.contains("meshctl ") }
        #expect(stray.isEmpty, "\(command): \(stray)")
    }

    /// `meshctl proxy log`, as the design names it, is `proxy-config log`.
    @Test func proxyLogIsProxyConfigLog() throws {
        let mesh = try LiveMesh(backends: [("v1", [])])
        let short = try CLI.run(["proxy", "log", "--admin", mesh.admin])
        let long = try CLI.run(["proxy-config", "log", "--admin", mesh.admin])
        #expect(short.status == 0, "\(short.stderr)")
        #expect(short.stdout.contains("active loggers:"))
        #expect(short.stdout == long.stdout)
    }
}
