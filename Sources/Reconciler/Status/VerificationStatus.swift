import Planner
import Specs

/// The `verification` section of a status note (an addition to docs/ARCHITECTURE.md §7): the trust
/// stage's verdict on the head. A head that passed: `{mode, result: verified, commits, signers}` (and the
/// seal that ended a strict walk); a refused one also names the commit, the path, the rule and the
/// signer found (signer names, "unknown key", "unsigned" or "invalid signature"), and why in words.
public struct VerificationStatus: Codable, Sendable, Equatable {
    public enum Result: String, Codable, Sendable {
        case verified, refused
    }

    public var mode: String
    public var result: Result
    public var commits: Int
    public var signers: [String]
    public var seal: SealStatus?
    public var commit: String?
    public var path: String?
    public var rule: String?
    public var signer: String?
    public var reason: String?
    /// The digest of the trust file and its keys the verdict was made with.
    public var trust: String?

    public struct SealStatus: Codable, Sendable, Equatable {
        public var commit: String
        public var reason: String
    }

    public init(_ verification: Verification) {
        mode = verification.mode.rawValue
        result = verification.passed ? .verified : .refused
        commits = verification.commits
        signers = verification.signers
        seal = verification.seal.map { SealStatus(commit: $0.commit, reason: $0.reason) }
        commit = verification.refusal?.commit
        path = verification.refusal?.path
        rule = verification.refusal?.rule
        signer = verification.refusal?.signer
        reason = verification.refusal?.reason
        trust = verification.trust
    }

    init(mode: String, result: Result, commits: Int, signers: [String], seal: SealStatus?, commit: String?, path: String?,
         rule: String?, signer: String?, reason: String?, trust: String?) {
        self.mode = mode
        self.result = result
        self.commits = commits
        self.signers = signers
        self.seal = seal
        self.commit = commit
        self.path = path
        self.rule = rule
        self.signer = signer
        self.reason = reason
        self.trust = trust
    }

    /// The verdict again, as the planner's value (nil when the mode is unknown to this reader).
    public var verification: Verification? {
        guard let mode = TrustPolicy.Mode(rawValue: mode) else { return nil }
        var refusal: Verification.Refusal?
        if result == .refused {
            refusal = Verification.Refusal(commit: commit ?? "", path: path ?? "", rule: rule ?? "", signer: signer ?? "",
                                           reason: reason ?? "refused by the trust file")
        }
        return Verification(mode: mode, commits: commits, signers: signers,
                            seal: seal.map { Verification.Seal(commit: $0.commit, reason: $0.reason) }, refusal: refusal, trust: trust)
    }
}
