import ArgumentParser
import EnvoyConfig
import MeshModel
import MeshProxy
import MeshYAML

/// A proxy's admin address as `--admin` takes it: `HOST:PORT`, IPv6 in brackets.
struct AdminAddress: CustomStringConvertible, Sendable {
    let text: String
    let host: String
    let port: Int

    init(_ text: String, option: String = "--admin") throws {
        let (host, port) = try HostPort.parse(text, option: option)
        guard port > 0 else { throw ValidationError("\(option) '\(text)' needs a port from 1 to 65535") }
        guard !host.isEmpty else { throw ValidationError("\(option) '\(text)' has no host") }
        (self.text, self.host, self.port) = (text, host, port)
    }

    var description: String { text }
}

/// `--admin HOST:PORT...` for commands that talk to one or more running proxies.
struct AdminOptions: ParsableArguments {
    @Option(
        name: .customLong("admin"),
        help: ArgumentHelp("A proxy's admin API, HOST:PORT (repeatable; default 127.0.0.1:15000).", valueName: "host:port"))
    var admins: [String] = []

    @OptionGroup var deadline: AdminDeadline

    func validate() throws {
        for admin in admins { _ = try AdminAddress(admin) }
        if Set(admins).count < admins.count { throw ValidationError("--admin lists the same proxy twice") }
        try deadline.validate()
    }

    /// The proxies, in the order given (the proxy's default admin address when none is).
    var clients: [AdminClient] {
        (admins.isEmpty ? ["127.0.0.1:15000"] : admins).compactMap { try? AdminAddress($0) }.map {
            AdminClient(address: $0, deadline: deadline)
        }
    }
}

/// What `/server_info` says about a proxy (Envoy's fields; `config_version` is meshctl's).
struct ServerInfo {
    /// `POD.NAMESPACE` from the node id (`sidecar~IP~POD.NAMESPACE~DOMAIN`), as istioctl names proxies.
    var name: String
    var state: String
    var configVersion: String?
    var uptimeSeconds: Int?
    var version: String?
}

/// The rule set a meshctl proxy runs (`GET /config`).
struct RunningRules {
    var version: String
    var rules: LoadedRules
    var resources: [Resource] { rules.resources }
}

/// One proxy's admin API, every call through the one HTTP client and the command's deadline.
struct AdminClient {
    let address: AdminAddress
    let deadline: AdminDeadline

    /// A GET or POST answered 200, or the reason it was not.
    func fetch(_ path: String, method: String = "GET", what: String) -> Result<HTTPClient.Response, AdminFailure> {
        deadline.send(method, to: address, path: path).flatMap { response in
            response.status == 200 ? .success(response) : .failure(notAdmin(method, path, response, what: what))
        }
    }

    /// A GET answered 200 with a JSON object that `isExpected` recognizes.
    func document(_ path: String, what: String, _ isExpected: (JSONValue) -> Bool) -> Result<JSONValue, AdminFailure> {
        fetch(path, what: what).flatMap { response in
            guard let document = try? ConfigDump.document(response.body, path: path), isExpected(document) else {
                return .failure(notAdmin("GET", path, response, what: what))
            }
            return .success(document)
        }
    }

    func serverInfo() -> Result<ServerInfo, AdminFailure> {
        document("/server_info", what: "server information") { $0["state"]?.string != nil }.map { info in
            let node = info["node"]?["id"]?.string?.split(separator: "~", omittingEmptySubsequences: false) ?? []
            let uptime = info["uptime_current_epoch"]?.string.flatMap { MeshDuration($0) }.map {
                Int($0.nanoseconds / 1_000_000_000)
            }
            return ServerInfo(
                name: node.count >= 3 && !node[2].isEmpty ? String(node[2]) : "-", state: info["state"]?.string ?? "-",
                configVersion: info["config_version"]?.string, uptimeSeconds: uptime, version: info["version"]?.string)
        }
    }

    /// The rule set a meshctl proxy runs, parsed as `-f` files are.
    func runningRules() -> Result<RunningRules, AdminFailure> {
        deadline.send("GET", to: address, path: "/config").flatMap { response in
            if response.status == 404 {
                return .failure(
                    AdminFailure("\(address) has no GET /config: it is not meshctl's proxy, so it has no rule set to read"))
            }
            guard response.status == 200, let version = response.header("x-meshctl-config-version") else {
                return .failure(notAdmin("GET", "/config", response, what: "rule set"))
            }
            var rules = LoadedRules()
            rules.fileCount = 1
            RuleLoader.load(response.body, name: "\(address)/config", into: &rules)
            if let problem = rules.diagnostics.first(where: { $0.level == .error }) {
                return .failure(AdminFailure("\(address) GET /config is not a rule set: \(problem.headline)"))
            }
            return .success(RunningRules(version: version, rules: rules))
        }
    }

    /// `PUT /config`: the new version, or the proxy's diagnostics (`validate -o json`).
    enum PushResult {
        case accepted(version: String)
        case rejected(diagnostics: [Diagnostic], raw: String)
    }

    func putConfig(_ body: [UInt8]) -> Result<PushResult, AdminFailure> {
        deadline.send("PUT", to: address, path: "/config", body: body).flatMap { response in
            let document = try? ConfigDump.document(response.body, path: "/config")
            if response.status == 200, let version = document?["version"]?.string {
                return .success(.accepted(version: version))
            }
            if response.status == 400, let entries = document?["diagnostics"]?.array {
                return .success(.rejected(diagnostics: entries.map(Self.diagnostic), raw: response.text))
            }
            return .failure(notAdmin("PUT", "/config", response, what: "new version"))
        }
    }

    static func diagnostic(_ entry: JSONValue) -> Diagnostic {
        Diagnostic(
            level: Severity(rawValue: entry["level"]?.string ?? "") ?? .error, code: entry["code"]?.string ?? "",
            message: entry["message"]?.string ?? "", file: entry["file"]?.string ?? "",
            line: Int(entry["line"]?.int ?? 0), column: Int(entry["column"]?.int ?? 0),
            resource: entry["resource"]?.string, field: entry["field"]?.string)
    }

    /// The one line for an answer that is not what an Envoy or meshctl admin API sends.
    func notAdmin(_ method: String, _ path: String, _ response: HTTPClient.Response, what: String) -> AdminFailure {
        let answer: String
        if response.status != 200 {
            let line = response.text.split(separator: "\n").first.map { ": \(Self.excerpt(String($0)))" } ?? ""
            answer = "HTTP \(response.status)\(line)"
        } else {
            answer = response.body.isEmpty ? "nothing" : Self.excerpt(response.text)
        }
        return AdminFailure(
            "\(address) is not an Envoy or meshctl admin API: \(method) \(path) answered \(answer), not its \(what)")
    }

    /// The first line of an answer, short and quoted.
    static func excerpt(_ text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let printable = String(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        return "'" + (printable.count > 60 ? printable.prefix(60) + "…" : printable) + "'"
    }
}
