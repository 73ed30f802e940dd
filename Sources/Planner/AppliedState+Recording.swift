import Specs

/// How a planned pair ended, as the executor reports it.
public enum PairOutcome: Sendable, Hashable {
    case succeeded
    case failed
    case interrupted
}

extension AppliedState {
    /// The applied state after carrying out `plan`: successes record their fingerprint, failures and
    /// interruptions make the pair dirty (attempts count up while the fingerprint stays), successful
    /// prunes leave the state. Pairs with no outcome are left as they were. Pure, so the Reconciler
    /// issue writes exactly what tests check here.
    public func recording(_ plan: Plan, outcomes: [PairKey: PairOutcome], desired: DesiredState,
                          at now: Timestamp) -> AppliedState {
        var next = self
        next.commit = plan.commit
        for item in plan.items {
            guard let outcome = outcomes[item.key] else { continue }
            if item.action == .prune {
                if outcome == .succeeded { next.pairs[item.key] = nil }
                continue
            }
            guard item.action == .run, let fingerprint = item.fingerprint else { continue }
            let old = next.pairs[item.key]
            switch outcome {
            case .succeeded:
                next.pairs[item.key] = PairRecord(fingerprint: fingerprint, result: .succeeded, lastAttempt: now,
                                                  attemptedDigest: fingerprint.digest)
            case .failed, .interrupted:
                let sameInputs = old?.attemptedDigest == fingerprint.digest && old?.dirty == true
                next.pairs[item.key] = PairRecord(
                    fingerprint: old?.fingerprint, result: outcome == .failed ? .failed : .interrupted,
                    attempts: outcome == .failed ? (sameInputs ? (old?.attempts ?? 0) + 1 : 1) : (old?.attempts ?? 0),
                    dirty: true, lastAttempt: now, attemptedDigest: fingerprint.digest)
            }
        }
        let remaining = Set(next.pairs.keys.map(\.app))
        next.apps = next.apps.filter { remaining.contains($0.key) || desired.apps[$0.key] != nil }
        for (name, app) in desired.apps where app.errors.isEmpty {
            next.apps[name] = AppliedApp(scoreID: app.scoreID, product: app.product, suspended: app.suspended,
                                         resources: app.resources)
        }
        return next
    }

    /// Every `run` and `prune` of `plan` succeeded: what a clean pass records (tests, benchmarks).
    public func recordingSuccess(of plan: Plan, desired: DesiredState, at now: Timestamp) -> AppliedState {
        var outcomes: [PairKey: PairOutcome] = [:]
        for item in plan.items where item.action == .run || item.action == .prune { outcomes[item.key] = .succeeded }
        return recording(plan, outcomes: outcomes, desired: desired, at: now)
    }
}
