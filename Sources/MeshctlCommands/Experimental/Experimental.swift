import ArgumentParser

extension Meshctl {
    /// `meshctl experimental ...` (alias `x`): commands whose output may still change.
    struct Experimental: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "experimental",
            abstract: "Experimental commands (alias x), as istioctl's.",
            subcommands: [Metrics.self, CA.self],
            aliases: ["x", "exp"])
    }
}
