import Foundation
import GitKit
import Planner
import Specs
import Testing
import TestSupport
@testable import Reconciler

/// `innominatus preview` on real repositories, through the real binary: what a pull request would run,
/// block and render, with nothing executed and nothing of the reconciler's moved.
@Suite struct PreviewTests {
    /// Runs `innominatus preview` on the fixture's remote and workdir.
    static func preview(_ fixture: LoopFixture, _ arguments: String...) throws -> Shell.Result {
        try Shell.execute([GitFixture.helper.executable, "preview", "--repo", fixture.git.remote, "--workdir", fixture.workdir,
                           "--state-key", fixture.git.stateKeyFile] + arguments)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    @Test func aPullRequestShowsItsPairsBlastRadiusDiffsAndBlockedWorkflowsAndRunsNothing() async throws {
        let fixture = try LoopFixture()
        #expect(await fixture.reconcile().exitCode == 0)
        let events = try fixture.events().count
        let refsBefore = try fixture.git.remoteGit("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/innominatus")
        let cacheWarm = fixture.workflow("ProductWorkflow", "cache-warm", product: "ecommerce")
        let scan = fixture.workflow("PlatformWorkflow", "security-scan", phase: "pre-deployment", extra: "true")
        // The PR: one Score's image, an unapproved product workflow, a platform workflow touched. Only
        // refs/pull/7/head points at it (as a forge keeps it); no branch does.
        let head = try fixture.git.commit([
            "apps/cart/score.yaml": LoopFixture.score("cart", product: "ecommerce").replacingOccurrences(of: "nginx:1.27", with: "nginx:1.99"),
            "workflows/products/ecommerce/cache-warm.yaml": cacheWarm,
            "workflows/platform/security-scan.yaml": scan,
        ], message: "the pull request")
        try fixture.git.git("push", "-q", "origin", "HEAD:refs/pull/7/head")

        let result = try Self.preview(fixture, "--ref", "refs/pull/7/head", "--output", "json", "--note")
        #expect(result.status == 2, "something would run: \(result.stderr)")
        let preview = try Self.json(result.stdout)
        #expect(preview["commit"] as? String == head)
        #expect(preview["ref"] as? String == "refs/pull/7/head")
        #expect((preview["errors"] as? [String]) == [])
        #expect((preview["warnings"] as? [String]) == [], "the applied state was not used: \(preview["warnings"] ?? "")")

        var actions: [String: String] = [:]
        for item in preview["items"] as? [[String: Any]] ?? [] {
            actions["\(item["app"] ?? "") \(item["tier"] ?? "")"] = item["action"] as? String
        }
        #expect(actions == [
            "cart platform": "run", "cart product": "run", "cart application": "run",
            "checkout platform": "run", "checkout product": "skip", "checkout application": "skip",
            "search platform": "run", "search product": "skip", "search application": "skip",
        ])

