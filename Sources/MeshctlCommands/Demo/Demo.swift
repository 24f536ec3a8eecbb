import ArgumentParser

extension Meshctl {
    /// `meshctl demo ...`: the Istio tutorial, live on this machine.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Run the Istio tutorial on this machine and walk through it with real traffic.",
            discussion: """
                `meshctl demo` is `meshctl demo run`; `meshctl demo backend` plays one service.

                Examples:
                  meshctl demo
                  meshctl demo --stage fault --stage canary
                  meshctl demo backend --name recommendation --version v1 --listen 127.0.0.1:8081
                """,
            subcommands: [Tour.self, Backend.self],
            defaultSubcommand: Tour.self)
    }
}
