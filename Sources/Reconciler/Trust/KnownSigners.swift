import Planner
import Synchronization

/// What the tools said about each commit's signature, by commit id (bounded: cleared past 10,000).
final class KnownSigners: Sendable {
    private let entries = Mutex<[String: CommitSigner]>([:])

    subscript(commit: String) -> CommitSigner? {
        entries.withLock { $0[commit] }
    }

    func remember(_ signer: CommitSigner, of commit: String) {
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll() }
            entries[commit] = signer
        }
    }
}
