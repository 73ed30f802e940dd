import Foundation
import GitKit
import Planner
@testable import Reconciler
import Specs
import TestSupport
import Testing

/// The parse cache in the workdir (docs/ARCHITECTURE.md §19), through the built binary as people and CI run
/// it: a new `plan` process parses nothing it parsed before, and prints exactly what it prints without the
/// cache — whatever the cache file holds, and however many processes share it.
@Suite("the parse cache in the workdir")
struct ParseCacheTests {
    /// A repository with no applied state (every Score is parsed: nothing vouches for it), holding a broken
    /// Score, an invalid workflow and an app refused the product it claims.
    static func repository() throws -> PlatformRepoFixture {
        let repo = try PlatformRepoFixture()
        try repo.git.commit([
            "policies/admin-config.yaml": PlatformRepoFixture.adminConfig + "  products:\n    ecommerce:\n      apps: [checkout, cart]\n",
            "apps/basket/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: basket\ncontainers: 7\n",
            "apps/checkout/workflows/broken.yaml": "apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata: {name: broken}\nspec:\n  steps: 3\n",
            "apps/search/workflows/misnamed.yaml": PlatformRepoFixture.workflow("Workflow", "other-name"),
            "apps/stranger/score.yaml": PlatformRepoFixture.score("stranger", product: "ecommerce"),
        ], message: "valid and invalid files")
        try repo.git.push()
        return repo
    }

    struct Run: Equatable {
        var status: Int32
        var stdout: String
        /// Without the lines INNOMINATUS_TIMINGS adds.
        var stderr: String
        /// What the load parsed ("parsed N blobs" of INNOMINATUS_TIMINGS).
        var parsed: Int?

        static func == (lhs: Run, rhs: Run) -> Bool {
            lhs.status == rhs.status && lhs.stdout == rhs.stdout && lhs.stderr == rhs.stderr
        }
    }

    static func arguments(_ repo: PlatformRepoFixture, workdir: String? = nil, output: String) -> [String] {
        ["plan", "--output", output, "--repo", repo.git.remote, "--workdir", workdir ?? repo.workdir, "--state-key", repo.git.stateKeyFile]
    }

    /// `innominatus plan` in a new process, planned in full (the memo of the last plan removed: it would
    /// answer an unchanged commit without loading anything).
    static func plan(_ repo: PlatformRepoFixture, output: String = "json", cold: Bool = false) throws -> Run {
        unlink(repo.workdir + "/plan-memo")
        if cold { unlink(repo.workdir + "/" + ParseCache.fileName) }
        let result = try Shell.execute([InnominatusBinary.path] + arguments(repo, output: output), environment: ["INNOMINATUS_TIMINGS": "1"])
        return run(result)
    }

