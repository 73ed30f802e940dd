import Foundation
@testable import GitKit
import TestSupport
import Testing

@Suite("Notes: read, write, append, list, merge")
struct NotesTests {
    @Test func writeAppendReadAndListAgainstGitCLI() async throws {
        let fixture = try GitFixture()
        let first = try fixture.commit(["a": "1"])
        let second = try fixture.commit(["a": "2"])
        let repository = try Repository.open(at: fixture.work)
        let c1 = try #require(ObjectID(hex: first)), c2 = try #require(ObjectID(hex: second))
        #expect(try await repository.note(on: c1) == nil)
        #expect(try await repository.annotatedCommits().isEmpty)

        try await repository.writeNote("kind: ReconcileStatus\nresult: succeeded\n", on: c1, append: true)
        #expect(try fixture.git("notes", "--ref=innominatus", "show", first) == "kind: ReconcileStatus\nresult: succeeded")
        // A person adds to the same note with the git CLI; our append keeps their text.
        try fixture.git("notes", "--ref=innominatus", "append", "-m", "reviewed-by: alice", first)
        try await repository.writeNote("---\nkind: ReconcileStatus\nresult: noop\n", on: c1, append: true)
        let text = try #require(try await repository.note(on: c1))
        #expect(text.contains("result: succeeded") && text.contains("reviewed-by: alice") && text.hasSuffix("result: noop\n"))
        #expect(text.components(separatedBy: "---").count == 2)

        // Replace.
        try await repository.writeNote("only this\n", on: c2, append: false)
        try await repository.writeNote("replaced\n", on: c2, append: false)
        #expect(try fixture.git("notes", "--ref=innominatus", "show", second) == "replaced")

        let listed = try await repository.annotatedCommits().map(\.commit.hex).sorted()
        #expect(listed == [first, second].sorted())
        let cli = try fixture.git("notes", "--ref=innominatus", "list").split(separator: "\n")
            .map { String($0.split(separator: " ")[1]) }.sorted()
        #expect(cli == listed)
        #expect(try fixture.git("log", "--notes=innominatus", "-1", "--format=%N", second) == "replaced")
    }

