import Foundation
import GitKit
import Planner

/// Reads what the reconciler recorded, as the remote has it: status notes (`status`, `history`) and the
/// applied commit. Works from any machine: it fetches the notes and state refs into the workdir's cache.
public struct StatusReader: Sendable {
    public let settings: ReconcileSettings
    /// Where the remote's notes are fetched to (outside refs/notes, so they never mix with unpushed ones).
    public static let notesTrackingRef = Repository.remoteNotesRef(for: Repository.defaultNotesRef)

    public init(settings: ReconcileSettings) {
        self.settings = settings
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// No pass has recorded an applied state yet.
            case nothingApplied
            /// The revision asked for names no commit of the platform repository.
            case noSuchCommit
        }
        public var kind: Kind
        public var description: String
    }

    /// The state key when this machine has it (`--state-key`, or the workdir's): then only the documents the
    /// reconciler signed are read as passes. Without one, every `ReconcileStatus` is (reading makes no key).
    var signingKey: StateKey? {
        let path = settings.stateKeyFile ?? settings.workdir + "/" + StateKey.defaultName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? StateKey.load(file: path, workdir: settings.workdir)
    }

    /// Fetches branches, state and notes (one transfer), and returns the cache.
    func fetch() async throws -> Repository {
        try await settings.planning.fetch()
    }

    /// The status of `revision` (a commit, branch or ref of the cache; default: the last applied commit).
    /// - Parameter fetched: the cache a caller fetched just now; nil fetches here.
    public func status(of revision: String?, fetched: Repository? = nil) async throws -> (commit: String, status: ReconcileStatus?) {
        let (commit, note) = try await note(of: revision, fetched: fetched)
        let key = signingKey
        return (commit, note.flatMap { StatusNote.lastStatus(in: $0, key: key) })
    }

    /// Every `ReconcileStatus` in the note of `revision`, oldest first: one per pass that recorded this
    /// commit (a retried or forced pass on the same head adds one). The last is what `status(of:)` answers.
    public func statuses(of revision: String?) async throws -> (commit: String, statuses: [ReconcileStatus]) {
        let (commit, note) = try await note(of: revision)
        let key = signingKey
        return (commit, note.map { StatusNote.allStatuses(in: $0, key: key) } ?? [])
    }

    /// The commit `revision` names and the text of its note, fetched from the remote.
    private func note(of revision: String?, fetched: Repository? = nil) async throws -> (commit: String, note: String?) {
        let repository: Repository
        if let fetched { repository = fetched } else { repository = try await fetch() }
        let commit: ObjectID
        if let revision {
            commit = try await Self.resolve(revision, in: repository)
        } else {
            let encoded = try await AppliedStateStore(repository: repository).encoded()
            let summary = try encoded.map { bytes in
                try AppliedStateCodec.summary(bytes) ?? (AppliedStateCodec.decode(bytes).commit, false, false)
            }
            guard let applied = summary?.commit, let id = ObjectID(hex: applied) else {
                throw Failure(kind: .nothingApplied, description: "nothing has been applied yet on \(RemoteURL.redacted(settings.remote.url)): run `innominatus reconcile` first")
            }
            commit = id
        }
        return (commit.hex, try await repository.note(on: commit, ref: Self.notesTrackingRef))
    }

    /// A commit id (full or abbreviated), or a branch or ref of the remote. A revision that names nothing,
    /// or names something that is not a commit, is a `noSuchCommit` failure in words, not libgit2's.
    static func resolve(_ revision: String, in repository: Repository) async throws -> ObjectID {
        let first = ObjectID(hex: revision) != nil ? revision : qualified(revision)
        if let found = try? await repository.resolveCommit(first) { return found }
        do {
            return try await repository.resolveCommit(revision)
        } catch {
            // A typed throw (GitError): libgit2 says ENOTFOUND, or EINVALIDSPEC for a tree or a bad spec.
            if error.code == .notFound || error.code == .invalid {
                throw Failure(kind: .noSuchCommit, description: "no commit \(revision) in the platform repository")
            }
            throw error
        }
    }

    /// Every recorded pass, newest first (by start time), optionally only those that listed `app`.
    /// - Parameter fetched: the cache a caller fetched just now; nil fetches here.
    public func history(app: String?, limit: Int, fetched: Repository? = nil) async throws -> [ReconcileStatus] {
        let repository: Repository
        if let fetched { repository = fetched } else { repository = try await fetch() }
        var statuses: [ReconcileStatus] = []
        for entry in try await repository.annotatedCommits(ref: Self.notesTrackingRef) {
            let bytes = try await repository.readBlob(entry.blob, limit: 64 << 20)
            statuses += StatusNote.allStatuses(in: String(decoding: bytes, as: UTF8.self), key: signingKey)
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