    static func run(_ result: Shell.Result) -> Run {
        var parsed: Int?
        var kept: [Substring] = []
        for line in result.stderr.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("plan load: parsed "), let count = Int(line.dropFirst("plan load: parsed ".count).prefix { $0.isNumber }) {
                parsed = count
            } else if !line.hasPrefix("plan phase ") && !line.hasPrefix("plan memo not used") && !line.hasPrefix("plan load: ") {
                kept.append(line)
            }
        }
        return Run(status: result.status, stdout: result.stdout, stderr: kept.joined(separator: "\n"), parsed: parsed)
    }

    /// The plan made with no parse cache at all, JSON and text.
    static func reference(_ repo: PlatformRepoFixture) throws -> (json: Run, text: Run) {
        (try plan(repo, cold: true), try plan(repo, output: "text", cold: true))
    }

    @Test func aSecondPlanProcessParsesNothingUnchanged() async throws {
        let repo = try Self.repository()
        let cold = try Self.plan(repo, cold: true)
        // The admin config, the platform and product workflows, 3 app workflows and 5 Scores.
        #expect(cold.parsed == 11, "\(cold)")
        let warm = try Self.plan(repo)
        #expect(warm.parsed == 0)
        #expect(warm == cold)
        let text = try Self.plan(repo, output: "text")
        #expect(text.parsed == 0)
        #expect(text.stdout.contains("basket"))
    }

    /// Scores the applied state vouches for are not parsed, so a full load does not use their entries: it
    /// rewrites a file that it left mostly unused, though it parsed nothing, and the next process reads the
    /// rest only.
    @Test func entriesAnAppliedStateMadeUselessLeaveTheFile() async throws {
        let repo = try Self.repository()
        _ = try Self.plan(repo, cold: true)
        let path = repo.workdir + "/" + ParseCache.fileName
        func scoreLines() throws -> Int {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("score\t") }.count
        }
        #expect(try scoreLines() == 5)
        let recorded = try Shell.execute([InnominatusBinary.path] + Self.arguments(repo, output: "text") + ["--record-success"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        // --record-success planned from the file (it parsed nothing): the Score entries are still there.
        #expect(try scoreLines() == 5)
        let warm = try Self.plan(repo)
        #expect(warm.parsed == 0)
        let left = try scoreLines()
        #expect(left < 5, "\(left) Score entries left")
        let again = try Self.plan(repo)
        #expect(again.parsed == 0)
        #expect(try scoreLines() == left, "written once, not at every plan")
        let reference = try Self.plan(repo, cold: true)
        #expect(warm == reference)
        #expect(again == reference)
    }

    @Test func theCacheNeverChangesThePlan() async throws {
        let repo = try Self.repository()
        let reference = try Self.reference(repo)
        // The errors of every kind, each at its file:line:column.
        #expect(reference.json.stdout.contains("apps/basket/score.yaml:4:"), "\(reference.json.stdout)")
        #expect(reference.json.stdout.contains("apps/checkout/workflows/broken.yaml:5:"))
        #expect(reference.json.stdout.contains("apps/search/workflows/misnamed.yaml:3:"))
        #expect(reference.json.stdout.contains("apps/stranger/score.yaml:4:"))
        _ = try Self.plan(repo)  // writes the cache
        for _ in 0..<2 {
            let json = try Self.plan(repo)
            let text = try Self.plan(repo, output: "text")
            #expect(json.parsed == 0)
            #expect(json == reference.json)
            #expect(text == reference.text)
        }
        // The same blobs at other paths: their messages name the new paths, not the cached ones.
        try repo.git.commit([
            "apps/basket/score.yaml": nil,
            "apps/trolley/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: basket\ncontainers: 7\n",
            "apps/cart/workflows/misnamed.yaml": PlatformRepoFixture.workflow("Workflow", "other-name"),
        ], message: "moved")
        try repo.git.push()
        let moved = try Self.plan(repo)
        #expect(moved.parsed == 1, "the new Score path is parsed; the workflow blob is known")
        #expect(moved == (try Self.plan(repo, cold: true)))
        #expect(moved.stdout.contains("apps/trolley/score.yaml:3:"))
        #expect(moved.stdout.contains("apps/cart/workflows/misnamed.yaml:3:"))
    }

    @Test func aChangedBlobIsParsedAgain() async throws {
        let repo = try Self.repository()
        _ = try Self.plan(repo, cold: true)
        try repo.git.commit([
            "apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: nil, image: "nginx:2"),
            "workflows/platform/security-scan.yaml": PlatformRepoFixture.workflow("PlatformWorkflow", "security-scan", inputs: ["README.md"]),
            "apps/basket/score.yaml": PlatformRepoFixture.score("basket", product: "ecommerce"),
        ], message: "changed")
        try repo.git.push()
        let changed = try Self.plan(repo)
        #expect(changed.parsed == 3, "\(changed)")
        let reference = try Self.reference(repo)
        #expect(changed == reference.json)
        #expect(!changed.stdout.contains("containers: must be a map"), "the broken Score's entry is not reused")
        #expect(try Self.plan(repo, output: "text") == reference.text)
        #expect(try Self.plan(repo).parsed == 0)
    }

    /// Every way the file can be damaged, or made by another binary or with other limits: ignored (or, for
    /// one bad entry, that entry alone), and the plan is the same.
    @Test(arguments: ["truncated", "no end", "wrong count", "garbage", "empty", "other version", "other key", "bad entry", "folder"])
    func aDamagedOrForeignCacheIsIgnored(damage: String) async throws {
        let repo = try Self.repository()
        let reference = try Self.reference(repo)
        _ = try Self.plan(repo)
        let path = repo.workdir + "/" + ParseCache.fileName
        let bytes = try #require(FileManager.default.contents(atPath: path))
        var text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("end\t11\n"), "\(text)")
        var expectParsed = 11
        switch damage {
        case "truncated": text = String(text.prefix(text.count * 2 / 3))
        case "no end": text = String(text[..<text.range(of: "end\t")!.lowerBound])
        case "wrong count": text = text.replacingOccurrences(of: "end\t11\n", with: "end\t12\n")
        case "garbage": text = String(decoding: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }, as: UTF8.self)
        case "empty": text = ""
        case "other version": text = text.replacingOccurrences(of: "parse-cache v1", with: "parse-cache v2")
        case "other key":
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            text = ([lines[0], "key\t1234-5-6 main 1048576 1000000 64"] + lines[2...]).joined(separator: "\n")
        case "bad entry":
            // cart's Score line, its error count no number: that entry alone is parsed again.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
                guard line.hasPrefix("score\t"), line.contains("\tapps/cart/score.yaml\t") else { return line }
                var fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                fields[8] = "x"
                return Substring(fields.joined(separator: "\t"))
            }
            text = lines.joined(separator: "\n")
            expectParsed = 1
        default:
            unlink(path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }
        if damage != "folder" { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        let json = try Self.plan(repo)
        #expect(json.parsed == (damage == "folder" ? 11 : expectParsed), "\(damage)")
        #expect(json == reference.json)
        #expect(try Self.plan(repo, output: "text") == reference.text)
        if damage != "folder" { #expect(try Self.plan(repo).parsed == 0, "the next file is whole again") }
    }

    /// Several `plan` processes on one workdir at once, the cache cold, then warm: each prints the plan.
    @Test func concurrentPlansAllGiveTheSameOutput() async throws {
        let repo = try Self.repository()
        let reference = try Self.reference(repo)
        let folder = repo.git.root.appending("concurrent")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for round in 0..<3 {
            if round == 0 { unlink(repo.workdir + "/" + ParseCache.fileName) }
            let command = Self.arguments(repo, output: "json").map { "'\($0)'" }.joined(separator: " ")
            let script = (1...4).map { "'\(InnominatusBinary.path)' \(command) > \(folder)/out.\($0) 2> \(folder)/err.\($0) &" }
                .joined(separator: "\n") + "\nwait\n"
            unlink(repo.workdir + "/plan-memo")
            _ = try Shell.execute(["sh", "-c", script])
            for index in 1...4 {
                let stdout = try String(contentsOfFile: "\(folder)/out.\(index)", encoding: .utf8)
                #expect(stdout == reference.json.stdout, "round \(round), process \(index)")
            }
        }
        #expect(try Self.plan(repo) == reference.json)
    }

    /// A loader that lives on (the loop's) reads the file once, at its first load, and then answers from
    /// memory: later loads neither parse nor decode what they know.
    @Test func theDiskSeedsTheLoopsMemory() async throws {
        let repo = try Self.repository()
        var first = DesiredStateLoader()
        _ = try await repo.pass.run(now: Timestamp(millisecondsSinceEpoch: 1_000_000), loader: &first)
        #expect(first.parsedBlobs == 11)
        var loop = DesiredStateLoader()
        let seeded = try await repo.pass.run(now: Timestamp(millisecondsSinceEpoch: 1_000_000), loader: &loop)
        #expect(loop.parsedBlobs == 0)
        #expect(loop.costs.decodedScores.count == 5 && loop.costs.decodedWorkflows.count == 5 && loop.costs.decodedConfigs.count == 1)
        let again = try await repo.pass.run(now: Timestamp(millisecondsSinceEpoch: 1_000_000), loader: &loop)
        #expect(loop.parsedBlobs == 0)
        #expect(loop.costs.decodedScores.count + loop.costs.decodedWorkflows.count + loop.costs.decodedConfigs.count == 0, "from memory")
        #expect(PlanRendering.json(again.plan) == PlanRendering.json(seeded.plan))
        // Another writer replacing the file meanwhile changes nothing for it.
        unlink(repo.workdir + "/" + ParseCache.fileName)
        _ = try await repo.pass.run(now: Timestamp(millisecondsSinceEpoch: 1_000_000), loader: &loop)
        #expect(loop.parsedBlobs == 0)
    }

    /// `plan` processes killed with SIGKILL at any point (reading, parsing, writing aside, renaming): the
    /// next plan still prints what it prints without the cache.
    @Test func plansKilledAtAnyPointLeaveNoWrongCache() async throws {
        let repo = try Self.repository()
        let reference = try Self.reference(repo)
        let command = Self.arguments(repo, output: "json").map { "'\($0)'" }.joined(separator: " ")
        for round in 0..<12 {
            if round % 3 == 0 { unlink(repo.workdir + "/" + ParseCache.fileName) }
            unlink(repo.workdir + "/plan-memo")
            let delay = String(format: "%.3f", Double(round) * 0.015)
            _ = try Shell.execute(["sh", "-c", "'\(InnominatusBinary.path)' \(command) >/dev/null 2>&1 & pid=$!; sleep \(delay); kill -9 $pid; wait"])
            let json = try Self.plan(repo)
            #expect(json == reference.json, "killed after \(delay) s")
        }
    }

    /// What a writer killed between writing aside and renaming leaves: removed by a later write once old.
    @Test func copiesLeftByKilledWritersAreRemoved() async throws {
        let repo = try Self.repository()
        _ = try Self.plan(repo, cold: true)
        let old = repo.workdir + "/" + ParseCache.fileName + ".99999.1.tmp"
        let young = repo.workdir + "/" + ParseCache.fileName + ".99999.2.tmp"
        #expect(FileManager.default.createFile(atPath: old, contents: Data("half".utf8)))
        #expect(FileManager.default.createFile(atPath: young, contents: Data("half".utf8)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: old)
        _ = try Self.plan(repo, cold: true)
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: young))
    }

    /// The codec alone: what is written is what is read, for every field a Score line can hold.
    @Test func scoreFactsRoundTrip() {
        let error = SpecDiagnostic(file: "apps/a b/score.yaml", at: SourceLocation(line: 4, column: 13), field: "containers",
                                   message: "a map,\twith a tab\nand 100% of a line break")
        let facts = DesiredStateLoader.ScoreFacts(product: "shop", suspended: true, errors: [error, error],
                                                  resources: [ResourceRef(name: "db", type: "postgres", class: nil, id: "x%09")],
                                                  productLocation: SourceLocation(line: 3, column: 12))
        let line = ParseCacheCodec.scoreLine(blob: "ab", path: "apps/a b/score.yaml", app: "a b", facts: facts)
        let decoded = ParseCacheCodec.scoreFacts(line[...], app: "a b")
        #expect(decoded?.errors == facts.errors)
        #expect(decoded?.resources == facts.resources)
        #expect(decoded?.product == "shop")
        #expect(decoded?.suspended == true)
        #expect(decoded?.productLocation == facts.productLocation)
        #expect(ParseCacheCodec.scoreFacts(line[...], app: "other") == nil, "made for another app")
    }
}
