import ArgumentParser
import Foundation
import MeshProxy
import MeshYAML

extension Meshctl {
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "version",
            abstract: "Print meshctl's version, and with --admin the versions running proxies report.",
            discussion: """
                As `istioctl version`: the client's version, the Swift it was built with and the \
                platform, then (with --admin) each proxy's version from its /server_info.

                Examples:
                  meshctl version
                  meshctl version -o json
                  meshctl version --admin 127.0.0.1:15000
                """)

        @OptionGroup var admin: AdminOptions

        @Option(name: [.short, .long], help: "Output format: text, json or yaml.")
        var output: ReportFormat = .text

        static let swift: String = {
            #if compiler(>=6.3)
                "6.3"
            #elseif compiler(>=6.2)
                "6.2"
            #elseif compiler(>=6.1)
                "6.1"
            #else
                "6.0"
            #endif
        }()

        static var platform: String {
            #if os(Linux)
                let os = "linux"
            #elseif os(macOS)
                let os = "darwin"
            #else
                let os = "unknown"
            #endif
            #if arch(x86_64)
                return "\(os)/amd64"
            #elseif arch(arm64)
                return "\(os)/arm64"
            #else
                return os
            #endif
        }

        func run() throws {
            var proxies: [(admin: String, version: String?, failure: String?)] = []
            if !admin.admins.isEmpty {
                for client in admin.clients {
                    switch client.serverInfo() {
                    case .success(let info): proxies.append((client.address.text, info.version ?? "unknown", nil))
                    case .failure(let failure): proxies.append((client.address.text, nil, failure.description))
                    }
                }
            }
            switch output {
            case .text:
                var lines = ["client version: \(ProxyVersion.current) (Swift \(Self.swift), \(Self.platform))"]
                for proxy in proxies {
                    if let version = proxy.version { lines.append("proxy \(proxy.admin): \(version)") }
                }
                Output.print(lines.joined(separator: "\n"))
            case .json, .yaml:
                var document: [(String, JSONValue)] = [
                    (
                        "clientVersion",
                        [
                            "version": .string(ProxyVersion.current), "swift": .string(Self.swift),
                            "platform": .string(Self.platform),
                        ]
                    )
                ]
                if !admin.admins.isEmpty {
                    document.append(
                        (
                            "meshVersion",
                            .array(
                                proxies.compactMap { proxy in
                                    proxy.version.map { ["admin": .string(proxy.admin), "version": .string($0)] }
                                })
                        ))
                }
                output.print(.object(document))
            }
            for proxy in proxies { if let failure = proxy.failure { Output.error("error: \(failure)") } }
            if proxies.contains(where: { $0.failure != nil }) { throw ExitCode(1) }
        }
    }
}
