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

    @Test func endpointsOfEveryDefinedClusterAreLive() throws {
        let mesh = try LiveMesh()
        let fromRules = try CLI.run(["proxy-config", "endpoints", "-f", mesh.rulesPath, "--listen", mesh.proxy.listen])
        let fromAdmin = try CLI.run(["proxy-config", "endpoints", "--admin", mesh.admin])
        #expect(fromAdmin.status == 0, "\(fromAdmin.stderr)")
        #expect(fromAdmin.stdout == fromRules.stdout)
        // The route sends to v1 only; the subset-less cluster and v2's are listed all the same.
        for cluster in ["outbound|8080||", "outbound|8080|version-v2|"] {
            let rows = fromAdmin.stdout.split(separator: "\n").filter { $0.contains(cluster + "recommendation") }
            #expect(rows.count == (cluster.hasSuffix("||") ? 2 : 1), "\(cluster): \(fromAdmin.stdout)")
        }
    }
}
