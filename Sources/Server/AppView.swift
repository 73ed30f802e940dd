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
        /// In backoff after a failure (status result `waiting`); only when true.
        var waiting: Bool?
        /// Skipped because an earlier pair of the app is not succeeded (docs/ARCHITECTURE.md §3, gates); only when true.
        var gated: Bool?
        /// False when no workflow of the tier concerns the app; only when false.
        var applies: Bool?
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
        // Positions, not copies: at 10,000 apps, copying every plan item into a dictionary cost more
        // than the rest of the views together.
        var items: [PairKey: Int] = [:]
        items.reserveCapacity(outcome.plan.items.count)
        for index in outcome.plan.items.indices {
            let key = outcome.plan.items[index].key
            if items[key] == nil { items[key] = index }
        }
        return names.sorted().map { view(of: $0, outcome, items: items) }
    }

    /// `items`: the positions of the plan's items by pair, when the caller has them (a lookup per pair is
    /// linear). Fields are read in place, never copying a whole item, record or app.
    static func view(of name: String, _ outcome: PlanningPass.Outcome, items: [PairKey: Int]? = nil) -> AppView {
        let plan = outcome.plan.items
        let pairs = outcome.applied.pairs
        var tiers: [String: TierView] = [:]
        for tier in Tier.allCases {
            let key = PairKey(app: name, tier: tier)
            let record = pairs.index(forKey: key)
            let item = items.map { $0[key] } ?? plan.firstIndex { $0.app == name && $0.tier == tier }
            guard record != nil || item != nil else { continue }
            var view = TierView()
            if let record {
                view.lastResult = pairs.values[record].result.rawValue
                view.fingerprint = pairs.values[record].fingerprint?.digest
                view.attempts = pairs.values[record].attempts
                view.dirty = pairs.values[record].dirty
                view.lastAttemptMs = pairs.values[record].lastAttempt?.millisecondsSinceEpoch
            }
            if let item {
                view.next = plan[item].action.rawValue
                view.reason = plan[item].reason
                view.workflows = plan[item].workflows
                view.blocked = plan[item].blocked.isEmpty ? nil : plan[item].blocked
                view.waiting = plan[item].waiting ? true : nil
                view.gated = plan[item].gated ? true : nil
                view.applies = plan[item].applies ? nil : false
            }
            tiers[tier.rawValue] = view
        }
        let desired = outcome.desired.apps.index(forKey: name)
        let applied = outcome.applied.apps.index(forKey: name)
        let product = desired.flatMap { outcome.desired.apps.values[$0].product } ?? applied.flatMap { outcome.applied.apps.values[$0].product }
        let suspended = desired.map { outcome.desired.apps.values[$0].suspended } ?? applied.map { outcome.applied.apps.values[$0].suspended }
        return AppView(name: name, product: product, suspended: suspended ?? false,
                       errors: desired.map { outcome.desired.apps.values[$0].errors.map(\.description) } ?? [], present: desired != nil, tiers: tiers,
                       lastRuns: nil)
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
