import GitKit
import Planner
import Specs

/// The trust stage of a pass, after fetch and before load (docs/ARCHITECTURE.md §11): gathers from git
/// (GitKit) and the signature tools (`SignatureVerifier`) what `TrustCheck` and `StrictWalk` decide on.
/// Throws only when git or a tool cannot be used (the pass then could not start, and is tried again); a
/// head that may not be applied is a `Verification` with a refusal.
struct TrustStage {
    let settings: TrustSettings
    /// `<workdir>/trust`: the allowed-signers file, keyrings, signatures being checked.
    let folder: String

    func verify(head: ObjectID, applied: ObjectID?, in repository: Repository) async throws -> Verification {
        let check = TrustCheck(policy: settings.policy)
        var verification: Verification
        if head == applied {
            verification = check.unchanged()
        } else {
            let verifier = try SignatureVerifier(settings: settings, folder: folder)
            switch settings.policy.mode {
            case .none:
                verification = check.unchanged()
            case .head:
                let changed = try await changedPaths(from: applied, to: head, in: repository)
                let found = try await signer(of: head, verifier: verifier, in: repository)
                verification = check.head(head.hex, signer: found, changedPaths: changed)
            case .strict:
                let range = try await repository.commits(from: head, hiding: applied)
                let byHex = Dictionary(range.map { ($0.hex, $0) }, uniquingKeysWith: { first, _ in first })
                var walk = StrictWalk(check: check, range: range.map(\.hex))
                while let next = walk.next() {
                    guard let commit = byHex[next] else { throw ReconcileFailure("the strict walk named \(next), which it was not given") }
                    let parents = try await repository.parents(of: commit)
                    let changed = try await repository.changedPaths(from: parents.first, to: commit).map(\.path)
                    let found = try await signer(of: commit, verifier: verifier, in: repository)
                    let seal = TrustPolicy.sealReason(inMessage: try await repository.commitMessage(commit))
                    var vouched: [String]?
                    if seal != nil { vouched = try await changedPaths(from: applied, to: commit, in: repository) }
                    walk.record(CommitFacts(commit: next, parents: parents.map(\.hex), changedPaths: changed, signer: found,
                                            sealReason: seal, sealRangePaths: vouched))
                }
                guard let verdict = walk.verification else { throw ReconcileFailure("the strict walk ended without a verdict") }
                verification = verdict
            }
        }
        verification.trust = settings.digest
        return verification
    }

    /// Who signed `commit`, asked of the tools once per process.
    private func signer(of commit: ObjectID, verifier: SignatureVerifier, in repository: Repository) async throws -> CommitSigner {
        if let known = settings.known[commit.hex] { return known }
        let signer = try await verifier.signer(of: try await repository.signature(of: commit), commit: commit.hex)
        settings.known.remember(signer, of: commit.hex)
        return signer
    }

    /// Paths changed from `old` to `new`; from nothing (every path of `new`) on a first pass or when the
    /// cache lacks `old` (history rewritten and collected).
    private func changedPaths(from old: ObjectID?, to new: ObjectID, in repository: Repository) async throws -> [String] {
        if let old, let changes = try? await repository.changedPaths(from: old, to: new) { return changes.map(\.path) }
        return try await repository.changedPaths(from: nil, to: new).map(\.path)
    }
}
