import ArgumentParser
import MeshModel
import MeshRollout
import MeshYAML

extension Meshctl.RolloutCommand {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract:
                "Show, offline, every step of a rollout with its weights, the change to the VirtualService, the gates and how long it takes.",
            discussion: """
                Nothing is contacted. The Rollout is validated and checked against the rules: a \
                route the canary subset is not part of, a subset with no endpoints, weights that do \
                not increase make a plan that could never finish, and exit 1. The gates are shown \
                with the PromQL that --prometheus would send.

                Examples:
                  meshctl rollout plan -f rollout.yaml -f rules/
                  meshctl rollout plan recommendation -f samples/rollout/ -o json
                """)

        @Argument(help: ArgumentHelp("The rollout (NAME or NAMESPACE/NAME) when the files hold several.", valueName: "name"))
        var name: String?

        @OptionGroup var input: InputOptions

        @Option(name: [.short, .long], help: "Output format: text or json.")
        var output: OutputFormat = .text

        func validate() throws {
            try input.validate()
            if let name { _ = try RolloutName(name) }
        }

        func run() throws {
            let rules = try loadValidRules(input.paths)
            let warnings = rules.diagnostics.filter { $0.level == .warning }
            let files = rules.files + rules.unparsed
            if !warnings.isEmpty {
                Output.error(DiagnosticRenderer.text(Output.sorted(warnings, fileOrder: files.map(\.path)), files: files))
            }
            let rollout = try RolloutContext.find(try name.map(RolloutName.init), in: rules)
            _ = try RolloutContext.checkRollout(rollout, rules: rules)
            let made: (plan: RolloutPlan, routes: [RolloutRoute], virtualService: Resource)
            switch RolloutPlan.make(rollout, resources: rules.resources) {
            case .success(let value): made = value
            case .failure(let problem): fail("\(rollout.reference): \(problem)")
            }
            let plan = made.plan
            let current = AdminTarget.canaryWeight(
                in: rules.resources, virtualService: made.virtualService, rollout: rollout)
            let timing = Timing(plan)
            switch output {
            case .json: write(json(plan, made: made, current: current, timing: timing).json(pretty: true) + "\n")
            case .text: write(text(plan, rollout: rollout, made: made, current: current, timing: timing))
            }
        }

        /// The shortest time to promotion (and the promotes it needs) and to an automatic abort.
        struct Timing {
            var promotionMs: Int64 = 0
            var promotes = 0
            var rollbackMs: Int64

            init(_ plan: RolloutPlan) {
                let gated = !plan.gates.isEmpty
                for step in plan.steps.dropLast() {
                    switch step {
                    case .setWeight: promotionMs += gated ? plan.gates.intervalMs : 0
                    case .pause(let ms?): promotionMs += max(ms, gated ? plan.gates.intervalMs : 0)
                    case .pause(nil): promotes += 1
                    }
                }
                rollbackMs = plan.gates.intervalMs * Int64(plan.gates.failureLimit + 1)
            }

            var promotion: String {
                Format.milliseconds(Double(promotionMs)) + (promotes > 0 ? " and \(promotes) `rollout promote`" : "")
            }
        }

        func text(
            _ plan: RolloutPlan, rollout: Resource, made: (plan: RolloutPlan, routes: [RolloutRoute], virtualService: Resource),
            current: Int?, timing: Timing
        ) -> String {
            let vs = made.virtualService
            let routes = made.routes.map { $0.name.map { "`\($0)`" } ?? "spec.http[\($0.index)]" }.joined(separator: ", ")
            var lines = [
                "rollout \(plan.reference) (\(rollout.position(rollout.node)), \(rollout.rollout?.origin == .argo ? "Argo Rollout" : "meshctl Rollout"))",
                "  shifts VirtualService \(vs.namespace)/\(vs.name) (\(vs.position(vs.node))), \(made.routes.count == 1 ? "route" : "routes") \(routes)",
                "  from stable subset \(plan.stableSubset) (version \(plan.stableVersion ?? "-")) to canary subset \(plan.canarySubset) (version \(plan.canaryVersion ?? "-")) of \(plan.service)",
                "  the files give the canary \(current.map { "\($0)%" } ?? "no consistent weight")",
                "",
            ]
            var rows = [["STEP", "ACTION", "STABLE", "CANARY", "MOVES ON"]]
            for (i, step) in plan.steps.enumerated() {
                let weight = plan.canaryWeight(at: i)
                let movesOn: String
                if i == plan.lastStep {
                    movesOn = "promoted"
                } else {
                    switch step {
                    case .pause(nil): movesOn = "on `rollout promote`"
                    case .pause(let ms?):
                        movesOn =
                            plan.gates.isEmpty
                            ? "after \(Format.milliseconds(Double(ms)))"
                            : "after \(Format.milliseconds(Double(max(ms, plan.gates.intervalMs)))), gates passing"
                    case .setWeight:
                        movesOn =
                            plan.gates.isEmpty
                            ? "at the next `rollout step`"
                            : "after \(Format.milliseconds(Double(plan.gates.intervalMs))), gates passing"
                    }
                }
                let added = i >= plan.writtenSteps ? " (added: the canary ends at 100%)" : ""
                rows.append(["\(i + 1)", RolloutReport.describe(step) + added, "\(100 - weight)%", "\(weight)%", movesOn])
            }
            lines += RolloutReport.table(rows).map { "  " + $0 }
            lines.append("")
            lines += diffLines(plan, made: made)
            lines.append("")
            if plan.gates.isEmpty {
                lines.append("gates: none; each `rollout step` moves on once a pause is over")
            } else {
                let g = plan.gates
                lines.append(
                    "gates, evaluated \(Format.milliseconds(Double(g.intervalMs))) after each step starts, on the canary's requests (at least \(g.minRequests), else \(g.onNoData.rawValue)); the rollout aborts after \(Output.plural(g.failureLimit + 1, "failed evaluation")) in a step:"
                )
                for metric in g.metrics { lines.append("  \(metric.condition)") }
                lines += RolloutReport.queryLines(plan, window: g.intervalMs, indent: "  ")
            }
            lines.append("")
            lines.append("shortest time to promotion: \(timing.promotion)")
            lines.append(
                "shortest time to rollback: one config push (`meshctl rollout abort`)"
                    + (plan.gates.isEmpty
                        ? "" : "; by the gates, \(Format.milliseconds(Double(timing.rollbackMs))) after a step starts"))
            return lines.joined(separator: "\n") + "\n"
        }

        /// The first step's change to the VirtualService file, line by line.
        func diffLines(_ plan: RolloutPlan, made: (plan: RolloutPlan, routes: [RolloutRoute], virtualService: Resource))
            -> [String]
        {
            let file = made.virtualService.file
            let weight = plan.canaryWeight(at: 0)
            guard case .success(let edits) = WeightEdit.scalarEdits(made.routes, canaryWeight: weight),
                let edited = try? file.replacingScalars(edits)
            else {
                return [
                    "VirtualService change at step 1: spec.http weights to stable \(100 - weight), canary \(weight) (the file has destinations without `weight:`, so --write cannot edit it)"
                ]
            }
            let before = String(decoding: file.source, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let after = String(decoding: edited, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            var lines = ["VirtualService change at step 1 (what --write does to \(file.path); --admin pushes the same weights):"]
            for (i, (old, new)) in zip(before, after).enumerated() where old != new {
                lines.append("  \(file.path):\(i + 1)")
                lines.append("  - \(old)")
                lines.append("  + \(new)")
            }
            if lines.count == 1 { lines.append("  none: the file already gives the canary \(weight)%") }
            return lines
        }

        func json(
            _ plan: RolloutPlan, made: (plan: RolloutPlan, routes: [RolloutRoute], virtualService: Resource), current: Int?,
            timing: Timing
        ) -> JSONValue {
            let promql = PromQL(service: plan.service)
            return [
                "rollout": .string(plan.reference),
                "virtualService": .string("\(made.virtualService.namespace)/\(made.virtualService.name)"),
                "routes": .array(made.routes.map { .int(Int64($0.index)) }),
                "service": .string(plan.service),
                "stable": ["subset": .string(plan.stableSubset), "version": plan.stableVersion.map { .string($0) } ?? .null],
                "canary": ["subset": .string(plan.canarySubset), "version": plan.canaryVersion.map { .string($0) } ?? .null],
                "currentCanaryWeight": current.map { .int(Int64($0)) } ?? .null,
                "steps": .array(
                    plan.steps.enumerated().map { i, step in
                        [
                            "step": .int(Int64(i + 1)), "action": .string(RolloutReport.describe(step)),
                            "stableWeight": .int(Int64(100 - plan.canaryWeight(at: i))),
                            "canaryWeight": .int(Int64(plan.canaryWeight(at: i))),
                            "added": .bool(i >= plan.writtenSteps),
                        ]
                    }),
                "gates": .array(
                    plan.gates.metrics.map {
                        [
                            "name": .string($0.name), "condition": .string($0.condition),
                            "promql": .array(
                                promql.queries(for: $0, plan: plan, window: plan.gates.intervalMs).map { .string($0) }),
                        ]
                    }),
                "intervalMs": .int(plan.gates.intervalMs), "minRequests": .int(Int64(plan.gates.minRequests)),
                "onNoData": .string(plan.gates.onNoData.rawValue), "failureLimit": .int(Int64(plan.gates.failureLimit)),
                "shortestPromotionMs": .int(timing.promotionMs), "promotesNeeded": .int(Int64(timing.promotes)),
                "shortestAutomaticRollbackMs": plan.gates.isEmpty ? .null : .int(timing.rollbackMs),
            ]
        }
    }
}
