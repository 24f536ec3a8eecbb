import ArgumentParser

extension Meshctl {
    /// `meshctl proxy ...`: run meshctl's sidecar proxy, and read its stats.
    struct Proxy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run meshctl's sidecar proxy, and read running proxies' stats.",
            subcommands: [Run.self, Stats.self]
        )
    }
}
