import Executor
import Foundation
import GitKit
import Logging
import Planner
import Specs

/// What the executor did in a pass: how each planned pair ended, and its workflows' outcomes.
struct Execution: Sendable {
    var outcomes: [PairKey: PairOutcome]
    var tiers: [PairKey: [WorkflowOutcome]]
}

extension PlatformReconciler {
    /// Runs the plan's `run` and `prune` pairs: apps in parallel (up to `appConcurrency`), phases and
    /// tiers in order inside an app, in a read-only checkout of the head (prunes in one of the last
    /// applied commit, whose destroy workflows and scripts are the ones that applied the app).
    func execute(_ plan: Plan, desired: DesiredState, applied: AppliedState, repository: Repository) async throws -> Execution {
        guard let head = ObjectID(hex: plan.commit) else { throw ReconcileFailure("bad head commit \(plan.commit)") }
        let checkout = settings.workdir + "/checkout"
        _ = try await repository.checkout(head, into: checkout)

        var previous: (desired: DesiredState, checkout: String)?
        if plan.items.contains(where: { $0.action == .prune }), let old = applied.commit.flatMap(ObjectID.init(hex:)) {
            let folder = settings.workdir + "/checkout-previous"
            _ = try await repository.checkout(old, into: folder)
            var oldLoader = DesiredStateLoader()
            let oldDesired = try await oldLoader.load(repository.snapshot(of: old), applied: .empty, from: repository)
            previous = (oldDesired, folder)
        }

        var byApp: [String: [PlanItem]] = [:]
        for item in plan.items where item.action == .run || item.action == .prune { byApp[item.app, default: []].append(item) }
        let logs = settings.workdir + "/logs/" + String(plan.commit.prefix(12))
        let settings = executorSettings
        let jobs = byApp.sorted { $0.key < $1.key }.map { app, items in
            AppJob(app: app, items: items, desired: desired, previous: previous, checkout: checkout, commit: plan.commit,
                   logDirectory: logs + "/" + app, executorSettings: settings)
        }
        var execution = Execution(outcomes: [:], tiers: [:])
        let limit = self.settings.appConcurrency
        await withTaskGroup(of: Execution.self) { group in
            var next = 0
            func startNext() {
                guard next < jobs.count else { return }
                let job = jobs[next]
                next += 1
                group.addTask { await job.run() }
            }
            for _ in 0..<min(limit, jobs.count) { startNext() }
            for await done in group {
                for (key, outcome) in done.outcomes.sorted(by: { $0.key < $1.key }) {
                    logger.info("\(key)", metadata: ["result": "\(outcome)"])
                }
                execution.outcomes.merge(done.outcomes) { $1 }
                execution.tiers.merge(done.tiers) { $1 }
                startNext()
            }
        }
        return execution
    }
}

/// One app's share of a pass.
struct AppJob: Sendable {
    var app: String
    var items: [PlanItem]
    var desired: DesiredState
    var previous: (desired: DesiredState, checkout: String)?
    var checkout: String
    var commit: String
    var logDirectory: String
    var executorSettings: ExecutorSettings

    func run() async -> Execution {
        var execution = Execution(outcomes: [:], tiers: [:])
        let runs = items.filter { $0.action == .run }
        let prunes = items.filter { $0.action == .prune }
        if !runs.isEmpty { await execute(runs, state: desired, root: checkout, prune: false, into: &execution) }
        if !prunes.isEmpty {
            if let previous {
                await execute(prunes, state: previous.desired, root: previous.checkout, prune: true, into: &execution)
            } else {
                for item in prunes { execution.outcomes[item.key] = .succeeded }  // nothing was ever applied from a tree we know
            }
        }
        return execution
    }

    private func execute(_ items: [PlanItem], state: DesiredState, root: String, prune: Bool, into execution: inout Execution) async {
        var settings = executorSettings
        settings.logDirectory = logDirectory
        let executor = Executor(admin: state.config, settings: settings)
        let context: AppContext
        var workflows: [Workflow] = []
        do {
            context = try appContext(state: state, root: root)
            for item in items { workflows += try self.workflows(of: item, in: state, prune: prune) }
        } catch {
            for item in items {
                execution.outcomes[item.key] = .failed
                execution.tiers[item.key] = [WorkflowOutcome(name: "(load)", tier: item.tier, phase: "-", result: .failed,
                                                             message: "\(error)")]
            }
            return
        }
        let result = await executor.run(app: context, workflows: workflows, prune: prune)
        for item in items {
            let ran = result.workflows.filter { $0.tier == item.tier }
            execution.tiers[item.key] = ran
            if ran.contains(where: { $0.result == .failed }) {
                execution.outcomes[item.key] = .failed
            } else if ran.contains(where: { $0.result == .interrupted }) {
                execution.outcomes[item.key] = .interrupted
            } else if ran.allSatisfy({ $0.result == .succeeded }) {
                execution.outcomes[item.key] = .succeeded
            } else if ran.contains(where: { $0.result == .succeeded }) {
                execution.outcomes[item.key] = .interrupted  // half applied: some phases ran, later ones did not
            }
            // Nothing of the pair ran (an earlier phase failed): no outcome, so it is planned again.
        }
    }

    /// The executor's view of the app, from its Score file in the checkout.
    private func appContext(state: DesiredState, root: String) throws -> AppContext {
        guard let scorePath = state.apps[app]?.scorePath else { throw ReconcileFailure("\(app) has no Score file") }
        let file = root + "/" + scorePath
        let report = try SpecValidator().validate(fileAt: file)
        guard let score = report.score else {
            throw ReconcileFailure("\(scorePath) is not a valid Score file: "
                + report.errors.map(\.description).joined(separator: "; "))
        }
        return AppContext(score: score, scoreFile: file, commit: commit, repositoryRoot: root)
    }

    /// The workflow models a plan item names, in the order given.
    private func workflows(of item: PlanItem, in state: DesiredState, prune: Bool) throws -> [Workflow] {
        if prune {
            // Everything of the tier in the last applied tree; the executor keeps only `destroy`.
            let candidates: [DesiredWorkflow]
            switch item.tier {
            case .platform: candidates = state.platformWorkflows
            case .product: candidates = state.apps[app]?.product.flatMap { state.productWorkflows[$0] } ?? []
            case .application: candidates = state.apps[app]?.workflows ?? []
            }
            return candidates.compactMap(\.workflow).filter { $0.phase == .destroy }
        }
        return try item.workflows.map { fullName in
            let found: DesiredWorkflow?
            switch item.tier {
            case .platform: found = state.platformWorkflows.first { $0.name == fullName }
            case .product:
                let parts = fullName.split(separator: "/", maxSplits: 1).map(String.init)
                found = parts.count == 2 ? state.productWorkflows[parts[0]]?.first { $0.name == parts[1] } : nil
            case .application: found = state.apps[app]?.workflows.first { $0.name == fullName }
            }
            guard let workflow = found?.workflow else { throw ReconcileFailure("workflow \(fullName) of \(app) could not be loaded") }
            return workflow
        }
    }
}

/// A reconciler-level failure in words.
struct ReconcileFailure: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
