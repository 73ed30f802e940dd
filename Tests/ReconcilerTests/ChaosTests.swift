import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

/// docs/ARCHITECTURE.md §10: "a crash at any point (kill -9) loses no recorded status, leaves no step running,
/// and the next pass converges".
///
/// The real `innominatus reconcile` runs over a platform repository of 50 apps (100 pairs) and is killed
/// with SIGKILL after a seeded random delay, trial after trial, a few apps changing before each; then it
/// runs until it converges. `INNOMINATUS_CHAOS_TRIALS` raises the number of trials (`Benchmarks/soak.sh`),
/// `INNOMINATUS_CHAOS_SEED` replays a run.
@Suite("Crash safety: kill -9 at random moments, then converge")
struct ChaosTests {
    static let ciTrials = 5

    @Test func killNineAtRandomMomentsLosesNothingAndConverges() async throws {
        let environment = ProcessInfo.processInfo.environment
        let trials = max(Self.ciTrials, Int(environment["INNOMINATUS_CHAOS_TRIALS"] ?? "") ?? Self.ciTrials)
        let seed = UInt64(environment["INNOMINATUS_CHAOS_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var random = SeededRandom(seed: seed)
        var repo = try ChaosRepository(apps: 50)
        let workdir = repo.git.root.appending("workdir")
        let arguments = ["reconcile", "--repo", repo.git.remote, "--workdir", workdir, "--concurrency", "4"]
        var violations: [String] = []
        var lines: [String] = ["chaos: seed \(seed), \(trials) trials, \(repo.pairs.count) pairs"]
        /// (pair, version) → how many times it had run when the remote's applied state first said it succeeded.
        var confirmed: [PairVersion: Int] = [:]
        var completed = 0, killedDuringSteps = 0, strayAfterKill = 0, stepsAtKill = 0

        for trial in 0..<trials {
            if trial > 0 {
                let apps = Array(repo.appNames.shuffled(using: &random).prefix(8))
                try repo.change(apps: apps, platform: trial % 3 == 0)
            }
            let before = try repo.markerLines().runs.count
            // Even trials: SIGKILL after a random delay (any phase: fetch, plan, lease, steps, recording).
            // Odd trials: once a random number of steps have finished, so that kills land among running
            // steps however slow the machine is.
            let delay = Duration.milliseconds(Int.random(in: 30...2000, using: &random))
            let afterSteps = Int.random(in: 1...40, using: &random)
            let process = try ChaosProcess(arguments, log: repo.git.root.appending("trial-\(trial).log"))
            var ended = trial % 2 == 0 ? await process.wait(timeout: delay)
                : await Self.wait(process, untilMarkers: before + afterSteps, in: repo.markers)
            var runningAtKill = 0
            if ended == nil {
                runningAtKill = ChaosProcess.processes(containing: repo.marker).count
                ended = await process.kill9()
            }
            stepsAtKill += runningAtKill
            let end = ended!
            let busy = Self.isBusy(process.output)
            if end == .exited(0) && !busy { completed += 1 }
            if end == .exited(1) || end == .exited(-1) { violations.append("trial \(trial): \(end)\n\(process.output)") }
            if busy { violations.append("trial \(trial): busy after the previous trial was killed:\n\(process.output)") }
            let during = try repo.markerLines().runs.count - before
            if end == .signalled(SIGKILL) && during > 0 { killedDuringSteps += 1 }
            if !ChaosProcess.processes(containing: repo.marker).isEmpty { strayAfterKill += 1 }
            let audit = try await Self.audit(repo, confirmed: &confirmed)
            violations += audit.map { "trial \(trial) (\(end), after \(delay)): \($0)" }
            lines.append("trial \(trial): SIGKILL due \(trial % 2 == 0 ? "at \(delay)" : "after \(afterSteps) step runs") → \(end), \(during) step runs, \(runningAtKill) step processes alive at the kill")
        }

        // Converge: passes run to their end until one succeeds; none may find the lease or the workdir busy.
        var passes = 0
        var converged = false
        while !converged && passes < 6 {
            passes += 1
            let (end, output) = try await ChaosProcess.run(arguments, log: repo.git.root.appending("converge-\(passes).log"))
            let busy = Self.isBusy(output)
            if busy { violations.append("converging pass \(passes) was busy (a lock left stuck):\n\(output)") }
            converged = end == .exited(0) && !busy
            if !converged { lines.append("converging pass \(passes): \(end)\n\(output)") }
        }
        #expect(converged, "no pass converged in \(passes) tries")
        violations += try await Self.audit(repo, confirmed: &confirmed).map { "after converging: \($0)" }
        let runsBefore = try repo.markerLines().runs.count
        let (lastEnd, lastOutput) = try await ChaosProcess.run(arguments, log: repo.git.root.appending("last.log"))
        #expect(lastEnd == .exited(0) && lastOutput.contains("nothing to do"), "\(lastEnd): \(lastOutput)")
        #expect(try repo.markerLines().runs.count == runsBefore, "a converged repository ran something again")

        // Every pair converged: the applied state is at the head with every pair succeeded, and every pair
        // ran at its latest version.
        let state = try #require(try repo.appliedState())
        #expect(state.commit == repo.head)
        let counts = try repo.runCounts()
        for pair in repo.pairs {
            let parts = pair.split(separator: "/").map(String.init)
            let record = state.pairs[PairKey(app: parts[0], tier: Tier(rawValue: parts[1])!)]
            #expect(record?.result == .succeeded && record?.dirty == false, "\(pair): \(String(describing: record))")
            #expect(counts[PairVersion(pair: pair, version: repo.version[pair]!)] ?? 0 >= 1, "\(pair) never ran at its last version")
        }
        let again = counts.filter { $0.value > 1 }
        lines.append("chaos: \(completed) trials ended on their own, \(trials - completed) killed (\(killedDuringSteps) while steps ran), "
            + "\(stepsAtKill) step processes alive when SIGKILL was sent, still there right after it in \(strayAfterKill) trial(s), none after the grace, "
            + "\(passes) converging pass(es), \(counts.values.reduce(0, +)) step runs for \(counts.count) (pair, version)s, "
            + "\(again.count) interrupted (pair, version)s ran again (at least once), \(confirmed.count) confirmed successes never re-ran")
        print(lines.joined(separator: "\n"))
        #expect(violations.isEmpty, "\(violations.count) violations:\n\(violations.prefix(20).joined(separator: "\n"))")
    }

    /// Waits until the marker file has `count` lines (nil) or the process ends (how).
    static func wait(_ process: ChaosProcess, untilMarkers count: Int, in markers: String) async -> ChaosProcess.End? {
        while true {
            if let end = await process.wait(timeout: .milliseconds(5)) { return end }
            let lines = FileManager.default.contents(atPath: markers)?.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } ?? 0
            if lines >= count { return nil }
        }
    }

    /// A pass that did nothing because the workdir lock or the remote lease was held (it exits 0).
    static func isBusy(_ output: String) -> Bool {
        output.contains("lease is held") || output.contains("another innominatus")
    }

    /// The invariants that must hold after any kill: the remote is consistent (fsck, notes, state refs), no
    /// step process is left, and no pair whose success the applied state recorded has run again since.
    static func audit(_ repo: ChaosRepository, confirmed: inout [PairVersion: Int]) async throws -> [String] {
        var problems: [String] = []
        let survivors = await ChaosProcess.survivors(containing: repo.marker)
        if !survivors.isEmpty { problems.append("step processes still running: \(survivors)") }
        do { try repo.git.remoteGit("fsck", "--no-progress", "--no-dangling") } catch { problems.append("git fsck: \(error)") }
        problems += try repo.noteProblems().problems
        problems += try repo.stateRefProblems()
        let markers = try repo.markerLines()
        problems += markers.problems
        let counts = try repo.runCounts()
        for (key, ranThen) in confirmed where (counts[key] ?? 0) != ranThen {
            problems.append("\(key) ran again after the applied state recorded its success (\(ranThen) → \(counts[key] ?? 0) runs)")
        }
        if let state = try repo.appliedState(), let commit = state.commit {
            guard let atCommit = repo.versions[commit] else { return problems + ["applied state at unknown commit \(commit)"] }
            for (key, record) in state.pairs where record.result == .succeeded && !record.dirty {
                let pair = key.description
                guard let version = atCommit[pair] else { continue }
                let id = PairVersion(pair: pair, version: version)
                if confirmed[id] == nil {
                    confirmed[id] = counts[id] ?? 0
                    if (counts[id] ?? 0) == 0 { problems.append("\(id) recorded succeeded but never ran") }
                }
            }
        }
        return problems
    }

    /// A lease left behind by a reconciler killed while holding it names its workdir: the next reconciler on
    /// that workdir (which holds the workdir lock, so the old one is gone) takes it over at once, while
    /// a reconciler of another workdir still waits for it to expire.
    @Test func leaseOfAKilledHolderIsTakenOverByItsWorkdirAndExpiresForOthers() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let remote = GitFixture.remote(fixture.remote)
        let cache = fixture.root.appending("work/cache.git")
        let dead = RemoteLease(repository: try await Repository.clone(remote, into: cache), remote: remote,
                               branch: "main", holder: "host:100", key: .test)
        try await dead.acquire(for: .seconds(600))
        // The restarted process on the same workdir.
        let restarted = RemoteLease(repository: try Repository.open(at: cache), remote: remote, branch: "main", holder: "host:200", key: .test)
        try await restarted.acquire(for: .seconds(600))
        #expect(try fixture.remoteGit("log", "-1", "--format=%s", "refs/innominatus/lease/main").contains("\"host:200\""))
        // A reconciler with another workdir waits for the lease to expire.
        let other = RemoteLease(repository: try await Repository.clone(remote, into: fixture.root.appending("other/cache.git")),
                                remote: remote, branch: "main", holder: "host:300", key: .test)
        let busy = await #expect(throws: RemoteLease.Busy.self) { try await other.acquire(for: .seconds(600)) }
        #expect(busy?.holder == "host:200")
        try await other.acquire(for: .seconds(600), now: Date().addingTimeInterval(601))
        #expect(try fixture.remoteGit("log", "-1", "--format=%s", "refs/innominatus/lease/main").contains("\"host:300\""))
        try fixture.remoteGit("fsck", "--no-progress")
    }
}
