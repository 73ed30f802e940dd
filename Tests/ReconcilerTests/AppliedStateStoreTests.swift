import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

/// The applied state lives in the remote, independent of the branch's ancestry (docs/ARCHITECTURE.md §4).
@Suite("Applied state in the remote")
struct AppliedStateStoreTests {
    @Test func aFreshMachineAfterAForcePushPlansAgainstWhatRan() async throws {
        var repo = try PlatformRepoFixture()
        let first = try repo.git.git("rev-parse", "HEAD")
        try await repo.recordSuccess(try await repo.plan())
        let changed = try await repo.change(["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:9")])
        try await repo.recordSuccess(changed)
        // Force-push the branch back to the first commit; plan from a machine that has only the remote.
        try repo.git.git("reset", "-q", "--hard", first)
        try repo.git.push(force: true)
        var loader = DesiredStateLoader()
        var fresh = PlanningPass(repo: repo.git.remote, workdir: repo.git.root.appending("fresh"), helper: GitFixture.helper)
        fresh.stateKeyFile = repo.git.stateKeyFile  // a new machine given the remote and the key
        let plan = try await fresh.plan(now: Timestamp(millisecondsSinceEpoch: 5), loader: &loader)
        #expect(plan.commit == first)
        #expect(plan.appliedCommit == changed.plan.commit)
        #expect(PlatformRepoFixture.running(plan) == ["cart/application", "cart/platform", "cart/product"])
    }

    @Test func aWriterBehindTheRemoteIsRefusedNotLost() async throws {
        var repo = try PlatformRepoFixture()
        let outcome = try await repo.plan()
        // A second reconciler with its own cache fetched the same (empty) state.
        var otherLoader = DesiredStateLoader()
        var other = PlanningPass(repo: repo.git.remote, workdir: repo.git.root.appending("other"), helper: GitFixture.helper)
        other.stateKeyFile = repo.git.stateKeyFile  // the same key as the first reconciler
        let otherOutcome = try await other.run(now: Timestamp(millisecondsSinceEpoch: 1), loader: &otherLoader)
        try await repo.recordSuccess(outcome)
        let state = otherOutcome.applied.recordingSuccess(of: otherOutcome.plan, desired: otherOutcome.desired,
                                                         at: Timestamp(millisecondsSinceEpoch: 2))
        await #expect(throws: GitError.self) {
            try await AppliedStateStore(repository: otherOutcome.repository).save(state, to: other.remote, key: otherOutcome.key)
        }
        // After fetching again it builds on the remote's state and succeeds.
        let again = try await other.run(now: Timestamp(millisecondsSinceEpoch: 3), loader: &otherLoader)
        #expect(PlatformRepoFixture.running(again.plan).isEmpty)
        try await AppliedStateStore(repository: again.repository).save(
            again.applied.recordingSuccess(of: again.plan, desired: again.desired, at: Timestamp(millisecondsSinceEpoch: 4)),
            to: other.remote, key: again.key)
        let history = try repo.git.remoteGit("rev-list", "--count", AppliedStateStore.ref)
        #expect(history == "2")
    }

    @Test func aStateThatMovedSinceOurFetchIsBuiltOnNotRefused() async throws {
        var repo = try PlatformRepoFixture()
        try await repo.recordSuccess(try await repo.plan())
        let ours = try await repo.change(["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:9")])
        #expect(PlatformRepoFixture.running(ours.plan) == ["cart/application", "cart/platform", "cart/product"])
        // Between our fetch and our push, a second reconciler with its own clone of the remote records a
        // failure of a pair we do not run, and pushes it.
        var otherLoader = DesiredStateLoader()
        var other = PlanningPass(repo: repo.git.remote, workdir: repo.git.root.appending("other"), helper: GitFixture.helper)
        other.stateKeyFile = repo.git.stateKeyFile
        let otherOutcome = try await other.run(now: Timestamp(millisecondsSinceEpoch: 2_000_000), loader: &otherLoader)
        let search = PairKey(app: "search", tier: .platform)
        var theirs = otherOutcome.applied
        theirs.pairs[search]?.result = .failed
        theirs.pairs[search]?.dirty = true
        theirs.pairs[search]?.attempts = 1
        try await AppliedStateStore(repository: otherOutcome.repository).save(theirs, to: other.remote, key: otherOutcome.key)
        // Our save fetches again and builds on their state: both records survive.
        try await repo.recordSuccess(ours, now: 3_000_000)
        #expect(try repo.git.remoteGit("rev-list", "--count", AppliedStateStore.ref) == "3")
        let after = try await repo.plan(now: 4_000_000)
        #expect(after.applied.commit == ours.plan.commit)
        #expect(after.applied.pairs[search]?.result == .failed && after.applied.pairs[search]?.dirty == true)
        let cart = PairKey(app: "cart", tier: .application)
        #expect(after.applied.pairs[cart]?.lastAttempt == Timestamp(millisecondsSinceEpoch: 3_000_000))
        #expect(after.applied.pairs[cart]?.result == .succeeded)
        #expect(PlatformRepoFixture.running(after.plan) == ["search/platform"], "their failure still runs again; ours does not")
    }
}
