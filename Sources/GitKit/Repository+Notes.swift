import CLibGit2
import Glibc

/// One annotated commit under a notes ref.
public struct NoteEntry: Hashable, Sendable {
    /// The commit the note is about.
    public var commit: ObjectID
    /// The blob holding the note's text.
    public var blob: ObjectID
}

/// What a notes merge did.
public enum NotesMergeOutcome: Equatable, Sendable {
    /// The other side had nothing we lacked.
    case upToDate
    /// Ours was behind: our ref now points at theirs.
    case fastForward(ObjectID)
    /// Both sides had notes the other lacked: a merge commit with both as parents.
    case merged(ObjectID, combinedNotes: Int)
}

extension Repository {
    public static let defaultNotesRef = "refs/notes/innominatus"

    /// The text of the note on `commit` under `ref`, or nil when there is none.
    public func note(on commit: ObjectID, ref: String = Repository.defaultNotesRef) throws(GitError) -> String? {
        var id = commit.raw
        var note: OpaquePointer?
        let result = git_note_read(&note, raw, ref, &id)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        if result < 0 { throw GitError.last(result, "read note on \(commit) under \(ref)") }
        defer { git_note_free(note) }
        return git_note_message(note).map { String(cString: $0) } ?? ""
    }

    /// Every commit annotated under `ref` (empty when the ref does not exist).
    public func annotatedCommits(ref: String = Repository.defaultNotesRef) throws(GitError) -> [NoteEntry] {
        guard let tip = try reference(ref) else { return [] }
        return try notes(ofNotesCommit: tip)
    }

    /// Writes the note on `commit`, replacing what is there or appending to it, and returns the new notes commit.
    ///
    /// Safe against concurrent writers in this and other processes: the notes commit is built on the
    /// ref's current tip and the ref is moved with a compare-and-swap, retried when another writer won
    /// (libgit2's `git_note_create` loses updates under contention). Appending keeps every other
    /// writer's text: the new text goes after the existing note, separated by a line break.
    @discardableResult
    public func writeNote(
        _ text: String, on commit: ObjectID, ref: String = Repository.defaultNotesRef,
        append: Bool, signature: Signature = .innominatus, attempts: Int = 200
    ) throws(GitError) -> ObjectID {
        let operation = "write note on \(commit) under \(ref)"
        for attempt in 0..<attempts {
            let tip = try reference(ref)
            var message = text
            if append, let tip, let existing = try note(on: commit, inNotesCommit: tip), !existing.isEmpty {
                message = existing.hasSuffix("\n") ? existing + text : existing + "\n" + text
            }
            let newTip = try createNotesCommit(parent: tip, setting: [(commit, message)], signature: signature)
            do {
                try updateReference(ref, to: newTip, expected: tip, message: "innominatus: note on \(commit.hex)")
                return newTip
            } catch where error.code == .refMoved || error.code == .locked {
                backOff(attempt)
            }
        }
        throw GitError(.locked, operation: operation, message: "the notes ref kept moving; gave up after \(attempts) attempts")
    }

    /// Merges the notes commit `theirs` (e.g. the remote's notes, just fetched) into the ref `ours`, so that
    /// neither side's notes are lost. libgit2 has no notes merge, so the merged tree is built here: the
    /// union of both sides' notes; a commit annotated on both sides gets a three-way merge of its note
    /// (`mergeNote`: the common base once, then what each side appended).
    @discardableResult
    public func mergeNotes(into ours: String, from theirs: ObjectID, signature: Signature = .innominatus) throws(GitError) -> NotesMergeOutcome {
        for attempt in 0..<50 {
            let local = try reference(ours)
            guard let local else {
                do {
                    try updateReference(ours, to: theirs, expected: nil, message: "innominatus: notes fast-forward")
                    return .fastForward(theirs)
                } catch where error.code == .refMoved { backOff(attempt); continue }
            }
            let outcome = try notesMerge(of: theirs, into: local, signature: signature)
            let target: ObjectID
            switch outcome {
            case .upToDate: return .upToDate
            case .fastForward(let id), .merged(let id, _): target = id
            }
            do {
                try updateReference(ours, to: target, expected: local, message: "innominatus: notes merge")
                return outcome
            } catch where error.code == .refMoved || error.code == .locked {
                backOff(attempt)
            }
        }
        throw GitError(.locked, operation: "merge notes into \(ours)", message: "the notes ref kept moving")
    }

    /// The notes commit holding both `ours` and `theirs`, without moving any ref: `ours` when it already
    /// holds `theirs` (`.upToDate`), `theirs` when it holds `ours` (`.fastForward`), else a new merge commit
    /// with both as parents (`.merged`, see `mergeNotes`).
    public func notesMerge(of theirs: ObjectID, into ours: ObjectID, signature: Signature = .innominatus) throws(GitError) -> NotesMergeOutcome {
        if ours == theirs { return .upToDate }
        if try isDescendant(ours, of: theirs) { return .upToDate }
        if try isDescendant(theirs, of: ours) { return .fastForward(theirs) }
        let (tree, combined) = try mergedNotesTree(ours: ours, theirs: theirs)
        let merge = try createCommit(tree: tree, parents: [ours, theirs], message: "Notes merged by innominatus", signature: signature)
        return .merged(merge, combinedNotes: combined)
    }

    /// A new notes commit on `parent` (nil: the first one) whose note on `commit` is `text`, replaced; the
    /// parent's other notes are kept. Moves no ref: for `publish`, which moves it.
    public func notesCommit(on parent: ObjectID?, note text: String, on commit: ObjectID,
                            signature: Signature = .innominatus) throws(GitError) -> ObjectID {
        try createNotesCommit(parent: parent, setting: [(commit, text)], signature: signature)
    }

