import Specs

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
