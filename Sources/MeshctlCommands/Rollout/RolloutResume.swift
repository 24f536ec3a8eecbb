import ArgumentParser
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Continue a rollout held by `rollout pause`.",
            discussion: """
                Example:
                  meshctl rollout resume recommendation
                """)

        @OptionGroup var selection: RolloutSelection

        func run() throws {
            try RolloutContext.act(selection, success: 0) { machine, now in machine.resume(now: now) }
        }
    }
}
