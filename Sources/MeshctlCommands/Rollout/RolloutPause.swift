import ArgumentParser
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pause",
            abstract: "Hold the rollout at its current weights until `rollout resume`.",
            discussion: """
                Example:
                  meshctl rollout pause recommendation
                """)

        @OptionGroup var selection: RolloutSelection

        func run() throws {
            try RolloutContext.act(selection, success: 0) { machine, now in machine.pause(now: now) }
        }
    }
}
