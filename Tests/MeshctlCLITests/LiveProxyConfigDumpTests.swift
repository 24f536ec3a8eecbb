import Foundation
import Testing

/// A running proxy's configuration, read through `proxy-config --admin`, shows what the same
/// rules show read offline (`-f`): endpoints, and every cluster the rules define.
@Suite(.serialized) struct LiveProxyConfigDumpTests {
    @Test func edsFromAProxyMatchesEDSFromItsRules() throws {
        let mesh = try LiveMesh()
        for output in ["short", "json"] {
            let fromRules = try CLI.run([
                "proxy-config", "eds", "-f", mesh.rulesPath, "--listen", mesh.proxy.listen, "-o", output,
            ])
            let fromAdmin = try CLI.run(["proxy-config", "eds", "--admin", mesh.admin, "-o", output])
            #expect(fromAdmin.status == 0, "\(fromAdmin.stderr)")
            #expect(fromAdmin.stdout == fromRules.stdout, "eds -o \(output) differs between -f and --admin")
        }
        let table = try CLI.run(["proxy-config", "eds", "--admin", mesh.admin]).stdout
        let port = mesh.backends[0].process.port
        #expect(table.contains("127.0.0.1:\(port)"), "\(table)")
        #expect(table.contains("outbound|8080||recommendation.default.svc.cluster.local"))
    }
}
