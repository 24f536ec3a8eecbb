import ArgumentParser
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Step: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "step",
            abstract: "Evaluate the gates over the current window and, when they pass, apply the next step.",
            discussion: """
                Before the analysis interval has passed since the current step began, or while a \
                pause lasts, nothing changes (exit 2, with the time left). With fewer canary \
                requests than minRequests, onNoData decides. Passing gates apply the next step \
                (exit 0); a failure beyond failureLimit aborts: stable back to 100% (exit 1). \
                Drift, or a spec changed since start, is exit 3.

                Example:
                  meshctl rollout step recommendation
                """)

        @OptionGroup var selection: RolloutSelection

        func run() throws {
            try RolloutContext.act(selection) { machine, now in machine.step(now: now) }
        }
    }
}
