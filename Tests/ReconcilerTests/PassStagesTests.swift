import Foundation
import GitKit
import Planner
import Specs
import Testing
import TestSupport
@testable import Reconciler

/// The pass as stages filling one result, with one record: a stage that fails once the head is known
/// still leaves a note on the head that says why, with a code the loop backs off on; a triggered run goes
/// through the same stages.
@Suite struct PassStagesTests {
    @Test func aLeaseThatCannotBeTakenIsRecordedAndNothingRuns() async throws {
        let fixture = try LoopFixture()
        #expect(await fixture.reconcile().exitCode == 0)
        let before = try fixture.events().count
        let appliedBefore = try fixture.git.remoteGit("rev-parse", "refs/innominatus/applied")
        let head = try fixture.change(["apps/cart/workflows/deploy.yaml": fixture.workflow("Workflow", "deploy")])
        // The workdir's site id cannot be written (a folder stands where the file goes): taking the lease
        // fails for a reason other than a live holder.
        let site = fixture.workdir + "/cache.git/innominatus-site"
        try FileManager.default.removeItem(atPath: site)
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: false)
        let report = await fixture.reconcile()
        #expect(report.kind == .ran)
        #expect(report.code == .leaseUnavailable)
        #expect(report.exitCode == 1)
        #expect(report.backsOff)
        #expect(report.wroteNote)
        #expect(try fixture.events().count == before, "a step ran without the lease")
        let status = try #require(try fixture.status(of: head))
        #expect(status.result == .failed)
        #expect(status.error?.contains("cannot take the lease on the remote, nothing ran") == true, "\(status.error ?? "")")
        #expect(status.apps["cart"]?.tiers[.application]?.result == .notRun)
        #expect(try fixture.git.remoteGit("rev-parse", "refs/innominatus/applied") == appliedBefore,
                "the applied state was written without the lease")

        // Once the lease can be taken, the next pass runs what this one could not.
        try FileManager.default.removeItem(atPath: site)
        let next = await fixture.reconcile()
        #expect(next.exitCode == 0, "\(next.message ?? "")")
        #expect(try fixture.events(after: before) == ["cart application deployment deploy"])
    }

    @Test func aRemoteThatCannotBeReadBacksOffAndAnInvalidConfigDoesNot() async throws {
        let fixture = try LoopFixture()
        let settings = ReconcileSettings(repo: fixture.git.root.appending("no-such-remote.git"), workdir: fixture.workdir,
                                         helper: GitFixture.helper, stateKeyFile: fixture.git.stateKeyFile)
        let unreachable = await PlatformReconciler(settings: settings).reconcileOnce()
        #expect(unreachable.kind == .couldNotStart)
        #expect(unreachable.code == .unreachable)
        #expect(unreachable.backsOff)

        let head = try fixture.change(["policies/admin-config.yaml": "workflowPolicies:\n  nonsense: true\n"])
        let invalid = await fixture.reconcile()
        #expect(invalid.kind == .ran)
        #expect(invalid.code == .invalidConfig)
        #expect(!invalid.backsOff, "an invalid file waits for the next commit, not for a longer backoff")
        #expect(try fixture.status(of: head)?.error?.contains("the admin config is invalid") == true)
    }

    /// A reconciler killed (kill -9) while a pair's steps run leaves that pair dirty: reverting to the
    /// pair's last successful content runs it again, since it may be half-applied.
    @Test func aPairKilledMidRunIsDirtyAlsoAfterARevert() async throws {
        let fixture = try LoopFixture()
        #expect(await fixture.reconcile().exitCode == 0)
        let original = fixture.workflow("Workflow", "deploy")
        let started = fixture.git.root.appending("slow-started")
        try fixture.change(["apps/checkout/workflows/deploy.yaml": fixture.workflow("Workflow", "deploy",
                                                                                    extra: "touch \(started); sleep 600")])
        let process = try Shell.start([GitFixture.helper.executable, "reconcile", "--repo", fixture.git.remote,
                                       "--workdir", fixture.workdir, "--state-key", fixture.git.stateKeyFile],
                                      log: fixture.git.root.appending("killed.log"))
        let deadline = ContinuousClock.now + .seconds(120)
        while !FileManager.default.fileExists(atPath: started), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(FileManager.default.fileExists(atPath: started), "the slow step did not start")
        kill(process.pid, SIGKILL)
        process.stop()
        let before = try fixture.events().count
        // Back to the content the pair last applied successfully.
        try fixture.change(["apps/checkout/workflows/deploy.yaml": original], message: "revert")
        let report = await fixture.reconcile()
        #expect(report.exitCode == 0, "\(report.message ?? "")")
        #expect(try fixture.events(after: before).contains("checkout application deployment deploy"),
                "the half-applied pair was skipped after the revert")
        let head = try fixture.git.git("rev-parse", "HEAD")
        let reason = try fixture.status(of: head)?.apps["checkout"]?.tiers[.application]?.reason ?? ""
        #expect(reason.contains("may be half-applied"), "\(reason)")
    }
}
