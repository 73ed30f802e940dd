import Specs

/// The decision for the pairs of one app: fingerprint, then the run rules of ARCHITECTURE.md §3 in
/// order — dirty (retry, backoff, stalled), never applied, fingerprint moved, unchanged.
struct PairDecision {
    let app: DesiredApp
    let applied: AppliedState
    let config: AdminConfig
    let now: Timestamp
    let forced: Set<PairKey>

    init(app: DesiredApp, applied: AppliedState, config: AdminConfig, now: Timestamp, forced: Set<PairKey> = []) {
        self.app = app
        self.applied = applied
        self.config = config
        self.now = now
        self.forced = forced
    }

    mutating func decide(_ tier: Tier, _ workflows: Planner.TierWorkflows, emptyReason: String? = nil) -> PlanItem {
        let key = PairKey(app: app.name, tier: tier)
        let record = applied.pairs[key]
        let label = "\(tier.rawValue) tier"
        let neverApplied = record?.fingerprint == nil
        let blocked = workflows.blocked
        let names = neverApplied ? workflows.firstNames : workflows.steadyNames
        guard !names.isEmpty else {
            if !blocked.isEmpty {
                let why = blocked.map { "\($0.workflow): \($0.reason)" }.joined(separator: "; ")
                return PlanItem(app: app.name, tier: tier, action: .blocked,
                                reason: "\(label): no workflow may run: \(why)", blocked: blocked)
            }
            return PlanItem(app: app.name, tier: tier, action: .skip,
                            reason: "\(label): \(emptyReason ?? "no workflows apply")")
        }
        let fingerprint = Fingerprint(shared: workflows.steadyComponents, partial: workflows.partialDigest,
                                      scorePath: app.scorePath, scoreID: app.scoreID)
        func item(_ action: PlanItem.Action, _ reason: String, waiting: Bool = false, full: Bool = false) -> PlanItem {
            PlanItem(app: app.name, tier: tier, action: action, reason: full ? reason : "\(label): \(reason)",
                     workflows: action == .run ? names : [], blocked: blocked, fingerprint: fingerprint, waiting: waiting)
        }
        var changes: String? { record?.fingerprint.map { Self.describe(fingerprint.changes(since: $0)) } }
        if forced.contains(key) {
            return item(.run, "forced with --force")
        }

        if let record, record.dirty {
            let inputsMoved = record.attemptedDigest != nil && record.attemptedDigest != fingerprint.digest
            if inputsMoved {
                if let previous = record.fingerprint, previous.digest == fingerprint.digest {
                    return item(.run, "back to the last successful inputs, but the last attempt \(record.result.rawValue) "
                        + "and may be half-applied; running again")
                }
                return item(.run, "\(changes ?? "inputs changed") since the last attempt \(record.result.rawValue)")
            }
            if record.result == .interrupted {
                return item(.run, "the last attempt was interrupted and may be half-applied; running again")
            }
            let retry = config.retry
            if record.attempts >= retry.attempts {
                return item(.stalled, "stalled after \(record.attempts) failed attempts; not retried until its inputs "
                    + "change or it is forced")
            }
            let wait = Self.backoff(attempts: record.attempts, policy: retry)
            if let last = record.lastAttempt, now < last.adding(milliseconds: wait) {
                return item(.skip, "waiting: attempt \(record.attempts) of \(retry.attempts) failed; next retry after "
                    + "\(SpecDuration(milliseconds: wait)) backoff", waiting: true)
            }
            return item(.run, "retrying: attempt \(record.attempts) of \(retry.attempts) failed")
        }
        guard let previous = record?.fingerprint else {
            return item(.run, "first deployment: never applied")
        }
        if previous.digest != fingerprint.digest {
            return item(.run, changes ?? "inputs changed")
        }
        // The common case for 10,000 apps: a shared constant, not a new string per pair.
        return item(.skip, Self.unchanged[tier.order], full: true)
    }

    static let unchanged = Tier.allCases.map { "\($0.rawValue) tier: unchanged" }

    /// Exponential: base, 2×base, 4×base, … capped.
    static func backoff(attempts: Int, policy: AdminConfig.RetryPolicy) -> Int {
        let exponent = min(max(attempts - 1, 0), 30)
        let delay = policy.base.milliseconds.multipliedReportingOverflow(by: 1 << exponent)
        return delay.overflow ? policy.cap.milliseconds : min(delay.partialValue, policy.cap.milliseconds)
    }

    /// "a changed, b added and 3 more" — names, never a wall of 10,000 paths.
    static func describe(_ phrases: [String]) -> String {
        if phrases.isEmpty { return "inputs changed" }
        if phrases.count <= 3 { return phrases.joined(separator: ", ") }
        return phrases.prefix(3).joined(separator: ", ") + " and \(phrases.count - 3) more"
    }

    static let phases: [Workflow.Phase] = [.preDeployment, .deployment, .postDeployment, .destroy]

    static func phaseOrdered(_ verdicts: [WorkflowPolicy.Verdict]) -> [String] {
        verdicts.sorted {
            let left = phases.firstIndex(of: $0.workflow?.phase ?? .deployment) ?? 0
            let right = phases.firstIndex(of: $1.workflow?.phase ?? .deployment) ?? 0
            return left != right ? left < right : $0.fullName < $1.fullName
        }.map(\.fullName)
    }
}
