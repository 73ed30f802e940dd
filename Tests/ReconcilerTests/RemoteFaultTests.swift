import Foundation
import GitKit
import Reconciler
import TestSupport
import Testing

/// The remote goes wrong in the ways remotes do — its path removed, its permissions taken away, a corrupt
/// pack, a server that accepts and never answers, the branch deleted. Each time: a pass that says what is
/// wrong and runs nothing, and once fixed, a pass that runs each changed pair exactly once.
@Suite("Remote faults: clear failure, nothing run, recovery, nothing applied twice")
struct RemoteFaultTests {
    /// A small counted platform repository that has had one successful pass, then one app changed.
    struct Scene {
        var repo: ChaosRepository
        let workdir: String
        let changed: String

        /// `prepare` runs before the first pass, `beforeChange` and `afterChange` around the commit that follows it.
        init(prefix: [String] = [], prepare: (ChaosRepository) throws -> Void = { _ in },
             beforeChange: (ChaosRepository) throws -> Void = { _ in },
             afterChange: (ChaosRepository) throws -> Void = { _ in }) async throws {
            repo = try ChaosRepository(apps: 3)
            workdir = repo.git.root.appending("workdir")
            try prepare(repo)
            let first = try await Self.reconcile(repo, workdir: workdir, prefix: prefix, label: "first")
            #expect(first.end == .exited(0), "\(first.output)")
            changed = "app01"
            try beforeChange(repo)
            try repo.change(apps: [changed])
            try afterChange(repo)
        }

        static func reconcile(_ repo: ChaosRepository, workdir: String, prefix: [String] = [], repoURL: String? = nil,
                              label: String) async throws -> (end: ChaosProcess.End, output: String) {
            try await ChaosProcess.run(["reconcile", "--repo", repoURL ?? repo.git.remote, "--workdir", workdir],
                                       log: repo.git.root.appending("\(label).log"), prefix: prefix)
        }

        func reconcile(prefix: [String] = [], label: String) async throws -> (end: ChaosProcess.End, output: String) {
            try await Self.reconcile(repo, workdir: workdir, prefix: prefix, label: label)
        }

        /// After recovery: every (pair, version) ran exactly once, and the next pass has nothing to do.
        func expectEachChangeRanOnce(prefix: [String] = []) async throws {
            let counts = try repo.runCounts()
            #expect(counts.count == repo.pairs.count + 2, "\(counts)")  // every pair once, the changed app's twice
            #expect(counts.values.allSatisfy { $0 == 1 }, "ran more than once: \(counts.filter { $0.value != 1 })")
            for pair in repo.pairs {
                #expect(counts[PairVersion(pair: pair, version: repo.version[pair]!)] == 1, "\(pair) at its last version")
            }
            let again = try await reconcile(prefix: prefix, label: "again")
            #expect(again.end == .exited(0) && again.output.contains("nothing to do"), "\(again.output)")
            #expect(try repo.runCounts() == counts)
            try repo.git.remoteGit("-c", "safe.directory=*", "fsck", "--no-progress")
        }
    }

    /// The line saying why a pass failed, printed for the record.
    static func record(_ fault: String, _ output: String) {
        let line = output.split(separator: "\n").last { $0.contains("could not start") } ?? "?"
        print("remote fault: \(fault) → \(line.trimmingCharacters(in: .whitespaces))")
    }

