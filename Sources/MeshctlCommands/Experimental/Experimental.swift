import ArgumentParser

extension Meshctl {
    /// `meshctl experimental ...` (alias `x`): commands whose output may still change.
    struct Experimental: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "experimental",
            abstract: "Experimental commands (alias x), as istioctl's.",
            discussion: """
                Examples:
                  meshctl x metrics --admin 127.0.0.1:15000
                  meshctl x load http://127.0.0.1:15001/ --host recommendation:8080 -t 10s
                  meshctl x ca init --dir ca/
                  meshctl x traces list --zipkin http://127.0.0.1:9411
                """,
            subcommands: [Metrics.self, Load.self, CA.self, Traces.self],
            aliases: ["x", "exp"])
    }
}
