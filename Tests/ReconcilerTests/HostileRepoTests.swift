import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

/// Hostile repository content: each hostile file fails only its own app, with file:line:column in
/// the status note, runs nothing of that app (marker-file steps prove it), and every other app reconciles. The
/// reconciler runs as the real binary under a deadline: a crash or a hang fails the test as an exit status.
/// Cases are grouped — dozens of hostile apps in one repository per pass — to keep the suite short.
@Suite("Hostile repository content")
struct HostileRepoTests {
    /// Score files of the corpus that must be rejected, placed as `apps/s-<name>/score.yaml`.
    static func rejectedScores() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: HostileRepoFixture.corpus + "/score").sorted()
    }

    /// Generated Score cases (too large to commit): file name → bytes, with `@APP@` placeholders.
    static let generatedScores: [String: @Sendable () -> Data] = [
        // 50 MB: refused by size before anything reads it (the blob read is bounded too).
        "fifty-megabytes.yaml": {
            var data = Data("apiVersion: score.dev/v1b1\nmetadata:\n  name: @APP@\ncontainers:\n  main:\n    image: nginx:1\n".utf8)
            let line = Data(("# " + String(repeating: "x", count: 1021) + "\n").utf8)
            for _ in 0..<(50 * 1024) { data.append(line) }
            return data
        },
        // One byte over the 1 MiB limit, all of it a single huge string.
        "huge-string.yaml": {
            var text = "apiVersion: score.dev/v1b1\nmetadata:\n  name: @APP@\ncontainers:\n  main:\n    image: \""
            text += String(repeating: "a", count: 1 << 20) + "\"\n"
            return Data(text.utf8)
        },
        // 200,000 nested flow sequences: past libyaml's and our depth limits, never a stack overflow.
        "deep-nesting-200k.yaml": {
            Data(("apiVersion: score.dev/v1b1\nx: " + String(repeating: "[", count: 200_000) + "\n").utf8)
        },
    ]

    static func appName(_ prefix: String, _ file: String) -> String {
        prefix + "-" + file.replacingOccurrences(of: ".yaml", with: "").replacingOccurrences(of: ".bin", with: "")
    }

    @Test func hostileScoreFilesFailOnlyTheirOwnApp() throws {
        let fixture = try HostileRepoFixture()
        var hostile: [String: String] = [:]  // app → score path
        for file in try Self.rejectedScores() {
            let app = Self.appName("s", file)
            hostile[app] = "apps/\(app)/score.yaml"
            try fixture.write("apps/\(app)/score.yaml", try fixture.corpusFile("score/\(file)", app: app))
        }
        for (file, make) in Self.generatedScores {
            let app = Self.appName("g", file)
            hostile[app] = "apps/\(app)/score.yaml"
            try fixture.write("apps/\(app)/score.yaml", fixture.fill(make(), app: app))
        }
        // App folders that are no app name (the Score names the same): dots, upper case, a space, a leading dash.
        for folder in ["...", "Bad..Name", "spaced name", "-leading-dash", "x"] {
            hostile[folder] = "apps/\(folder)/score.yaml"
            try fixture.write("apps/\(folder)/score.yaml", HostileRepoFixture.score("'\(folder)'"))
        }
        // Every hostile app declares a workflow that would leave a marker: none of it may run.
        for app in hostile.keys {
            try fixture.write("apps/\(app)/workflows/deploy.yaml",
                              fixture.workflow("Workflow", "deploy", run: "touch '\(fixture.markers)/\(app)'"))
        }
        let head = try fixture.commitAndPush("hostile Score files")

        let run = try fixture.reconcile()
        #expect(run.status == 1, "a pass with failing apps exits 1, not by a signal or the deadline: \(run.output)")
        let executed = try fixture.markerFiles()
        #expect(executed == [], "steps of a hostile app ran")
        let status = try #require(try fixture.status(of: head), "no status note: \(run.output)")
        for app in HostileRepoFixture.goodApps {
            let tiers = status.apps[app]?.tiers ?? [:]
            #expect(!tiers.isEmpty && tiers.values.allSatisfy { $0.result == .succeeded }, "\(app): \(HostileRepoFixture.describe(tiers))")
        }
        let ran = try fixture.events()
        #expect(Set(ran.compactMap { $0.split(separator: " ").first.map(String.init) }) == Set(HostileRepoFixture.goodApps))
        for (app, path) in hostile.sorted(by: { $0.key < $1.key }) {
            let tiers = status.apps[app]?.tiers ?? [:]
            #expect(!tiers.isEmpty, "\(app) is missing from the status")
            for (tier, entry) in tiers {
                #expect(entry.action == .error && entry.result == .error, "\(app) \(tier): \(entry.action) \(entry.reason)")
                #expect(HostileRepoFixture.hasPosition(entry.reason, of: path), "\(app) \(tier): no position in '\(entry.reason)'")
            }
        }
    }

    /// Hostile workflow files of an app (committed corpus plus 10,000 steps): that app's application tier is
    /// invalid or blocked, with the reason, and none of its steps run; the platform tier of the same app runs
    /// the platform's own declared workflow as usual.
    @Test func hostileAppWorkflowsFailOnlyTheirTier() throws {
        let fixture = try HostileRepoFixture()
        var hostile: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: HostileRepoFixture.corpus + "/workflow").sorted() {
            let app = Self.appName("w", file)
            hostile.append(app)
            try fixture.write("apps/\(app)/score.yaml", HostileRepoFixture.score(app))
            try fixture.write("apps/\(app)/workflows/deploy.yaml", try fixture.corpusFile("workflow/\(file)", app: app))
        }
        // 10,000 steps, each leaving a marker: over the admin config's maxStepsPerWorkflow (100).
        let many = "w-ten-thousand-steps"
        hostile.append(many)
        var steps = "apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata:\n  name: deploy\nspec:\n  steps:\n"
        for index in 0..<10_000 { steps += "    - {name: s\(index), type: shell, run: 'touch \(fixture.markers)/\(many)'}\n" }
        try fixture.write("apps/\(many)/score.yaml", HostileRepoFixture.score(many))
        try fixture.write("apps/\(many)/workflows/deploy.yaml", steps)
        let head = try fixture.commitAndPush("hostile app workflows")

        let run = try fixture.reconcile()
        #expect(run.status == 1, "exit \(run.status): \(run.output)")
        let executed = try fixture.markerFiles()
        #expect(executed == [], "steps of a hostile workflow ran")
        let status = try #require(try fixture.status(of: head), "no status note: \(run.output)")
        for app in HostileRepoFixture.goodApps {
            let tiers = status.apps[app]?.tiers ?? [:]
            #expect(!tiers.isEmpty && tiers.values.allSatisfy { $0.result == .succeeded }, "\(app): \(HostileRepoFixture.describe(tiers))")
        }
        #expect(try !fixture.events().contains { $0.hasPrefix("w-") && $0.contains(" application ") })
        for app in hostile {
            let path = "apps/\(app)/workflows/deploy.yaml"
            let tier = status.apps[app]?.tiers[.application]
            // Blocked per workflow (maxStepsPerWorkflow): the tier's generated workflow still runs.
            #expect(tier?.result == .error || tier?.result == .blocked || tier?.blocked?.contains { $0.workflow == "deploy" } == true,
                    "\(app): \(String(describing: tier))")
            let reasons = PolicyBypassTests.reasons(tier)
            if app == many {
                #expect(reasons.contains("maxStepsPerWorkflow"), "\(app): \(reasons)")
            } else {
                #expect(HostileRepoFixture.hasPosition(reasons, of: path), "\(app): no position in '\(reasons)'")
            }
            #expect(status.apps[app]?.tiers[.platform]?.result == .succeeded, "\(app) platform tier")
        }
    }

    /// Hostile-looking but valid Score files (BOM, CRLF, shell metacharacters in commands and
    /// variables, Unicode tricks): the app reconciles, and nothing the content spells out executes.
    @Test func acceptedHostileLookingScoresRunOnlyDeclaredSteps() throws {
        let fixture = try HostileRepoFixture()
        var apps: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: HostileRepoFixture.corpus + "/score-accepted").sorted() {
            let app = Self.appName("a", file)
            apps.append(app)
            try fixture.write("apps/\(app)/score.yaml", try fixture.corpusFile("score-accepted/\(file)", app: app))
            try fixture.write("apps/\(app)/workflows/deploy.yaml", fixture.workflow("Workflow", "deploy"))
        }
        let head = try fixture.commitAndPush("valid but hostile-looking Score files")
        let run = try fixture.reconcile()
        #expect(run.status == 0, "exit \(run.status): \(run.output)")
        let executed = try fixture.markerFiles()
        #expect(executed == [], "content of a Score file was executed")
        let status = try #require(try fixture.status(of: head), "\(run.output)")
        for app in apps + HostileRepoFixture.goodApps {
            let tiers = status.apps[app]?.tiers ?? [:]
            #expect(!tiers.isEmpty && tiers.values.allSatisfy { $0.result == .succeeded }, "\(app): \(HostileRepoFixture.describe(tiers))")
            #expect(try fixture.events().contains("\(app) application deploy"), "\(app)'s declared step did not run")
        }
    }

    /// Symlinks out of the tree in the checkout, a Score file that is a symlink, a Score "file" that is a
    /// directory: no step reads through a link out of the checkout, nothing of those apps runs, the rest reconciles.
    @Test func symlinksAndDirectoriesNeverLeadOutOfTheCheckout() throws {
        let outside = try TemporaryDirectory("outside")
        try "classified-7f3a\n".write(toFile: outside.appending("secret"), atomically: true, encoding: .utf8)
        let fixture = try HostileRepoFixture()
        try fixture.symlink("scripts/escape", to: outside.appending("secret"))
        try fixture.symlink("scripts/climb", to: "../../../../../../../../" + outside.path + "/secret")
        try fixture.symlink("scripts/folder", to: outside.path)
        try fixture.symlink("scripts/inside", to: "../README.md")
        // good-three's step records what it can read through each link.
        let probe = ["escape", "climb", "folder/secret", "inside"].map { link in
            "if cat scripts/\(link) 2>/dev/null | grep -q classified-7f3a; then touch \(fixture.markers)/read-through-\(link.replacingOccurrences(of: "/", with: "-")); fi"
        }.joined(separator: "; ")
        // The control: the same probe on a plain file of the repository does see the text.
        try fixture.write("scripts/control", "classified-7f3a\n")
        let control = "if grep -q classified-7f3a scripts/control; then echo 'good-three probe works' >> \(fixture.events); fi"
        try fixture.write("apps/good-three/workflows/deploy.yaml",
                          fixture.workflow("Workflow", "deploy", run: "echo \"$APP_NAME $TIER deploy\" >> \(fixture.events); \(probe); \(control)"))
        try fixture.symlink("apps/l-symlink-score/score.yaml", to: outside.appending("secret"))
        try fixture.write("apps/l-symlink-score/workflows/deploy.yaml",
                          fixture.workflow("Workflow", "deploy", run: "touch \(fixture.markers)/l-symlink-score"))
        try fixture.write("apps/l-score-directory/score.yaml/score.yaml", HostileRepoFixture.score("l-score-directory"))
        try fixture.write("apps/l-score-directory/workflows/deploy.yaml",
                          fixture.workflow("Workflow", "deploy", run: "touch \(fixture.markers)/l-score-directory"))
        try fixture.symlink("apps/good-two/workflows/linked.yaml", to: outside.appending("secret"))
        let head = try fixture.commitAndPush("symlinks and directories")

        let run = try fixture.reconcile()
        #expect(run.status == 0 || run.status == 1, "exit \(run.status): \(run.output)")
        let executed = try fixture.markerFiles()
        #expect(executed == [], "a step read through a symlink out of the checkout, or a hostile app ran")
        let status = try #require(try fixture.status(of: head), "\(run.output)")
        for app in HostileRepoFixture.goodApps {
            let tiers = status.apps[app]?.tiers ?? [:]
            #expect(!tiers.isEmpty && tiers.values.allSatisfy { $0.result == .succeeded }, "\(app): \(HostileRepoFixture.describe(tiers))")
        }
        #expect(try fixture.events().contains("good-three application deploy"))
        #expect(try fixture.events().contains("good-three probe works"), "the probe itself must be able to see the text")
        #expect(try !fixture.events().contains { $0.hasPrefix("l-") })
    }

    /// Hostile admin configs, one per commit on one repository: each fails the pass closed (nothing runs)
    /// with the file's position in the note; the pass after the last one, with a good config again, runs.
    @Test func hostileAdminConfigsFailThePassClosed() throws {
        let fixture = try HostileRepoFixture()
        #expect(try fixture.reconcile().status == 0)
        let before = try fixture.events().count
        let files = try FileManager.default.contentsOfDirectory(atPath: HostileRepoFixture.corpus + "/admin").sorted()
        for (index, file) in files.enumerated() {
            try fixture.write("policies/admin-config.yaml", try fixture.corpusFile("admin/\(file)", app: "admin"))
            // A change that would run something under a valid config.
            try fixture.write("apps/good-two/score.yaml", HostileRepoFixture.score("good-two", image: "nginx:1.\(index)"))
            let head = try fixture.commitAndPush("hostile admin config \(file)")
            let run = try fixture.reconcile()
            #expect(run.status == 1, "\(file): exit \(run.status): \(run.output)")
            let status = try #require(try fixture.status(of: head), "\(file): \(run.output)")
            #expect(status.result == .failed, "\(file)")
            #expect(HostileRepoFixture.hasPosition(status.error ?? "", of: "policies/admin-config.yaml"),
                    "\(file): \(status.error ?? "no error")")
        }
        #expect(try fixture.events(after: before) == [], "something ran under an invalid admin config")
        let executed = try fixture.markerFiles()
        #expect(executed == [], "nothing may execute")
        try fixture.write("policies/admin-config.yaml", HostileRepoFixture.adminConfig())
        try fixture.commitAndPush("good admin config again")
        #expect(try fixture.reconcile().status == 0)
        #expect(try fixture.events(after: before).contains("good-two application deploy"))
    }
}
