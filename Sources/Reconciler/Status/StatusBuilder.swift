import Executor
import Foundation
import Planner
import Provisioning
import Specs

/// Turns a plan and what the executor did into the pass's `ReconcileStatus` (docs/ARCHITECTURE.md §7): the
/// pairs that ran, were blocked, errored, stalled, waited or were pruned, each with its reason, and a
/// count of the unchanged ones. Log tails are kept for failed steps only, so notes stay small.
struct StatusBuilder {
    var plan: Plan
    var execution: Execution
    var previousCommit: String?
    var startedAt: Date
    var finishedAt: Date
    var failure: String?
    /// App → product, from the desired state (for pruned apps, the applied state's).
    var products: [String: String]
    /// The environment branch (named in the note when delivery failed).
    var deliveryBranch: String = AdminConfig.Delivery.default.branch

    var status: ReconcileStatus {
        var apps: [String: AppStatus] = [:]
        var unchanged = 0
        var ran = 0, failed = 0
        for item in plan.items {
            if item.isUnchanged {
                unchanged += 1
                continue
            }
            guard item.applies else { continue }  // e.g. the product tier of an app with no product
            let tier = tierStatus(item)
            if item.action == .run || item.action == .prune {
                ran += 1
                if tier.result == .failed || tier.result == .interrupted || tier.result == .notRun { failed += 1 }
            }
            apps[item.app, default: AppStatus(product: products[item.app], tiers: [:])].tiers[item.tier] = tier
        }
        let result: ReconcileStatus.Result
        if failure != nil {
            result = .failed
        } else if ran == 0 {
            result = .noop
        } else if failed == 0 {
            result = .succeeded
        } else {
            result = failed == ran ? .failed : .partial
        }
        var delivery: DeliveryStatus?
        if let report = execution.delivery {
            delivery = DeliveryStatus(branch: report.branch, commit: report.commit, apps: report.changed)
        } else if let error = execution.deliveryError {
            delivery = DeliveryStatus(branch: deliveryBranch, commit: nil, apps: [], error: error)
        }
        var status = ReconcileStatus(commit: plan.commit, previousCommit: previousCommit, result: result,
                                     startedAt: Self.rfc3339(startedAt), finishedAt: Self.rfc3339(finishedAt),
                                     unchanged: unchanged, apps: apps, error: failure, delivery: delivery)
        status.verification = plan.verification.map { VerificationStatus($0) }
        return status
    }

    private func tierStatus(_ item: PlanItem) -> TierStatus {
        let action = TierStatus.Action(rawValue: item.action.rawValue) ?? .error
        var result: TierStatus.Result
        switch item.action {
        case .run:
            switch execution.outcomes[item.key] {
            case .succeeded?: result = .succeeded
            case .failed?: result = .failed
            case .interrupted?: result = .interrupted
            // Not run at all (an earlier workflow failed, or the pass could not complete), or only partly:
            // `interrupted` is kept for a pass a signal stopped.
            case .incomplete?, nil: result = .notRun
            }
        case .prune:
            result = execution.outcomes[item.key] == .succeeded ? .pruned : .failed
        case .blocked: result = .blocked
        case .error: result = .error
        case .stalled: result = .failed
        case .suspended, .skip: result = item.waiting ? .waiting : .notRun
        }
        let workflows = execution.tiers[item.key]?.map { outcome in
            WorkflowStatus(name: outcome.name, phase: outcome.phase, result: outcome.result.rawValue,
                           steps: outcome.steps.map { step in
                               StepStatus(name: step.name, result: step.result.rawValue, exitCode: step.exitCode.map(Int.init),
                                          durationMs: step.durationMs,
                                          log: step.isFailure ? step.log.suffix(40).map { $0 } : nil,
                                          // Only where someone will look: at 10,000 apps the paths of succeeded
                                          // steps were half the note (all logs stay under <workdir>/logs).
                                          logFile: step.isFailure ? step.logFile : nil)
                           } + (outcome.message.map { message in
                               outcome.steps.isEmpty ? [StepStatus(name: "-", result: outcome.result.rawValue, exitCode: nil,
                                                                   durationMs: 0, log: message.split(separator: "\n").map(String.init))] : []
                           } ?? []))
        }
        let outputs = item.tier == .application ? execution.renders[item.app]?.publicOutputs : nil
        return TierStatus(action: action, result: result, fingerprint: item.fingerprint?.digest, reason: item.reason,
                          blocked: item.blocked.isEmpty ? nil : item.blocked,
                          workflows: workflows?.isEmpty == false ? workflows : nil,
                          resources: outputs?.isEmpty == false ? outputs : nil)
    }

    static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}
