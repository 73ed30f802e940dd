import GitKit
import Planner

/// Where the applied state lives: a blob in the remote, reached through `refs/innominatus/applied`,
/// a ref that shares no history with the branch — so a revert, a force-push to an unrelated commit or a
/// fresh machine given only the remote all plan against what really ran (ARCHITECTURE.md §4).
///
/// The ref points at a notes-style commit whose tree holds one blob, the note on the empty tree
/// (`AppliedStateStore.key`): GitKit's notes API already builds such commits with a compare-and-swap,
/// and a commit can be fetched and pushed like any ref. Each write adds one commit on top of the last.
public struct AppliedStateStore: Sendable {
    /// The ref in the remote (and the local ref a writer builds on).
    public static let ref = "refs/innominatus/applied"
    /// The fetched copy of the remote's ref, outside `refs/remotes/origin/*` so a branch prune never drops it.
    public static let trackingRef = "refs/innominatus/origin/applied"
    /// Fetches every `refs/innominatus/*` of the remote (today only `applied`) into `refs/innominatus/origin/*`;
    /// a glob, so a remote without the ref yet is not an error.
    public static let refspec = "+refs/innominatus/*:refs/innominatus/origin/*"
    /// The object the state is attached to: git's empty tree, present in every repository.
    public static let key = ObjectID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904")!
    /// A state larger than this is refused rather than read (10,000 apps take about 2.5 MB).
    public static let sizeLimit = 256 << 20

    /// Why the applied state could not be read or written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public let repository: Repository

    public init(repository: Repository) {
        self.repository = repository
    }

    /// The stored state as last fetched, checked against the state key.
    public enum Stored: Sendable {
        /// The remote has none: a first pass.
        case none
        /// Written by a reconciler holding `key`: the encoded state (without its authentication line).
        case authentic([UInt8])
        /// Unreadable, unauthenticated (forged, or written under another key), or not a state at all: to be
        /// ignored — every pair then plans as on a first pass, and nothing is pruned.
        case rejected(String)
    }

    public func stored(key: StateKey) async -> Stored {
        let bytes: [UInt8]?
        do { bytes = try await encoded() } catch { return .rejected("\(error)") }
        guard let bytes else { return .none }
        guard let body = AppliedStateCodec.authenticated(bytes, key: key) else {
            return .rejected("\(Self.ref) is not authenticated by the state key \(key.path) (forged, or written by a "
                + "reconciler with another --state-key)")
        }
        return .authentic(body)
    }

    /// The stored form as last fetched (`AppliedStateCodec`), nil when the remote has none: callers that
    /// only need `AppliedStateCodec.summary` skip decoding 30,000 pairs.
    public func encoded() async throws -> [UInt8]? {
        guard let tip = try await repository.reference(Self.trackingRef) else { return nil }
        guard let entry = try await repository.annotatedCommits(ref: Self.trackingRef).first(where: { $0.commit == Self.key })
        else {
            throw Failure(description: "\(Self.ref) (\(tip.hex)) holds no applied state; delete the ref to start afresh")
        }
        return try await repository.readBlob(entry.blob, limit: Self.sizeLimit)
    }

    /// Writes `state` on top of the fetched remote state and pushes it without forcing. Throws
    /// `GitError` with code `.nonFastForward` or `.rejected` when another writer moved the remote ref
    /// since the last fetch: fetch, plan again and retry (the Reconciler issue's loop).
    public func save(_ state: AppliedState, to remote: Remote, key: StateKey) async throws {
        let text = String(decoding: AppliedStateCodec.signed(AppliedStateCodec.encode(state), key: key), as: UTF8.self)
        let local = try await repository.reference(Self.ref)
        let fetched = try await repository.reference(Self.trackingRef)
        if local != fetched {
            if let fetched {
                try await repository.updateReference(Self.ref, to: fetched, expected: local,
                                                     message: "innominatus: applied state from the remote")
            } else {
                try await repository.deleteReference(Self.ref)
            }
        }
        let tip = try await repository.writeNote(text, on: Self.key, ref: Self.ref, append: false)
        try await repository.push(["\(Self.ref):\(Self.ref)"], to: remote)
        try await repository.updateReference(Self.trackingRef, to: tip, expected: fetched,
                                             message: "innominatus: applied state pushed")
    }
}
