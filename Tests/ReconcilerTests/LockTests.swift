import Foundation
import GitKit
import Reconciler
import TestSupport
import Testing

@Suite("Locks: one reconciler per workdir, one per remote branch")
struct LockTests {
    /// A pass killed while git updated a ref leaves `NAME.lock` in the cache; the next pass (holding the
    /// workdir and cache locks) removes it, else that ref could never be written again.
    @Test func aRefLockLeftByAKilledPassIsRemovedByTheNext() async throws {
        let fixture = try LoopFixture()
        #expect(await fixture.reconcile().exitCode == 0)
        let refs = fixture.workdir + "/cache.git/refs"
        let stale = [refs + "/innominatus/env-remote/env/main.lock", refs + "/remotes/origin/main.lock",
                     fixture.workdir + "/cache.git/packed-refs.lock"]
        for path in stale {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: Data())
        }
        try fixture.change(["apps/cart/score.yaml": LoopFixture.score("cart", product: nil)])
        let report = await fixture.reconcile()
        #expect(report.exitCode == 0, "\(report.message ?? "")")
        for path in stale { #expect(!FileManager.default.fileExists(atPath: path), "\(path) is still there") }
    }

    @Test func workdirLockIsExclusiveAndRecoveredAfterKill9() throws {
        let directory = try TemporaryDirectory()
        let workdir = directory.appending("work")
        do {
            let held = try WorkdirLock(workdir: workdir)
            let busy = #expect(throws: WorkdirLock.Busy.self) { _ = try WorkdirLock(workdir: workdir) }
            #expect(busy?.holder == "pid \(getpid())")
            held.release()
        }
        // Released: free again.
        try WorkdirLock(workdir: workdir).release()

        // Another process holds it and is killed with SIGKILL: the kernel drops the lock.
        let holder = try Shell.start(["flock", "--exclusive", "--no-fork", workdir + "/lock", "sleep", "60"], log: directory.appending("flock.log"))
        var blocked = false
        for _ in 0..<100 {
            if (try? WorkdirLock(workdir: workdir)) == nil { blocked = true; break }
            usleep(20_000)
        }
        #expect(blocked)
        kill(holder.pid, SIGKILL)
        holder.stop()
        try WorkdirLock(workdir: workdir).release()
    }

    @Test func leaseOverGitDaemon() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let daemon = try GitDaemon(basePath: fixture.root.path)
        let remote = GitFixture.remote(daemon.url("remote.git"))
        let one = RemoteLease(repository: try await Repository.clone(remote, into: fixture.root.appending("one.git")),
                              remote: remote, branch: "main", holder: "one", key: .test)
        let two = RemoteLease(repository: try await Repository.clone(remote, into: fixture.root.appending("two.git")),
                              remote: remote, branch: "main", holder: "two", key: .test)
        let now = Date()
        try await one.acquire(for: .seconds(600), now: now)
        #expect(try fixture.remoteGit("log", "-1", "--format=%s", "refs/innominatus/lease/main").contains("\"one\""))
        let busy = await #expect(throws: RemoteLease.Busy.self) { try await two.acquire(for: .seconds(600), now: now) }
        #expect(busy?.holder == "one")
        // Renewing one's own lease works.
        try await one.acquire(for: .seconds(600), now: now)
        await one.release()
        try await two.acquire(for: .seconds(1), now: now)
        // Two dies without releasing: after its lease expires, one takes over.
        await #expect(throws: RemoteLease.Busy.self) { try await one.acquire(for: .seconds(600), now: now) }
        try await one.acquire(for: .seconds(600), now: now.addingTimeInterval(5))
        #expect(try fixture.remoteGit("log", "-1", "--format=%s", "refs/innominatus/lease/main").contains("\"one\""))
        try fixture.remoteGit("fsck", "--no-progress")
    }

    @Test func twoReconcilersRacingForAFreeLeaseOneWins() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let daemon = try GitDaemon(basePath: fixture.root.path)
        let remote = GitFixture.remote(daemon.url("remote.git"))
        for round in 0..<3 {
            let branch = "race-\(round)"
            let leases = [
                RemoteLease(repository: try await Repository.clone(remote, into: fixture.root.appending("a\(round).git")),
                            remote: remote, branch: branch, holder: "a", key: .test),
                RemoteLease(repository: try await Repository.clone(remote, into: fixture.root.appending("b\(round).git")),
                            remote: remote, branch: branch, holder: "b", key: .test),
            ]
            let winners = await withTaskGroup(of: String?.self) { group in
                for lease in leases {
                    group.addTask { (try? await lease.acquire(for: .seconds(600))) != nil ? lease.holder : nil }
                }
                return await group.compactMap { $0 }.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(winners.count == 1, "round \(round): \(winners)")
            let onRemote = try fixture.remoteGit("log", "-1", "--format=%s", "refs/innominatus/lease/\(branch)")
            #expect(winners.first.map { onRemote.contains("\"\($0)\"") } == true)
        }
    }

    /// A pass longer than its lease renews it: another reconciler started mid-pass is busy, not a second runner.
    @Test func aLongPassRenewsItsLease() async throws {
        let fixture = try LoopFixture()
        try fixture.change(["apps/checkout/workflows/deploy.yaml": fixture.workflow("Workflow", "deploy", extra: "sleep 40")])
        func settings(_ name: String) -> ReconcileSettings {
            ReconcileSettings(repo: fixture.git.remote, workdir: fixture.git.root.appending(name), helper: GitFixture.helper,
                              leaseDuration: .seconds(20), holder: name, stateKeyFile: fixture.git.stateKeyFile)
        }
        let long = Task { await PlatformReconciler(settings: settings("long")).reconcileOnce() }
        // Wait until the slow step runs (the lease, taken before it, would have expired by now without renewal).
        let deadline = ContinuousClock.now + .seconds(60)
        while try !fixture.events().contains("checkout application deployment deploy"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        // Past the first lease's end (20 s): renewed every 10 s, which leaves 10 s to spare when the full
        // suite loads both cores.
        try await Task.sleep(for: .seconds(22))
        let second = await PlatformReconciler(settings: settings("second")).reconcileOnce()
        #expect(second.kind == .busy, "\(second.message ?? "")")
        let first = await long.value
        #expect(first.exitCode == 0, "\(first.message ?? "")")
        let lines = try fixture.events()
        #expect(lines.count == Set(lines).count, "a pair ran twice: \(lines)")
    }
}
