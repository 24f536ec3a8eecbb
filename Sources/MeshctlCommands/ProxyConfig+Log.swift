import ArgumentParser
import MeshYAML

extension Meshctl.ProxyConfig {
    /// istioctl's `proxy-config log`: each proxy's loggers and levels, optionally changed first.
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "Show running proxies' logging levels, and change them with --level, as istioctl's proxy-config log.",
            discussion: """
                Prints each proxy as `HOST:PORT:` followed by its admin API's answer to POST /logging \
                (Envoy's `active loggers:` list). --level takes istioctl's forms: LEVEL for every \
                logger, or LOGGER:LEVEL (also LOGGER=LEVEL), comma-separated; a logger must be one the \
                proxy lists. Levels: trace, debug, info, warning (warn), error, critical, off.

                Examples:
                  meshctl proxy-config log --admin 127.0.0.1:15000
                  meshctl proxy-config log --admin 127.0.0.1:15000 --level debug
                  meshctl proxy-config log --admin 127.0.0.1:15000 --admin 127.0.0.1:16000 --level meshctl.proxy:warning
                """,
            aliases: ["o"])

        @OptionGroup var admin: AdminOptions

        @Option(
            help: ArgumentHelp(
                "LEVEL for every logger, or [LOGGER:]LEVEL,... (trace, debug, info, warning, error, critical, off).",
                valueName: "level"))
        var level: String?

        @Option(name: [.short, .long], help: "Output format: short (the loggers as the proxy lists them), json or yaml.")
        var output: ProxyConfigFormat = .short

        static let levels = [
            "trace": "trace", "debug": "debug", "info": "info", "warning": "warning", "warn": "warning", "error": "error",
            "critical": "critical", "off": "off",
        ]

        /// What --level asks: a level for every logger, then levels for named loggers.
        struct Change {
            var all: String?
            var loggers: [(String, String)] = []
        }

        static func parse(_ text: String) throws -> Change {
            var change = Change()
            for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard item.contains(":") || item.contains("=") else {
                    guard let level = levels[item] else { throw ValidationError("unrecognized logging level: \(item)") }
                    change.all = level
                    continue
                }
                // istioctl's NAMESPACE::LOGGER:LEVEL: the namespace part is dropped.
                let loggerAndLevel = item.components(separatedBy: "::").last ?? item
                guard let split = loggerAndLevel.firstIndex(where: { $0 == ":" || $0 == "=" }) else { continue }
                let logger = String(loggerAndLevel[..<split])
                let name = String(loggerAndLevel[loggerAndLevel.index(after: split)...])
                guard let level = levels[name] else { throw ValidationError("unrecognized logging level: \(name)") }
                if logger == "level" { change.all = level } else { change.loggers.append((logger, level)) }
            }
            return change
        }

        func validate() throws {
            if let level { _ = try Self.parse(level) }
        }

        func run() throws {
            let change = try level.map(Self.parse) ?? Change()
            var proxies: [JSONValue] = []
            var failed = false
            for client in admin.clients {
                switch apply(change, to: client) {
                case .success(let answer):
                    if output == .short {
                        write("\(client.address):\n\(answer)")
                    } else {
                        let loggers = Self.loggers(answer).map { ($0.0, JSONValue.string($0.1)) }
                        proxies.append(["admin": .string(client.address.text), "loggers": .object(loggers)])
                    }
                case .failure(let failure):
                    Output.error("error: \(failure)")
                    failed = true
                }
            }
            if output != .short {
                ReportFormat(rawValue: output.rawValue)?.print(["proxies": .array(proxies)])
            }
            if failed { throw ExitCode(1) }
        }

        /// Lists the proxy's loggers, checks the named ones, sets the levels; the last answer.
        func apply(_ change: Change, to client: AdminClient) -> Result<String, AdminFailure> {
            var answer: String
            switch post(client, query: "") {
            case .success(let text): answer = text
            case .failure(let failure): return .failure(failure)
            }
            let known = Set(Self.loggers(answer).map(\.0))
            if let unknown = change.loggers.first(where: { !known.contains($0.0) }) {
                return .failure(
                    AdminFailure(
                        "unrecognized logger name: \(unknown.0) (\(client.address) has \(known.sorted().joined(separator: ", ")))"
                    ))
            }
            let queries =
                (change.all.map { ["level=\($0)"] } ?? [])
                + change.loggers.map { "\(Meshctl.Proxy.Stats.percentEncode($0.0))=\($0.1)" }
            for query in queries {
                switch post(client, query: query) {
                case .success(let text): answer = text
                case .failure(let failure): return .failure(failure)
                }
            }
            return .success(answer)
        }

        func post(_ client: AdminClient, query: String) -> Result<String, AdminFailure> {
            let path = "/logging" + (query.isEmpty ? "" : "?" + query)
            return client.fetch(path, method: "POST", what: "loggers").flatMap { response in
                response.text.hasPrefix("active loggers:")
                    ? .success(response.text) : .failure(client.notAdmin("POST", path, response, what: "loggers"))
            }
        }

        /// `  NAME: LEVEL` lines of Envoy's `active loggers:` answer.
        static func loggers(_ answer: String) -> [(String, String)] {
            answer.split(separator: "\n").dropFirst().compactMap { line in
                let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { return nil }
                return (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
            }
        }
    }
}

import Foundation
