import ArgumentParser
import MeshDemo
import MeshModel
import ServiceLifecycle
import Logging

extension Meshctl.Demo {
    struct Backend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backend",
            abstract: "A service that answers like the tutorial's: `recommendation v1 from 'HOST': 3`.",
            discussion: """
                Every answer counts: the number is the service's running request count, and HOST is \
                the address it listens on. Response headers report what arrived: x-seen-host, \
                x-seen-path, x-seen-method, x-seen-request-id. Paths: /status/CODE answers with that \
                status (200 to 599), /bytes/N streams N bytes (other values get a 400), /upload answers with the request body's length, \
                /echo lists the request's headers, /misbehave makes every later answer a 503 and \
                /behave undoes it.

                With --call, it plays a service in the middle of the tutorial's chain: it calls the \
                next service (--call preference:8080) through its sidecar proxy (--via), passes on \
                the user agent as baggage-user-agent, user-preference, x-request-id and trace \
                headers, and answers `customer => preference => recommendation v1 from ...`.

                Examples:
                  meshctl demo backend --name recommendation --version v1 --listen 127.0.0.1:8081
                  meshctl demo backend --name recommendation --version v2 --listen 127.0.0.1:8082 --fail-rate 0.5
                  meshctl demo backend --name preference --version v1 --listen 127.0.0.1:8090 \\
                    --call recommendation:8080 --via 127.0.0.1:15001
                """)

        @Option(help: ArgumentHelp("The service's name.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("The version it plays (v1, v2, ...).", valueName: "version"))
        var version: String

        @Option(help: ArgumentHelp("Where to listen, HOST:PORT.", valueName: "host:port"))
        var listen: String

        @Option(help: ArgumentHelp("Answer every request with this status.", valueName: "code"))
        var status: Int?

        @Option(help: ArgumentHelp("Answer this share of requests (0 to 1) with 503.", valueName: "f"))
        var failRate: Double = 0

        @Option(
            parsing: .unconditional, help: ArgumentHelp("Wait this long before each answer (e.g. 200ms).", valueName: "duration"))
        var delay: String?

        @Option(
            help: ArgumentHelp("The next service to call before answering, HOST:PORT as its Host header.", valueName: "authority")
        )
        var call: String?

        @Option(help: ArgumentHelp("The proxy (outbound listener) to call the next service through.", valueName: "host:port"))
        var via: String?

        @Option(
            help: ArgumentHelp("Once listening, write the bound address here as JSON (useful with port 0).", valueName: "path"),
            completion: .file())
        var readyFile: String?

        func validate() throws {
            _ = try HostPort.parse(listen, option: "--listen")
            if let status, !(200...599).contains(status) { throw ValidationError("--status must be from 200 to 599") }
            if !(0...1).contains(failRate) { throw ValidationError("--fail-rate must be from 0 to 1") }
            if let delay {
                _ = try DurationArgument.nanoseconds(delay, option: "--delay", example: "200ms or 2s", allowZero: true)
            }
            if (call == nil) != (via == nil) { throw ValidationError("--call and --via go together") }
            if let via, try HostPort.parse(via, option: "--via").port == 0 {
                throw ValidationError("--via needs a port from 1 to 65535")
            }
            if let call, call.isEmpty || call.contains(" ") || call.contains("/") {
                throw ValidationError("--call '\(call)' is not HOST[:PORT]")
            }
            if name.isEmpty || version.isEmpty { throw ValidationError("--name and --version must not be empty") }
        }

        func run() async throws {
            var behaviour = DemoBackend.Behaviour(name: name, version: version)
            behaviour.status = status
            behaviour.failRate = failRate
            behaviour.delayNanos = delay.flatMap { MeshDuration($0)?.nanoseconds } ?? 0
            if let call, let via {
                let proxy = try HostPort.parse(via, option: "--via")
                behaviour.call = DemoBackend.Call(authority: call, proxyHost: proxy.host, proxyPort: proxy.port)
            }
            let backend = DemoBackend(behaviour)
            let address = try HostPort.parse(listen, option: "--listen")
            let bound: String
            do {
                bound = try await backend.start(host: address.host, port: address.port)
            } catch {
                Output.error("error: cannot listen on \(listen): \(DemoBackend.describe(error))")
                throw ExitCode(1)
            }
            if let readyFile, !ReadyFile.write(["listen": bound], to: readyFile) {
                await backend.stop()
                throw ExitCode(1)
            }
            Output.error("\(name) \(version) listening on \(bound)")
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: StopOnShutdown(stop: backend.stop))], gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: Logger(label: "meshctl.demo")))
            try await group.run()
        }
    }
}

/// A server started before the group runs: stopped when the group shuts down (Ctrl-C, SIGTERM).
struct StopOnShutdown: Service {
    let stop: @Sendable () async -> Void
    func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }
}
