import Specs

/// The trust stage's decisions, pure (docs/ARCHITECTURE.md §9, trust; §11): which rule decides a path,
/// whether a commit's signer may change what it changed, the head check, and the strict walk with its
/// seals. What git and the signature tools found comes in as values (`CommitFacts`); the verifier that
/// gathers them is `Reconciler/Trust`.
public struct TrustCheck: Sendable {
    public let policy: TrustPolicy

    public init(policy: TrustPolicy) {
        self.policy = policy
    }

    /// The refusal of `commit` for the first of `paths` (in sorted order) that `signer` may not change, or
    /// nil when it may change them all. A commit that changes nothing still needs a signature by one of the
    /// trust file's signers when `requireSigner` is set (strict mode: every commit is signed).
    public func refusal(of commit: String, changing paths: [String], signer: CommitSigner,
                        requireSigner: Bool = false) -> Verification.Refusal? {
        let names = Set(signer.names)
        for path in paths.sorted() {
            guard let rule = policy.rule(for: path) else {
                return Verification.Refusal(
                    commit: commit, path: path, rule: "no rule matches the path", signer: signer.description,
                    reason: "commit \(commit.prefix(12)) changes \(path), which no rule of \(policy.file) matches, so nobody may "
                        + "change it; \(signer.clause)")
            }
            if names.isDisjoint(with: rule.signers) {
                let allowed = rule.signers.joined(separator: ", ")
                return Verification.Refusal(
                    commit: commit, path: path, rule: rule.description, signer: signer.description,
                    reason: "commit \(commit.prefix(12)) changes \(path), which \(rule.description) lets only \(allowed) sign; "
                        + signer.clause)
            }
        }
        if paths.isEmpty, requireSigner, names.isEmpty {
            return Verification.Refusal(
                commit: commit, path: "", rule: "every commit is signed (strict)", signer: signer.description,
                reason: "commit \(commit.prefix(12)) changes no file, but strict mode needs every commit signed by a signer of "
                    + "\(policy.file); \(signer.clause)")
        }
        return nil
    }

    /// Head mode: the head's signer must be allowed for every path changed since the applied commit (on a
    /// first pass, every path of the tree).
    public func head(_ commit: String, signer: CommitSigner, changedPaths: [String]) -> Verification {
        Verification(mode: .head, commits: 1, signers: signer.names,
                     refusal: refusal(of: commit, changing: changedPaths, signer: signer))
    }

    /// The verdict when the head is the applied commit: nothing new to check.
    public func unchanged() -> Verification {
        Verification(mode: policy.mode, commits: 0, signers: [])
    }
}
