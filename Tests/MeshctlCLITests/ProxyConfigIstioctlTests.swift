import Foundation
import Testing

/// istioctl's command names, aliases and dump handling.
@Suite struct ProxyConfigIstioctlTests {
    @Test func aliasesNameTheSameCommands() throws {
        let full = try CLI.run(["proxy-config", "cluster", "-f", "samples/tutorial/"])
        #expect(full.status == 0)
        for alias in [["pc", "c"], ["proxy-config", "clusters"], ["pc", "cluster"]] {
            #expect(try CLI.run(alias + ["-f", "samples/tutorial/"]).stdout == full.stdout)
        }
        #expect(
            try CLI.run(["pc", "l", "-f", "samples/tutorial/"]).stdout.hasPrefix(
                "ADDRESSES PORT  MATCH                                DESTINATION\n"))
        // One route configuration per service port, named by the port (a sidecar's shape).
        #expect(
            try CLI.run(["pc", "r", "-f", "samples/tutorial/", "--no-verbose"]).stdout == "NAME     VIRTUAL HOSTS\n8080     4\n")
    }

    @Test func directionIsASubstring() throws {
        let result = try CLI.run(["pc", "c", "-f", "samples/tutorial/", "--direction", "out"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == 7)
    }

    @Test func dashFReadsAConfigDumpAndCamelCaseDumps() throws {
        let dir = try CLI.temporaryDirectory()
        let dump = try CLI.run(["pc", "all", "-f", "samples/tutorial/", "-o", "json"])
        let path = try CLI.write(dump.stdout, to: "dump.json", in: dir)
        let fromRules = try CLI.run(["pc", "routes", "-f", "samples/tutorial/"])
        let fromDash = try CLI.run(["pc", "routes", "-f", path])
        #expect(fromDash.status == 0)
        #expect(fromDash.stdout == fromRules.stdout)
        // The same dump in protobuf JSON's lowerCamelCase spelling gives the same tables.
        let camel = dump.stdout.replacingOccurrences(of: "\"virtual_hosts\"", with: "\"virtualHosts\"")
            .replacingOccurrences(of: "\"dynamic_route_configs\"", with: "\"dynamicRouteConfigs\"")
            .replacingOccurrences(of: "\"route_config\"", with: "\"routeConfig\"")
        let camelPath = try CLI.write(camel, to: "camel.json", in: dir)
        #expect(try CLI.run(["pc", "routes", "--file", camelPath]).stdout == fromRules.stdout)
    }

    @Test func aMissingSectionIsAnError() throws {
        let dir = try CLI.temporaryDirectory()
        let path = try CLI.write(#"{"configs": []}"#, to: "empty.json", in: dir)
        let result = try CLI.run(["pc", "listeners", "--file", path])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "listener dump: config dump has no configuration type type.googleapis.com/envoy.admin.v3.ListenersConfigDump"))
        let secrets = try CLI.run(["pc", "secret", "-f", "samples/tutorial/"])
        #expect(secrets.status == 1)
    }

    @Test func ipv6ListenAddressIsRenderedBare() throws {
        let result = try CLI.run(["pc", "all", "-f", "samples/tutorial/", "--listen", "[::1]:15001", "-o", "json"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"address\": \"::1\""))
        #expect(!result.stdout.contains("[::1]"))
        #expect(try CLI.run(["pc", "l", "-f", "samples/tutorial/", "--listen", "::1:15001"]).status == 64)
    }

    @Test func bootstrapVersionSummary() throws {
        let result = try CLI.run(["pc", "b", "-f", "samples/tutorial/", "-o", "short"])
        #expect(result.stdout == "Envoy Version: 0.0.0\n")
    }
}