        var radius: [String: Int] = [:]
        for entry in preview["blastRadius"] as? [[String: Any]] ?? [] {
            radius["\(entry["path"] ?? "") \(entry["tier"] as? String ?? "-")"] = entry["pairs"] as? Int
        }
        #expect(radius == [
            "workflows/platform/security-scan.yaml platform": 3,
            "apps/cart/score.yaml platform": 1, "apps/cart/score.yaml product": 1, "apps/cart/score.yaml application": 1,
            "workflows/products/ecommerce/cache-warm.yaml -": 0,
        ])

        let manifests = preview["manifests"] as? [[String: Any]] ?? []
        #expect(Set(manifests.compactMap { $0["app"] as? String }) == ["cart"], "only cart's application tier renders")
        let deployment = try #require(manifests.first { $0["path"] as? String == "cart/deployment-cart.yaml" })
        #expect(deployment["change"] as? String == "modified")
        let diff = deployment["diff"] as? String ?? ""
        #expect(diff.contains("-        image: \"nginx:1.27\"") && diff.contains("+        image: \"nginx:1.99\""), "\(diff)")

        let blocked = try #require((preview["blocked"] as? [[String: Any]])?.first)
        #expect(blocked["workflow"] as? String == "ecommerce/cache-warm")
        #expect(blocked["approve"] as? String == "innominatus approve ecommerce/cache-warm")
        #expect(blocked["apps"] as? Int == 2)
        let blob = try fixture.git.git("rev-parse", "\(head):workflows/products/ecommerce/cache-warm.yaml")
        #expect(blocked["digest"] as? String
            == WorkflowPin.digest(path: "workflows/products/ecommerce/cache-warm.yaml", blobID: blob, inputs: [:]))

        // Nothing ran, nothing of the reconciler's moved; the preview's note is on the PR head, apart.
        #expect(try fixture.events().count == events, "a step ran")
        #expect(try fixture.git.remoteGit("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/innominatus")
            == refsBefore)
        let note = try fixture.git.remoteGit("notes", "--ref", "innominatus-preview", "show", head)
        #expect(try Self.json(note)["commit"] as? String == head)
        #expect(throws: Shell.Failure.self) { try fixture.git.remoteGit("notes", "--ref", "innominatus", "show", head) }

        // The same preview for people: text and a pull-request comment.
        let text = try Self.preview(fixture, "--ref", "refs/pull/7/head")
        #expect(text.status == 2)
        #expect(text.stdout.contains("workflows/platform/security-scan.yaml (modified): platform tier of 3 apps"), "\(text.stdout)")
        #expect(text.stdout.contains("approve: innominatus approve ecommerce/cache-warm (pins sha256:"))
        let markdown = try Self.preview(fixture, "--ref", "refs/pull/7/head", "--output", "markdown")
        #expect(markdown.stdout.contains("| cart | application | run |"))
        #expect(markdown.stdout.contains("<details><summary><code>cart/deployment-cart.yaml</code> (modified)</summary>"))
        #expect(try fixture.events().count == events)
    }

    @Test func aDocsOnlyChangeWouldRunNothingAndExitsZero() async throws {
        let fixture = try LoopFixture()
        #expect(await fixture.reconcile().exitCode == 0)
        try fixture.git.git("checkout", "-q", "-b", "docs")
        try fixture.git.commit(["README.md": "# platform\n\nMore words.\n"], message: "docs")
        try fixture.git.push(branch: "docs")
        let result = try Self.preview(fixture, "--ref", "docs")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("README.md (modified): re-runs nothing"), "\(result.stdout)")
        #expect(result.stdout.contains("0 to run"))
    }

    @Test func anInvalidFileExitsOneWithItsPosition() async throws {
        let fixture = try LoopFixture()
        #expect(await fixture.reconcile().exitCode == 0)
        let head = try fixture.git.commit(["apps/cart/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: cart\ncontainerz: {}\n"],
                                          message: "broken")
        try fixture.git.git("push", "-q", "origin", "HEAD:refs/merge-requests/3/head")
        // A commit id (the merge request's ref fetched explicitly does not make it a branch).
        let byRef = try Self.preview(fixture, "--ref", "refs/merge-requests/3/head", "--output", "json")
        #expect(byRef.status == 1)
        let errors = try Self.json(byRef.stdout)["errors"] as? [String] ?? []
        #expect(errors.contains { $0.contains("apps/cart/score.yaml:4:1") }, "\(errors)")
        #expect(byRef.stderr.contains("apps/cart/score.yaml:4:1"))
        let byCommit = try Self.preview(fixture, "--ref", String(head.prefix(12)))
        #expect(byCommit.status == 1, "\(byCommit.stdout)")
        #expect(byCommit.stdout.contains("error: ") && byCommit.stdout.contains("apps/cart/score.yaml:4:1"))
    }

    @Test func aRefTheRemoteDoesNotHaveIsAnErrorNamingIt() async throws {
        let fixture = try LoopFixture()
        let missing = try Self.preview(fixture, "--ref", "refs/pull/99/head")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("has no ref refs/pull/99/head"), "\(missing.stderr)")
        let refused = try Self.preview(fixture, "--ref", "refs/pull/../../heads/main")
        #expect(refused.status == 2, "a malformed ref is a usage error")
        #expect(refused.stderr.contains("not a valid ref name"), "\(refused.stderr)")
    }

    /// A pull-request comment stays under GitHub's limit however many files change, and says what it cut.
    @Test func markdownStaysUnderTheCommentLimit() {
        let plan = Plan(commit: String(repeating: "a", count: 40), appliedCommit: nil, items: (0..<500).map {
            PlanItem(app: "app\($0)", tier: .application, action: .run, reason: "application tier: first deployment: never applied",
                     workflows: [Planner.generatedWorkflow])
        })
        let diff = (0..<200).map { "+line \($0) of a long manifest\n" }.joined()
        let preview = Preview(ref: "refs/pull/1/head", commit: plan.commit,
                              base: .init(branch: "main", head: plan.commit, appliedCommit: nil),
                              plan: plan, blastRadius: [], manifests: (0..<500).map {
                                  .init(app: "app\($0)", path: "app\($0)/deployment-app\($0).yaml", change: .added, diff: diff)
                              }, blocked: [], errors: [], warnings: [])
        let markdown = PreviewRendering.markdown(preview)
        #expect(markdown.count < PreviewRendering.markdownLimit)
        #expect(markdown.contains("manifest changes") && markdown.contains("_Cut to stay under 60000 characters"))
        #expect(markdown.contains("<details>"), "some diffs are still shown")
    }
}
