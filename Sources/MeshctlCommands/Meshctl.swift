import ArgumentParser
import MeshProxy

/// The `meshctl` command tree.
public struct Meshctl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "meshctl",
        abstract: "Istio's route rules on one machine: validate, analyze, simulate, render, and serve them with a proxy.",
        discussion: """
            meshctl reads Istio's own networking API (VirtualService, DestinationRule, ServiceEntry, \
            Gateway, WorkloadEntry, Sidecar) from YAML or JSON files, so files written for Istio work \
            unchanged, and runs them in its own sidecar proxy with Envoy's admin API.

            Start with:
              meshctl demo                      # the Istio tutorial, live, in under a minute
              meshctl validate -f samples/
            """,
        version: ProxyVersion.current,
        subcommands: [
            Validate.self, Analyze.self, Simulate.self, ProxyConfig.self, ProxyStatus.self, Apply.self, Proxy.self,
            RolloutCommand.self, Experimental.self, Demo.self, Graph.self, Version.self,
        ]
    )

    public init() {}

    /// Runs the command line (asynchronously: the proxy and the demo run on event loops).
    public static func start() async {
        Output.ignoreBrokenPipes()
        let asynchronous: AsyncParsableCommand.Type = Meshctl.self
        await asynchronous.main()
    }
}