    @Test func removedRemotePathFailsClearlyWatchBacksOffAndRecovers() async throws {
        let scene = try await Scene()
        let runs = try scene.repo.markerLines().runs.count
        let moved = scene.repo.git.root.appending("moved.git")
        try FileManager.default.moveItem(atPath: scene.repo.git.remote, toPath: moved)
        let failed = try await scene.reconcile(label: "removed")
        #expect(failed.end == .exited(1))
        #expect(failed.output.contains("could not start") && failed.output.contains(scene.repo.git.remote), "\(failed.output)")
        Self.record("remote path removed", failed.output)
        #expect(try scene.repo.markerLines().runs.count == runs, "nothing runs while the remote is gone")

        // `watch` keeps going with a longer wait after each failure, then recovers when the path is back.
        let settings = ReconcileSettings(repo: scene.repo.git.remote, workdir: scene.workdir, helper: GitFixture.helper)
        let interval = Duration.milliseconds(50), maxBackoff = Duration.milliseconds(800)
        let loop = WatchLoop(reconciler: PlatformReconciler(settings: settings), interval: interval, maxBackoff: maxBackoff)
        let log = PassLog()
        let task = Task { await loop.run { report, _ in await log.add(report) } }
        try await log.waitUntil { $0.filter { $0.kind == .couldNotStart }.count >= 5 }
        try FileManager.default.moveItem(atPath: moved, toPath: scene.repo.git.remote)
        try await log.waitUntil { $0.contains { $0.kind == .ran } }
        task.cancel()
        await task.value
        let reports = await log.entries
        let failures = reports.prefix { $0.report.kind == .couldNotStart }
        #expect(failures.allSatisfy { $0.report.message?.contains(scene.repo.git.remote) == true })
        // The loop slept at least interval × 2^k (capped) after its k-th failure in a row: the failed passes
        // cannot have come faster than that (a lower bound only; a slow machine just makes fewer passes).
        if let first = failures.first?.at, let last = failures.last?.at, failures.count >= 2 {
            let slept = (1..<failures.count).reduce(Duration.zero) { total, k in total + min(interval * (1 << min(k, 16)), maxBackoff) }
            #expect(last - first >= slept, "\(failures.count) failed passes in \(last - first): no backoff")
        }
        let recovered = try #require(reports.first { $0.report.kind == .ran }?.report)
        #expect(recovered.exitCode == 0, "\(recovered.message ?? "")")
        try await scene.expectEachChangeRanOnce()
    }

    @Test func permissionDeniedForAnUnprivilegedReconcilerFailsClearlyAndRecovers() async throws {
        // Tests run as root, which ignores permissions: the reconciler runs as nobody, and the remote is
        // nobody's (root's git CLI, which builds the commits, gets it back meanwhile).
        let prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        func owner(_ user: String, _ repo: ChaosRepository) throws { try Shell.run(["chown", "-R", user, repo.git.remote]) }
        let scene = try await Scene(prefix: prefix, prepare: { repo in
            try Shell.run(["chmod", "0755", repo.git.root.path])
            try Shell.run(["chmod", "0666", repo.markers])
            try FileManager.default.createDirectory(atPath: repo.git.root.appending("workdir"), withIntermediateDirectories: true)
            try Shell.run(["chown", "nobody:nogroup", repo.git.root.appending("workdir")])
            try owner("nobody:nogroup", repo)
        }, beforeChange: { try owner("root:root", $0) }, afterChange: { try owner("nobody:nogroup", $0) })
        let remote = scene.repo.git.remote
        let runs = try scene.repo.markerLines().runs.count

        // The remote's folder taken away from the reconciler's user.
        try Shell.run(["chmod", "0000", remote])
        let denied = try await scene.reconcile(prefix: prefix, label: "denied")
        #expect(denied.end == .exited(1))
        #expect(denied.output.contains("could not start") && denied.output.contains("permission denied: \(remote) cannot be read by this user"),
                "\(denied.output)")
        Self.record("permission denied", denied.output)
        // Readable, but owned by someone else: libgit2 refuses it, and says so in words.
        try Shell.run(["chmod", "0755", remote])
        try owner("root:root", scene.repo)
        let foreign = try await scene.reconcile(prefix: prefix, label: "foreign")
        #expect(foreign.end == .exited(1))
        #expect(foreign.output.contains("\(remote) belongs to uid 0, not to this user (uid 65534)"), "\(foreign.output)")
        Self.record("remote owned by another user", foreign.output)
        #expect(try scene.repo.markerLines().runs.count == runs)

