import Foundation
import Testing

@Suite struct VersionCommandTests {
    @Test func printsTheClientVersionAsTextAndJSON() throws {
        let text = try CLI.run(["version"])
        #expect(text.status == 0)
        let flag = try CLI.run(["--version"])
        let version = flag.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!version.isEmpty)
        #expect(text.stdout.hasPrefix("client version: \(version) (Swift 6."))
        let json = try CLI.run(["version", "-o", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let client = try #require(document["clientVersion"] as? [String: String])
        #expect(client["version"] == version)
        #expect(client["platform"]?.hasPrefix("linux/") == true)
        #expect(document["meshVersion"] == nil)
    }

    /// `demo backend --version V` is the backend's own option, never meshctl's version flag.
    @Test func aSubcommandsOwnVersionOptionIsNotTheVersionFlag() throws {
        let version = try CLI.run(["--version"]).stdout
        let noListen = try CLI.run(["demo", "backend", "--name", "a", "--version", "v1"])
        #expect(noListen.status == 64)
        #expect(noListen.stdout == "")
        #expect(noListen.stderr.hasPrefix("Error: Missing expected argument '--listen <host:port>'"), "\(noListen.stderr)")
        let onlyVersion = try CLI.run(["demo", "backend", "--version", "v1"])
        #expect(onlyVersion.status == 64)
        #expect(onlyVersion.stderr.hasPrefix("Error: Missing expected argument '--name <name>'"), "\(onlyVersion.stderr)")
        #expect(!onlyVersion.stdout.contains(version))
        let help = try CLI.run(["demo", "backend", "--help"])
        #expect(help.stdout.components(separatedBy: "\n  --version").count == 2, "\(help.stdout)")
        #expect(try CLI.run(["--help"]).stdout.contains("meshctl --version"))
    }

    @Test func asksRunningProxiesForTheirs() throws {
        let mesh = try LiveMesh(backends: [("v1", [])])
        let json = try CLI.run(["version", "--admin", mesh.admin, "-o", "json"])
        #expect(json.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let proxies = try #require(document["meshVersion"] as? [[String: String]])
        let version = try CLI.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(proxies == [["admin": mesh.admin, "version": "meshctl/\(version)"]])
        let text = try CLI.run(["version", "--admin", mesh.admin])
        #expect(text.stdout.contains("proxy \(mesh.admin): meshctl/\(version)"))
    }

    @Test func saysWhichProxyDidNotAnswer() throws {
        let silent = try SilentPort()
        let result = try CLI.run(["version", "--admin", "127.0.0.1:\(silent.port)", "--timeout", "300ms"])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("client version: "))
        #expect(result.stderr.hasPrefix("error: 127.0.0.1:\(silent.port) did not answer in time"))
    }
}
