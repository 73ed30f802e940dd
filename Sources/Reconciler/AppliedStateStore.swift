import GitKit
import Planner

/// Where the applied state lives: a blob in the remote, reached through `refs/innominatus/applied`,
/// a ref that shares no history with the branch — so a revert, a force-push to an unrelated commit or a
/// fresh machine given only the remote all plan against what really ran (docs/ARCHITECTURE.md §4).
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

    /// - Parameter blob: the blob to read, as `blobID()` gave it earlier (a concurrent fetch may have moved
    ///   the ref since); by default the one the ref holds now.
    public func stored(key: StateKey, blob: ObjectID?? = nil) async -> Stored {
        let bytes: [UInt8]?
        do {
            if let blob {
                if let blob { bytes = try await repository.readBlob(blob, limit: Self.sizeLimit) } else { bytes = nil }
            } else {
                bytes = try await encoded()
            }
        } catch { return .rejected("\(error)") }
        guard let bytes else { return .none }
        guard let body = AppliedStateCodec.authenticated(bytes, key: key) else {
            return .rejected("\(Self.ref) is not authenticated by the state key \(key.path) (forged, or written by a "
                + "reconciler with another --state-key)")
        }
        return .authentic(body)
    }

    /// The id of the blob holding the state as last fetched, nil when the remote has none: equal ids are
    /// equal states, which lets an incremental plan skip reading it (docs/ARCHITECTURE.md §18).
    public func blobID() async throws -> ObjectID? {
        guard let tip = try await repository.reference(Self.trackingRef) else { return nil }
        guard let entry = try await repository.annotatedCommits(ref: Self.trackingRef).first(where: { $0.commit == Self.key })
        else {
            throw Failure(description: "\(Self.ref) (\(tip.hex)) holds no applied state; delete the ref to start afresh")
        }
        return entry.blob
    }

    /// The stored form as last fetched (`AppliedStateCodec`), nil when the remote has none: callers that
    /// only need `AppliedStateCodec.summary` skip decoding 30,000 pairs.
    public func encoded() async throws -> [UInt8]? {
        guard let blob = try await blobID() else { return nil }
        return try await repository.readBlob(blob, limit: Self.sizeLimit)
    }

    /// Writes `state` on top of the remote state and pushes it without forcing (`Repository.publish`).
    ///
    /// `state` was computed from the state as last fetched (the base). When the remote ref moved since
    /// (another writer pushed between our fetch and our push), the publish fetches again and rebuilds our
    /// state on theirs (`AppliedState.merging`: what each side changed from the base), so neither write is
    /// lost. Throws `GitError` with code `.rejected` when that cannot be done — both changed the same pair
    /// or pass fields, or their state is not authentic: fetch, plan again and retry — and `.contended`
    /// when the ref kept moving for every attempt (docs/ARCHITECTURE.md §4).
    /// - Returns: the state the remote now holds (ours, or ours merged with another writer's), which a
    ///   long-running loop keeps instead of decoding it again (`DesiredStateLoader.appliedCache`).
    @discardableResult
    public func save(_ state: AppliedState, to remote: Remote, key: StateKey, attempts: Int = 5) async throws -> AppliedState {
        /// What the last attempt of the publish wrote (it may build on another writer's state and retry).
        final class Written: @unchecked Sendable { var state: AppliedState? }
        let written = Written()
        let base = try await repository.reference(Self.trackingRef)
        // Decoded only if another writer moved the ref: 30,000 pairs cost 40 ms, for a merge that rarely happens.
        let baseStored = await stored(key: key)
        func baseState() -> AppliedState? {
            switch baseStored {
            case .none: return .empty
            case .authentic(let body): return try? AppliedStateCodec.decode(body)
            case .rejected: return nil  // a state we ignored: only a remote that did not move is overwritten
            }
        }
        let operation = "save the applied state (\(Self.ref))"
        let pushed = try await repository.publish(Self.ref, to: remote, tracking: Self.trackingRef, attempts: attempts) {
            tip throws(GitError) in
            // The publish has just fetched `tip` into `trackingRef`, so `stored(key:)` reads their state.
            var next = state
            if tip != base {
                guard let baseState = baseState() else {
                    throw GitError(.rejected, operation: operation, message: "another writer moved \(Self.ref) since this "
                        + "pass fetched it, and the state this pass planned on was not authentic: fetch and plan again")
                }
                let theirs: AppliedState
                switch await stored(key: key) {
                case .none: theirs = .empty
                case .authentic(let body):
                    do { theirs = try AppliedStateCodec.decode(body) } catch {
                        throw GitError(.rejected, operation: operation, message: "another writer moved \(Self.ref) to a "
                            + "state this version cannot read (\(error)): fetch and plan again")
                    }
                case .rejected(let why):
                    throw GitError(.rejected, operation: operation, message: "another writer moved \(Self.ref) to a state "
                        + "that is not authentic (\(why)): nothing was written")
                }
                guard let merged = AppliedState.merging(state, base: baseState, theirs: theirs) else {
                    throw GitError(.rejected, operation: operation, message: "another writer moved \(Self.ref) since this "
                        + "pass fetched it and recorded other outcomes for the same pairs or pass: fetch and plan again")
                }
                if merged == theirs {
                    written.state = theirs
                    return tip
                }
                next = merged
            }
            written.state = next
            let text = String(decoding: AppliedStateCodec.signed(AppliedStateCodec.encode(next), key: key), as: UTF8.self)
            return try await repository.notesCommit(on: tip, note: text, on: Self.key)
        }
        // The next reads (`stored`, `encoded`) see what we pushed, as if fetched.
        let fetched = try await repository.reference(Self.trackingRef)
        if let pushed, pushed != fetched {
            try await repository.updateReference(Self.trackingRef, to: pushed, expected: fetched,
                                                 message: "innominatus: applied state pushed")
        }
        return written.state ?? state
    }
}
