import ArgumentParser
import Foundation
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show a rollout's step, configured and observed weights, and each gate's inputs, value and verdict.",
            discussion: """
                The observed weights are the shares of requests that reached each subset in the \
                current window, from the same metrics the gates read. Nothing changes, except that \
                an interrupted change is settled first. -v adds the PromQL of each gate. Exit \
                status: 0 promoted, 1 aborted, 2 in progress or paused, 3 drift or conflict.

                Examples:
                  meshctl rollout status recommendation
                  meshctl rollout status recommendation -o json
                  meshctl rollout status recommendation --watch
                """)

        @OptionGroup var selection: RolloutSelection

        @Option(name: [.short, .long], help: "Output format: text or json.")
        var output: OutputFormat = .text

        @Flag(name: [.short, .long], help: "Also print the PromQL each gate reads.")
        var verbose = false

        @Flag(help: "Print the status again as it changes, until the rollout is promoted, aborted or in drift.")
        var watch = false

        func run() throws {
            var last = ""
            while true {
                let exit: Int32
                let printed: String
                let wait: Int64
                // The context (and its lock) is let go before the wait.
                do {
                    let context = try RolloutContext.open(selection, waitForLock: watch ? 10_000 : 0)
                    try context.settle()
                    let now = RolloutContext.now
                    let status = context.driver.status
                    let evaluation = status.map { context.driver.evaluate(windowStart: $0.windowStart, now: now) }
                    exit = status?.exitCode ?? 2
                    switch output {
                    case .json:
                        printed =
                            RolloutReport.statusJSON(context, status: status, evaluation: evaluation, verbose: verbose, now: now)
                            .json(pretty: true) + "\n"
                    case .text:
                        printed = RolloutReport.statusText(
                            context, status: status, evaluation: evaluation, verbose: verbose, now: now)
                    }
                    if !watch || exit != 2 {
                        write(printed)
                        throw ExitCode(exit)
                    }
                    if printed != last { write(printed + "\n") }
                    last = printed
                    wait = min(1000, max(100, context.plan.gates.intervalMs / 4))
                }
                AdminDeadline.pause(wait * 1_000_000)
            }
        }
    }
}
