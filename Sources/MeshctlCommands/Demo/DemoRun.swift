import ArgumentParser
import Foundation
import Logging
import MeshDemo
import MeshModel
import MeshProxy
import MeshYAML
import ServiceLifecycle

extension Meshctl.Demo {
    /// `meshctl demo [run]`: the tutorial's stages with real traffic.
    struct Tour: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run the Istio tutorial on this machine and walk through it with real traffic.",
            discussion: """
                Starts the tutorial's services in this process (customer → preference → \
                recommendation v1, v2, v3), an ingress proxy and a sidecar proxy for each caller, each \
                with Envoy's admin API, on loopback ports, and tells the story of the tutorial with \
                real requests, printing what it observed at each stage: route rules, header routing, \
                a 90/10 split, a dark launch, fault injection, a circuit breaker, pool ejection, \
                egress, and a canary rollout gated on v2's error rate. Each stage checks what it \
                shows; the exit status is 1 when one did not hold, 130 when stopped before the last. \
                Rules are pushed with PUT /config, as `meshctl apply` does; the mesh runs Istio's REGISTRY_ONLY outbound policy.

                Ports: free ones chosen at start and printed, or --base-port N: the ingress proxy's \
                admin API on N and its listener on N+1, customer's sidecar on N+2/N+3, preference's \
                on N+4/N+5, and the services on N+10 to N+16. Ctrl-C or SIGTERM stops everything and \
                frees every port.

                Stages: \(DemoStage.names.joined(separator: ", ")) (and none, with --keep-running).

                Examples:
                  meshctl demo
                  meshctl demo --stage canary
                  meshctl demo --stage none --keep-running --base-port 20000
                """)

        @Option(
            name: .customLong("stage"),
            help: ArgumentHelp("Run only this stage (repeatable); none runs no stage.", valueName: "name"),
            completion: .list(DemoStage.names + ["none"]))
        var stages: [String] = []

        @Option(help: ArgumentHelp("Put every port at N and after (see above); default: free ports.", valueName: "n"))
        var basePort: Int?

        @Flag(help: "Leave the mesh running after the stages, with the tutorial's rules, and print commands to try.")
        var keepRunning = false

        @Option(help: ArgumentHelp("Requests per measurement (the split sends five times as many).", valueName: "n"))
        var requests = 200

        @Option(help: ArgumentHelp("The fault stage's injected delay.", valueName: "duration"))
        var faultDelay = "1s"

        @Option(
            help: ArgumentHelp(
                "With --keep-running, once the stages are done write every proxy's addresses here as JSON.", valueName: "path"),
            completion: .file())
        var readyFile: String?

        @Option(
            help: ArgumentHelp(
                "Every proxy sends its spans to this Zipkin v2 endpoint (see meshctl x traces), e.g. http://127.0.0.1:9411/api/v2/spans.",
                valueName: "url"))
        var zipkin: String?

        @Option(name: [.short, .long], help: "Output format: text, or json (the figures each stage observed).")
        var output: OutputFormat = .text

        func validate() throws {
            for stage in stages where !DemoStage.names.contains(stage) && stage != "none" {
                throw ValidationError(
                    "unknown stage '\(stage)'; the stages are \(DemoStage.names.joined(separator: ", ")), or none")
            }
            if let basePort, !(1...(65535 - DemoMesh.portSpan)).contains(basePort) {
                throw ValidationError("--base-port must be from 1 to \(65535 - DemoMesh.portSpan)")
            }
            if let zipkin, ZipkinExporter.parse(zipkin) == nil {
                throw ValidationError(
                    "--zipkin '\(zipkin)' is not an http:// URL with a host and a port from 1 to 65535 (e.g. http://127.0.0.1:9411/api/v2/spans)"
                )
            }
            guard (10...100_000).contains(requests) else { throw ValidationError("--requests must be from 10 to 100000") }
            guard let delay = MeshDuration(faultDelay), delay.nanoseconds >= 10_000_000, delay.nanoseconds <= 60_000_000_000
            else {
                throw ValidationError("--fault-delay must be a duration from 10ms to 60s, such as 1s")
            }
        }

        var selected: [DemoStage] {
            stages.isEmpty ? DemoStage.all : DemoStage.all.filter { stages.contains($0.name) }
        }

        func run() async throws {
            let text = output == .text
            let say: @Sendable (String) -> Void = { line in if text { Output.print(line) } }
            let mesh: DemoMesh
            do {
                mesh = try await Progress.during("starting the tutorial's services and proxies…") {
                    try await DemoMesh.start(basePort: basePort, zipkin: zipkin)
                }
            } catch {
                Output.error(
                    "error: \(error)\(basePort.map { " (--base-port \($0) uses ports \($0) to \($0 + DemoMesh.portSpan))" } ?? "")"
                )
                throw ExitCode(1)
            }
            say(Self.banner(mesh))
            let tour = try DemoTour(
                mesh: mesh, requests: requests, faultDelayNanos: MeshDuration(faultDelay)?.nanoseconds ?? 1_000_000_000,
                print: say)
            let service = DemoService(
                mesh: mesh, tour: tour, stages: selected, keepRunning: keepRunning, readyFile: readyFile, say: say)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "meshctl.demo")))
            try await group.run()
            if !text { Output.print(Self.document(mesh, tour).json(pretty: true)) }
            if tour.interrupted {
                Output.error("meshctl demo: interrupted after \(tour.results.count) of \(selected.count) stages")
                throw ExitCode(130)
            }
            if !tour.passed {
                let failed = tour.results.filter { !$0.problems.isEmpty }.map(\.name)
                Output.error(
                    "error: \(failed.count == 1 ? "stage" : "stages") \(failed.joined(separator: ", ")) did not show what \(failed.count == 1 ? "it" : "they") should"
                )
                throw ExitCode(1)
            }
        }

        static func banner(_ mesh: DemoMesh) -> String {
            var lines = ["meshctl demo: the Istio tutorial on this machine, customer → preference → recommendation v1, v2, v3"]
            for role in DemoMesh.ProxyRole.allCases {
                lines.append(
                    "  \(role.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)) 127.0.0.1:\(mesh.listeners[role] ?? 0)  admin 127.0.0.1:\(mesh.admins[role] ?? 0)"
                )
            }
            let services = DemoMesh.Role.allCases.map { "\($0.rawValue) \(mesh.backendPorts[$0] ?? 0)" }
            lines.append("  services on 127.0.0.1: " + services.joined(separator: ", "))
            lines.append("  live page: http://127.0.0.1:\(mesh.admins[.preference] ?? 0)/ (preference's sidecar)")
            return lines.joined(separator: "\n")
        }

        static func document(_ mesh: DemoMesh, _ tour: DemoTour) -> JSONValue {
            var proxies: [(String, JSONValue)] = []
            for role in DemoMesh.ProxyRole.allCases {
                proxies.append(
                    (
                        role.rawValue,
                        ["listen": .int(Int64(mesh.listeners[role] ?? 0)), "admin": .int(Int64(mesh.admins[role] ?? 0))]
                    ))
            }
            let stages: [JSONValue] = tour.results.map { result in
                [
                    "name": .string(result.name), "title": .string(result.title), "passed": .bool(result.problems.isEmpty),
                    "seconds": .double(Meshctl.Experimental.Metrics.rounded(result.seconds, 3)),
                    "figures": .object(result.figures),
                    "problems": .array(result.problems.map { .string($0) }),
                ]
            }
            var document: JSONValue = ["passed": .bool(tour.passed), "proxies": .object(proxies), "stages": .array(stages)]
            if tour.interrupted, case .object(var fields) = document {
                fields.insert(("interrupted", true), at: 1)
                document = .object(fields)
            }
            return document
        }

        /// What to try by hand while the mesh keeps running.
        static func tryLines(_ mesh: DemoMesh) -> String {
            let ingress = "127.0.0.1:\(mesh.listeners[.ingress] ?? 0)"
            let admins = DemoMesh.ProxyRole.allCases.map { "--admin 127.0.0.1:\(mesh.admins[$0] ?? 0)" }.joined(separator: " ")
            let preference = "127.0.0.1:\(mesh.admins[.preference] ?? 0)"
            return """

                The mesh keeps running with the tutorial's rules (Safari → v2, user-preference 123… → v3, 12… → v2, else 90/10;
                v2 has two instances, the second on port \(mesh.backendPorts[.recommendationV2b] ?? 0)). Try:
                  curl -H 'Host: customer:8080' http://\(ingress)/
                  curl -H 'Host: customer:8080' -H 'user-preference: 123' http://\(ingress)/
                  meshctl x load http://\(ingress)/ --host customer:8080 -t 10s
                  meshctl x metrics \(admins)
                  meshctl graph --admin \(preference) --admin 127.0.0.1:\(mesh.admins[.customer] ?? 0)
                  meshctl apply -f samples/scenarios/canary-50-50.yaml --admin \(preference)
                  meshctl proxy-config endpoints --admin \(preference)
                  open http://\(preference)/ for the live page
                Ctrl-C stops everything.
                """
        }
    }
}

