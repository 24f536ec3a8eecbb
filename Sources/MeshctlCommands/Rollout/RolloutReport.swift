import Foundation
import MeshModel
import MeshRollout
import MeshYAML

/// How rollout commands print plans, steps, statuses and gates.
enum RolloutReport {
    static func describe(_ step: RolloutPlan.Step) -> String {
        switch step {
        case .setWeight(let w): "setWeight \(w)"
        case .pause(let ms?): "pause \(Format.milliseconds(Double(ms)))"
        case .pause(nil): "pause (until promote)"
        }
    }

    /// `step 3 of 7 (setWeight 25)`.
    static func position(_ status: RolloutStatus, _ plan: RolloutPlan) -> String {
        "step \(status.step + 1) of \(plan.steps.count) (\(describe(plan.steps[status.step])))"
    }

    static func time(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS'Z'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func percent(_ value: Double?) -> String {
        value.map { Format.number(($0 * 10).rounded() / 10) + "%" } ?? "-"
    }

    /// The gates' table: name, condition, value, verdict, inputs.
    static func gateLines(_ evaluation: Evaluation, indent: String = "  ") -> [String] {
        let rows = evaluation.gates.map { [$0.name, $0.condition, Evaluation.show($0), $0.verdict.rawValue, $0.inputs] }
        return table([["GATE", "CONDITION", "VALUE", "VERDICT", "INPUTS"]] + rows).map { indent + $0 }
    }

    /// Columns padded to their widest cell, two spaces apart.
    static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    // MARK: Status

    static func statusText(
        _ context: RolloutContext, status: RolloutStatus?, evaluation: Evaluation?, verbose: Bool, now: Int64
    ) -> String {
        let plan = context.plan
        guard let status else { return "rollout \(plan.reference): not started\n" }
        var lines = ["rollout \(plan.reference): \(status.phase.rawValue), \(position(status, plan))"]
        if !status.message.isEmpty { lines.append("  \(status.message)") }
        let observations = evaluation?.observations
        let window =
            observations.map {
                " (window \(Format.milliseconds($0.seconds * 1000)), \(Format.number($0.stable.requests + $0.canary.requests)) requests)"
            } ?? ""
        lines.append("")
        lines += table([
            ["SUBSET", "CONFIGURED", "OBSERVED\(window)"],
            [
                "stable \(plan.stableSubset)", "\(status.stableWeight)%",
                percent(observations?.observedCanaryPercent.map { 100 - $0 }),
            ],
            ["canary \(plan.canarySubset)", "\(status.canaryWeight)%", percent(observations?.observedCanaryPercent)],
        ]).map { "  " + $0 }
        if !plan.gates.isEmpty {
            lines.append("")
            lines.append(
                "  gates over the window since \(time(status.windowStart)) (\(Format.milliseconds(Double(max(0, now - status.windowStart))))), from \(context.metricsDescription); failures \(status.failures) of at most \(plan.gates.failureLimit):"
            )
            if let evaluation, !evaluation.gates.isEmpty {
                lines += gateLines(evaluation, indent: "    ")
                if evaluation.verdict == .error || evaluation.verdict == .noData {
                    lines.append("    \(evaluation.verdict.rawValue): \(evaluation.reason)")
                }
            } else if let evaluation {
                lines.append("    \(evaluation.verdict.rawValue): \(evaluation.reason)")
            }
            if verbose { lines += queryLines(plan, window: max(1, now - status.windowStart), indent: "    ") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func queryLines(_ plan: RolloutPlan, window: Int64, indent: String) -> [String] {
        var lines = ["\(indent)PromQL (with --prometheus):"]
        let promql = PromQL(service: plan.service)
        for metric in plan.gates.metrics {
            lines.append("\(indent)  \(metric.name):")
            lines += promql.queries(for: metric, plan: plan, window: window).map { "\(indent)    \($0)" }
        }
        return lines
    }

    static func statusJSON(
        _ context: RolloutContext, status: RolloutStatus?, evaluation: Evaluation?, verbose: Bool, now: Int64
    ) -> JSONValue {
        let plan = context.plan
        var fields: [(String, JSONValue)] = [
            ("rollout", .string(plan.reference)), ("phase", .string(status?.phase.rawValue ?? "not-started")),
            ("step", status.map { .int(Int64($0.step + 1)) } ?? .null), ("steps", .int(Int64(plan.steps.count))),
            ("exitCode", .int(Int64(status?.exitCode ?? 2))),
            (
                "weights",
                [
                    "stable": [
                        "subset": .string(plan.stableSubset), "configured": status.map { .int(Int64($0.stableWeight)) } ?? .null,
                        "observed": observed(evaluation, canary: false),
                    ],
                    "canary": [
                        "subset": .string(plan.canarySubset), "configured": status.map { .int(Int64($0.canaryWeight)) } ?? .null,
                        "observed": observed(evaluation, canary: true),
                    ],
                ]
            ),
            ("message", .string(status?.message ?? "")),
            ("failures", .int(Int64(status?.failures ?? 0))), ("failureLimit", .int(Int64(plan.gates.failureLimit))),
            ("metricsSource", .string(context.metricsDescription)),
        ]
        if let status {
            fields.append(("windowStart", .string(time(status.windowStart))))
            fields.append(("windowSeconds", .double(Double(max(0, now - status.windowStart)) / 1000)))
        }
        if let evaluation { fields.append(("evaluation", json(evaluation))) }
        if verbose, let status {
            let promql = PromQL(service: plan.service)
            fields.append(
                (
                    "queries",
                    .object(
                        plan.gates.metrics.map {
                            (
                                $0.name,
                                .array(
                                    promql.queries(for: $0, plan: plan, window: max(1, now - status.windowStart)).map {
                                        .string($0)
                                    })
                            )
                        })
                ))
        }
        return .object(fields)
    }

    static func observed(_ evaluation: Evaluation?, canary: Bool) -> JSONValue {
        guard let observations = evaluation?.observations, let share = observations.observedCanaryPercent else { return .null }
        let traffic = canary ? observations.canary : observations.stable
        return ["percent": .double(((canary ? share : 100 - share) * 10).rounded() / 10), "requests": .double(traffic.requests)]
    }

    static func json(_ evaluation: Evaluation) -> JSONValue {
        [
            "verdict": .string(evaluation.verdict.rawValue), "reason": .string(evaluation.reason),
            "gates": .array(
                evaluation.gates.map {
                    [
                        "name": .string($0.name), "condition": .string($0.condition),
                        "value": $0.value.map { .double($0) } ?? .null,
                        "verdict": .string($0.verdict.rawValue), "inputs": .string($0.inputs),
                    ]
                }),
            "windowSeconds": evaluation.observations.map { .double($0.seconds) } ?? .null,
            "requests": evaluation.observations.map {
                [
                    "stable": .double($0.stable.requests), "canary": .double($0.canary.requests),
                    "stable5xx": .double($0.stable.errors), "canary5xx": .double($0.canary.errors),
                ]
            } ?? .null,
        ]
    }

    // MARK: History

    static func historyLine(_ record: JournalRecord) -> String {
        var text = "#\(record.seq)  \(time(record.time))  \(record.kind.rawValue)"
        if let action = record.action { text += " \(action)" }
        switch record.kind {
        case .start:
            if let settings = record.settings {
                var targets = settings.admins.map { "--admin \($0)" }
                if settings.write { targets.append("--write") }
                if let url = settings.prometheus { targets.append("--prometheus \(url)") }
                text += ": \(targets.joined(separator: " ")) (spec \(record.fingerprints?.rollout ?? "?"))"
            }
        case .intent:
            text += ": canary \(record.from.map { "\($0)%" } ?? "?") → \(record.to.map { "\($0)%" } ?? "?")"
        case .commit:
            text +=
                " (intent #\(record.intent ?? 0)): "
                + (record.status.map { "canary \($0.canaryWeight)%, \($0.phase.rawValue)" } ?? "")
            if let targets = record.targets, !targets.isEmpty { text += "; " + targets.joined(separator: "; ") }
        case .decision:
            text += ": " + (record.evaluation?.reason ?? record.message ?? "")
        case .state:
            text += ": " + (record.message ?? record.status?.message ?? "")
        }
        return text
    }
}
