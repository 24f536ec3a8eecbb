import ArgumentParser
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Abort: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "abort",
            abstract: "Put stable back to 100% in one config change, on every proxy and file.",
            discussion: """
                Abort works from any state but promoted, drift included: it is the way back when \
                the traffic is not where the journal says. `rollout retry` starts over.

                Example:
                  meshctl rollout abort recommendation
                """)

        @OptionGroup var selection: RolloutSelection

        func run() throws {
            let context = try RolloutContext.open(selection)
            // No drift check first: abort is how drift is resolved.
            try context.settle(checkLive: false)
            let outcome = try mapped { try context.driver.carry(context.driver.machine.abort(now: RolloutContext.now)) }
            try outcome.finish(outcome.status?.phase == .aborted && !outcome.lines.contains { $0.hasPrefix("error:") } ? 0 : 1)
        }
    }
}
