import ArgumentParser
import Foundation
import MeshRollout

extension Meshctl.RolloutCommand {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Print a rollout's journal: every intent, commit and decision with its inputs.",
            discussion: """
                Examples:
                  meshctl rollout history recommendation
                  meshctl rollout history recommendation -o json
                """)

        @OptionGroup var selection: RolloutSelection

        @Option(name: [.short, .long], help: "Output format: text or json (the records as journaled).")
        var output: OutputFormat = .text

        func run() throws {
            let name = try RolloutName(selection.name)
            let journal = Journal(path: name.journalPath(in: selection.state.directory))
            guard journal.exists else { fail("no rollout \(name) in \(selection.state.directory)/rollouts") }
            let contents = try mapped { try journal.read() }
            switch output {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.nonConformingFloatEncodingStrategy = Journal.floats.encoding
                let records = (try? encoder.encode(contents.records)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
                write("{\n\"rollout\": \"\(name)\",\n\"truncatedTail\": \(contents.truncatedTail),\n\"records\": \(records)\n}\n")
            case .text:
                var lines = ["rollout \(name): \(Output.plural(contents.records.count, "record")) in \(journal.path)"]
                lines += contents.records.map(RolloutReport.historyLine)
                if contents.truncatedTail { lines.append("(the last line was cut short by a crash and is ignored)") }
                write(lines.joined(separator: "\n") + "\n")
            }
        }
    }
}
