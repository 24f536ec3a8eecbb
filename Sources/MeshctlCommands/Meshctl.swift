import ArgumentParser
import MeshProxy
import Synchronization

/// The `meshctl` command tree.
public struct Meshctl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "meshctl",
        abstract: "Istio's route rules on one machine: validate, analyze, simulate, render, and serve them with a proxy.",
        discussion: """
            meshctl reads Istio's own networking API (VirtualService, DestinationRule, ServiceEntry, \
            Gateway, WorkloadEntry, Sidecar) from YAML or JSON files, so files written for Istio work \
            unchanged, and runs them in its own sidecar proxy with Envoy's admin API.

            Start with:
              meshctl demo                      # the Istio tutorial, live, in under a minute
              meshctl validate -f samples/

            `meshctl --version` prints meshctl's version; `meshctl version` also asks running proxies.
            """,
        subcommands: [
            Validate.self, Analyze.self, Simulate.self, ProxyConfig.self, ProxyStatus.self, Apply.self, Proxy.self,
            RolloutCommand.self, Experimental.self, Demo.self, Graph.self, Version.self,
        ]
    )

    public init() {}

    /// Runs the command line (asynchronously: the proxy and the demo run on event loops).
    public static func start() async {
        Output.ignoreBrokenPipes()
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `--version` alone, by hand: ArgumentParser's own version flag would take `--version` from
        // every subcommand's arguments, and `demo backend` has a `--version <version>` option.
        if arguments == ["--version"] {
            Output.print(ProxyVersion.current)
            return
        }
        do {
            var command = try await parse(Self.joiningNegativeValues(arguments))
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// `--limit -1` as `--limit=-1`: ArgumentParser reads a word that starts with `-` as an
    /// option, so a negative number after an option would be reported as a missing value;
    /// joined, it reaches the option, whose own check says what range it takes.
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var joined: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                joined += arguments[index...]
                break
            }
            if index + 1 < arguments.count, word.hasPrefix("--"), word.count > 2, !word.contains("="),
                isNegativeNumber(arguments[index + 1])
            {
                joined.append("\(word)=\(arguments[index + 1])")
                index += 2
                continue
            }
            joined.append(word)
            index += 1
        }
        return joined
    }

    /// `-1`, `-2.5`, `-1s`, `-100ms`: a minus sign, then a digit.
    static func isNegativeNumber(_ word: String) -> Bool {
        let bytes = Array(word.utf8)
        return bytes.count >= 2 && bytes[0] == UInt8(ascii: "-") && (0x30...0x39).contains(bytes[1])
    }

    /// Parses the command line. ArgumentParser runs `validate()` before it looks for arguments
    /// nobody took, so `validate --bogus` would be told that `-f` is missing; when parsing
    /// fails, a second parse without that check reports an unknown option or argument first.
    static func parse(_ arguments: [String]) async throws -> ParsableCommand {
        do {
            return try await asyncParseAsRoot(arguments)
        } catch {
            InputOptions.requiresInput.store(false, ordering: .relaxed)
            defer { InputOptions.requiresInput.store(true, ordering: .relaxed) }
            _ = try await asyncParseAsRoot(arguments)
            throw error
        }
    }
}