    @Test func noteOnACommitThatIsNotOnTheBranch() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.git("checkout", "-q", "-b", "side")
        let side = try fixture.commit(["b": "side"], message: "side only")
        try fixture.git("checkout", "-q", "main")
        try fixture.git("branch", "-q", "-D", "side")
        let repository = try Repository.open(at: fixture.work)
        let commit = try #require(ObjectID(hex: side))
        try await repository.writeNote("orphan status\n", on: commit, append: true)
        #expect(try await repository.note(on: commit) == "orphan status\n")
        #expect(try fixture.git("notes", "--ref=innominatus", "show", side) == "orphan status")
        #expect(try fixture.git("branch", "--contains", side).isEmpty)
    }

    @Test func fourThreadsTimesFiftyWritesAllSurvive() async throws {
        let fixture = try GitFixture()
        var commits: [ObjectID] = []
        for index in 0..<50 { commits.append(try #require(ObjectID(hex: try fixture.commit(["f": "\(index)"])))) }
        let work = fixture.work
        let targets = commits
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    // One handle per writer: each runs on its own queue, truly in parallel.
                    let repository = try Repository.open(at: work)
                    for commit in targets {
                        try await repository.writeNote("writer-\(writer)\n", on: commit, append: true)
                    }
                }
            }
            try await group.waitForAll()
        }
        var lines = 0
        for commit in commits {
            let text = try fixture.git("notes", "--ref=innominatus", "show", commit.hex)
            let writers = Set(text.split(separator: "\n"))
            #expect(writers == ["writer-0", "writer-1", "writer-2", "writer-3"], "\(commit)")
            lines += text.split(separator: "\n").count
        }
        #expect(lines == 200)
        try fixture.git("fsck", "--no-progress")
    }

    @Test func mergeKeepsBothSidesNotes() async throws {
        let fixture = try GitFixture()
        let a = try #require(ObjectID(hex: try fixture.commit(["f": "a"])))
        let b = try #require(ObjectID(hex: try fixture.commit(["f": "b"])))
        let c = try #require(ObjectID(hex: try fixture.commit(["f": "c"])))
        let repository = try Repository.open(at: fixture.work)
        // Common base: a note on a.
        try await repository.writeNote("base on a\n", on: a, append: true)
        let base = try #require(try await repository.reference(Repository.defaultNotesRef))
        // "Theirs": b annotated and a appended, on another ref.
        let theirsRef = "refs/notes/theirs"
        try await repository.updateReference(theirsRef, to: base, expected: nil, message: "fork")
        try await repository.writeNote("theirs on b\n", on: b, ref: theirsRef, append: true)
        try await repository.writeNote("theirs on a\n", on: a, ref: theirsRef, append: true)
        // "Ours": c annotated, and a appended differently.
        try await repository.writeNote("ours on c\n", on: c, append: true)
        try await repository.writeNote("ours on a\n", on: a, append: true)
        let theirs = try #require(try await repository.reference(theirsRef))

        let outcome = try await repository.mergeNotes(into: Repository.defaultNotesRef, from: theirs)
        guard case .merged(_, let combined) = outcome else { Issue.record("expected a merge, got \(outcome)"); return }
        #expect(combined == 1)
        #expect(try await repository.note(on: b) == "theirs on b\n")
        #expect(try await repository.note(on: c) == "ours on c\n")
        let onA = try #require(try await repository.note(on: a))
        #expect(onA.contains("base on a") && onA.contains("theirs on a") && onA.contains("ours on a"))
        #expect(onA.components(separatedBy: "base on a").count == 2, "the common part appears once: \(onA)")
        // git reads the merged (flat) tree, and the merge commit has both parents.
        #expect(try fixture.git("notes", "--ref=innominatus", "show", b.hex) == "theirs on b")
        #expect(try fixture.git("rev-list", "--parents", "-1", "refs/notes/innominatus").split(separator: " ").count == 3)
        // Merging again is a no-op; merging an ancestor too.
        #expect(try await repository.mergeNotes(into: Repository.defaultNotesRef, from: theirs) == .upToDate)
        #expect(try await repository.mergeNotes(into: Repository.defaultNotesRef, from: base) == .upToDate)
    }

    @Test func mergeFastForwardsWhenOursIsBehindOrMissing() async throws {
        let fixture = try GitFixture()
        let a = try #require(ObjectID(hex: try fixture.commit(["f": "a"])))
        let repository = try Repository.open(at: fixture.work)
        try await repository.writeNote("one\n", on: a, ref: "refs/notes/other", append: true)
        let other = try #require(try await repository.reference("refs/notes/other"))
        #expect(try await repository.mergeNotes(into: Repository.defaultNotesRef, from: other) == .fastForward(other))
        try await repository.writeNote("two\n", on: a, ref: "refs/notes/other", append: true)
        let ahead = try #require(try await repository.reference("refs/notes/other"))
        #expect(try await repository.mergeNotes(into: Repository.defaultNotesRef, from: ahead) == .fastForward(ahead))
        #expect(try await repository.note(on: a) == "one\ntwo\n")
    }

    @Test func threeWayNoteMergeKeepsEveryDocumentWhole() {
        func merge(_ base: String?, _ theirs: String, _ ours: String) -> String {
            String(decoding: Repository.mergeNote(base: base.map { Array($0.utf8) }, theirs: Array(theirs.utf8), ours: Array(ours.utf8)),
                   as: UTF8.self)
        }
        // Both appended to a common base.
        #expect(merge("---\nkind: A\n", "---\nkind: A\n---\nkind: T\n", "---\nkind: A\n---\nkind: O\n")
                == "---\nkind: A\n---\nkind: T\n---\nkind: O\n")
        // No base (two fresh writers): documents that start alike are still both kept whole.
        #expect(merge(nil, "---\nkind: Status\nv: 1\n", "---\nkind: Status\nv: 2\n")
                == "---\nkind: Status\nv: 1\n---\nkind: Status\nv: 2\n")
        // A side that replaced the base: both texts whole, theirs first.
        #expect(merge("old\n", "replaced\n", "old\nmore\n") == "replaced\nold\nmore\n")
        // Missing final newline on one side.
        #expect(merge(nil, "a", "b\n") == "a\nb\n")
    }
}
