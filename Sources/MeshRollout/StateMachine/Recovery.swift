/// What to do with an intent the journal holds without its commit (the command that wrote it
/// died between the two), given the canary weight each target runs now.
public enum Recovery: Sendable, Equatable {
    /// Every target runs the intended weights: the change happened; write its commit.
    case commit
    /// Some targets still run the previous weights (the others the intended ones): push again.
    case reapply
    /// A target runs other weights, or cannot be read: pause and report.
    case drift(String)

    /// Decides from the weights intended (`to`), the weights before (`from`, nil when the
    /// targets' previous weights were not known) and each target's live canary weight (nil:
    /// the routes are not as the rollout shapes them, or unreadable).
    public static func decide(from: Int?, to: Int, observed: [(target: String, weight: Int?)]) -> Recovery {
        var behind: [String] = []
        for (target, weight) in observed {
            guard let weight else {
                // Before the first change the target may not have run the VirtualService at all.
                if from == nil {
                    behind.append(target)
                    continue
                }
                return .drift("\(target): the routes are not as the rollout left them")
            }
            if weight == to { continue }
            if weight == from {
                behind.append(target)
                continue
            }
            let previous = from.map { "\($0)%" } ?? "unknown"
            return .drift("\(target) runs the canary at \(weight)%, neither the intended \(to)% nor the previous \(previous)")
        }
        return behind.isEmpty ? .commit : .reapply
    }
}
