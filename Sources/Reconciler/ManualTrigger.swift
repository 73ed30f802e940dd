import Executor
import Foundation
import GitKit
import Planner
import Specs

/// `innominatus trigger APP WORKFLOW`: runs one `manual` workflow for one app at the branch head, with
/// the same policy as the loop (an unapproved, pin-mismatched or disallowed workflow is refused), and
/// records the run as a status note on the head. The applied state is not changed.
public struct ManualTrigger: Sendable {
    public let settings: ReconcileSettings
    public let executorSettings: ExecutorSettings

    public init(settings: ReconcileSettings, executorSettings: ExecutorSettings = ExecutorSettings()) {
        self.settings = settings
        var executorSettings = executorSettings
        if executorSettings.stepUser == nil { executorSettings.stepUser = settings.stepUser }
        self.executorSettings = executorSettings
    }

    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// - Parameter workflow: `name` (platform or the app's own) or `product/name`.
    public func run(app: String, workflow name: String, now: Date = Date()) async throws -> PassReport {
        let lock = try WorkdirLock(workdir: settings.workdir)
        defer { lock.release() }
        let workdir = Workdir(path: settings.workdir)
        if let full = workdir.spaceProblem(minimum: settings.minimumFreeBytes) { throw Refused(description: full) }
        try workdir.secure(for: executorSettings.stepUser)
        var loader = DesiredStateLoader()
        let outcome = try await settings.planning.run(now: Timestamp(date: now), loader: &loader)
        let desired = outcome.desired
        guard outcome.plan.errors.isEmpty else {
            throw Refused(description: outcome.plan.errors.joined(separator: "\n"))
        }
        guard let target = desired.apps[app] else {
            throw Refused(description: "no app '\(app)' at \(outcome.plan.commit.prefix(12)); apps: "
                + desired.apps.keys.sorted().joined(separator: ", "))
        }
        guard target.errors.isEmpty else { throw Refused(description: "\(target.scorePath) is invalid: " + target.errors.joined(separator: "; ")) }
        let (tier, found) = try locate(name, for: target, in: desired)
        if let item = outcome.plan.item(app, tier), item.action == .error {
            // What the loop would refuse (an app not admitted to its product, an invalid workflow of the tier).
            throw Refused(description: "\(app) cannot run \(tier.rawValue) workflows: \(item.reason)")
        }
        guard let workflow = found.workflow else {
            throw Refused(description: "\(found.path) is invalid: \(String(describing: found.content))")
        }
        guard workflow.triggers.contains(.manual) else {
            throw Refused(description: "\(found.path) is not a manual workflow (triggers: "
                + workflow.triggers.map(\.rawValue).joined(separator: ", ") + "); the loop runs it")
        }
        if let blocked = outcome.plan.item(app, tier)?.blocked.first(where: { $0.workflow == name || $0.workflow.hasSuffix("/" + name) }) {
            throw Refused(description: "\(blocked.workflow) is blocked: \(blocked.reason)")
        }
        let lease = RemoteLease(repository: outcome.repository, remote: settings.remote, branch: settings.branch, holder: settings.holder,
                                key: outcome.key)
        try await lease.acquire(for: settings.leaseDuration, now: now)
        let report: PassReport
        do {
            report = try await execute(workflow, tier: tier, app: target, desired: desired, plan: outcome.plan,
                                       previous: outcome.applied.commit, repository: outcome.repository, started: now)
        } catch {
            await lease.release()
            throw error
        }
        await lease.release()
        return report
    }

    private func locate(_ name: String, for app: DesiredApp, in desired: DesiredState) throws -> (Tier, DesiredWorkflow) {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            guard app.product == parts[0], let found = desired.productWorkflows[parts[0]]?.first(where: { $0.name == parts[1] }) else {
                throw Refused(description: "no product workflow \(name) for \(app.name) (product: \(app.product ?? "none"))")
            }
            return (.product, found)
        }
        if let own = app.workflows.first(where: { $0.name == name }) { return (.application, own) }
        if let platform = desired.platformWorkflows.first(where: { $0.name == name }) { return (.platform, platform) }
        if let product = app.product, let found = desired.productWorkflows[product]?.first(where: { $0.name == name }) {
            return (.product, found)
        }
        throw Refused(description: "no workflow '\(name)' applies to \(app.name)")
    }

    private func execute(_ workflow: Workflow, tier: Tier, app: DesiredApp, desired: DesiredState, plan: Plan,
                         previous: String?, repository: Repository, started: Date) async throws -> PassReport {
        guard let head = ObjectID(hex: plan.commit) else { throw Refused(description: "bad head \(plan.commit)") }
        let checkout = settings.workdir + "/checkout"
        _ = try await repository.checkout(head, into: checkout)
        try Workdir(path: settings.workdir).secure(for: executorSettings.stepUser)
        // The Score the plan was made from (its blob), not the checkout's file.
        guard let blob = ObjectID(hex: app.scoreID) else { throw Refused(description: "\(app.scorePath) has no blob id") }
        let bytes = try await repository.readBlob(blob, limit: SpecLimits.default.maxFileBytes)
        let report = SpecValidator().validate(bytes, path: app.scorePath, as: .score)
        guard let score = report.score else { throw Refused(description: "\(app.scorePath) is not a valid Score file") }
        var settings = executorSettings
        settings.logDirectory = self.settings.workdir + "/logs/" + String(plan.commit.prefix(12)) + "/" + app.name + "/manual"
        let executor = Executor(admin: desired.config, settings: settings)
        let context = AppContext(score: score, scoreFile: checkout + "/" + app.scorePath, commit: plan.commit, repositoryRoot: checkout)
        let outcome = await executor.run(workflow, app: context)
        let key = PairKey(app: app.name, tier: tier)
        let pairOutcome: PairOutcome = outcome.result == .succeeded ? .succeeded : (outcome.result == .interrupted ? .interrupted : .failed)
        let item = PlanItem(app: app.name, tier: tier, action: .run,
                            reason: "\(tier.rawValue) tier: \(workflow.name) triggered by hand (innominatus trigger)",
                            workflows: [workflow.name])
        let triggered = Plan(commit: plan.commit, appliedCommit: plan.appliedCommit, items: [item])
        let status = StatusBuilder(plan: triggered, execution: Execution(outcomes: [key: pairOutcome], tiers: [key: [outcome]]),
                                   previousCommit: previous, startedAt: started, finishedAt: Date(), failure: nil,
                                   products: [app.name: app.product].compactMapValues { $0 }).status
        try await PassRecorder(repository: repository, remote: self.settings.remote, key: try self.settings.planning.stateKey())
            .record(status, state: nil)
        return PassReport(.ran, status: status, wroteNote: true)
    }
}
