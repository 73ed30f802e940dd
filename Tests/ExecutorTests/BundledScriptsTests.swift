import Foundation
import Specs
import Testing
import TestSupport
@testable import Executor

/// The bundled platform workflows (`workflows/platform/*.yaml` and their scripts) run through
/// `innominatus run` for every Score file of the repository that `innominatus validate` accepts: a script
/// may fail an app (a finding), never crash on it. The scripts read `$SCORE_JSON`, so no Score shape that
/// validates can trip a YAML reader of their own.
@Suite struct BundledScriptsTests {
    static let top = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    struct ScoreFixture: Sendable, CustomTestStringConvertible {
        /// Relative to the repository's top folder.
        var path: String
        /// A hostile corpus file, with `@APP@` and `@MARKER@` to fill in.
        var hostile: Bool
        var testDescription: String { path }
    }

    /// examples/apps, Tests/Fixtures/specs and Tests/Fixtures/provisioning (every score*.yaml or sample), and
    /// the hostile corpus's Score files (those that validate are kept when the test runs).
    static let fixtures: [ScoreFixture] = {
        let manager = FileManager.default
        var found: [ScoreFixture] = []
        for folder in ["examples/apps", "Tests/Fixtures/specs", "Tests/Fixtures/provisioning"] {
            let files = (manager.enumerator(atPath: top + "/" + folder)?.allObjects as? [String]) ?? []
            for file in files.sorted() where file.hasSuffix(".yaml") {
                let path = folder + "/" + file
                let text = (try? String(contentsOfFile: top + "/" + path, encoding: .utf8)) ?? ""
                if text.contains("apiVersion: score.dev/") { found.append(ScoreFixture(path: path, hostile: false)) }
            }
        }
        for folder in ["Tests/Fixtures/hostile/score", "Tests/Fixtures/hostile/score-accepted"] {
            for file in ((try? manager.contentsOfDirectory(atPath: top + "/" + folder)) ?? []).sorted() where file.hasSuffix(".yaml") {
                found.append(ScoreFixture(path: folder + "/" + file, hostile: true))
            }
        }
        return found
    }()

    static let workflows = ["security-scan", "compliance-check", "cost-report"]

    @Test func theFixturesAreThere() {
        #expect(Self.fixtures.filter { $0.path.hasPrefix("examples/apps/") }.count >= 5)
        #expect(Self.fixtures.contains { $0.path == "Tests/Fixtures/specs/score-samples/flow-maps-and-quantities.yaml" })
        #expect(Self.fixtures.filter(\.hostile).count >= 60)
    }

