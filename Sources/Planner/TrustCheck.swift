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

/// What the verifier found about one commit of a strict walk.
public struct CommitFacts: Sendable, Hashable {
    public var commit: String
    public var parents: [String]
    /// The paths it changes against its first parent (a root commit: every path of its tree).
    public var changedPaths: [String]
    public var signer: CommitSigner
    /// The reason of its `Innominatus-Seal:` trailer, when it has one.
    public var sealReason: String?
    /// For a seal: the paths changed from the applied commit (nothing on a first pass) to the seal, which
    /// its signer vouches for.
    public var sealRangePaths: [String]?

    public init(commit: String, parents: [String], changedPaths: [String], signer: CommitSigner,
                sealReason: String? = nil, sealRangePaths: [String]? = nil) {
        self.commit = commit
        self.parents = parents
        self.changedPaths = changedPaths
        self.signer = signer
        self.sealReason = sealReason
        self.sealRangePaths = sealRangePaths
    }
}

/// Strict mode as a walk the verifier drives: `next()` names the commit whose facts are needed, `record`
/// decides on them, until `verification` is set. Every commit of `applied..head` reachable from the head
/// without passing through a valid seal is checked (merges included, each for the paths it changes
/// against its first parent); the newest commit that fails refuses the head, so a later signed commit
/// never launders an earlier bad one. A seal is a commit with the `Innominatus-Seal:` trailer signed by a
/// signer allowed for everything it and the range up to it change: its ancestors are not checked.
public struct StrictWalk: Sendable {
    let check: TrustCheck
    /// `applied..head`, children before parents (the head first).
    let range: [String]
    private let inRange: Set<String>
    private var wanted: Set<String>
    private var cursor = 0
    private var checked = 0
    private var signers: Set<String> = []
    private var seal: Verification.Seal?
    /// Set when the walk is over.
    public private(set) var verification: Verification?

    /// - Parameter range: the commits of `applied..head` in topological order, children first (the head
    ///   first); on a first pass every commit of the head's history.
    public init(check: TrustCheck, range: [String]) {
        self.check = check
        self.range = range
        inRange = Set(range)
        wanted = range.first.map { [$0] } ?? []
    }

    /// The next commit to gather facts about, or nil when the walk is over (`verification` is then set).
    public mutating func next() -> String? {
        guard verification == nil else { return nil }
        while cursor < range.count {
            if wanted.contains(range[cursor]) { return range[cursor] }
            cursor += 1
        }
        verification = Verification(mode: .strict, commits: checked, signers: signers.sorted(), seal: seal)
        return nil
    }

    /// Decides on the commit `next()` named.
    public mutating func record(_ facts: CommitFacts) {
        guard verification == nil, cursor < range.count, range[cursor] == facts.commit else { return }
        cursor += 1
        checked += 1
        signers.formUnion(facts.signer.names)
        if let refusal = check.refusal(of: facts.commit, changing: facts.changedPaths, signer: facts.signer, requireSigner: true) {
            verification = Verification(mode: .strict, commits: checked, signers: signers.sorted(), seal: seal, refusal: refusal)
            return
        }
        if let reason = facts.sealReason, let vouched = facts.sealRangePaths,
           check.refusal(of: facts.commit, changing: Array(Set(vouched + facts.changedPaths)), signer: facts.signer) == nil {
            if seal == nil { seal = Verification.Seal(commit: facts.commit, reason: reason) }
            return  // its ancestors are vouched for by the seal
        }
        for parent in facts.parents where inRange.contains(parent) { wanted.insert(parent) }
    }
}
