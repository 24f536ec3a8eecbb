import Foundation
import MeshModel
import MeshRollout
import MeshValidation
import MeshYAML
import Testing

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("meshrollout-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Loads YAML text as `-f` would, validating each resource.
func load(_ text: String, name: String = "rules.yaml") -> LoadedRules {
    var rules = LoadedRules()
    let validator = Validator()
    RuleLoader.load(Array(text.utf8), name: name, into: &rules, validate: validator.validate)
    return rules
}

@Suite struct JournalTests {
    @Test func recordsSurviveAndATruncatedLastLineIsIgnored() throws {
        let dir = try temporaryDirectory()
        let journal = Journal(path: dir + "/r.journal")
        var intent = JournalRecord(seq: 1, time: 10, kind: .intent, action: "start", status: status(step: 0, weight: 10))
        intent.to = 10
        try journal.append(intent)
        #expect(try journal.read().pendingIntent?.seq == 1)
        // A crash in the middle of the next write leaves half a line.
        let handle = try #require(FileHandle(forWritingAtPath: journal.path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"seq\":2,\"time\":11,\"ki".utf8))
        try handle.close()
        let contents = try journal.read()
        #expect(contents.records.count == 1)
        #expect(contents.truncatedTail)
        // The next append starts on a line of its own, and the half line is gone.
        var commit = JournalRecord(seq: 2, time: 12, kind: .commit, action: "start", status: status(step: 0, weight: 10))
        commit.intent = 1
        try journal.append(commit)
        let after = try journal.read()
        #expect(after.records.map(\.kind) == [.intent, .commit])
        #expect(!after.truncatedTail)
        #expect(after.pendingIntent == nil)
        #expect(after.status == status(step: 0, weight: 10))
    }

    @Test func aCorruptLineInTheMiddleIsAnError() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/r.journal"
        try Data("not json\n{}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: Journal.Failure.self) { try Journal(path: path).read() }
    }

    @Test func aSecondLockFailsAtOnce() throws {
        let dir = try temporaryDirectory()
        let first = try RolloutLock(path: dir + "/r.lock")
        // flock is per open file description: a second open in the same process conflicts too.
        #expect(throws: Journal.Failure.self) { try RolloutLock(path: dir + "/r.lock") }
        _ = first
    }

    @Test func atomicReplaceKeepsPermissions() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/vs.yaml"
        try Data("a: 1\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o640)
        try FileSystem.replaceAtomically(path, with: Array("a: 2\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a: 2\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["vs.yaml"])
    }
}

/// A target holding a weight in memory.
final class MemoryTarget: WeightTarget {
    let name: String
    var weight: Int?
    var pushes = 0
    init(_ name: String, weight: Int?) {
        self.name = name
        self.weight = weight
    }
    func apply(canaryWeight: Int) throws(TargetFailure) -> String {
        pushes += 1
        weight = canaryWeight
        return "set \(canaryWeight)"
    }
    func observe() throws(TargetFailure) -> Int? { weight }
}

@Suite struct DriverRecoveryTests {
    /// A journal whose last record is the intent of step 1 → 2 (10% → 25%), never committed.
    func interrupted() throws -> Journal {
        let journal = Journal(path: try temporaryDirectory() + "/r.journal")
        try journal.append(JournalRecord(seq: 1, time: 0, kind: .start, action: "start"))
        var commit = JournalRecord(seq: 2, time: 1, kind: .commit, action: "start", status: status(step: 0, weight: 10))
        commit.intent = 1
        try journal.append(commit)
        var intent = JournalRecord(seq: 3, time: 2, kind: .intent, action: "step", status: status(step: 2, weight: 25, at: 2))
        (intent.from, intent.to) = (10, 25)
        try journal.append(intent)
        return journal
    }

    @Test(arguments: [
        ([25, 25], "commit", 0, JournalRecord.Kind.commit),
        ([10, 25], "reapply", 2, .commit),
        ([10, 10], "reapply", 2, .commit),
        ([40, 25], "drift", 0, .state),
    ])
    func settlesTheInterruptedChange(live: [Int], outcome: String, pushes: Int, lastKind: JournalRecord.Kind) throws {
        let journal = try interrupted()
        let targets = live.enumerated().map { MemoryTarget("p\($0.offset)", weight: $0.element) }
        let driver = try RolloutDriver(plan: samplePlan(), journal: journal, targets: targets, metrics: nil, clock: { 5 })
        let result = try #require(try driver.recover())
        let records = try journal.read().records
        #expect(records.last?.kind == lastKind)
        #expect(targets.map(\.pushes).reduce(0, +) == pushes)
        switch outcome {
        case "drift":
            #expect(result.exitCode == 3)
            #expect(driver.status?.phase == .drift)
        default:
            #expect(result.exitCode == 0)
            #expect(records.last?.intent == 3)
            #expect(driver.status == status(step: 2, weight: 25, at: 2))
            #expect(targets.allSatisfy { $0.weight == 25 })
        }
        // Settled: a second command finds nothing pending.
        #expect(
            try RolloutDriver(plan: samplePlan(), journal: journal, targets: targets, metrics: nil, clock: { 6 }).recover() == nil
        )
    }

    @Test func liveWeightsOtherThanTheJournalsAreDrift() throws {
        let journal = try interrupted()
        let target = MemoryTarget("p", weight: 25)
        let driver = try RolloutDriver(plan: samplePlan(), journal: journal, targets: [target], metrics: nil, clock: { 5 })
        _ = try driver.recover()
        #expect(try driver.checkLive() == nil)
        target.weight = 60
        let drift = try #require(try driver.checkLive())
        #expect(drift.exitCode == 3)
        #expect(drift.lines.first?.contains("p runs the canary at 60%; the journal says 25%") == true)
    }

    @Test func aStepWritesIntentThenCommitAroundThePush() throws {
        let journal = Journal(path: try temporaryDirectory() + "/r.journal")
        let target = MemoryTarget("p", weight: 0)
        let driver = try RolloutDriver(
            plan: samplePlan(gated: false), journal: journal, targets: [target], metrics: nil, clock: { 100 })
        var seenAtPush: [JournalRecord.Kind] = []
        driver.faultPoint = { point in
            if point == "after-push" { seenAtPush = ((try? journal.read().records) ?? []).map(\.kind) }
        }
        let started = try driver.carry(driver.machine.start(now: 100))
        #expect(started.exitCode == 0)
        #expect(seenAtPush == [.intent])
        #expect(try journal.read().records.map(\.kind) == [.intent, .commit])
        #expect(target.weight == 10)
    }
}

@Suite struct ScalarEditTests {
    static let vs = """
        # The canary route. Comments, order and quoting must survive.
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: recommendation}   # flow style
        spec:
          hosts: ["recommendation"]
          http:
          - name: canary
            route:
            - destination: {host: recommendation, subset: version-v1}
              weight: 100 # stable, ünïcode before
            - {destination: {host: recommendation, subset: version-v2}, weight: 0}

        """

    @Test(arguments: ["\n", "\r\n"])
    func onlyTheWeightBytesChange(newline: String) throws {
        let text = Self.vs.replacingOccurrences(of: "\n", with: newline)
        let rollout = load(
            """
            apiVersion: meshctl.dev/v1alpha1
            kind: Rollout
            metadata: {name: recommendation}
            spec: {virtualService: recommendation, stable: {subset: version-v1}, canary: {subset: version-v2}, linear: 25}
            """, name: "rollout.yaml"
        ).resources[0].rollout!
        var rules = LoadedRules()
        RuleLoader.load(Array(text.utf8), name: "vs.yaml", into: &rules)
        let routes = try rollout.bind(rules.resources[0].virtualService!).get()
        let edits = try WeightEdit.scalarEdits(routes, canaryWeight: 25).get()
        let edited = try rules.files[0].replacingScalars(edits)
        let expected = text.replacingOccurrences(of: "weight: 100 #", with: "weight: 75 #")
            .replacingOccurrences(of: "weight: 0}", with: "weight: 25}")
        #expect(String(decoding: edited, as: UTF8.self) == expected)
    }

    @Test func quotedScalarsKeepTheirQuotes() throws {
        let file = try YAMLLoader.load(Array("a: 'x'   # c\nb: \"y\"\nc: z\n".utf8), path: "f.yaml")
        let root = file.documents[0]
        let edits = file.pairs(root).map { ScalarEdit(node: $0.value, value: "new") }
        #expect(String(decoding: try file.replacingScalars(edits), as: UTF8.self) == "a: 'new'   # c\nb: \"new\"\nc: new\n")
    }

    @Test func aByteOrderMarkIsNotAColumn() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("w: 5\n".utf8)
        let file = try YAMLLoader.load(bytes, path: "f.yaml")
        let value = try #require(file.value("w", in: file.documents[0]))
        #expect(try file.replacingScalars([ScalarEdit(node: value, value: "60")]) == [0xEF, 0xBB, 0xBF] + Array("w: 60\n".utf8))
    }

    @Test func scalarsThatAreNotOneTokenAreRefused() throws {
        let file = try YAMLLoader.load(Array("a: &x 5\nb: *x\nc: |\n  text\nd: &y !!int 7\n".utf8), path: "f.yaml")
        let root = file.documents[0]
        let values = file.pairs(root).map(\.value)
        // b's node is a copy of a's: editing either would change both.
        #expect(throws: YAMLEditError.self) { try file.replacingScalars([ScalarEdit(node: values[1], value: "6")]) }
        #expect(throws: YAMLEditError.self) { try file.replacingScalars([ScalarEdit(node: values[0], value: "6")]) }
        #expect(throws: YAMLEditError.self) { try file.replacingScalars([ScalarEdit(node: values[2], value: "x")]) }
        #expect(throws: YAMLEditError.self) { try file.replacingScalars([ScalarEdit(node: values[3], value: "a b: c")]) }
        // An anchor nothing aliases, and a tag, are skipped to the scalar itself.
        #expect(
            String(decoding: try file.replacingScalars([ScalarEdit(node: values[3], value: "8")]), as: UTF8.self).hasSuffix(
                "d: &y !!int 8\n"))
    }
}
