import Specs

/// The decision for the pairs of one app: fingerprint, then the run rules of docs/ARCHITECTURE.md §3 in
/// order — forced, dirty (retry, backoff, stalled), never applied, fingerprint moved, unchanged. Gates
/// between the app's pairs are applied afterwards, over all of them (`Gate`).
struct PairDecision {
    let app: DesiredApp
    let applied: AppliedState
    let config: AdminConfig
    let now: Timestamp
    let forced: Set<PairKey>
    let changes: ChangeContext

    init(app: DesiredApp, applied: AppliedState, config: AdminConfig, now: Timestamp, forced: Set<PairKey> = [],
         changes: ChangeContext = ChangeContext()) {
        self.app = app
        self.applied = applied
        self.config = config
        self.now = now
        self.forced = forced
        self.changes = changes
    }

    /// A pair's item with what the gates need: where it stands in the app's run order.
    struct Decided {
        var item: PlanItem
        /// Index of the phase of its first workflow (blocked ones included) in `PairDecision.phases`.
        var phase: Int
        /// The workflows it would run (for a reason naming them when it gates later pairs).
        var names: [String]
        /// Blocked as a whole only because its workflows await approval: it gates nothing.
        var awaitsApprovalOnly: Bool

        init(_ item: PlanItem, phase: Int = 1, names: [String] = [], awaitsApprovalOnly: Bool = false) {
            self.item = item
            self.phase = phase
            self.names = names
            self.awaitsApprovalOnly = awaitsApprovalOnly
        }
    }

