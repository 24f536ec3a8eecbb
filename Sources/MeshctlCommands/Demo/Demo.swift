import ArgumentParser

extension Meshctl {
    /// `meshctl demo ...`: the Istio tutorial's services, on this machine.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The Istio tutorial's services, to try the proxy with.",
            subcommands: [Backend.self]
        )
    }
}
