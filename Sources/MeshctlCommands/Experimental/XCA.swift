import ArgumentParser
import Foundation
import MeshModel
import MeshSecurity

extension Meshctl.Experimental {
    /// `meshctl x ca init|issue`: the mesh's root CA, as istiod's Citadel keeps it.
    struct CA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ca",
            abstract: "Create the mesh root CA and issue workload certificates with SPIFFE identities.",
            subcommands: [Init.self, Issue.self])
    }
}

extension Meshctl.Experimental.CA {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a self-signed mesh root CA (root-cert.pem, root-key.pem) in a directory.",
            discussion: """
                Makes an ECDSA P-256 root certificate and key, as a plugged-in Istio root: the key is \
                written readable by its owner only (0600), each file atomically. The proxy issues its \
                workload certificate from it (proxy run --ca DIR), with the identity \
                spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT. An existing root is kept \
                unless --force is given.

                Examples:
                  meshctl x ca init --dir ca/
                  meshctl x ca init --dir ca/ --trust-domain example.org --validity 8760h
                """)

        @Option(help: ArgumentHelp("The directory to write root-cert.pem and root-key.pem into.", valueName: "dir"))
        var dir: String

        @Option(name: .customLong("trust-domain"), help: "The mesh's trust domain (the SPIFFE IDs' host).")
        var trustDomain = "cluster.local"

        @Option(help: ArgumentHelp("How long the root is valid (e.g. 87600h).", valueName: "duration"))
        var validity = "87600h"

        @Flag(help: "Replace an existing root (certificates it issued stop verifying).")
        var force = false

        func validate() throws {
            if dir.isEmpty { throw ValidationError("--dir must not be empty") }
            guard let d = MeshDuration(validity), d.nanoseconds >= 3_600_000_000_000 else {
                throw ValidationError("--validity must be a duration of at least 1h, such as 87600h, got '\(validity)'")
            }
            guard !trustDomain.isEmpty, !trustDomain.contains("/"), !trustDomain.contains(":") else {
                throw ValidationError("--trust-domain must be a domain such as cluster.local, got '\(trustDomain)'")
            }
        }

        func run() throws {
            do {
                let ca = try MeshCA.create(trustDomain: trustDomain, lifetime: MeshDuration(validity)!.seconds)
                let paths = try ca.write(to: dir, overwrite: force)
                Output.print(
                    "mesh root CA for trust domain \(trustDomain), valid until \(Self.format(ca.certificate.notValidAfter))")
                for path in paths { Output.print("  wrote \(path)") }
            } catch let error as MeshCAError {
                Output.error("Error: \(error.description)")
                throw ExitCode.failure
            }
        }

        static func format(_ date: Date) -> String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.string(from: date)
        }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Issue a short-lived workload certificate from the mesh root CA.",
            discussion: """
                Writes cert-chain.pem (the workload certificate), key.pem (0600) and root-cert.pem \
                into --out, as Istio mounts them for a proxy (/etc/certs). The certificate's only \
                identity is its SPIFFE URI, spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT.

                Example:
                  meshctl x ca issue --dir ca/ --namespace default --service-account productpage --out certs/
                """)

        @Option(help: ArgumentHelp("The directory holding the mesh root CA.", valueName: "dir"))
        var dir: String

        @Option(help: "The workload's namespace.")
        var namespace = "default"

        @Option(name: .customLong("service-account"), help: "The workload's service account.")
        var serviceAccount = "default"

        @Option(help: ArgumentHelp("How long the certificate is valid (Istio's default: 24h).", valueName: "duration"))
        var lifetime = "24h"

        @Option(help: ArgumentHelp("The directory to write the certificate, key and root into.", valueName: "dir"))
        var out: String

        func validate() throws {
            guard let d = MeshDuration(lifetime), d.nanoseconds >= 60_000_000_000 else {
                throw ValidationError("--lifetime must be a duration of at least 1m, such as 24h, got '\(lifetime)'")
            }
        }

        func run() throws {
            do {
                let ca = try MeshCA.load(dir: dir)
                let issued = try ca.issueWorkloadCertificate(
                    namespace: namespace, serviceAccount: serviceAccount, lifetime: MeshDuration(lifetime)!.seconds)
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                let files = [
                    ("cert-chain.pem", issued.certificatePEM, 0o644), ("key.pem", issued.keyPEM, 0o600),
                    ("root-cert.pem", issued.chain.joined(separator: "\n"), 0o644),
                ]
                for (name, text, mode) in files {
                    try MeshCA.writeFile(
                        text.hasSuffix("\n") ? text : text + "\n", to: (out as NSString).appendingPathComponent(name),
                        mode: mode_t(mode))
                }
                Output.print("\(issued.spiffeID), valid until \(Init.format(issued.notAfter))")
                for (name, _, _) in files { Output.print("  wrote \((out as NSString).appendingPathComponent(name))") }
            } catch let error as MeshCAError {
                Output.error("Error: \(error.description)")
                throw ExitCode.failure
            } catch {
                Output.error("Error: cannot write into \(out): \(error.localizedDescription)")
                throw ExitCode.failure
            }
        }
    }
}
