import Foundation
import Testing

/// The admin listener's live page, loaded in headless Chromium against a proxy with traffic.
@Suite struct LivePageTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// The page's DOM once its scripts have run (one refresh).
    static func dump(_ url: String) throws -> String {
        let browser = try #require(chromium, "headless Chromium is needed: apt-get install chromium")
        let profile = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=1500", "--dump-dom", url,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The attributes of every element whose opening tag contains `marker`.
    static func elements(_ dom: String, _ marker: String) -> [[String: String]] {
        let tags = dom.components(separatedBy: "<").filter { $0.contains(marker) }.map { $0.prefix { $0 != ">" } }
        let attribute = try! NSRegularExpression(pattern: #"([a-z-]+)="([^"]*)""#)
        return tags.map { tag in
            let text = String(tag)
            var found: [String: String] = [:]
            for match in attribute.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let name = String(text[Range(match.range(at: 1), in: text)!])
                let value = String(text[Range(match.range(at: 2), in: text)!]).replacingOccurrences(of: "&amp;", with: "&")
                found[name] = value
            }
            return found
        }
    }

    @Test func showsTheGraphWithRatesTheHostsAndTheirHealth() throws {
        let good = try ServerProcess([
            "demo", "backend", "--name", "recommendation", "--version", "v1", "--listen", "127.0.0.1:0",
        ])
        let bad = try ServerProcess([
            "demo", "backend", "--name", "recommendation", "--version", "v2", "--listen", "127.0.0.1:0", "--status", "503",
        ])
        let dir = try CLI.temporaryDirectory()
        let outlier = """
                outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 100}

            """
        let rules = try CLI.write(
            LiveMesh.registry([("v1", good.port), ("v2", bad.port)], policy: outlier) + "---\n"
                + LiveMesh.routes([("v1", 50), ("v2", 50)]), to: "rules.yaml", in: dir)
        let proxy = try ServerProcess([
            "proxy", "run", "-f", rules, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--concurrency", "1",
            "--workload", "customer",
        ])
        let load = try CLI.run(["x", "load", "http://\(proxy.listen)/", "--host", "recommendation:8080", "-n", "200", "-c", "2"])
        #expect(load.status == 0)

        let dom = try Self.dump("http://\(proxy.admin)/")
        #expect(dom.contains("data-refreshes=\"1\""), "the page's script ran and read the admin API: \(dom.prefix(600))")

        let hosts = Self.elements(dom, "class=\"host\"")
        let v1 = hosts.first { $0["data-host"] == "127.0.0.1:\(good.port)" }
        let v2 = hosts.first { $0["data-host"] == "127.0.0.1:\(bad.port)" }
        #expect(v1?["data-cluster"] == "outbound|8080|version-v1|recommendation.default.svc.cluster.local")
        #expect(v1?["data-health"] == "healthy")
        #expect(v2?["data-cluster"] == "outbound|8080|version-v2|recommendation.default.svc.cluster.local")
        #expect(v2?["data-health"] == "failed_outlier_check", "the 503-answering host is ejected")

        let nodes = Self.elements(dom, "class=\"node ")
        #expect(nodes.contains { $0["class"] == "node workload" && $0["data-name"] == "customer" })
        #expect(nodes.contains { $0["class"] == "node service" && $0["data-name"] == "recommendation.default.svc.cluster.local" })
        let edges = Self.elements(dom, "class=\"edge ")
        let toV1 = try #require(edges.first { $0["data-to"] == "recommendation.default.svc.cluster.local|v1" })
        #expect((Double(toV1["data-rps"] ?? "") ?? 0) > 0)
        #expect(Double(toV1["data-error-rate"] ?? "") == 0)
        let toV2 = try #require(edges.first { $0["data-to"] == "recommendation.default.svc.cluster.local|v2" })
        #expect(Double(toV2["data-error-rate"] ?? "") == 1, "every answer v2 gave was a 503")
        let call = try #require(edges.first { $0["class"] == "edge call" })
        #expect(call["data-from"] == "customer" && call["data-to"] == "recommendation.default.svc.cluster.local")
        #expect(dom.contains(" rps</text>"))
        #expect(dom.contains("<section id=\"rollout\" hidden"), "no rollout runs, so its section stays hidden")
        #expect(dom.contains("href=\"/stats/prometheus\""), "the endpoint list is still there")
        #expect(!dom.contains("src=\"http"), "no external assets")
    }
}
