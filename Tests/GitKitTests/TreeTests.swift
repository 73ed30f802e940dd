import Foundation
import GitKit
import TestSupport
import Testing

@Suite("Trees, diffs and blobs, checked against the git CLI")
struct TreeTests {
    /// A fixture with nested folders, an executable, a symlink, and a second commit changing one file.
    static func makeFixture() throws -> (GitFixture, first: String, second: String) {
        let fixture = try GitFixture()
        var files: [String: String?] = ["README.md": "hello\n"]
        for dir in 0..<5 {
            for file in 0..<4 { files["apps/app\(dir)/f\(file).yaml"] = "name: app\(dir)-\(file)\n" }
        }
        files["scripts/run.sh"] = "#!/bin/sh\necho hi\n"
        try fixture.commit(files, message: "first")
        try Shell.run(["chmod", "+x", "scripts/run.sh"], in: fixture.work)
        let first = try fixture.commit([:], message: "exec")
        try Shell.run(["ln", "-s", "../README.md", "apps/link"], in: fixture.work)
        let second = try fixture.commit([
            "apps/app2/f1.yaml": "name: changed\n",
            "apps/app3/f0.yaml": nil,
            "apps/new/score.yaml": "new\n",
        ], message: "second")
        return (fixture, first, second)
    }

