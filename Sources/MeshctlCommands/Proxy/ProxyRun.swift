import ArgumentParser
import Foundation
import Logging
import MeshAnalysis
import MeshModel
import MeshProxy
import MeshRouting
import MeshSecurity
import ServiceLifecycle

extension Meshctl.Proxy {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Serve live traffic with the rules: routing, retries, timeouts, faults, mirrors, breakers, ejection.",
            discussion: """
                The proxy routes each request through the same engine as `meshctl simulate`, and \
                answers Envoy's admin API (/clusters, /stats, /stats/prometheus, /config_dump, ...) \
                plus meshctl's GET and PUT /config. The port in the Host header (or in an absolute-form \
                URL) is the service port the request is for; without one, the port the service is served \
                on when it has just one (else 80), as `meshctl simulate` decides. SIGINT or SIGTERM \
                stops accepting, lets requests in flight finish, and exits 0.

                Example (the Istio tutorial's recommendation service, two versions, on the ports \
                samples/tutorial/registry.yaml gives them):
                  meshctl demo backend --name recommendation --version v1 --listen 127.0.0.1:19101 &
                  meshctl demo backend --name recommendation --version v2 --listen 127.0.0.1:19102 &
                  meshctl proxy run -f samples/tutorial/ &
                  curl -H 'Host: recommendation' http://127.0.0.1:15001/
                  curl -x http://127.0.0.1:15001 http://recommendation/
                  curl http://127.0.0.1:15000/clusters
                """)

        @OptionGroup var input: InputOptions
        @OptionGroup var meshConfig: MeshConfigOption

        @Option(help: ArgumentHelp("The outbound listener, HOST:PORT (port 0: any free port).", valueName: "host:port"))
        var listen = "127.0.0.1:15001"

        @Option(help: ArgumentHelp("The admin API, HOST:PORT.", valueName: "host:port"))
        var admin = "127.0.0.1:15000"

        @Option(
            help: ArgumentHelp(
                "The inbound listener (Istio's 15006), in front of --app: mutual TLS, authorization, JWT and rate limits apply there.",
                valueName: "host:port"))
        var inbound: String?

        @Option(help: ArgumentHelp("The local application the inbound listener forwards to.", valueName: "host:port"))
        var app: String?

        @Option(help: ArgumentHelp("The workload's service account (its identity).", valueName: "name"))
        var serviceAccount = "default"

        @Option(
            help: ArgumentHelp(
                "A mesh CA (meshctl x ca init): the proxy gets a short-lived workload certificate for spiffe://cluster.local/ns/NS/sa/SA and renews it.",
                valueName: "dir"), completion: .directory)
        var ca: String?

        @Option(help: ArgumentHelp("The lifetime of certificates from --ca.", valueName: "duration"))
        var certificateLifetime = "24h"

        @Option(
            help: ArgumentHelp("The workload certificate chain (PEM) for mutual TLS.", valueName: "file"), completion: .file())
        var cert: String?

        @Option(help: ArgumentHelp("The workload certificate's private key (PEM).", valueName: "file"), completion: .file())
        var key: String?

        @Option(
            help: ArgumentHelp("The mesh root certificate(s) (PEM) peers are checked against.", valueName: "file"),
            completion: .file())
        var root: String?

        @Option(
            name: .customLong("outbound-port"),
            help: ArgumentHelp(
                "Also listen on this service port (on --listen's host), as a sidecar's original destination port: HTTP is routed by its Host, TCP and TLS by the rules' tcp and tls routes. Repeatable.",
                valueName: "port"))
        var outboundPorts: [Int] = []

        @Flag(help: "Allow the admin API on an address other than loopback (it can change and stop the proxy).")
        var exposeAdmin = false

        @Option(
            help: ArgumentHelp("Worker event loops, as Envoy's --concurrency (default: the number of cores).", valueName: "n"))
        var concurrency: Int?

        @Flag(help: "Reload when a rule file changes (through the same checks as PUT /config).")
        var watch = false

        @Option(help: ArgumentHelp("Write Istio's access log to - (standard output) or a file.", valueName: "path"))
        var accessLog: String?

        @Option(
            help: ArgumentHelp(
                "Trace requests: send spans to this Zipkin v2 endpoint (Jaeger accepts it too), e.g. http://127.0.0.1:9411/api/v2/spans.",
                valueName: "url"))
        var zipkin: String?

        @Option(help: ArgumentHelp("The percentage of new traces sampled (Istio's default is 1).", valueName: "percent"))
        var traceSampling: Double = 100

        @Option(help: ArgumentHelp("trace, debug, info, warning, error or critical.", valueName: "level"))
        var logLevel = "info"

        @Option(help: ArgumentHelp("The proxy's namespace (for short hosts and sourceNamespace).", valueName: "ns"))
        var namespace = "default"

        @Option(help: ArgumentHelp("The proxy's workload labels, for sourceLabels matches (k=v,...).", valueName: "labels"))
        var labels: String?

        @Option(help: ArgumentHelp("The workload name in Istio's metric labels.", valueName: "name"))
        var workload = "meshctl"

        @Option(
            help: ArgumentHelp(
                "Follow an older Istio's defaults (1.27 or earlier: mirrors go to HOST-shadow).", valueName: "x.y"))
        var compatibilityVersion: String?

        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("How long requests in flight may take to finish on shutdown.", valueName: "duration"))
        var drainTime = "5s"

        @Option(
            help: ArgumentHelp(
                "Once listening, write the bound addresses here as JSON (useful with port 0).", valueName: "path"),
            completion: .file())
        var readyFile: String?

        func validate() throws {
            try input.validate()
            let adminAddress = try HostPort.parse(admin, option: "--admin")
            let listenAddress = try HostPort.parse(listen, option: "--listen")
            if listenAddress.port != 0 && listenAddress.port == adminAddress.port
                && (listenAddress.host == adminAddress.host || ["0.0.0.0", "::"].contains(listenAddress.host)
                    || ["0.0.0.0", "::"].contains(adminAddress.host))
            {
                throw ValidationError("--listen and --admin both name \(listen): give each its own port")
            }
            if !exposeAdmin && !HostPort.isLoopback(adminAddress.host) {
                throw ValidationError(
                    "--admin \(admin) is not a loopback address; the admin API can reconfigure and stop the proxy, so pass --expose-admin to serve it there"
                )
            }
            if let inbound { _ = try HostPort.parse(inbound, option: "--inbound") }
            if let app { _ = try HostPort.parse(app, option: "--app") }
            if inbound != nil && app == nil { throw ValidationError("--inbound needs --app, the application it fronts") }
            let tlsFiles = [cert, key, root].compactMap { $0 }.count
            if tlsFiles != 0 && tlsFiles != 3 { throw ValidationError("--cert, --key and --root go together") }
            if tlsFiles != 0 && ca != nil { throw ValidationError("--ca and --cert/--key/--root are alternatives: give one") }
            guard let lifetime = MeshDuration(certificateLifetime), lifetime.nanoseconds >= 1_000_000_000 else {
                throw ValidationError("--certificate-lifetime must be a duration of at least 1s, e.g. 24h")
            }
            _ = lifetime
            if let zipkin, ZipkinExporter.parse(zipkin) == nil {
                throw ValidationError(
                    "--zipkin '\(zipkin)' is not an http:// URL with a host and a port from 1 to 65535 (e.g. http://127.0.0.1:9411/api/v2/spans)"
                )
            }
            if !(0...100).contains(traceSampling) { throw ValidationError("--trace-sampling must be from 0 to 100") }
            if let bad = outboundPorts.first(where: { !(1...65535).contains($0) }) {
                throw ValidationError("--outbound-port \(bad) is not a port from 1 to 65535")
            }
            if let concurrency, concurrency < 1 || concurrency > 256 {
                throw ValidationError("--concurrency must be from 1 to 256")
            }
            if !ProxyLogLevel.isValid(logLevel) {
                throw ValidationError("--log-level must be trace, debug, info, warning, error or critical")
            }
            if let compatibilityVersion, Self.version(compatibilityVersion) == nil {
                throw ValidationError("--compatibility-version must be MAJOR.MINOR, e.g. 1.27")
            }
            _ = try DurationArgument.nanoseconds(drainTime, option: "--drain-time", example: "5s", allowZero: true)
        }

        static func version(_ text: String) -> (Int, Int)? {
            let parts = text.split(separator: ".")
            guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
            return (major, minor)
        }

        func run() async throws {
            ProxyLogLevel.set(logLevel)
            LoggingSystem.bootstrap { ProxyLogHandler(label: $0) }
            let logger = Logger(label: "meshctl.proxy")
            // Taken before the files are read, so a change made while the proxy starts is seen.
            let watched = watch ? RuleWatcher.fingerprint(input.paths) : []
            let rules = try loadValidRules(input.paths)
            // A document defining a resource again replaces the earlier one: say so, as analyze does.
            var analysis = Analysis(resources: rules.resources)
            let replaced = analysis.run(reporting: [.duplicateResource])
            if !replaced.isEmpty {
                let files = rules.files + rules.unparsed
                Output.error(DiagnosticRenderer.text(Output.sorted(replaced, fileOrder: files.map(\.path)), files: files))
            }
            let resources = rules.resources.count - replaced.count
            var options = ProxyOptions()
            let listenAddress = try HostPort.parse(listen, option: "--listen")
            let adminAddress = try HostPort.parse(admin, option: "--admin")
            options.listen = .init(host: listenAddress.host, port: listenAddress.port)
            options.admin = .init(host: adminAddress.host, port: adminAddress.port)
            if let concurrency { options.concurrency = concurrency }
            options.outboundPorts = outboundPorts
            if let app {
                let address = try HostPort.parse(app, option: "--app")
                options.app = .init(host: address.host, port: address.port)
                let inboundAddress = try HostPort.parse(inbound ?? "127.0.0.1:15006", option: "--inbound")
                options.inbound = .init(host: inboundAddress.host, port: inboundAddress.port)
            }
            options.serviceAccount = serviceAccount
            if let ca {
                do {
                    let authority = try MeshCA.load(dir: ca)
                    let lifetime = Double(MeshDuration(certificateLifetime)?.nanoseconds ?? 86_400_000_000_000) / 1e9
                    let rotation = try CertificateRotation(
                        ca: authority, namespace: namespace, serviceAccount: serviceAccount, lifetime: lifetime)
                    options.rotation = rotation
                    options.tls = rotation.tls
                } catch {
                    Output.error("error: \(error)")
                    throw ExitCode(1)
                }
            }
            if let cert, let key, let root {
                do {
                    options.tls = try WorkloadTLS(
                        .init(
                            certificateChainPEM: try Self.read(cert), privateKeyPEM: try Self.read(key),
                            rootsPEM: try Self.read(root)))
                } catch {
                    Output.error("error: \(error)")
                    throw ExitCode(1)
                }
            }
            options.zipkin = zipkin
            options.traceSampling = traceSampling
            options.mesh = try meshConfig.load()
            options.identity = ProxyIdentity(namespace: namespace, labels: try Self.parseLabels(labels))
            options.workload = workload
            options.compatibilityVersion = compatibilityVersion.flatMap(Self.version).map { (major: $0.0, minor: $0.1) }
            options.drainNanos = MeshDuration(drainTime)?.nanoseconds ?? options.drainNanos
            var log: AccessLog?
            if let accessLog {
                do {
                    log = try AccessLog(path: accessLog)
                } catch {
                    Output.error("error: \(error)")
                    throw ExitCode(1)
                }
            }
            let server = ProxyServer(options: options, rules: rules, accessLog: log, logger: logger)
            do {
                try await server.start()
            } catch {
                Output.error("error: \(error)")
                throw ExitCode(1)
            }
            if let readyFile {
                var bound = ["listen": server.boundListen, "admin": server.boundAdmin]
                if let inbound = server.boundInbound { bound["inbound"] = inbound }
                guard ReadyFile.write(bound, to: readyFile) else {
                    await server.shutdown()
                    throw ExitCode(1)
                }
            }
            logger.info(
                "listening on \(server.boundListen) (admin \(server.boundAdmin)), \(options.concurrency) worker\(options.concurrency == 1 ? "" : "s"), \(Output.plural(resources, "resource"))\(replaced.isEmpty ? "" : " (\(replaced.count) replaced by a later definition)"), config version 1"
            )
            var services: [Service] = [ProxyService(server: server)]
            if watch { services.append(RuleWatcher(paths: input.paths, server: server, logger: logger, loaded: watched)) }
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "meshctl.lifecycle")))
            try await group.run()
            logger.info("stopped")
        }

        static func read(_ path: String) throws -> String {
            switch InputFile.read(path) {
            case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .failure(let problem):
                Output.error("error: cannot read `\(path)`: \(problem.reason)")
                throw ExitCode(1)
            }
        }

        static func parseLabels(_ text: String?) throws -> [String: String] {
            guard let text, !text.isEmpty else { return [:] }
            var labels: [String: String] = [:]
            for pair in text.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ValidationError("--labels wants k=v,k2=v2, got '\(text)'")
                }
                labels[String(parts[0])] = String(parts[1])
            }
            return labels
        }
    }
}