/// The demo as a service of the process: the stages, then (with --keep-running) the mesh until
/// a signal; on Ctrl-C or SIGTERM every proxy and backend stops and frees its port.
struct DemoService: Service {
    let mesh: DemoMesh
    let tour: DemoTour
    let stages: [DemoStage]
    let keepRunning: Bool
    let readyFile: String?
    let say: @Sendable (String) -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await tour.run(stages)
        }
        if keepRunning && !Task.isShuttingDownGracefully {
            _ = await mesh.apply(mesh.rules.ruleSet(DemoRules.tutorialRoutes, secondV2: true))
            say(Meshctl.Demo.Tour.tryLines(mesh))
            if let readyFile {
                var addresses: [String: String] = [:]
                for role in DemoMesh.ProxyRole.allCases {
                    let name = role == .ingress ? "" : role.rawValue.replacingOccurrences(of: "-sidecar", with: "-")
                    addresses["\(name)listen"] = "127.0.0.1:\(mesh.listeners[role] ?? 0)"
                    addresses["\(name)admin"] = "127.0.0.1:\(mesh.admins[role] ?? 0)"
                }
                guard ReadyFile.write(addresses, to: readyFile) else {
                    await mesh.stop()
                    throw ExitCode(1)
                }
            }
            try? await gracefulShutdown()
        }
        await mesh.stop()
    }
}
