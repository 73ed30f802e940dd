import Executor
import Foundation
import Planner
import Specs

/// `innominatus trigger APP WORKFLOW`: runs one `manual` workflow for one app at the branch head, with
/// the same policy as the loop (an unapproved, pin-mismatched or disallowed workflow is refused), and
/// records the run as a status note on the head. The applied state is not changed. It is a one-pair plan
/// through the pass's own stages (`PlatformReconciler.trigger`): the same lock, lease, guarded checkout,
/// execution and record as the loop.
public struct ManualTrigger: Sendable {
    public let settings: ReconcileSettings
    public let executorSettings: ExecutorSettings

    public init(settings: ReconcileSettings, executorSettings: ExecutorSettings = ExecutorSettings()) {
        self.settings = settings
        self.executorSettings = executorSettings
    }

    /// - Parameter workflow: `name` (platform or the app's own) or `product/name`.
    /// - Throws: `ReconcileError` with code `.refused` when the loop would not run it.
    public func run(app: String, workflow name: String, now: Date = Date()) async throws -> PassReport {
        try await PlatformReconciler(settings: settings, executorSettings: executorSettings).trigger(app: app, workflow: name, now: now)
    }

    /// The one-pair plan that runs `name` for `app`, checked against what the loop planned at the head.
    static func plan(app: String, workflow name: String, from outcome: PlanningPass.Outcome) throws -> Plan {
        let desired = outcome.desired
        guard outcome.plan.errors.isEmpty else { throw refused(outcome.plan.errors.joined(separator: "\n")) }
        guard let target = desired.apps[app] else {
            throw refused("no app '\(app)' at \(outcome.plan.commit.prefix(12)); apps: " + desired.apps.keys.sorted().joined(separator: ", "))
        }
        guard target.errors.isEmpty else { throw refused("\(target.scorePath) is invalid: " + target.errors.map(\.description).joined(separator: "; ")) }
        let (tier, fullName, found) = try locate(name, for: target, in: desired)
        if let item = outcome.plan.item(app, tier), item.action == .error {
            // What the loop would refuse (an app not admitted to its product, an invalid workflow of the tier).
            throw refused("\(app) cannot run \(tier.rawValue) workflows: \(item.reason)")
        }
        guard let workflow = found.workflow else {
            let problems = if case .invalid(let problems) = found.content { problems } else { [SpecDiagnostic]() }
            throw refused("\(found.path) is invalid: " + problems.map(\.description).joined(separator: "; "))
        }
        guard workflow.triggers.contains(.manual) else {
            throw refused("\(found.path) is not a manual workflow (triggers: "
                + workflow.triggers.map(\.rawValue).joined(separator: ", ") + "); the loop runs it")
        }
        if let blocked = outcome.plan.item(app, tier)?.blocked.first(where: { $0.workflow == name || $0.workflow.hasSuffix("/" + name) }) {
            throw refused("\(blocked.workflow) is blocked: \(blocked.reason)")
        }
        let item = PlanItem(app: app, tier: tier, action: .run,
                            reason: "\(tier.rawValue) tier: \(workflow.name) triggered by hand (innominatus trigger)",
                            workflows: [fullName])
        return Plan(commit: outcome.plan.commit, appliedCommit: outcome.plan.appliedCommit, items: [item])
    }

    private static func locate(_ name: String, for app: DesiredApp, in desired: DesiredState) throws -> (Tier, String, DesiredWorkflow) {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            guard app.product == parts[0], let found = desired.productWorkflows[parts[0]]?.first(where: { $0.name == parts[1] }) else {
                throw refused("no product workflow \(name) for \(app.name) (product: \(app.product ?? "none"))")
            }
            return (.product, name, found)
        }
        if let own = app.workflows.first(where: { $0.name == name }) { return (.application, name, own) }
        if let platform = desired.platformWorkflows.first(where: { $0.name == name }) { return (.platform, name, platform) }
        if let product = app.product, let found = desired.productWorkflows[product]?.first(where: { $0.name == name }) {
            return (.product, product + "/" + name, found)
        }
        throw refused("no workflow '\(name)' applies to \(app.name)")
    }

    private static func refused(_ message: String) -> ReconcileError { ReconcileError(.refused, message) }
}
