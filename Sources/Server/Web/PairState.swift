/// What one (app, tier) cell of the status pages says, read from the app's view (`AppView.TierView`: the
/// applied state's last result and what the next pass would do). One word per cell, and its colour.
enum PairState: String, CaseIterable, Sendable, Comparable {
    // In the order the pages list them: what needs someone first.
    case failed, error, stalled, blocked, waiting, gated, pending, pruning, suspended
    case notRun = "not-run"
    case succeeded
    /// No workflow of the tier concerns the app (no product, nothing to run).
    case notApplicable = "none"

    /// The state of a tier; nil (the pair is neither planned nor recorded) is `none`.
    init(_ tier: AppView.TierView?) {
        guard let tier else { self = .notApplicable; return }
        switch tier.next {
        case "suspended": self = .suspended; return
        case "error": self = .error; return
        case "stalled": self = .stalled; return
        case "blocked": self = .blocked; return
        case "prune": self = .pruning; return
        default: break
        }
        if tier.waiting == true { self = .waiting; return }
        if tier.gated == true { self = .gated; return }
        switch tier.lastResult {
        case "failed", "interrupted", "incomplete": self = .failed
        default:
            if tier.next == "run" { self = .pending }
            else if tier.lastResult == "succeeded" { self = .succeeded }
            else if tier.applies == false { self = .notApplicable }
            else { self = .notRun }
        }
    }

    /// The word a cell shows.
    var label: String {
        switch self {
        case .notRun: "not run"
        case .notApplicable: "—"
        case .pending: "will run"
        default: rawValue
        }
    }

    /// What the state means, for the legend and the cell's tooltip.
    var meaning: String {
        switch self {
        case .failed: "the last attempt failed (or was interrupted); it runs again"
        case .error: "the app's files are invalid"
        case .stalled: "failed too often; runs again when its inputs change or it is forced"
        case .blocked: "no workflow of the tier may run (approval or policy)"
        case .waiting: "in backoff after a failure"
        case .gated: "an earlier tier of the app is not succeeded"
        case .pending: "the next pass runs it"
        case .pruning: "the Score file is gone; the next pass prunes it"
        case .suspended: "suspended by its Score annotation"
        case .notRun: "never ran"
        case .succeeded: "succeeded for its current inputs"
        case .notApplicable: "no workflow of this tier concerns the app"
        }
    }

    static func < (lhs: PairState, rhs: PairState) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
