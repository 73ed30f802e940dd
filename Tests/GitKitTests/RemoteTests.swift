import Foundation
import GitKit
import TestSupport
import Testing

@Suite("Clone, fetch and push through the network helper")
struct RemoteTests {
    @Test(arguments: ["path", "file"])
    func cloneAndFetchFollowForcePush(form: String) async throws {
        let fixture = try GitFixture()
        let first = try fixture.commit(["a": "1"])
        try fixture.push()
        let cache = fixture.root.appending("cache.git")
        let url = form == "path" ? fixture.remote : "file://" + fixture.remote
        let remote = GitFixture.remote(url)
        let repository = try await Repository.clone(remote, into: cache)
        #expect(try await repository.resolveRemoteBranch("main").hex == first)
        #expect(try Shell.run(["git", "--git-dir=\(cache)", "config", "remote.origin.url"]).contains(url))

        // New commits, then a force-push back to an unrelated history.
        let second = try fixture.commit(["a": "2"])
        try fixture.push()
        try await repository.fetch(from: remote)
        #expect(try await repository.resolveRemoteBranch("main").hex == second)
        try fixture.git("checkout", "-q", "--orphan", "rewrite")
        let rewritten = try fixture.commit(["b": "unrelated"], message: "rewritten history")
        try fixture.push(force: true)
        try await repository.fetch(from: remote)
        #expect(try await repository.resolveRemoteBranch("main").hex == rewritten)
        // Re-opening an existing cache fetches instead of cloning anew.
        let reopened = try await Repository.clone(remote, into: cache)
        #expect(try await reopened.resolveRemoteBranch("main").hex == rewritten)
    }

    @Test func deletedBranchesArePruned() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        try fixture.git("push", "-q", "origin", "HEAD:refs/heads/feature")
        let remote = GitFixture.remote(fixture.remote)
        let repository = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        _ = try await repository.resolveRemoteBranch("feature")
        try fixture.git("push", "-q", "origin", ":refs/heads/feature")
        try await repository.fetch(from: remote)
        let error = await #expect(throws: GitError.self) { try await repository.resolveRemoteBranch("feature") }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("the remote has: main") == true)
    }

    @Test func emptyRepositoryClonesAndSaysSo() async throws {
        let fixture = try GitFixture()
        let repository = try await Repository.clone(GitFixture.remote(fixture.remote), into: fixture.root.appending("cache.git"))
        let error = await #expect(throws: GitError.self) { try await repository.resolveRemoteBranch("main") }
        #expect(error?.code == .notFound)
        #expect(error?.message == "branch 'main' not found on origin; the remote has no branches (is it empty?)")
    }

    @Test func missingRemoteIsAClearError() async throws {
        let directory = try TemporaryDirectory()
        let missing = directory.appending("does-not-exist.git")
        let error = await #expect(throws: GitError.self) {
            _ = try await Repository.clone(GitFixture.remote(missing), into: directory.appending("cache.git"))
        }
        #expect(error?.operation == "fetch \(missing)")
        #expect(error?.message.contains(missing) == true, "\(String(describing: error))")
    }

    @Test func aRemoteThatNeverAnswersFailsAtTheDeadline() async throws {
        let server = try SilentServer()
        let directory = try TemporaryDirectory()
        let remote = GitFixture.remote("git://127.0.0.1:\(server.port)/platform.git", timeout: .seconds(2))
        let started = ContinuousClock.now
        let error = await #expect(throws: GitError.self) {
            _ = try await Repository.clone(remote, into: directory.appending("cache.git"))
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.code == .timedOut)
        #expect(error?.message == "timed out after 2s; the transfer was stopped")
        // It did wait for the deadline rather than failing for another reason (no bound on the upper side).
        #expect(elapsed >= .seconds(2))
    }

    @Test func pushAnyRefAndSeeItOnTheRemote() async throws {
        let fixture = try GitFixture()
        let head = try fixture.commit(["a": "1"])
        try fixture.push()
        let remote = GitFixture.remote(fixture.remote)
        let repository = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        let commit = try await repository.resolveRemoteBranch("main")
        try await repository.updateReference("refs/innominatus/applied", to: commit, expected: nil, message: "state")
        let pushed = try await repository.push(["refs/innominatus/applied:refs/innominatus/applied"], to: remote)
        #expect(pushed == [PushedRef(ref: "refs/innominatus/applied", rejection: nil)])
        #expect(try fixture.remoteGit("rev-parse", "refs/innominatus/applied") == head)
    }

    @Test func serverSideRejectionIsDetected() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        // The server refuses any notes update (a hook: only a real transport runs it).
        let hook = fixture.remote + "/hooks/pre-receive"
        try "#!/bin/sh\nwhile read old new ref; do case $ref in refs/notes/*) echo \"notes are frozen\" >&2; exit 1;; esac; done\n"
            .write(toFile: hook, atomically: true, encoding: .utf8)
        try Shell.run(["chmod", "+x", hook])
        let daemon = try GitDaemon(basePath: fixture.root.path)
        let remote = GitFixture.remote(daemon.url("remote.git"))
        let repository = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        let commit = try await repository.resolveRemoteBranch("main")
        try await repository.writeNote("status\n", on: commit, append: true)
        let error = await #expect(throws: GitError.self) {
            try await repository.push(["refs/notes/innominatus:refs/notes/innominatus"], to: remote)
        }
        #expect(error?.code == .rejected)
        #expect(error?.message.contains("refs/notes/innominatus") == true, "\(String(describing: error))")
        #expect((try? fixture.remoteGit("rev-parse", "--verify", "-q", "refs/notes/innominatus")) == nil)
    }

    @Test func twoWritersPushNotesAtOnceOverGitDaemonAndBothSurvive() async throws {
        let fixture = try GitFixture()
        let a = try fixture.commit(["a": "1"])
        let b = try fixture.commit(["a": "2"])
        try fixture.push()
        let daemon = try GitDaemon(basePath: fixture.root.path)
        let remote = GitFixture.remote(daemon.url("remote.git"))
        let first = try await Repository.clone(remote, into: fixture.root.appending("cache1.git"))
        let second = try await Repository.clone(remote, into: fixture.root.appending("cache2.git"))
        let commitA = try #require(ObjectID(hex: a)), commitB = try #require(ObjectID(hex: b))
        // A person's note, already on the remote, on another commit.
        try fixture.git("notes", "--ref=innominatus", "add", "-m", "human note", a)
        try fixture.git("push", "-q", "origin", "refs/notes/innominatus")
        // Both reconcilers annotate (b on the same commit, a on another) and push at the same time.
        try await first.writeNote("first writer\n", on: commitB, append: true)
        try await second.writeNote("second writer\n", on: commitB, append: true)
        try await second.writeNote("second on a\n", on: commitA, append: true)
        async let one = first.pushNotes(to: remote)
        async let two = second.pushNotes(to: remote)
        let merges = try await (one, two)
        #expect(merges.0 + merges.1 >= 1)
        let onB = try fixture.remoteGit("notes", "--ref=innominatus", "show", b)
        #expect(onB.contains("first writer") && onB.contains("second writer"))
        let onA = try fixture.remoteGit("notes", "--ref=innominatus", "show", a)
        #expect(onA.contains("human note") && onA.contains("second on a"))
        try fixture.remoteGit("fsck", "--no-progress")
    }
}
