import Foundation
import GitKit
import TestSupport
import Testing

/// `Repository.publish` against real bare remotes: a path, and git daemon (a real transport).
@Suite("Publish: fetch, build on the tip, compare-and-swap, push, retry")
struct PublishTests {
    static let ref = "refs/heads/log"
    static let tracking = "refs/innominatus/test-remote/log"

    /// A remote, a cache cloned from it, and the fixture's working clone as a second writer.
    struct Setup {
        var fixture: GitFixture
        var remote: Remote
        var repository: Repository
        var daemon: GitDaemon?
    }

    static func setUp(_ transport: String) async throws -> Setup {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let daemon = transport == "daemon" ? try GitDaemon(basePath: fixture.root.path) : nil
        let remote = GitFixture.remote(daemon?.url("remote.git") ?? fixture.remote)
        let repository = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        return Setup(fixture: fixture, remote: remote, repository: repository, daemon: daemon)
    }

    /// The second writer: the git CLI in another clone appends `line` to the `log` file of the remote's
    /// `log` branch and pushes.
    static func otherWriterAppends(_ line: String, _ fixture: GitFixture) throws {
        if (try? fixture.git("fetch", "-q", "origin", "refs/heads/log")) != nil {
            try fixture.git("checkout", "-q", "-B", "log", "FETCH_HEAD")
        } else {
            try fixture.git("checkout", "-q", "--orphan", "log")
            try fixture.git("rm", "-q", "-r", "--cached", "--ignore-unmatch", ".")
        }
        let path = fixture.work + "/log"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try fixture.commit(["log": text + line + "\n"], message: line)
        try fixture.git("push", "-q", "origin", "log:refs/heads/log")
    }

    /// Our commit on `tip`: the `log` file with `line` appended.
    static func appending(_ line: String, on tip: ObjectID?, in repository: Repository) async throws(GitError) -> ObjectID {
        var text: [UInt8] = []
        if let tip, let entry = try await repository.snapshot(of: tip).entries["log"] {
            text = try await repository.readBlob(entry.id, limit: 1 << 20)
        }
        let blob = try await repository.writeBlob(text + Array((line + "\n").utf8))
        let tree = try await repository.writeTree(["log": TreeEntry(id: blob, mode: .blob)])
        return try await repository.createCommit(tree: tree, parents: tip.map { [$0] } ?? [], message: line,
                                                 signature: .innominatus)
    }

    @Test(arguments: ["path", "daemon"])
    func aWriterThatPushedBetweenOurFetchAndOurPushIsBuiltOnNotLost(transport: String) async throws {
        let setup = try await Self.setUp(transport)
        try Self.otherWriterAppends("first by them", setup.fixture)
        var tips: [ObjectID?] = []
        let pushed = try await setup.repository.publish(Self.ref, to: setup.remote, tracking: Self.tracking) { tip throws(GitError) in
            tips.append(tip)
            if tips.count == 1 {
                // Between our fetch and our push, the other writer pushes.
                do { try Self.otherWriterAppends("second by them", setup.fixture) } catch {
                    throw GitError(.other, operation: "test", message: "\(error)")
                }
            }
            return try await Self.appending("ours", on: tip, in: setup.repository)
        }
        #expect(tips.count == 2, "the refused push is retried once, from a new fetch")
        let theirs = try setup.fixture.remoteGit("rev-parse", "\(Self.ref)^")
        #expect(tips.last??.hex == theirs, "the retry builds on the tip the other writer pushed")
        #expect(try setup.fixture.remoteGit("rev-parse", Self.ref) == pushed?.hex)
        #expect(try setup.fixture.remoteGit("show", "\(Self.ref):log") == "first by them\nsecond by them\nours")
        #expect(try await setup.repository.reference(Self.ref) == pushed)
        try setup.fixture.remoteGit("fsck", "--no-progress")
    }

    @Test func aRemoteWithoutTheRefGetsItCreated() async throws {
        let setup = try await Self.setUp("path")
        var tips: [ObjectID?] = []
        let pushed = try await setup.repository.publish(Self.ref, to: setup.remote, tracking: Self.tracking) { tip throws(GitError) in
            tips.append(tip)
            return try await Self.appending("ours", on: tip, in: setup.repository)
        }
        #expect(tips == [nil])
        #expect(try setup.fixture.remoteGit("rev-parse", Self.ref) == pushed?.hex)
    }

    @Test func nothingToWriteWritesNothing() async throws {
        let setup = try await Self.setUp("path")
        try Self.otherWriterAppends("by them", setup.fixture)
        let before = try setup.fixture.remoteGit("rev-parse", Self.ref)
        var calls = 0
        let pushed = try await setup.repository.publish(Self.ref, to: setup.remote, tracking: Self.tracking) { tip throws(GitError) in
            calls += 1
            #expect(tip?.hex == before)
            return nil
        }
        #expect(pushed == nil && calls == 1)
        #expect(try setup.fixture.remoteGit("rev-parse", Self.ref) == before)
        #expect(try await setup.repository.reference(Self.ref) == nil, "the local ref is not written either")
    }

    @Test func theTipItselfMovesOnlyTheLocalRef() async throws {
        let setup = try await Self.setUp("path")
        try Self.otherWriterAppends("by them", setup.fixture)
        let before = try setup.fixture.remoteGit("rev-parse", Self.ref)
        let pushed = try await setup.repository.publish(Self.ref, to: setup.remote, tracking: Self.tracking) { tip throws(GitError) in
            tip
        }
        #expect(pushed?.hex == before)
        #expect(try await setup.repository.reference(Self.ref)?.hex == before)
        #expect(try setup.fixture.remoteGit("rev-parse", Self.ref) == before)
    }

    @Test(arguments: ["path", "daemon"])
    func aRefThatKeepsMovingGivesUpAfterTheAttemptsWithContended(transport: String) async throws {
        let setup = try await Self.setUp(transport)
        var calls = 0
        let error = await #expect(throws: GitError.self) {
            try await setup.repository.publish(Self.ref, to: setup.remote, tracking: Self.tracking, attempts: 3) { tip throws(GitError) in
                calls += 1
                do { try Self.otherWriterAppends("theirs \(calls)", setup.fixture) } catch {
                    throw GitError(.other, operation: "test", message: "\(error)")
                }
                return try await Self.appending("ours \(calls)", on: tip, in: setup.repository)
            }
        }
        #expect(error?.code == .contended)
        #expect(error?.message.contains("gave up after 3 attempts") == true, "\(String(describing: error))")
        #expect(calls == 3)
        // Nothing of ours reached the remote; every line of theirs did.
        #expect(try setup.fixture.remoteGit("show", "\(Self.ref):log") == "theirs 1\ntheirs 2\ntheirs 3")
    }

    @Test func anErrorOfTheBuildEndsThePublishUnchanged() async throws {
        let setup = try await Self.setUp("path")
        var calls = 0
        let error = await #expect(throws: GitError.self) {
            try await setup.repository.publish(Self.ref, to: setup.remote, tracking: Self.tracking) { _ throws(GitError) in
                calls += 1
                throw GitError(.invalid, operation: "build", message: "refused by the caller")
            }
        }
        #expect(error?.code == .invalid && calls == 1)
        #expect((try? setup.fixture.remoteGit("rev-parse", "--verify", "-q", Self.ref)) == nil)
    }
}
