import ArgumentParser

extension Meshctl {
    /// `meshctl proxy ...`: run meshctl's sidecar proxy.
    struct Proxy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run meshctl's sidecar proxy.",
            subcommands: [Run.self]
        )
    }
}
