import Specs

/// How a planned pair ended, as the executor reports it.
public enum PairOutcome: Sendable, Hashable, CustomStringConvertible {
    case succeeded
    /// A workflow failed; `workflow` names it (nil when no single one is to blame).
    case failed(workflow: String?)
    /// A signal or a crash stopped it mid-run.
    case interrupted
    /// Some workflows ran, later ones were not run because a workflow of another tier failed in between.
    case incomplete

    public static let failed = PairOutcome.failed(workflow: nil)

    public var succeeded: Bool { self == .succeeded }

    public var description: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed(let workflow): "failed" + (workflow.map { " (\($0))" } ?? "")
        case .interrupted: "interrupted"
        case .incomplete: "incomplete"
        }
    }
}

extension AppliedState {
    /// The applied state after carrying out `plan`: successes record their fingerprint, failures,
    /// interruptions and incomplete runs make the pair dirty (failed attempts count up while the
    /// fingerprint stays), successful prunes leave the state. Pairs with no outcome are left as they were.
    /// Pure, so the Reconciler writes exactly what tests check here.
    ///
    /// - Parameter complete: the pass ran to its end. When false (the checkout failed, the disk is full),
    ///   nothing is recorded as succeeded and the state is not `settled`, so the next pass plans again.
    public func recording(_ plan: Plan, outcomes: [PairKey: PairOutcome], desired: DesiredState,
                          at now: Timestamp, complete: Bool = true) -> AppliedState {
        var next = self
        next.commit = plan.commit
        var settled = complete
        for item in plan.items where item.action == .run || item.action == .prune {
            guard let outcome = outcomes[item.key], complete || !outcome.succeeded else {
                settled = false
                continue
            }
            if item.action == .prune {
                // A failed prune leaves the pair, and the state unsettled: the next pass prunes again.
                if outcome.succeeded { next.pairs[item.key] = nil } else { settled = false }
                continue
            }
            guard let fingerprint = item.fingerprint else { continue }
            let old = next.pairs[item.key]
            switch outcome {
            case .succeeded:
                next.pairs[item.key] = PairRecord(fingerprint: fingerprint, result: .succeeded, lastAttempt: now,
                                                  attemptedDigest: fingerprint.digest)
            case .failed(let workflow):
                let sameInputs = old?.attemptedDigest == fingerprint.digest && old?.dirty == true
                next.pairs[item.key] = PairRecord(
                    fingerprint: old?.fingerprint, result: .failed, attempts: sameInputs ? (old?.attempts ?? 0) + 1 : 1,
                    dirty: true, lastAttempt: now, attemptedDigest: fingerprint.digest, failedWorkflow: workflow)
            case .interrupted, .incomplete:
                next.pairs[item.key] = PairRecord(
                    fingerprint: old?.fingerprint, result: outcome == .interrupted ? .interrupted : .incomplete,
                    attempts: old?.attempts ?? 0, dirty: true, lastAttempt: now, attemptedDigest: fingerprint.digest,
                    failedWorkflow: old?.failedWorkflow)
            }
        }
        next.settled = settled
        let remaining = Set(next.pairs.keys.map(\.app))
        next.apps = next.apps.filter { remaining.contains($0.key) || desired.apps[$0.key] != nil }
        for (name, app) in desired.apps where app.errors.isEmpty {
            next.apps[name] = AppliedApp(scoreID: app.scoreID, product: app.product, suspended: app.suspended,
                                         resources: app.resources)
        }
        return next
    }

    /// The applied state to write before `plan`'s steps start: every pair about to run is marked
    /// interrupted and dirty for its planned inputs, so that a reconciler killed mid-pass (kill -9, power
    /// loss) leaves pairs that run again — also after a revert to their last successful content, since
    /// they may be half-applied (docs/ARCHITECTURE.md §3). The applied commit stays the last one recorded
    /// (a prune planned now still finds its destroy workflows in that commit's tree), and the state is not
    /// settled, so the next pass plans in full. Pure, like `recording`.
    public func markingInFlight(_ plan: Plan, at now: Timestamp) -> AppliedState {
        var next = self
        for item in plan.items where item.action == .run {
            guard let fingerprint = item.fingerprint else { continue }
            let old = next.pairs[item.key]
            next.pairs[item.key] = PairRecord(fingerprint: old?.fingerprint, result: .interrupted, attempts: old?.attempts ?? 0,
                                              dirty: true, lastAttempt: now, attemptedDigest: fingerprint.digest,
                                              failedWorkflow: old?.failedWorkflow)
        }
        next.settled = false
        return next
    }

    /// Every `run` and `prune` of `plan` succeeded: what a clean pass records (tests, benchmarks).
    public func recordingSuccess(of plan: Plan, desired: DesiredState, at now: Timestamp) -> AppliedState {
        var outcomes: [PairKey: PairOutcome] = [:]
        for item in plan.items where item.action == .run || item.action == .prune { outcomes[item.key] = .succeeded }
        return recording(plan, outcomes: outcomes, desired: desired, at: now)
    }
}
