import ArgumentParser
import Foundation
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drive a started rollout to its end: step whenever a pause or interval is over, with a live progress line.",
            discussion: """
                Each round is a `rollout step`: the lock is held only while it acts, so `promote`, \
                `pause` and `abort` work from another terminal meanwhile (a `pause: {}` step waits \
                for `promote`). Ends with 0 promoted, 1 aborted or failed, 3 drift or conflict.

                Example:
                  meshctl rollout run recommendation
                """)

        @OptionGroup var selection: RolloutSelection

        func run() throws {
            var shown = ""
            while true {
                let context = try RolloutContext.open(selection)
                try context.settle()
                let now = RolloutContext.now
                let outcome = try mapped { try context.driver.carry(context.driver.machine.step(now: now)) }
                let status = outcome.status ?? context.driver.status
                let line =
                    status.map {
                        "[\(RolloutReport.time(now))] \(RolloutReport.position($0, context.plan)), canary \($0.canaryWeight)%: "
                    } ?? ""
                let message = outcome.lines.first ?? ""
                if message != shown || outcome.exitCode != 2 {
                    Output.print(line + message)
                    shown = message
                }
                if outcome.exitCode != 2 && !(outcome.exitCode == 0 && status?.phase == .progressing) {
                    try outcome.finish(outcome.exitCode)
                }
                if outcome.exitCode == 1 { try outcome.finish(1) }
                // Sleep until the next thing can happen: the end of a pause or interval, or a poll.
                var wait = Int64(min(1000, max(50, context.plan.gates.intervalMs / 5)))
                if case .wait(let reason, _) = context.driver.machine.step(now: RolloutContext.now) {
                    switch reason {
                    case .pause(let left), .interval(let left): wait = min(max(left + 5, 5), 1000)
                    default: break
                    }
                } else if outcome.exitCode == 0 {
                    wait = 0
                }
                AdminDeadline.pause(wait * 1_000_000)
            }
        }
    }
}
