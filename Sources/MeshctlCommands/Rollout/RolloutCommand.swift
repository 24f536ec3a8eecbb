import ArgumentParser

extension Meshctl {
    struct RolloutCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollout",
            abstract: "Shift traffic from a stable subset to a canary step by step, gated on the proxies' metrics.",
            discussion: """
                A Rollout (meshctl.dev/v1alpha1, or Argo Rollouts' argoproj.io/v1alpha1 with Istio \
                subset-level routing) names a VirtualService, a stable and a canary subset, steps \
                (setWeight, pause) and gates (success rate, latency, success rate against stable). \
                `plan` shows what will happen, offline. `start` applies the first step to the proxies \
                (--admin, repeatable) and/or the VirtualService's file (--write); `step` evaluates \
                the gates over the window since the current step began and applies the next step \
                when they pass; `run` does that until the rollout is promoted or aborted. Every \
                change is journaled under .meshctl/ (or --state-dir) with an intent before it and a \
                commit after it is verified, so a command that dies half way is settled by the next.

                Exit status of status, step and run: 0 promoted (step: advanced), 1 aborted or \
                failed, 2 in progress, paused or waiting, 3 drift or conflict.

                Examples:
                  meshctl rollout plan -f rollout.yaml -f rules/
                  meshctl rollout start -f rollout.yaml -f rules/ --admin 127.0.0.1:15000
                  meshctl rollout step recommendation
                  meshctl rollout run recommendation
                """,
            subcommands: [
                Plan.self, Start.self, Step.self, Run.self, Status.self, Promote.self, Pause.self, Resume.self, Abort.self,
                Retry.self, History.self,
            ])
    }
}
