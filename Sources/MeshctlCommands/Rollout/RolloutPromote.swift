import ArgumentParser
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Move past the current step (a `pause: {}` waits for this) without its wait or gates; --full goes to 100%.",
            discussion: """
                Examples:
                  meshctl rollout promote recommendation
                  meshctl rollout promote recommendation --full
                """)

        @OptionGroup var selection: RolloutSelection

        @Flag(help: "Give the canary 100% now, skipping the remaining steps.")
        var full = false

        func run() throws {
            try RolloutContext.act(selection, success: 0) { machine, now in machine.promote(full: full, now: now) }
        }
    }
}
