import Foundation
import GitKit
import Planner

/// Reads what the reconciler recorded, as the remote has it: status notes (`status`, `history`) and the
/// applied commit. Works from any machine: it fetches the notes and state refs into the workdir's cache.
public struct StatusReader: Sendable {
    public let settings: ReconcileSettings
    /// Where the remote's notes are fetched to (outside refs/notes, so they never mix with unpushed ones).
    static let notesTrackingRef = Repository.remoteNotesRef(for: Repository.defaultNotesRef)

    public init(settings: ReconcileSettings) {
        self.settings = settings
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// No pass has recorded an applied state yet.
            case nothingApplied
        }
        public var kind: Kind
        public var description: String
    }

    /// Fetches branches, state and notes (one transfer), and returns the cache.
    func fetch() async throws -> Repository {
        try await settings.planning.fetch()
    }

    /// The status of `revision` (a commit, branch or ref of the cache; default: the last applied commit).
    public func status(of revision: String?) async throws -> (commit: String, status: ReconcileStatus?) {
        let repository = try await fetch()
        let commit: ObjectID
        if let revision {
            do {
                commit = try await repository.resolveCommit(ObjectID(hex: revision) != nil ? revision : Self.qualified(revision))
            } catch {
                commit = try await repository.resolveCommit(revision)
            }
        } else {
            let encoded = try await AppliedStateStore(repository: repository).encoded()
            let summary = try encoded.map { bytes in
                try AppliedStateCodec.summary(bytes) ?? (AppliedStateCodec.decode(bytes).commit, false, false)
            }
            guard let applied = summary?.commit, let id = ObjectID(hex: applied) else {
                throw Failure(kind: .nothingApplied, description: "nothing has been applied yet on \(settings.remote.url): run `innominatus reconcile` first")
            }
            commit = id
        }
        let note = try await repository.note(on: commit, ref: Self.notesTrackingRef)
        return (commit.hex, note.flatMap(StatusNote.lastStatus(in:)))
    }

    /// Every recorded pass, newest first (by start time), optionally only those that listed `app`.
    public func history(app: String?, limit: Int) async throws -> [ReconcileStatus] {
        let repository = try await fetch()
        var statuses: [ReconcileStatus] = []
        for entry in try await repository.annotatedCommits(ref: Self.notesTrackingRef) {
            let bytes = try await repository.readBlob(entry.blob, limit: 64 << 20)
            statuses += StatusNote.allStatuses(in: String(decoding: bytes, as: UTF8.self))
        }
        if let app { statuses = statuses.filter { $0.apps[app] != nil } }
        statuses.sort { ($0.startedAt, $0.commit) > ($1.startedAt, $1.commit) }
        return Array(statuses.prefix(limit))
    }

    /// A branch name is looked up among the fetched branches.
    static func qualified(_ revision: String) -> String {
        revision.hasPrefix("refs/") ? revision : "refs/remotes/origin/" + revision
    }
}
