import ArgumentParser
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Start an aborted rollout over from its first step (the same revision).",
            discussion: """
                Example:
                  meshctl rollout retry recommendation
                """)

        @OptionGroup var selection: RolloutSelection

        func run() throws {
            let context = try RolloutContext.open(selection)
            try context.settle(checkLive: false)
            let outcome = try mapped { try context.driver.carry(context.driver.machine.retry(now: RolloutContext.now)) }
            try outcome.finish(outcome.exitCode == 0 ? 0 : 1)
        }
    }
}
