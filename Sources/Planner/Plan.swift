import Specs

/// The planner's answer for one commit: an action per (app, tier) pair, each with a human reason.
/// Its JSON form is the fixed contract of docs/ARCHITECTURE.md §7.
public struct Plan: Sendable, Hashable {
    public var commit: String
    public var appliedCommit: String?
    /// Sorted by app, then tier order.
    public var items: [PlanItem]
    /// Errors that fail the whole pass closed (an invalid admin config): when present, nothing runs.
    public var errors: [String]
    /// The trust stage's verdict on the commit (`--trust`), nil without a trust file. A refused commit is
    /// not loaded or planned: the plan has no items (docs/ARCHITECTURE.md §11, trust).
    public var verification: Verification?

    public init(commit: String, appliedCommit: String?, items: [PlanItem], errors: [String] = [],
                verification: Verification? = nil) {
        self.commit = commit
        self.appliedCommit = appliedCommit
        self.items = items
        self.errors = errors
        self.verification = verification
    }

    /// Whether a pass over this plan has anything to execute: some pair runs or is pruned, the admin
    /// config is valid (an invalid one runs nothing) and the trust file does not refuse the commit.
    public var runsAnything: Bool {
        errors.isEmpty && verification?.refusal == nil && items.contains { $0.action == .run || $0.action == .prune }
    }

    /// The item of one pair, if planned.
    public func item(_ app: String, _ tier: Tier) -> PlanItem? {
        items.first { $0.app == app && $0.tier == tier }
    }

    /// Counts per action, for the summary line.
    public var counts: [PlanItem.Action: Int] {
        var counts: [PlanItem.Action: Int] = [:]
        for index in items.indices { counts[items[index].action, default: 0] += 1 }
        return counts
    }
}

/// What to do with one (app, tier) pair, and why.
public struct PlanItem: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case run
        case skip
        case blocked
        case prune
        case error
        case stalled
        case suspended
    }

    public var app: String
    public var tier: Tier
    public var action: Action
    /// A sentence naming what changed or why nothing runs.
    public var reason: String
    /// Full names of the workflows concerned (`security-scan`, `ecommerce/deploy`), in phase order.
    public var workflows: [String]
    /// Workflows of the tier that may not run, each with its reason; reported on every pass until fixed.
    public var blocked: [BlockedWorkflow]
    /// The pair's fingerprint at this commit (what a success records); nil for prune, error and blocked pairs.
    public var fingerprint: Fingerprint?
    /// The pair waits in backoff: skipped now, retried later (status result `waiting`).
    public var waiting: Bool
    /// The pair would run, but an earlier pair of the app is not succeeded for its current inputs
    /// (docs/ARCHITECTURE.md §3, gates): skipped, status result `not-run`, the reason names the gate.
    public var gated: Bool
    /// False when no workflow of the tier concerns the app (no product, no workflows): a skip that is
    /// neither listed nor counted as unchanged.
    public var applies: Bool

    public init(app: String, tier: Tier, action: Action, reason: String, workflows: [String] = [],
                blocked: [BlockedWorkflow] = [], fingerprint: Fingerprint? = nil, waiting: Bool = false,
                gated: Bool = false, applies: Bool = true) {
        self.app = app
        self.tier = tier
        self.action = action
        self.reason = reason
        self.workflows = workflows
        self.blocked = blocked
        self.fingerprint = fingerprint
        self.waiting = waiting
        self.gated = gated
        self.applies = applies
    }

    /// Skipped because nothing changed since its last success: counted, not listed, in notes and plans.
    @inlinable public var isUnchanged: Bool { action == .skip && applies && !waiting && !gated && blocked.isEmpty }

    public var key: PairKey { PairKey(app: app, tier: tier) }
}

/// A workflow that may not run, and the policy (or file error) that says so.
public struct BlockedWorkflow: Sendable, Hashable, Codable {
    public var workflow: String
    public var reason: String

    public init(workflow: String, reason: String) {
        self.workflow = workflow
        self.reason = reason
    }
}
