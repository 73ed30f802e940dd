import Foundation
import GitKit
import Planner
import Reconciler
import TestSupport
import Testing

/// Three `innominatus watch` processes (three workdirs, as on three machines) on one remote served by
/// `git daemon` on 127.0.0.1, while another program appends its own notes to the same notes ref and
/// pushes them: each change is applied exactly once, and no note — theirs or ours — is lost.
@Suite("Concurrency: three reconcilers and a foreign notes writer on one remote")
struct ConcurrencyTests {
    /// The foreign writer: resets its notes to the remote's, appends a YAML document of its own to the
    /// branch head's note and pushes without force, retrying when someone else pushed first; logs each
    /// note it got in as `<commit> <seq>`.
    static let writerScript = #"""
        set -u
        url=$1; clone=$2; out=$3; count=$4
        git clone -q "$url" "$clone" || exit 1
        cd "$clone"
        for i in $(seq 1 "$count"); do
          for try in $(seq 1 100); do
            git fetch -q origin +refs/heads/main:refs/remotes/origin/main
            if git fetch -q origin +refs/notes/innominatus:refs/notes/origin-innominatus 2>/dev/null; then
              git update-ref refs/notes/innominatus refs/notes/origin-innominatus
            fi
            commit=$(git rev-parse origin/main)
            git notes --ref innominatus append -m "---
        kind: DeployAudit
        writer: foreign
        seq: $i" "$commit"
            if git push -q origin refs/notes/innominatus 2>/dev/null; then echo "$commit $i" >> "$out"; break; fi
            sleep 0.05
          done
          sleep 0.3
        done
        echo done >> "$out.done"
        """#

    @Test func threeReconcilersAndAForeignNotesWriterApplyEachChangeOnceAndLoseNoNote() async throws {
        var repo = try ChaosRepository(apps: 12)
        let daemon = try GitDaemon(basePath: repo.git.root.path)
        let url = daemon.url("remote.git")
        let foreignLog = repo.git.root.appending("foreign.log")
        let script = repo.git.root.appending("writer.sh")
        try Self.writerScript.write(toFile: script, atomically: true, encoding: .utf8)
        let writer = try ChaosProcess.shell(["bash", script, url, repo.git.root.appending("writer"), foreignLog, "25"],
                                            log: repo.git.root.appending("writer.log"))
        let watchers = try (1...3).map { index in
            try ChaosProcess(["watch", "--repo", url, "--workdir", repo.git.root.appending("workdir-\(index)"),
                              "--state-key", repo.git.stateKeyFile,
                              "--interval", "300ms", "--concurrency", "3"],
                             log: repo.git.root.appending("watch-\(index).log"))
        }

        var commits = [repo.head]
        try await Self.waitUntilApplied(repo, watchers: watchers)
        for round in 1...4 {
            let apps = (0..<4).map { repo.appNames[(round * 5 + $0 * 3) % repo.appNames.count] }
            commits.append(try repo.change(apps: apps, platform: round == 2))
            try await Self.waitUntilApplied(repo, watchers: watchers)
        }
        if await writer.wait(timeout: .seconds(180)) == nil { await writer.kill9() }
        for watcher in watchers {
            kill(watcher.pid, SIGTERM)
            if await watcher.wait(timeout: .seconds(60)) == nil { await watcher.kill9() }
        }

        // Each change applied exactly once: every version of every pair that a head carried ran once.
        let counts = try repo.runCounts()
        var expected: Set<PairVersion> = []
        for commit in commits { for (pair, version) in repo.versions[commit]! { expected.insert(PairVersion(pair: pair, version: version)) } }
        #expect(Set(counts.keys) == expected, "missing: \(expected.subtracting(counts.keys)), unexpected: \(Set(counts.keys).subtracting(expected))")
        let twice = counts.filter { $0.value != 1 }
        #expect(twice.isEmpty, "ran more than once: \(twice)")

        // No note lost: every pass that said it wrote a note has its status on the remote, and every
        // foreign document is there too.
        var written: [String: Int] = [:]
        for watcher in watchers {
            for line in watcher.output.split(separator: "\n") where line.contains("; note written under refs/notes/innominatus") {
                guard let at = line.range(of: " at ") else { continue }
                written[String(line[at.upperBound...].prefix(12)), default: 0] += 1
            }
        }
        #expect(written.values.reduce(0, +) >= commits.count, "\(written)")
        var statusesOnRemote = 0
        for (prefix, count) in written {
            let commit = try #require(commits.first { $0.hasPrefix(prefix) })
            let note = try repo.git.remoteGit("notes", "--ref=innominatus", "show", commit)
            let statuses = StatusNote.allStatuses(in: note + "\n").filter { $0.commit == commit }
            statusesOnRemote += statuses.count
            #expect(statuses.count == count, "\(commit.prefix(12)): \(count) passes wrote a note, \(statuses.count) on the remote")
        }
        let foreign = try String(contentsOfFile: foreignLog, encoding: .utf8).split(separator: "\n")
        let writerLog = (try? String(contentsOfFile: repo.git.root.appending("writer.log"), encoding: .utf8)) ?? ""
        #expect(foreign.count == 25, "the writer got \(foreign.count) of 25 notes in: \(writerLog)")
        for entry in foreign {
            let fields = entry.split(separator: " ").map(String.init)
            let note = try repo.git.remoteGit("notes", "--ref=innominatus", "show", fields[0])
            #expect(note.contains("kind: DeployAudit\nwriter: foreign\nseq: \(fields[1])\n") || note.hasSuffix("seq: \(fields[1])"),
                    "foreign note \(fields[1]) on \(fields[0].prefix(12)) lost")
        }
        #expect(try repo.noteProblems().problems.isEmpty)
        try repo.git.remoteGit("fsck", "--no-progress")
        let perWatcher = watchers.map { watcher in
            let output = watcher.output
            return "\(output.components(separatedBy: "; note written").count - 1) written/"
                + "\(output.components(separatedBy: "lease is held").count - 1) busy/"
                + "\(output.components(separatedBy: "another reconciler applied").count - 1) beaten"
        }
        print("concurrency: watchers (notes written/lease busy/beaten to it) \(perWatcher.joined(separator: ", ")); 3 watchers, \(commits.count) heads, \(counts.values.reduce(0, +)) step runs for \(expected.count) (pair, version)s, "
            + "\(statusesOnRemote) pass notes and \(foreign.count) foreign notes all on the remote")
    }

    /// Waits until the remote's applied state is at the head with every pair succeeded.
    static func waitUntilApplied(_ repo: ChaosRepository, watchers: [ChaosProcess]) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            if let state = try? repo.appliedState(), state.commit == repo.head,
               state.pairs.count == repo.pairs.count, state.pairs.values.allSatisfy({ $0.result == .succeeded && !$0.dirty }) {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(repo.head.prefix(12)) was not applied:\n\(watchers.map(\.output).joined(separator: "\n----\n"))")
        throw CancellationError()
    }
}
