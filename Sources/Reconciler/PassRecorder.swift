import GitKit
import Planner

/// The one writer of a pass's results: the status note on the head commit and the applied state, both
/// pushed to the remote with fetch → merge → non-forced push, so no other writer's note is lost.
struct PassRecorder {
    var repository: Repository
    var remote: Remote
    var key: StateKey

    /// - Returns: the applied state the remote holds after it, when one was written.
    @discardableResult
    func record(_ status: ReconcileStatus, state: AppliedState?) async throws -> AppliedState? {
        guard let head = ObjectID(hex: status.commit) else { throw ReconcileFailure("bad commit \(status.commit)") }
        // Build on the remote's notes as fetched at the start of the pass; races are merged by pushNotes.
        if let theirs = try await repository.reference(Repository.remoteNotesRef(for: Repository.defaultNotesRef)) {
            try await repository.mergeNotes(into: Repository.defaultNotesRef, from: theirs)
        }
        try await repository.writeNote(StatusNote.render(status, key: key), on: head, append: true)
        try await repository.pushNotes(to: remote)
        guard let state else { return nil }
        return try await AppliedStateStore(repository: repository).save(state, to: remote, key: key)
    }
}