    @Test(arguments: fixtures)
    func theBundledPlatformWorkflowsRunOnEveryValidScore(fixture: ScoreFixture) throws {
        let folder = try TemporaryDirectory("bundled-scripts")
        let markers = folder.appending("markers")
        var score = top(fixture.path)
        if fixture.hostile {
            let app = "h-" + String(URL(fileURLWithPath: fixture.path).deletingPathExtension().lastPathComponent.prefix(60))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: score))
            bytes = Data(Self.replace("@APP@", with: app, in: [UInt8](bytes)))
            bytes = Data(Self.replace("@MARKER@", with: markers + "/marker", in: [UInt8](bytes)))
            score = folder.appending("score.yaml")
            try bytes.write(to: URL(fileURLWithPath: score))
        }
        let validated = try InnominatusBinary.run(["validate", score])
        if fixture.hostile && validated.status != 0 { return }  // rejected by validate: not a Score the scripts get
        try #require(validated.status == 0, "a repository fixture that does not validate: \(validated.stdout)")

        let containers = try Self.containerCount(score)
        for workflow in Self.workflows {
            let result = try InnominatusBinary.run(["run", top("workflows/platform/\(workflow).yaml"), "--app", score,
                                                     "--repo", Self.top, "--output", "json"])
            let outcome = try JSONDecoder().decode(WorkflowOutcome.self, from: Data(result.stdout.utf8))
            let step = try #require(outcome.steps.first, "\(workflow): \(result.stdout) \(result.stderr)")
            let log = step.log.joined(separator: "\n")
            #expect(!log.contains("Traceback"), "\(workflow) crashed on \(fixture.path):\n\(log)")
            #expect(step.exitCode == 0 || step.exitCode == 1, "\(workflow) on \(fixture.path): exit \(step.exitCode ?? -1)\n\(log)")
            switch workflow {
            case "security-scan":
                #expect(step.log.contains { $0.hasPrefix("scanned \(containers) container(s), ") }, "\(fixture.path):\n\(log)")
                #expect(step.result == .succeeded || step.log.contains { $0.hasPrefix("FAIL container ") }, "\(fixture.path):\n\(log)")
            case "compliance-check":
                #expect(step.log.contains { $0.hasPrefix("checked 2 required annotation(s), ") }, "\(fixture.path):\n\(log)")
                #expect(step.result == .succeeded || step.log.contains { $0.hasPrefix("FAIL metadata.annotations[") }, "\(fixture.path):\n\(log)")
            default:
                #expect(step.result == .succeeded, "\(fixture.path):\n\(log)")
                #expect(step.log.filter { $0.contains(" cores, ") && !$0.hasPrefix("monthly") }.count == containers, "\(fixture.path):\n\(log)")
                #expect(step.outputs["monthlyCost"] != nil)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: markers), "a Score value ran as code")
    }

    /// The three scripts' findings on a Score whose shapes a hand-written YAML reader got wrong.
    @Test func theScriptsReadFlowMapsAnchorsAndEveryQuantityForm() throws {
        let score = top("Tests/Fixtures/specs/score-samples/flow-maps-and-quantities.yaml")
        func run(_ workflow: String) throws -> StepOutcome {
            let result = try InnominatusBinary.run(["run", top("workflows/platform/\(workflow).yaml"), "--app", score,
                                                     "--repo", Self.top, "--output", "json"])
            return try #require(try JSONDecoder().decode(WorkflowOutcome.self, from: Data(result.stdout.utf8)).steps.first)
        }
        let scan = try run("security-scan")
        #expect(scan.result == .failed)
        #expect(scan.log.filter { $0.hasPrefix("FAIL ") } == ["FAIL container sidecar: no resources.limits.cpu and .memory; set both"],
                "web (a digest, flow-map limits), worker (aliased limits) and batch are fine: \(scan.log)")
        let compliance = try run("compliance-check")
        #expect(compliance.result == .succeeded, "both annotations are in a flow map: \(compliance.log)")
        let cost = try run("cost-report")
        #expect(cost.result == .succeeded)
        // requests first: web has only limits (0.5 cores, 256Mi), worker 0.5 and 1.5Gi, batch 2 and 1E, sidecar nothing.
        #expect(cost.log.contains("web: 0.500 cores, 0.250 GiB"), "\(cost.log)")
        #expect(cost.log.contains("worker: 0.500 cores, 1.500 GiB"), "\(cost.log)")
        #expect(cost.log.contains("batch: 2.000 cores, 931322574.615 GiB"), "\(cost.log)")
        #expect(cost.log.contains("sidecar: 0.000 cores, 0.000 GiB"), "\(cost.log)")
        #expect(cost.outputs["cpuCores"] == "3.000")
    }

    static func top(_ path: String) -> String { Self.top + "/" + path }
    func top(_ path: String) -> String { Self.top(path) }

    /// How many containers the (valid) Score declares, as the validator reads it.
    static func containerCount(_ path: String) throws -> Int {
        let report = try SpecValidator().validate(fileAt: path)
        return try #require(report.score).containers.count
    }

    static func replace(_ needle: String, with replacement: String, in bytes: [UInt8]) -> [UInt8] {
        Bytes.replacing(Array(needle.utf8), with: Array(replacement.utf8), in: bytes)
    }
}
