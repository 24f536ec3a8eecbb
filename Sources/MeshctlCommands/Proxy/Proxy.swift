import ArgumentParser

extension Meshctl {
    /// `meshctl proxy ...`: run meshctl's sidecar proxy, and read its stats.
    struct Proxy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "proxy",
            abstract: "Run meshctl's sidecar proxy, and read running proxies' stats and logging levels.",
            discussion: """
                `meshctl proxy log` is `meshctl proxy-config log` (istioctl's name for it).

                Examples:
                  meshctl proxy run -f samples/tutorial/
                  meshctl proxy stats --admin 127.0.0.1:15000 --filter upstream_rq_5xx
                  meshctl proxy log --admin 127.0.0.1:15000 --level debug
                """,
            subcommands: [Run.self, Stats.self, ProxyConfig.Log.self]
        )
    }
}