    // MARK: Internals

    func notes(ofNotesCommit tip: ObjectID) throws(GitError) -> [NoteEntry] {
        var tipID = tip.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, raw, &tipID), "look up notes commit \(tip)")
        defer { git_commit_free(commit) }
        var iterator: OpaquePointer?
        try check(git_note_commit_iterator_new(&iterator, commit), "list notes of \(tip)")
        defer { git_note_iterator_free(iterator) }
        var entries: [NoteEntry] = []
        while true {
            var blob = git_oid()
            var annotated = git_oid()
            let result = git_note_next(&blob, &annotated, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            if result < 0 { throw GitError.last(result, "list notes of \(tip)") }
            entries.append(NoteEntry(commit: ObjectID(annotated), blob: ObjectID(blob)))
        }
        return entries
    }

    private func note(on commit: ObjectID, inNotesCommit tip: ObjectID) throws(GitError) -> String? {
        var tipID = tip.raw
        var notesCommit: OpaquePointer?
        try check(git_commit_lookup(&notesCommit, raw, &tipID), "look up notes commit \(tip)")
        defer { git_commit_free(notesCommit) }
        var id = commit.raw
        var note: OpaquePointer?
        let result = git_note_commit_read(&note, raw, notesCommit, &id)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        if result < 0 { throw GitError.last(result, "read note on \(commit)") }
        defer { git_note_free(note) }
        return git_note_message(note).map { String(cString: $0) } ?? ""
    }

    /// A new notes commit on `parent` with the given notes set (parent's other notes kept). Moves no ref.
    private func createNotesCommit(parent: ObjectID?, setting notes: [(ObjectID, String)], signature: Signature) throws(GitError) -> ObjectID {
        var parentCommit: OpaquePointer?
        if let parent {
            var parentID = parent.raw
            try check(git_commit_lookup(&parentCommit, raw, &parentID), "look up notes commit \(parent)")
        }
        defer { git_commit_free(parentCommit) }
        let sig = try signature.make()
        defer { git_signature_free(sig) }
        var tip = parentCommit
        var created: [OpaquePointer?] = []
        defer { created.forEach { git_commit_free($0) } }
        var last = git_oid()
        for (annotated, text) in notes {
            var annotatedID = annotated.raw
            var blob = git_oid()
            try check(git_note_commit_create(&last, &blob, raw, tip, sig, sig, &annotatedID, text, 1),
                      "create note on \(annotated)")
            var next: OpaquePointer?
            try check(git_commit_lookup(&next, raw, &last), "look up new notes commit")
            created.append(next)
            tip = next
        }
        return ObjectID(last)
    }

    /// The union of two notes commits' trees, written flat (`<40 hex>` → blob), which git and libgit2 both read.
    private func mergedNotesTree(ours: ObjectID, theirs: ObjectID) throws(GitError) -> (ObjectID, Int) {
        var baseNotes: [ObjectID: ObjectID] = [:]
        var ourID = ours.raw, theirID = theirs.raw, baseID = git_oid()
        if git_merge_base(&baseID, raw, &ourID, &theirID) == 0 {
            for entry in try notes(ofNotesCommit: ObjectID(baseID)) { baseNotes[entry.commit] = entry.blob }
        }
        var merged: [ObjectID: ObjectID] = [:]
        for entry in try notes(ofNotesCommit: theirs) { merged[entry.commit] = entry.blob }
        var combined = 0
        for entry in try notes(ofNotesCommit: ours) {
            guard let theirBlob = merged[entry.commit], theirBlob != entry.blob else {
                merged[entry.commit] = entry.blob
                continue
            }
            let theirText = try readBlob(theirBlob, limit: Int.max)
            let ourText = try readBlob(entry.blob, limit: Int.max)
            let baseText = try baseNotes[entry.commit].map { (blob) throws(GitError) in try readBlob(blob, limit: Int.max) }
            merged[entry.commit] = try writeBlob(Self.mergeNote(base: baseText, theirs: theirText, ours: ourText))
            combined += 1
        }
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, raw, nil), "start notes tree")
        defer { git_treebuilder_free(builder) }
        for (annotated, blob) in merged {
            var blobID = blob.raw
            try check(git_treebuilder_insert(nil, builder, annotated.hex, &blobID, GIT_FILEMODE_BLOB),
                      "add note on \(annotated) to merged tree")
        }
        var tree = git_oid()
        try check(git_treebuilder_write(&tree, builder), "write merged notes tree")
        return (ObjectID(tree), combined)
    }

    /// Two versions of one note, merged three-way against the note in the notes commits' merge base:
    /// writers only append, so the result is the base, then what theirs appended, then what ours
    /// appended. When a side did not start from the base (a replaced note), both texts are kept whole,
    /// theirs first: no writer's text is ever lost.
    static func mergeNote(base: [UInt8]?, theirs: [UInt8], ours: [UInt8]) -> [UInt8] {
        let base = base ?? []
        func joined(_ parts: [ArraySlice<UInt8>]) -> [UInt8] {
            var result: [UInt8] = []
            for part in parts where !part.isEmpty {
                if let last = result.last, last != UInt8(ascii: "\n") { result.append(UInt8(ascii: "\n")) }
                result += part
            }
            return result
        }
        if theirs.starts(with: base) && ours.starts(with: base) {
            return joined([base[...], theirs[base.count...], ours[base.count...]])
        }
        return joined([theirs[...], ours[...]])
    }

    /// A short, growing, jittered pause between compare-and-swap attempts (at most ~20 ms).
    func backOff(_ attempt: Int) {
        let micros = UInt32(min(20_000, 200 * (1 << min(attempt, 6))))
        usleep(UInt32.random(in: micros / 2...micros))
    }
}