        try owner("nobody:nogroup", scene.repo)
        let recovered = try await scene.reconcile(prefix: prefix, label: "recovered")
        #expect(recovered.end == .exited(0), "\(recovered.output)")
        try await scene.expectEachChangeRanOnce(prefix: prefix)
    }

    @Test func corruptPackFailsClearlyAndRecoversOnceRepaired() async throws {
        let scene = try await Scene()
        let remote = scene.repo.git.remote
        try scene.repo.git.remoteGit("repack", "-a", "-d", "-q")
        let packs = try FileManager.default.contentsOfDirectory(atPath: remote + "/objects/pack").filter { $0.hasSuffix(".pack") }
        let pack = remote + "/objects/pack/" + (try #require(packs.first))
        let original = try Data(contentsOf: URL(fileURLWithPath: pack))
        var corrupt = original
        for offset in stride(from: 12, to: corrupt.count, by: 97) { corrupt[offset] ^= 0x5A }  // object data and trailer
        try Shell.run(["chmod", "u+w", pack])
        try corrupt.write(to: URL(fileURLWithPath: pack))
        let runs = try scene.repo.markerLines().runs.count

        let failed = try await scene.reconcile(label: "corrupt")
        #expect(failed.end == .exited(1))
        #expect(failed.output.contains("could not start") && failed.output.contains("corrupt git objects"), "\(failed.output)")
        Self.record("corrupt pack", failed.output)
        #expect(try scene.repo.markerLines().runs.count == runs)
        // A fresh workdir (a new machine) fails the same way rather than trusting what it could read.
        let fresh = try await Scene.reconcile(scene.repo, workdir: scene.repo.git.root.appending("fresh"), label: "fresh")
        #expect(fresh.end == .exited(1), "\(fresh.output)")
        #expect(try scene.repo.markerLines().runs.count == runs)

        try original.write(to: URL(fileURLWithPath: pack))
        let recovered = try await scene.reconcile(label: "recovered")
        #expect(recovered.end == .exited(0), "\(recovered.output)")
        try await scene.expectEachChangeRanOnce()
    }

    @Test func remoteThatNeverAnswersFailsAtTheDeadlineAndTheWorkdirRecovers() async throws {
        let scene = try await Scene()
        let server = try SilentServer()
        var settings = ReconcileSettings(repo: "git://127.0.0.1:\(server.port)/remote.git", workdir: scene.workdir,
                                         helper: GitFixture.helper)
        settings.remote.timeout = .seconds(2)
        let report = await PlatformReconciler(settings: settings).reconcileOnce()
        #expect(report.kind == .couldNotStart && report.exitCode == 1)
        #expect(report.message?.contains("timed out after 2s") == true, "\(report.message ?? "")")
        Self.record("silent server", report.message ?? "")
        #expect(try scene.repo.markerLines().runs.count == scene.repo.pairs.count)
        // Nothing was left locked or half-written in the workdir: the real remote reconciles from it.
        let recovered = try await scene.reconcile(label: "recovered")
        #expect(recovered.end == .exited(0), "\(recovered.output)")
        try await scene.expectEachChangeRanOnce()
    }

    @Test func deletedBranchFailsClearlyPrunesNothingAndRecovers() async throws {
        let scene = try await Scene()
        let runs = try scene.repo.markerLines().runs.count
        let stateBefore = try scene.repo.appliedState()
        try scene.repo.git.remoteGit("update-ref", "-d", "refs/heads/main")
        let failed = try await scene.reconcile(label: "deleted")
        #expect(failed.end == .exited(1))
        #expect(failed.output.contains("could not start") && failed.output.contains("main"), "\(failed.output)")
        Self.record("branch deleted", failed.output)
        #expect(try scene.repo.markerLines().runs.count == runs, "a deleted branch is not a deletion of every app")
        #expect(try scene.repo.appliedState() == stateBefore)

        try scene.repo.git.push()
        let recovered = try await scene.reconcile(label: "recovered")
        #expect(recovered.end == .exited(0), "\(recovered.output)")
        try await scene.expectEachChangeRanOnce()
    }
}

/// Reports of a `WatchLoop`, with when each pass ended.
actor PassLog {
    struct Entry: Sendable {
        var report: PassReport
        var at: ContinuousClock.Instant
    }

    private(set) var entries: [Entry] = []

    func add(_ report: PassReport) { entries.append(Entry(report: report, at: .now)) }

    /// Polls until `condition` holds of the reports so far (a generous guard against hangs, not a time assertion).
    nonisolated func waitUntil(_ condition: @Sendable ([PassReport]) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            if condition(await entries.map(\.report)) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "gave up waiting for the watch loop"])
    }
}
