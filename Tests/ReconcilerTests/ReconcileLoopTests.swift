import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

@Suite("The reconcile loop end to end: real git, real steps")
struct ReconcileLoopTests {
    @Test func firstPassRunsEveryTierInPhaseAndTierOrderThenNothing() async throws {
        let fixture = try LoopFixture()
        let head = try fixture.git.git("rev-parse", "HEAD")
        let report = await fixture.reconcile()
        #expect(report.kind == .ran && report.wroteNote, "\(report.message ?? "")")
        #expect(report.exitCode == 0)
        let checkout = try fixture.events().filter { $0.hasPrefix("checkout ") }
        #expect(checkout == [
            "checkout platform pre-deployment security-scan",
            "checkout product deployment database-setup",
            "checkout application deployment deploy",
            "checkout application deployment seed",
            "checkout platform post-deployment cost-report",
        ])
        #expect(try fixture.events().filter { $0.hasPrefix("search ") }.count == 2)  // no product, no own workflows
        let status = try #require(try fixture.status(of: head))
        #expect(status.result == .succeeded && status.previousCommit == nil)
        #expect(status.apps["checkout"]?.product == "ecommerce")
        #expect(status.apps["checkout"]?.tiers[.application]?.result == .succeeded)

        // Nothing changed: no note, nothing runs; a fresh workdir (a new machine) sees the same.
        let before = try fixture.events().count
        #expect(await fixture.reconcile().kind == .nothingToDo)
        #expect(await fixture.reconcile(workdir: fixture.git.root.appending("fresh")).kind == .nothingToDo)
        #expect(try fixture.events().count == before)
        #expect(try fixture.noteCount(head) == 1)

        // A docs-only commit gets its note, and runs nothing.
        let docs = try fixture.change(["README.md": "# platform, documented\n"])
        let docsReport = await fixture.reconcile()
        #expect(try fixture.events().count == before)
        #expect(try fixture.status(of: docs)?.result == .noop)
        #expect(docsReport.exitCode == 0)
        #expect(await fixture.reconcile().kind == .nothingToDo)
    }

    @Test func platformChangeRunsOnlyPlatformTiersAndRevertRunsThemAgain() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        var seen = try fixture.events().count
        try fixture.change(["workflows/platform/cost-report.yaml": fixture.workflow("PlatformWorkflow", "cost-report",
                                                                                     phase: "post-deployment", extra: "true")])
        let changed = await fixture.reconcile()
        #expect(changed.exitCode == 0)
        let afterChange = try fixture.events(after: seen)
        #expect(afterChange.allSatisfy { $0.contains(" platform ") }, "\(afterChange)")
        #expect(Set(afterChange.map { String($0.split(separator: " ")[0]) }) == ["checkout", "cart", "search"])
        #expect(changed.status?.apps.values.allSatisfy { $0.tiers.keys.allSatisfy { $0 == .platform } } == true)
        seen += afterChange.count

        try fixture.git.git("revert", "--no-edit", "HEAD")
        let reverted = try fixture.git.git("rev-parse", "HEAD")
        try fixture.git.push()
        _ = await fixture.reconcile()
        let afterRevert = try fixture.events(after: seen)
        #expect(afterRevert.count == afterChange.count && afterRevert.allSatisfy { $0.contains(" platform ") })
        #expect(try fixture.status(of: reverted)?.result == .succeeded)
    }

    @Test func unapprovedProductWorkflowIsBlockedAndNeverRuns() async throws {
        let fixture = try LoopFixture()
        let marker = fixture.git.root.appending("rogue-ran")
        try fixture.change(["workflows/products/ecommerce/rogue.yaml":
            fixture.workflow("ProductWorkflow", "rogue", extra: "touch \(marker)", product: "ecommerce")])
        let report = await fixture.reconcile()
        #expect(!FileManager.default.fileExists(atPath: marker))
        let product = try #require(report.status?.apps["checkout"]?.tiers[.product])
        #expect(product.blocked?.contains { $0.workflow == "ecommerce/rogue" && $0.reason.contains("allowedProductWorkflows") } == true)
        // The approved workflow of the same tier still ran.
        #expect(try fixture.events().contains("checkout product deployment database-setup"))
    }

    @Test func aFailingStepFailsItsPairWithTheLogTailOthersSucceed() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        let head = try fixture.change(["apps/checkout/workflows/deploy.yaml":
            fixture.workflow("Workflow", "deploy", extra: "echo 'migration 42 broke' >&2; exit 3")])
        let report = await fixture.reconcile()
        #expect(report.exitCode == 1)
        let status = try #require(try fixture.status(of: head))
        #expect(status.result == .failed)  // the only pair that ran failed
        let application = try #require(status.apps["checkout"]?.tiers[.application])
        #expect(application.result == .failed)
        let step = try #require(application.workflows?.first { $0.name == "deploy" }?.steps.first)
        #expect(step.exitCode == 3)
        #expect(step.log?.contains("migration 42 broke") == true)

        // Next: another app changes too, so one pair succeeds and one fails: partial.
        let next = try fixture.change(["apps/cart/score.yaml": LoopFixture.score("cart", product: "ecommerce") + "service:\n  ports:\n    web: {port: 80}\n"])
        _ = await fixture.reconcile()
        let partial = try #require(try fixture.status(of: next))
        #expect(partial.result == .partial)
        #expect(partial.apps["cart"]?.tiers[.platform]?.result == .succeeded)
        #expect(partial.apps["checkout"]?.tiers[.application]?.result == .failed, "a failed pair is retried")
    }

    @Test func forcePushToAnOlderCommitPlansFromTheAppliedState() async throws {
        let fixture = try LoopFixture()
        let first = try fixture.git.git("rev-parse", "HEAD")
        _ = await fixture.reconcile()
        try fixture.change(["apps/search/score.yaml": LoopFixture.score("search", product: nil).replacingOccurrences(of: "1.27", with: "1.28")])
        _ = await fixture.reconcile()
        let seen = try fixture.events().count
        // The branch is forced back to the first commit: search's Score moved back, so its pairs run again.
        try fixture.git.git("reset", "-q", "--hard", first)
        try fixture.git.push(force: true)
        let report = await fixture.reconcile()
        let ran = try fixture.events(after: seen)
        #expect(!ran.isEmpty && ran.allSatisfy { $0.hasPrefix("search ") }, "\(ran)")
        #expect(report.status?.commit == first)
        #expect(try fixture.noteCount(first) == 2, "the older commit gets a second status")
    }

    @Test func forceRunsAPairWhateverItsFingerprint() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        let seen = try fixture.events().count
        let report = await fixture.reconcile(force: ["cart/platform"])
        #expect(report.kind == .ran, "\(report.kind) \(report.message ?? "")")
        #expect(try fixture.events(after: seen) == ["cart platform pre-deployment security-scan", "cart platform post-deployment cost-report"])
    }

    @Test func aReconcilerOnAFreshMachineAppendsAWholeStatus() async throws {
        let fixture = try LoopFixture()
        let head = try fixture.git.git("rev-parse", "HEAD")
        _ = await fixture.reconcile()
        // A new machine (empty workdir) forces a pair on the same head: its note is appended, whole.
        let report = await fixture.reconcile(workdir: fixture.git.root.appending("new-machine"), force: ["cart/platform"])
        #expect(report.wroteNote)
        #expect(try fixture.noteCount(head) == 2)
        let note = try fixture.git.remoteGit("notes", "--ref=innominatus", "show", head)
        #expect(note.components(separatedBy: "kind: ReconcileStatus").count == 3)
    }

    @Test func notesOfOtherWritersSurviveAPass() async throws {
        let fixture = try LoopFixture()
        let first = try fixture.git.git("rev-parse", "HEAD")
        _ = await fixture.reconcile()
        // While the next pass runs its steps (after its fetch, before its push), a person annotates the
        // head commit and an older one, and pushes.
        let git = "git -c user.name=Person -c user.email=person@example.com --git-dir=\(fixture.git.remote)"
        let script = "\(git) notes --ref=innominatus append -m person-on-head $COMMIT"
            + " && \(git) notes --ref=innominatus append -m person-on-first \(first)"
        let head = try fixture.change(["apps/search/workflows/annotate.yaml": fixture.workflow("Workflow", "annotate", extra: script)])
        let report = await fixture.reconcile()
        #expect(report.wroteNote, "\(report.message ?? "")")
        let onHead = try fixture.git.remoteGit("notes", "--ref=innominatus", "show", head)
        #expect(onHead.contains("person-on-head") && onHead.contains("kind: ReconcileStatus"))
        let onFirst = try fixture.git.remoteGit("notes", "--ref=innominatus", "show", first)
        #expect(onFirst.contains("person-on-first") && onFirst.contains("kind: ReconcileStatus"))
        #expect(try fixture.status(of: head)?.apps["search"]?.tiers[.application]?.result == .succeeded)
    }

    @Test func twoReconcilersOverGitDaemonRunEachPairOnce() async throws {
        let fixture = try LoopFixture()
        let daemon = try GitDaemon(basePath: fixture.git.root.path)
        let url = daemon.url("remote.git")
        func settings(_ name: String) -> ReconcileSettings {
            ReconcileSettings(repo: url, workdir: fixture.git.root.appending(name), helper: GitFixture.helper, holder: name,
                              stateKeyFile: fixture.git.stateKeyFile)
        }
        async let one = PlatformReconciler(settings: settings("one")).reconcileOnce()
        async let two = PlatformReconciler(settings: settings("two")).reconcileOnce()
        let reports = await [one, two]
        let lines = try fixture.events()
        #expect(lines.count == Set(lines).count, "a pair ran twice: \(lines)")
        #expect(lines.count == 10)  // checkout 5, cart 3, search 2
        _ = reports
        // Whatever the interleaving, a third pass finds nothing to do.
        #expect(await PlatformReconciler(settings: settings("three")).reconcileOnce().kind == .nothingToDo)
    }
}