    @Test func snapshotMatchesLsTree() async throws {
        let (fixture, _, second) = try Self.makeFixture()
        let repository = try Repository.open(at: fixture.work)
        let commit = try #require(ObjectID(hex: second))
        let snapshot = try await repository.snapshot(of: commit)
        var expected: [String: String] = [:]
        for line in try fixture.git("ls-tree", "-r", second).split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            let meta = parts[0].split(separator: " ")
            expected[String(parts[1])] = "\(meta[0]) \(meta[2])"
        }
        #expect(snapshot.entries.count == expected.count)
        for (path, entry) in snapshot.entries {
            #expect(expected[path] == "\(String(entry.mode.rawValue, radix: 8).leftPadded(to: 6)) \(entry.id.hex)", "\(path)")
        }
        #expect(snapshot["scripts/run.sh"]?.mode == .executable)
        #expect(snapshot["apps/link"]?.mode == .symlink)
        #expect(snapshot.tree.hex == (try fixture.git("rev-parse", "\(second)^{tree}")))
    }

    @Test func objectIDOfSubPath() async throws {
        let (fixture, _, second) = try Self.makeFixture()
        let repository = try Repository.open(at: fixture.work)
        let commit = try #require(ObjectID(hex: second))
        let apps = try await repository.objectID(at: "apps/app1", in: commit)
        #expect(apps?.hex == (try fixture.git("rev-parse", "\(second):apps/app1")))
        let file = try await repository.objectID(at: "apps/app1/f0.yaml", in: commit)
        #expect(file?.hex == (try fixture.git("rev-parse", "\(second):apps/app1/f0.yaml")))
        #expect(try await repository.objectID(at: "apps/missing", in: commit) == nil)
        #expect(try await repository.objectID(at: "", in: commit)?.hex == (try fixture.git("rev-parse", "\(second)^{tree}")))
    }

    @Test func changedPathsMatchGitDiff() async throws {
        let (fixture, first, second) = try Self.makeFixture()
        let repository = try Repository.open(at: fixture.work)
        let changes = try await repository.changedPaths(from: ObjectID(hex: first), to: #require(ObjectID(hex: second)))
        let expected = try Self.gitDiff(fixture, first, second)
        #expect(changes.map(\.description).sorted() == expected.sorted())
        let deleted = try #require(changes.first { $0.kind == .deleted })
        #expect(deleted.newID == nil && deleted.oldID != nil)
        // From nothing: every file is added.
        let all = try await repository.changedPaths(from: nil, to: #require(ObjectID(hex: first)))
        #expect(all.count == 22 && all.allSatisfy { $0.kind == .added })
        // Same commit: nothing.
        #expect(try await repository.changedPaths(from: ObjectID(hex: second), to: #require(ObjectID(hex: second))).isEmpty)
    }

    /// `git diff --no-renames --name-status` as `PathChange` descriptions, in git's order.
    static func gitDiff(_ fixture: GitFixture, _ from: String, _ to: String) throws -> [String] {
        try fixture.git("diff", "--no-renames", "--name-status", from, to).split(separator: "\n").map { line -> String in
            let parts = line.split(separator: "\t")
            let kind = ["A": "added", "M": "modified", "D": "deleted", "T": "modified"][String(parts[0])]!
            return "\(kind) \(parts[1])"
        }
    }

    /// The walk enters only folders whose tree id moved; what it reports is still git's diff, file↔folder
    /// swaps, mode changes and deep folders included.
    @Test func changedPathsMatchGitDiffAcrossFolderSwaps() async throws {
        let fixture = try GitFixture()
        let first = try fixture.commit(["a": "file\n", "a.b": "x\n", "deep/1/2/3.txt": "3\n", "deep/1/keep": "k\n",
                                        "gone/x": "x\n", "gone/y/z": "z\n", "run.sh": "#!/bin/sh\n"])
        try fixture.git("rm", "-q", "a")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fixture.work + "/run.sh")
        let second = try fixture.commit(["a/inner": "now a folder\n", "deep/1/2/3.txt": "three\n", "gone/x": nil, "gone/y/z": nil,
                                         "new/n/m": "m\n"])
        let repository = try Repository.open(at: fixture.work)
        for (from, to) in [(first, second), (second, first)] {
            let changes = try await repository.changedPaths(from: ObjectID(hex: from), to: #require(ObjectID(hex: to)))
            #expect(changes.map(\.description) == (try Self.gitDiff(fixture, from, to)), "in git's order")
        }
    }

    @Test func readBlobRefusesOversizedContentWhole() async throws {
        let fixture = try GitFixture()
        let big = String(repeating: "x", count: 10_000)
        let commit = try fixture.commit(["big.txt": big, "small.txt": "tiny\n"])
        let repository = try Repository.open(at: fixture.work)
        let snapshot = try await repository.snapshot(of: #require(ObjectID(hex: commit)))
        let small = try await repository.readBlob(#require(snapshot["small.txt"]).id, limit: 100)
        #expect(String(decoding: small, as: UTF8.self) == "tiny\n")
        let bigID = try #require(snapshot["big.txt"]).id
        #expect(try await repository.blobSize(bigID) == 10_000)
        let error = await #expect(throws: GitError.self) { try await repository.readBlob(bigID, limit: 9_999) }
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("10000 bytes") == true)
        #expect(try await repository.readBlob(bigID, limit: 10_000).count == 10_000)
    }

    @Test func resolveNamesAndErrors() async throws {
        let (fixture, first, second) = try Self.makeFixture()
        let repository = try Repository.open(at: fixture.work)
        #expect(try await repository.resolveCommit("main").hex == second)
        #expect(try await repository.resolveCommit("HEAD~1").hex == first)
        let error = await #expect(throws: GitError.self) { try await repository.resolveCommit("no-such-branch") }
        #expect(error?.code == .notFound)
        #expect(error?.operation == "resolve no-such-branch")
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

@Suite("Writing trees without a work tree")
struct TreeWritingTests {
    @Test func writtenTreeMatchesLsTreeAndRoundTrips() async throws {
        let fixture = try GitFixture()
        let head = try fixture.commit(["seed": "x"])
        let repository = try Repository.open(at: fixture.work)
        let a = try await repository.writeBlob(Array("a\n".utf8))
        let b = try await repository.writeBlob(Array("#!/bin/sh\n".utf8))
        let entries: [String: TreeEntry] = [
            "env/checkout/deployment.yaml": TreeEntry(id: a, mode: .blob),
            "env/checkout/service.yaml": TreeEntry(id: a, mode: .blob),
            "env/cart/run.sh": TreeEntry(id: b, mode: .executable),
            "README.md": TreeEntry(id: a, mode: .blob),
        ]
        let tree = try await repository.writeTree(entries)
        let commit = try await repository.createCommit(tree: tree, parents: [#require(ObjectID(hex: head))],
                                                       message: "generated", signature: .innominatus)
        let listed = try fixture.git("ls-tree", "-r", commit.hex).split(separator: "\n").map(String.init).sorted()
        #expect(listed == [
            "100644 blob \(a.hex)\tREADME.md",
            "100644 blob \(a.hex)\tenv/checkout/deployment.yaml",
            "100644 blob \(a.hex)\tenv/checkout/service.yaml",
            "100755 blob \(b.hex)\tenv/cart/run.sh",
        ].sorted())
        #expect(try await repository.snapshot(of: commit).entries == entries)
        try fixture.git("fsck", "--no-progress")
    }

    @Test(arguments: ["../escape", "a/../b", "/abs", "a//b", ".git/config", "a/.GIT/x", "a/./b", ""])
    func invalidPathsAreRefused(path: String) async throws {
        let fixture = try GitFixture()
        let repository = try Repository.open(at: fixture.work)
        let blob = try await repository.writeBlob([1])
        let error = await #expect(throws: GitError.self) {
            _ = try await repository.writeTree([path: TreeEntry(id: blob, mode: .blob)])
        }
        #expect(error?.code == .invalid)
    }

    @Test func fileAndFolderAtOnePathIsRefused() async throws {
        let fixture = try GitFixture()
        let repository = try Repository.open(at: fixture.work)
        let blob = try await repository.writeBlob([1])
        await #expect(throws: GitError.self) {
            _ = try await repository.writeTree(["a": TreeEntry(id: blob, mode: .blob), "a/b": TreeEntry(id: blob, mode: .blob)])
        }
    }
}
