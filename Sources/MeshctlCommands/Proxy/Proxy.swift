import ArgumentParser

extension Meshctl {
    /// `meshctl proxy ...`: run meshctl's sidecar proxy, and read its stats.
    struct Proxy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run meshctl's sidecar proxy, and read running proxies' stats.",
            discussion: """
                Examples:
                  meshctl proxy run -f samples/tutorial/
                  meshctl proxy stats --admin 127.0.0.1:15000 --filter upstream_rq_5xx
                """,
            subcommands: [Run.self, Stats.self]
        )
    }
}
