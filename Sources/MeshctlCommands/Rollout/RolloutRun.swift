import ArgumentParser
import Foundation
import MeshRollout

extension Meshctl.RolloutCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Drive a started rollout to its end: step whenever a pause or interval is over, with a live progress line.",
            discussion: """
                Each round is a `rollout step`: the lock is held only while it acts, so `promote`, \
                `pause`, `status` and `abort` work from another terminal meanwhile (a `pause: {}` \
                step waits for `promote`). Ends with 0 promoted, 1 aborted or failed, 3 drift or \
                conflict.

                Example:
                  meshctl rollout run recommendation
                """)

        @OptionGroup var selection: RolloutSelection

        func run() throws {
            var shown = ""
            while true {
                AdminDeadline.pause(try round(&shown) * 1_000_000)
            }
        }

        /// One `rollout step`, printed when its message changes; the milliseconds until the next
        /// round (the lock is let go before the wait).
        func round(_ shown: inout String) throws -> Int64 {
            let context = try RolloutContext.open(selection, waitForLock: 10_000)
            try context.settle()
            let now = RolloutContext.now
            let outcome = try mapped { try context.driver.carry(context.driver.machine.step(now: now)) }
            let status = outcome.status ?? context.driver.status
            let message = outcome.lines.first ?? ""
            if message != shown || outcome.exitCode != 2 {
                let position = status.map { "\(RolloutReport.position($0, context.plan)), canary \($0.canaryWeight)%: " } ?? ""
                write("[\(RolloutReport.time(now))] \(position)\(message)\n")
                shown = message
            }
            let advanced = outcome.exitCode == 0 && status?.phase == .progressing
            if outcome.exitCode != 2 && !advanced {
                // The first line is printed above.
                var rest = outcome
                rest.lines = Array(outcome.lines.dropFirst())
                try rest.finish(outcome.exitCode)
            }
            if advanced { return 0 }
            // Until the next thing can happen: the end of a pause or interval, or a poll.
            if case .wait(let reason, _) = context.driver.machine.step(now: RolloutContext.now) {
                switch reason {
                case .pause(let left), .interval(let left): return min(max(left + 5, 5), 1000)
                default: break
                }
            }
            return min(1000, max(50, context.plan.gates.intervalMs / 5))
        }
    }
}
