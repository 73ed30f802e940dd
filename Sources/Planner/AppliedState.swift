import Specs

/// What was applied, per (app, tier) pair, as the reconciler recorded it after its last pass
/// (docs/ARCHITECTURE.md §4). It is found through a ref independent of the branch's ancestry, so a revert or
/// a force-push still plans against what really ran.
public struct AppliedState: Sendable, Hashable {
    /// The commit of the last pass, or nil before the first one.
    public var commit: String?
    public var pairs: [PairKey: PairRecord]
    /// Per app, the Score facts of the Score blob last seen, so that an unchanged Score is never parsed again.
    public var apps: [String: AppliedApp]
    /// The pass at `commit` completed and every pair it planned to run or prune has an outcome: only then
    /// may a later pass at the same commit stop without planning (docs/ARCHITECTURE.md §3: a pass that does not
    /// complete records nothing as succeeded, and hides nothing that must still run).
    public var settled: Bool

    public init(commit: String? = nil, pairs: [PairKey: PairRecord] = [:], apps: [String: AppliedApp] = [:],
                settled: Bool = false) {
        self.commit = commit
        self.pairs = pairs
        self.apps = apps
        self.settled = settled
    }

    public static let empty = AppliedState()
}

/// An (app, tier) pair: the unit the planner decides on.
public struct PairKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var app: String
    public var tier: Tier

    public init(app: String, tier: Tier) {
        self.app = app
        self.tier = tier
    }

    public static func < (lhs: PairKey, rhs: PairKey) -> Bool {
        if lhs.app != rhs.app { return lhs.app < rhs.app }
        return lhs.tier.order < rhs.tier.order
    }

    public var description: String { "\(app)/\(tier.rawValue)" }
}

/// How the last attempt of a pair ended.
public enum PairResult: String, Sendable, Hashable, CaseIterable {
    case succeeded
    case failed
    /// The process died or was cancelled mid-run: the pair may be half-applied.
    case interrupted
    /// Some of its workflows ran, later ones did not (a workflow of another tier failed between them):
    /// the pair may be half-applied, and runs again without counting as a failed attempt.
    case incomplete
}

/// The record of one pair.
public struct PairRecord: Sendable, Hashable {
    /// The fingerprint of the last successful run; nil when it never succeeded.
    public var fingerprint: Fingerprint?
    public var result: PairResult
    /// Consecutive failed attempts with the same fingerprint (0 after a success).
    public var attempts: Int
    /// The last attempt failed or was interrupted: the pair runs again even when nothing changed.
    public var dirty: Bool
    public var lastAttempt: Timestamp?
    /// The digest of the fingerprint of the last attempt, to tell "inputs changed since it failed".
    public var attemptedDigest: String?
    /// The workflow whose failure ended the last attempt, named by the gates of the app's later pairs.
    public var failedWorkflow: String?

    public init(fingerprint: Fingerprint?, result: PairResult, attempts: Int = 0, dirty: Bool = false,
                lastAttempt: Timestamp? = nil, attemptedDigest: String? = nil, failedWorkflow: String? = nil) {
        self.fingerprint = fingerprint
        self.result = result
        self.attempts = attempts
        self.dirty = dirty
        self.lastAttempt = lastAttempt
        self.attemptedDigest = attemptedDigest
        self.failedWorkflow = failedWorkflow
    }
}

/// The Score facts of an app at its last seen Score blob.
public struct AppliedApp: Sendable, Hashable {
    public var scoreID: String
    public var product: String?
    public var suspended: Bool
    /// The Score's resources; nil when not recorded (a state written before resources were kept), which
    /// makes the loader read the Score again.
    public var resources: [ResourceRef]?

    public init(scoreID: String, product: String?, suspended: Bool, resources: [ResourceRef]? = nil) {
        self.scoreID = scoreID
        self.product = product
        self.suspended = suspended
        self.resources = resources
    }
}
