import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

@Suite("Reconcile lifecycle: prune, manual trigger, SIGTERM")
struct ReconcileLifecycleTests {
    @Test func removedAppRunsItsDestroyWorkflowsFromTheLastAppliedTree() async throws {
        let fixture = try LoopFixture()
        try fixture.change(["apps/search/workflows/teardown.yaml": fixture.workflow("Workflow", "teardown", phase: "destroy")])
        _ = await fixture.reconcile()
        #expect(try !fixture.events().contains { $0.contains("teardown") }, "destroy runs only on prune")
        let seen = try fixture.events().count
        let head = try fixture.change(["apps/search/score.yaml": nil, "apps/search/workflows/teardown.yaml": nil])
        let report = await fixture.reconcile()
        #expect(report.kind == .ran, "\(report.kind): \(report.message ?? "")")
        #expect(try fixture.events(after: seen) == ["search application destroy teardown"])
        let status = try #require(try fixture.status(of: head))
        #expect(status.apps["search"]?.tiers[.application]?.result == .pruned)
        #expect(report.exitCode == 0)
        #expect(await fixture.reconcile().kind == .nothingToDo, "a pruned app leaves the applied state")
    }

    @Test func manualWorkflowRunsOnlyWhenTriggered() async throws {
        let fixture = try LoopFixture()
        try fixture.change(["apps/cart/workflows/rotate-keys.yaml": fixture.workflow("Workflow", "rotate-keys", trigger: "manual")])
        _ = await fixture.reconcile()
        #expect(try !fixture.events().contains { $0.contains("rotate-keys") }, "manual workflows never run from the loop")
        let head = try fixture.git.git("rev-parse", "HEAD")
        let report = try await ManualTrigger(settings: fixture.settings()).run(app: "cart", workflow: "rotate-keys")
        #expect(report.exitCode == 0)
        #expect(try fixture.events().last == "cart application deployment rotate-keys")
        #expect(try fixture.noteCount(head) == 2)
        #expect(try fixture.status(of: head)?.apps["cart"]?.tiers[.application]?.reason.contains("triggered by hand") == true)
        // A workflow the loop runs is refused, and so is an unknown one.
        for refused in ["security-scan", "nope"] {
            let error = await #expect(throws: ReconcileError.self) {
                _ = try await ManualTrigger(settings: fixture.settings()).run(app: "cart", workflow: refused)
            }
            #expect(error?.code == .refused)
        }
        #expect(try fixture.noteCount(head) == 2, "a refused trigger writes nothing")
    }

    @Test func sigtermDuringAStepRecordsInterruptedAndTheNextPassRunsItAgain() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        let started = fixture.git.root.appending("slow-started")
        let head = try fixture.change(["apps/cart/workflows/slow.yaml":
            fixture.workflow("Workflow", "slow", extra: "sleep 60 & echo $! > \(started); wait")])
        let binary = GitFixture.helper.executable
        let process = try Shell.start([binary, "reconcile", "--repo", fixture.git.remote, "--workdir", fixture.workdir],
                                      log: fixture.git.root.appending("reconcile.log"))
        for _ in 0..<600 where ((try? String(contentsOfFile: started, encoding: .utf8)) ?? "").isEmpty { usleep(50_000) }
        #expect(FileManager.default.fileExists(atPath: started))
        process.stop()  // SIGTERM, then wait for it to exit
        let status = try #require(try fixture.status(of: head), "\((try? String(contentsOfFile: fixture.git.root.appending("reconcile.log"), encoding: .utf8)) ?? "")")
        #expect(status.apps["cart"]?.tiers[.application]?.result == .interrupted)
        // No step outlived it.
        let sleeper = try #require(Int32(String(contentsOfFile: started, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.isGone(sleeper), "the step's process \(sleeper) is still running")

        try FileManager.default.removeItem(atPath: started)
        try fixture.change(["apps/cart/workflows/slow.yaml": fixture.workflow("Workflow", "slow")])
        let next = await fixture.reconcile()
        #expect(next.status?.apps["cart"]?.tiers[.application]?.result == .succeeded)
    }

    /// Dead (or a zombie waiting to be reaped by init), within a generous bound for a loaded machine.
    static func isGone(_ pid: Int32) -> Bool {
        for _ in 0..<300 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            usleep(50_000)
        }
        return false
    }
}
