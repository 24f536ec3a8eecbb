import ArgumentParser

/// The `meshctl` command tree.
public struct Meshctl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "meshctl",
        abstract: "Validate, simulate and render Istio route rules, offline.",
        discussion: """
            meshctl reads Istio's own networking API (VirtualService, DestinationRule, ServiceEntry, \
            Gateway, WorkloadEntry) from YAML or JSON files, so files written for Istio work unchanged.

            Start with:
              meshctl validate -f samples/
            """,
        version: "0.1.0",
        subcommands: [
            Validate.self, Analyze.self, Simulate.self, ProxyConfig.self, ProxyStatus.self, Apply.self, Proxy.self,
            RolloutCommand.self, Experimental.self, Demo.self,
        ]
    )

    public init() {}

    /// Runs the command line (asynchronously: the proxy and the demo run on event loops).
    public static func start() async {
        let asynchronous: AsyncParsableCommand.Type = Meshctl.self
        await asynchronous.main()
    }
}
