import ArgumentParser
import Foundation
import MeshModel

extension Meshctl {
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            abstract: "Draw the service graph: services, versions, weighted routes, mirrors, faults, egress, and live traffic.",
            discussion: """
                From rule files (-f), or from the rules running proxies hold (--admin alone): each \
                service with its subsets (versions), circuit breakers and outlier detection; route \
                rules as edges labelled with their name, weight and fault; mirrors dashed; services \
                outside the mesh (MESH_EXTERNAL) dashed. With --admin, the proxies' Istio metrics are \
                read twice, --duration apart, and each source workload's traffic to a service version \
                becomes a bold edge with its request rate and error rate (green without errors, red \
                with), as Kiali's graph shows them.

                Prints Graphviz's DOT; -o svg or -o png runs Graphviz's `dot` when it is installed.

                Examples:
                  meshctl graph -f samples/tutorial/
                  meshctl graph -f samples/tutorial/ -o svg > mesh.svg
                  meshctl graph --admin 127.0.0.1:15000 -d 5s -o png --output-file mesh.png
                """)

        @Option(
            name: [.customShort("f"), .customLong("filename")],
            help: ArgumentHelp(
                "A rule file or directory (repeatable); default: the rules of the --admin proxies.", valueName: "path"),
            completion: .file(extensions: ["yaml", "yml", "json"]))
        var paths: [String] = []

        @OptionGroup var admin: AdminOptions

        @Option(
            name: [.customShort("d"), .customLong("duration")],
            help: ArgumentHelp("With --admin, how long to watch the traffic (e.g. 2s).", valueName: "duration"))
        var duration = "2s"

        @Option(name: [.short, .long], help: "Output format: dot, svg or png.")
        var output: GraphFormat = .dot

        @Option(help: ArgumentHelp("Write the graph here instead of standard output.", valueName: "path"), completion: .file())
        var outputFile: String?

        enum GraphFormat: String, ExpressibleByArgument, CaseIterable {
            case dot, svg, png
        }

        func validate() throws {
            if paths.isEmpty && admin.admins.isEmpty {
                throw ValidationError("give rule files with -f PATH, running proxies with --admin HOST:PORT, or both")
            }
            guard let d = MeshDuration(duration), d.nanoseconds > 0, d.nanoseconds <= 3_600_000_000_000 else {
                throw ValidationError("--duration must be a positive duration up to 1h, such as 2s, got '\(duration)'")
            }
        }

        func run() throws {
            // Look for Graphviz before doing any work, so a missing `dot` is said at once.
            let dotPath = output == .dot ? nil : try Self.graphviz(for: output)
            var resources: [Resource] = []
            if !paths.isEmpty {
                resources = try loadValidRules(paths).resources
            }
            let clients = admin.admins.isEmpty ? [] : admin.clients
            if paths.isEmpty {
                for client in clients {
                    switch client.runningRules() {
                    case .success(let running): resources += running.resources
                    case .failure(let failure): fail(failure.description)
                    }
                }
            }
            var graph = ServiceGraph(resources: resources)
            if !clients.isEmpty {
                graph.addTraffic(try Progress.during("watching the proxies' traffic for \(duration)…") { try traffic(clients) })
            }
            let text = graph.dot
            var data = Data(text.utf8)
            if let dotPath { data = try Self.render(text, format: output, dot: dotPath) }
            if let outputFile {
                do {
                    try data.write(to: URL(fileURLWithPath: outputFile))
                } catch {
                    fail("cannot write \(outputFile): \(error.localizedDescription)")
                }
            } else {
                Output.write(data)
            }
        }

        /// Two scrapes of every proxy, `duration` apart.
        func traffic(_ clients: [AdminClient]) throws -> [Window] {
            var first: [Scrape] = []
            for client in clients {
                switch Scrape.take(client) {
                case .success(let scrape): first.append(scrape)
                case .failure(let failure): fail(failure.description)
                }
            }
            AdminDeadline.pause(MeshDuration(duration)?.nanoseconds ?? 0)
            var windows: [Window] = []
            for (client, before) in zip(clients, first) {
                switch Scrape.take(client) {
                case .success(let after): windows.append(Window(admin: client.address.text, before: before, after: after))
                case .failure(let failure): fail(failure.description)
                }
            }
            return windows
        }

        /// Graphviz's `dot` on the PATH, or a one-line error saying how to get it.
        static func graphviz(for format: GraphFormat) throws -> String {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            for directory in path.split(separator: ":") {
                let candidate = "\(directory)/dot"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
            Output.error(
                "error: -o \(format.rawValue) needs Graphviz's dot, which is not installed (Debian: apt-get install graphviz); -o dot prints the graph for any Graphviz tool"
            )
            throw ExitCode(1)
        }

        /// Runs `dot -T FORMAT` on the graph.
        static func render(_ text: String, format: GraphFormat, dot: String) throws -> Data {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: dot)
            process.arguments = ["-T\(format.rawValue)"]
            let input = Pipe()
            let output = Pipe()
            let errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            do {
                try process.run()
            } catch {
                fail("cannot run \(dot): \(error.localizedDescription)")
            }
            final class Box: @unchecked Sendable { var data = Data() }
            let box = Box()
            let reader = output.fileHandleForReading
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                box.data = reader.readDataToEndOfFile()
                done.signal()
            }
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
            let problems = errors.fileHandleForReading.readDataToEndOfFile()
            done.wait()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let line = String(decoding: problems, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
                fail("dot -T\(format.rawValue) failed (exit \(process.terminationStatus)): \(line)")
            }
            return box.data
        }
    }
}