    mutating func decide(_ tier: Tier, _ workflows: Planner.TierWorkflows, emptyReason: String? = nil) -> Decided {
        let key = PairKey(app: app.name, tier: tier)
        let record = applied.pairs[key]
        let label = "\(tier.rawValue) tier"
        let neverApplied = record?.fingerprint == nil
        let blocked = workflows.blocked
        let names = neverApplied ? workflows.firstNames : workflows.steadyNames
        // `names` are phase-ordered, so the first one's phase is theirs; blocked ones count too (rare).
        var first = names.first.flatMap { workflows.phases[$0] }
        for workflow in blocked { if let other = workflows.phases[workflow.workflow] { first = min(first ?? other, other) } }
        let phase = first ?? 1
        func decided(_ item: PlanItem) -> Decided {
            Decided(item, phase: phase, names: names,
                    awaitsApprovalOnly: !blocked.isEmpty && blocked.allSatisfy { workflows.awaitingApproval.contains($0.workflow) })
        }
        guard !names.isEmpty else {
            if !blocked.isEmpty {
                let why = blocked.map { "\($0.workflow): \($0.reason)" }.joined(separator: "; ")
                return decided(PlanItem(app: app.name, tier: tier, action: .blocked,
                                        reason: "\(label): no workflow may run: \(why)", blocked: blocked))
            }
            return decided(PlanItem(app: app.name, tier: tier, action: .skip,
                                    reason: "\(label): \(emptyReason ?? "no workflows apply")", applies: false))
        }
        let fingerprint = Fingerprint(shared: workflows.steadyComponents, partial: workflows.partialDigest,
                                      scorePath: app.scorePath, scoreID: app.scoreID)
        func item(_ action: PlanItem.Action, _ reason: String, waiting: Bool = false, full: Bool = false,
                  running: [String]? = nil) -> Decided {
            decided(PlanItem(app: app.name, tier: tier, action: action, reason: full ? reason : "\(label): \(reason)",
                             workflows: action == .run ? running ?? names : [], blocked: blocked, fingerprint: fingerprint,
                             waiting: waiting))
        }
        var described: String? { record?.fingerprint.map { describe(fingerprint, since: $0, workflows) } }
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
                return item(.run, "\(described ?? "inputs changed") since the last attempt \(record.result.rawValue)")
            }
            switch record.result {
            case .interrupted:
                return item(.run, "the last attempt was interrupted and may be half-applied; running again")
            case .incomplete:
                return item(.run, "the last attempt did not finish (a later workflow was not run) and may be "
                    + "half-applied; running again")
            case .succeeded, .failed:
                break
            }
            let retry = config.retry
            let failed = record.failedWorkflow.map { " (\($0))" } ?? ""
            if record.attempts >= retry.attempts {
                return item(.stalled, "stalled after \(record.attempts) failed attempts\(failed); not retried until its inputs "
                    + "change or it is forced")
            }
            let wait = Self.backoff(attempts: record.attempts, policy: retry)
            if let last = record.lastAttempt, now < last.adding(milliseconds: wait) {
                return item(.skip, "waiting: attempt \(record.attempts) of \(retry.attempts) failed\(failed); next retry after "
                    + "\(SpecDuration(milliseconds: wait)) backoff", waiting: true)
            }
            return item(.run, "retrying: attempt \(record.attempts) of \(retry.attempts) failed\(failed)")
        }
        guard let previous = record?.fingerprint else {
            return item(.run, "first deployment: never applied")
        }
        if previous.digest != fingerprint.digest {
            let reason = describe(fingerprint, since: previous, workflows)
            guard previous.scorePath == fingerprint.scorePath, previous.scoreID == fingerprint.scoreID else {
                return item(.run, reason)
            }
            // The Score is the same: only the workflows whose own files moved run again.
            let moved = fingerprint.movedKeys(since: previous)
            var running = names.filter { !(workflows.own[$0] ?? []).isDisjoint(with: moved) }
            if let start = names.firstIndex(of: Planner.generatedWorkflow) {
                // The generated deploy and the app's workflows after it (which read its outputs) go together.
                let tail = Set(names[start...])
                if running.contains(where: tail.contains) { running = names.filter { running.contains($0) || tail.contains($0) } }
            }
            if running.isEmpty {
                return item(.skip, reason + "; no workflow that runs has new inputs")
            }
            return item(.run, reason, running: running)
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

    /// What moved, in words: a workflow that became runnable because the admin config approved it reads
    /// "approved in policies/admin-config.yaml", one that left because its approval no longer matches
    /// names that reason (never "removed"); anything else is "PATH changed / added / removed".
    func describe(_ fingerprint: Fingerprint, since old: Fingerprint, _ workflows: Planner.TierWorkflows) -> String {
        let blocked = Dictionary(workflows.blocked.map { ($0.workflow, $0.reason) }) { first, _ in first }
        let phrases = fingerprint.changes(since: old) { key, change in
            guard let name = workflows.names[key] else { return nil }
            switch change {
            case .added:
                guard let changed = changes.changedPaths, !changed.contains(key) else { return nil }
                if let config = changes.configPath, changed.contains(config) { return "\(name) approved in \(config)" }
                return "\(name) may run again"
            case .removed:
                return blocked[name].map { "\(name) \($0)" }
            case .changed:
                return nil
            }
        }
        return Self.summarize(phrases)
    }

    /// "a changed, b added and 3 more" — names, never a wall of 10,000 paths.
    static func summarize(_ phrases: [String]) -> String {
        if phrases.isEmpty { return "inputs changed" }
        if phrases.count <= 3 { return phrases.joined(separator: ", ") }
        return phrases.prefix(3).joined(separator: ", ") + " and \(phrases.count - 3) more"
    }

    static let phases: [Workflow.Phase] = [.preDeployment, .deployment, .postDeployment, .destroy]

    static func phaseOrdered(_ verdicts: [WorkflowPolicy.Verdict]) -> [String] {
        verdicts.sorted {
            let left = phases.firstIndex(of: $0.phase) ?? 0
            let right = phases.firstIndex(of: $1.phase) ?? 0
            return left != right ? left < right : $0.fullName < $1.fullName
        }.map(\.fullName)
    }
}

/// What the planner knows of the commit's change besides fingerprints, for reasons only.
struct ChangeContext {
    var changedPaths: Set<String>?
    var configPath: String?

    init(changedPaths: Set<String>? = nil, configPath: String? = nil) {
        self.changedPaths = changedPaths
        self.configPath = configPath
    }

    init(_ desired: DesiredState) {
        self.init(changedPaths: desired.changedPaths, configPath: desired.configPath)
    }
}