/// The proxy as a service of the process: it runs until `/quitquitquit` or a signal, then drains.
struct ProxyService: Service {
    let server: ProxyServer

    func run() async throws {
        await withGracefulShutdownHandler {
            await server.waitForQuit()
        } onGracefulShutdown: {
            server.requestQuit()
        }
        await server.shutdown()
    }
}

/// `--watch`: checks the rule files once a second and reloads when they change, through the
/// same validation as `PUT /config`; a change with errors is reported and changes nothing.
struct RuleWatcher: Service {
    let paths: [String]
    let server: ProxyServer
    let logger: Logger
    /// The files' fingerprint from before the running rules were read.
    let loaded: [String]

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var last = loaded
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                let now = Self.fingerprint(paths)
                guard now != last else { continue }
                last = now
                switch ConfigStore.load(paths: paths) {
                case .success(let rules):
                    let version = await server.config.apply(rules)
                    logger.info("rule files changed: configuration \(version) in force, \(rules.resources.count) resources")
                case .failure(let rejected):
                    let errors = rejected.diagnostics.filter { $0.level == .error }
                    logger.error(
                        "rule files changed but have \(errors.count) error\(errors.count == 1 ? "" : "s"); the running configuration is kept: \(rejected.description)"
                    )
                }
            }
        }
    }

    /// Paths, inodes, sizes and modification times of every rule file (an editor or a tool that
    /// replaces a file by renaming a new one over it changes the inode).
    static func fingerprint(_ paths: [String]) -> [String] {
        let (files, _) = RuleLoader.expand(paths)
        return files.map { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let inode = (attributes?[.systemFileNumber] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(path)|\(inode)|\(size)|\(modified)"
        }
    }
}
