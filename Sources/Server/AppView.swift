import Planner
import Reconciler
import Specs

/// An app as `GET /api/v1/apps` shows it: per tier, the applied state (last result, fingerprint,
/// attempts) and what the next pass would do; `GET /api/v1/apps/{name}` adds its last runs.
struct AppView: Codable, Sendable {
    struct TierView: Codable, Sendable {
        /// From the applied state; nil when the pair never ran.
        var lastResult: String?
        var fingerprint: String?
        var attempts: Int?
        var dirty: Bool?
        /// Milliseconds since the epoch of the last attempt.
        var lastAttemptMs: Int64?
        /// What the next pass would do, and why.
        var next: String?
        var reason: String?
        var workflows: [String]?
        var blocked: [BlockedWorkflow]?
    }

    /// One recorded pass that listed the app.
    struct Run: Codable, Sendable {
        var commit: String
        var result: String
        var startedAt: String
        var finishedAt: String
        var tiers: [String: TierStatus]
    }

    var name: String
    var product: String?
    var suspended: Bool
    /// Errors of the app's files (file:line:column), if any.
    var errors: [String]
    /// Whether its Score file is still on the branch (false: it will be pruned, or was).
    var present: Bool
    var tiers: [String: TierView]
    var lastRuns: [Run]?

    /// Every app of the head or of the applied state, sorted by name.
    static func all(_ outcome: PlanningPass.Outcome) -> [AppView] {
        let names = Set(outcome.desired.apps.keys).union(outcome.applied.apps.keys)
        let items = Dictionary(outcome.plan.items.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return names.sorted().map { view(of: $0, outcome, items: items) }
    }

    /// `items`: the plan's items by pair, when the caller has them (a lookup per pair is linear).
    static func view(of name: String, _ outcome: PlanningPass.Outcome, items: [PairKey: PlanItem]? = nil) -> AppView {
        let desired = outcome.desired.apps[name]
        let applied = outcome.applied.apps[name]
        var tiers: [String: TierView] = [:]
        for tier in Tier.allCases {
            let record = outcome.applied.pairs[PairKey(app: name, tier: tier)]
            let item = items.map { $0[PairKey(app: name, tier: tier)] } ?? outcome.plan.item(name, tier)
            guard record != nil || item != nil else { continue }
            tiers[tier.rawValue] = TierView(
                lastResult: record?.result.rawValue, fingerprint: record?.fingerprint?.digest, attempts: record?.attempts,
                dirty: record?.dirty, lastAttemptMs: record?.lastAttempt?.millisecondsSinceEpoch,
                next: item?.action.rawValue, reason: item?.reason, workflows: item?.workflows,
                blocked: (item?.blocked.isEmpty ?? true) ? nil : item?.blocked)
        }
        return AppView(name: name, product: desired?.product ?? applied?.product,
                       suspended: desired?.suspended ?? applied?.suspended ?? false, errors: desired?.errors.map(\.description) ?? [],
                       present: desired != nil, tiers: tiers, lastRuns: nil)
    }

    static func runs(of app: String, in statuses: [ReconcileStatus]) -> [Run] {
        statuses.compactMap { status in
            guard let entry = status.apps[app] else { return nil }
            return Run(commit: status.commit, result: status.result.rawValue, startedAt: status.startedAt,
                       finishedAt: status.finishedAt,
                       tiers: Dictionary(uniqueKeysWithValues: entry.tiers.map { ($0.key.rawValue, $0.value) }))
        }
    }
}
