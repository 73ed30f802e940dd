import Specs

/// The gates between an app's pairs (docs/ARCHITECTURE.md §3): across passes, tiers gate each other as they
/// do inside one pass. The app's pairs are walked in run order — the phase of a pair's first workflow,
/// then platform → product → application — and once a pair is not succeeded for its current inputs and
/// does not run now (it failed and waits, stalled, is in error, is blocked as a whole, or is gated
/// itself), every later pair that would run is skipped instead, with a reason naming the gate.
///
/// A pair that runs in this pass does not close the gate: the executor runs the app's pairs in the same
/// order and stops at the first failure, so the later pairs run right after it (when the scan passes).
/// `--force` runs a gate pair but never opens a gate for a later one.
enum Gate {
    static func apply(to pairs: [PairDecision.Decided], applied: AppliedState) -> [PlanItem] {
        var items = pairs.map(\.item)
        let order = pairs.indices.sorted {
            (pairs[$0].phase, pairs[$0].item.tier.order) < (pairs[$1].phase, pairs[$1].item.tier.order)
        }
        var gate: String?
        var awaitingApproval: [String] = []
        for index in order {
            let pair = pairs[index]
            let item = pair.item
            if let gate {
                if item.action == .run {
                    items[index] = PlanItem(app: item.app, tier: item.tier, action: .skip, reason: "gated: " + gate,
                                            blocked: item.blocked, fingerprint: item.fingerprint, gated: true)
                }
                continue
            }
            gate = closing(pair, record: applied.pairs[item.key])
            if item.action == .blocked, pair.awaitsApprovalOnly { awaitingApproval += item.blocked.map(\.workflow) }
            if item.action == .run, !awaitingApproval.isEmpty {
                items[index].reason += "; without the workflows that await approval: " + awaitingApproval.joined(separator: ", ")
            }
        }
        return items
    }

    /// What a pair that will not run, and is not succeeded for its inputs, says to the pairs it gates.
    private static func closing(_ pair: PairDecision.Decided, record: PairRecord?) -> String? {
        let item = pair.item
        let tier = "\(item.tier.rawValue) tier"
        let blamed = record?.failedWorkflow ?? pair.names.joined(separator: ", ")
        switch item.action {
        case .skip where item.waiting: return "\(tier) failed: \(blamed) (retried after its backoff)"
        case .stalled: return "\(tier) stalled: \(blamed)"
        case .error: return "\(tier) is in error"
        case .blocked where !pair.awaitsApprovalOnly:
            return "\(tier) is blocked: " + (item.blocked.first.map { "\($0.workflow): \($0.reason)" } ?? item.reason)
        case .run, .skip, .prune, .suspended, .blocked: return nil
        }
    }
}
