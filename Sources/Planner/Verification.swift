import Specs

/// The verdict of the trust stage on a head: what was checked, by whom it is signed, and, for a head
/// that may not be applied, the first commit and path that failed. It joins the plan and the head's note.
public struct Verification: Sendable, Hashable {
    public var mode: TrustPolicy.Mode
    /// How many commits were checked (head mode: the head; strict: the walk up to the applied commit or a seal).
    public var commits: Int
    /// The signer names found on the commits checked, sorted.
    public var signers: [String]
    /// The seal that ended a strict walk.
    public var seal: Seal?
    /// Why the head may not be applied; nil when it may.
    public var refusal: Refusal?
    /// A digest of the trust file and its keys (set by the reconciler): a refusal is not retried until the
    /// branch moves or this changes.
    public var trust: String?

    public struct Seal: Sendable, Hashable {
        public var commit: String
        public var reason: String

        public init(commit: String, reason: String) {
            self.commit = commit
            self.reason = reason
        }
    }

    public struct Refusal: Sendable, Hashable {
        public var commit: String
        /// The path the signer may not change ("" when the commit changes nothing but is not signed by a signer).
        public var path: String
        /// The rule that decided (`rules[0] (policies/**: platform-team)`), or "no rule matches the path".
        public var rule: String
        /// What was found: the signer names, "unknown key", "unsigned" or "invalid signature".
        public var signer: String
        /// The whole sentence, for people.
        public var reason: String

        public init(commit: String, path: String, rule: String, signer: String, reason: String) {
            self.commit = commit
            self.path = path
            self.rule = rule
            self.signer = signer
            self.reason = reason
        }
    }

    public init(mode: TrustPolicy.Mode, commits: Int, signers: [String], seal: Seal? = nil, refusal: Refusal? = nil,
                trust: String? = nil) {
        self.mode = mode
        self.commits = commits
        self.signers = signers
        self.seal = seal
        self.refusal = refusal
        self.trust = trust
    }

    public var passed: Bool { refusal == nil }

    /// One line for people: `verified (strict): 3 commits, signed by platform-team` or the refusal's reason.
    public var summary: String {
        if let refusal { return "refused by the trust file (\(mode.rawValue)): \(refusal.reason); nothing runs until the branch moves" }
        var text = "verified (\(mode.rawValue)): \(commits) commit\(commits == 1 ? "" : "s")"
        if !signers.isEmpty { text += ", signed by \(signers.joined(separator: ", "))" }
        if let seal { text += "; the walk ended at the seal \(seal.commit.prefix(12)) (\(seal.reason))" }
        return text
    }
}
