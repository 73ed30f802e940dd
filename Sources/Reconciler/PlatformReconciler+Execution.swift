import Executor
import Foundation
import GitKit
import Logging
import Planner
import ProcessSupport
import Provisioning
import Specs

/// What the executor did in a pass: how each planned pair ended, and its workflows' outcomes.
struct Execution: Sendable {
    var outcomes: [PairKey: PairOutcome]
    var tiers: [PairKey: [WorkflowOutcome]]
    /// Apps whose generated workflow rendered manifests, for delivery.
    var renders: [String: RenderedApp] = [:]
    /// Apps whose application tier was pruned: their folder leaves the environment branch.
    var pruned: Set<String> = []
    /// What delivery did (nil when nothing was delivered or delivery is off), or why it failed.
    var delivery: EnvironmentDelivery.Report?
    var deliveryError: String?

    /// The pass's outcomes once delivery is known: when it failed, the application tiers that rendered (or
    /// were pruned) failed too — their manifests did not reach the branch — and run again next pass.
    func afterDelivery() -> Execution {
        guard let message = deliveryError else { return self }
        var result = self
        for app in Set(renders.keys).union(pruned) {
            let key = PairKey(app: app, tier: .application)
            result.outcomes[key] = .failed(workflow: Planner.generatedWorkflow)
            let failed = WorkflowOutcome(name: Planner.generatedWorkflow, tier: .application,
                                         phase: Workflow.Phase.deployment.rawValue, result: .failed, message: message)
            var outcomes = result.tiers[key] ?? []
            if let index = outcomes.firstIndex(where: { $0.name == Planner.generatedWorkflow }) {
                outcomes[index] = failed
            } else {
                outcomes.append(failed)
            }
            result.tiers[key] = outcomes
        }
        return result
    }

    mutating func merge(_ other: Execution) {
        outcomes.merge(other.outcomes) { $1 }
        tiers.merge(other.tiers) { $1 }
        renders.merge(other.renders) { $1 }
        pruned.formUnion(other.pruned)
    }
}

extension PlatformReconciler {
    /// Runs the plan's `run` and `prune` pairs: apps in parallel (up to `appConcurrency`), phases and
    /// tiers in order inside an app, in a read-only checkout of the head (prunes in one of the last
    /// applied commit, whose destroy workflows and scripts are the ones that applied the app).
    func execute(_ plan: Plan, desired: DesiredState, applied: AppliedState, repository: Repository) async throws -> Execution {
        guard let head = ObjectID(hex: plan.commit) else { throw ReconcileError(.checkout, "bad head commit \(plan.commit)") }
        let checkout = settings.workdir + "/checkout"
        let guardian = try await guardedCheckout(head, into: checkout, repository: repository, after: keptCheckout)
        keptCheckout = guardian

        var previous: (desired: DesiredState, checkout: CheckoutGuard, scores: [String: Result<ScoreModel, ReconcileError>])?
        if plan.items.contains(where: { $0.action == .prune }), let old = applied.commit.flatMap(ObjectID.init(hex:)) {
            let folder = settings.workdir + "/checkout-previous"
            let oldCheckout = try await guardedCheckout(old, into: folder, repository: repository)
            var oldLoader = DesiredStateLoader(checkoutRoot: folder)
            let oldDesired = try await oldLoader.load(repository.snapshot(of: old), applied: .empty, from: repository)
            var scores: [String: Result<ScoreModel, ReconcileError>] = [:]
            for app in Set(plan.items.filter { $0.action == .prune }.map(\.app)) {
                guard let oldApp = oldDesired.apps[app] else { continue }
                do { scores[app] = .success(try await oldLoader.scoreModel(of: oldApp, from: repository)) } catch {
                    scores[app] = .failure(error as? ReconcileError ?? ReconcileError(.invalidSpec, oldApp.scorePath, underlying: error))
                }
            }
            previous = (oldDesired, oldCheckout, scores)
        }

        var byApp: [String: [PlanItem]] = [:]
        for item in plan.items where item.action == .run || item.action == .prune { byApp[item.app, default: []].append(item) }
        let logs = settings.workdir + "/logs/" + String(plan.commit.prefix(12))
        try? FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        utimes(logs, nil)  // this pass's folder is the newest, also when an earlier pass made it
        let workdir = Workdir(path: self.settings.workdir)
        // Again now that the fetch and this pass made the bare clone and the logs folder: before any step runs.
        try workdir.secure(for: executorSettings.stepUser)
        let removed = workdir.pruneLogs(keeping: self.settings.logRetention)
        if !removed.isEmpty {
            logger.debug("old step logs removed", metadata: ["kept": "\(self.settings.logRetention)", "removed": "\(removed.count)"])
        }
        let logLimit = self.settings.appLogLimitBytes
        let settings = executorSettings
        let resourceState = self.resourceState
        let provisioners = self.provisioners
        let jobs = byApp.sorted { $0.key < $1.key }.map { app, items in
            AppJob(app: app, items: items, desired: desired,
                   previous: previous.map { ($0.desired, $0.checkout, $0.scores[app]) }, checkout: guardian,
                   score: { [self] in await self.scoreModel(of: app, desired: desired, commit: plan.commit, repository: repository) },
                   provisioners: provisioners, commit: plan.commit,
                   logDirectory: logs + "/" + app, executorSettings: settings.withLogBudget(LogBudget(limit: logLimit)),
                   resourceState: resourceState,
                   stepLogger: stepLogger)
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
                execution.merge(done)
                startNext()
            }
        }
        return execution
    }

    /// Checks `commit` out into `directory` and watches it for the pass: a folder a step changed since the
    /// last pass is rewritten (and said so), and one changed during this pass before the next workflow.
    /// - Parameter earlier: the guard of the last pass's checkout of `directory` (a loop keeps it): when its
    ///   watch saw nothing since, the folder is as sealed and is not compared with the seal again.
    private func guardedCheckout(_ commit: ObjectID, into directory: String, repository: Repository,
                                 after earlier: CheckoutGuard? = nil) async throws -> CheckoutGuard {
        let clock = ContinuousClock()
        let started = clock.now
        let intact = await earlier?.isIntact(directory) ?? false
        if intact, let earlier, await earlier.holds(commit) {
            // The same commit, and nothing wrote there since its seal: the watch goes on.
            return earlier
        }
        let early = CheckoutGuard.Started()
        let result = try await repository.checkout(commit, into: directory, intact: intact) { early.start(directory) }
        let checkedOut = clock.now
        if !result.restoredPaths.isEmpty {
            logger.error("the checkout had been changed since the last pass (by a step); it was rewritten from the commit",
                         metadata: ["checkout": "\(directory)", "changed": "\(result.restoredPaths.prefix(10).joined(separator: ", "))"])
        }
        let guardian = CheckoutGuard(repository: repository, commit: commit, directory: directory, logger: logger)
        await guardian.arm(started: early)
        logger.debug("checkout ready", metadata: ["checkout": "\(directory)", "changed paths": "\(result.changedPaths)",
                                                  "known intact": "\(intact)",
                                                  "checkout and seal ms": "\((checkedOut - started).wholeMilliseconds)",
                                                  "watch ms": "\((clock.now - checkedOut).wholeMilliseconds)"])
        return guardian
    }

    /// Resource state of the generated workflows, under the workdir.
    var resourceState: ResourceStateFiles { ResourceStateFiles(folder: settings.workdir + "/resources") }

    /// Commits what the pass rendered (and removes pruned apps) on the environment branch: what was
    /// delivered, or why it was not (`Execution.afterDelivery` turns that into the tiers' outcomes).
    func deliver(_ execution: Execution, branch: String, source: String,
                 repository: Repository) async -> (report: EnvironmentDelivery.Report?, error: String?) {
        guard !execution.renders.isEmpty || !execution.pruned.isEmpty else { return (nil, nil) }
        if branch == settings.branch {
            let refused = "delivery to \(branch) refused: it is the branch this reconciler watches; "
                + "set workflowPolicies.delivery.branch to another branch (default env/main)"
            logger.error("delivery failed", metadata: ["branch": "\(branch)", "error": "\(refused)"])
            return (nil, refused)
        }
        let delivery = EnvironmentDelivery(repository: repository, remote: settings.remote, branch: branch,
                                           secretsFolder: settings.workdir + "/secrets",
                                           signing: settings.signingKey.map { ($0, settings.workdir + "/trust") })
        do {
            let report = try await delivery.deliver(execution.renders, removed: execution.pruned, source: source)
            for app in execution.pruned { resourceState.remove(app) }
            if let commit = report.commit {
                logger.info("delivered", metadata: ["branch": "\(branch)", "commit": "\(commit.prefix(12))",
                                                    "apps": "\(report.changed.joined(separator: ","))"])
            }
            return (report, nil)
        } catch {
            logger.error("delivery failed", metadata: ["branch": "\(branch)", "error": "\(error)"])
            return (nil, "delivery to the environment branch \(branch) failed: \(error)")
        }
    }
}

extension ExecutorSettings {
    func withLogBudget(_ budget: LogBudget) -> ExecutorSettings {
        var settings = self
        settings.logBudget = budget
        return settings
    }
}

/// One app's share of a pass.
struct AppJob: Sendable {
    var app: String
    var items: [PlanItem]
    var desired: DesiredState
    /// For prunes: the last applied commit as loaded, its checkout, and the app's Score there.
    var previous: (desired: DesiredState, checkout: CheckoutGuard, score: Result<ScoreModel, ReconcileError>?)?
    var checkout: CheckoutGuard
    /// The Score as the loader read it from the blob it planned with (nil for an app only pruned), never
    /// the checkout a step may change. Asked for when the job starts, so a pass over 10,000 apps holds the
    /// models of the apps running, not of all of them.
    var score: @Sendable () async -> Result<ScoreModel, ReconcileError>?
    /// The commit's provisioners as the loader read them (nil when delivery is off).
    var provisioners: ProvisionerRegistry?
    var commit: String
    var logDirectory: String
    var executorSettings: ExecutorSettings
    var resourceState: ResourceStateFiles
    var stepLogger: Logger?

    func run() async -> Execution {
        var execution = Execution(outcomes: [:], tiers: [:])
        let runs = items.filter { $0.action == .run }
        let prunes = items.filter { $0.action == .prune }
        if !runs.isEmpty {
            await execute(runs, state: desired, in: checkout, score: await score(), prune: false, into: &execution)
        }
        if !prunes.isEmpty {
            if let previous {
                await execute(prunes, state: previous.desired, in: previous.checkout, score: previous.score, prune: true,
                              into: &execution)
            } else {
                for item in prunes { execution.outcomes[item.key] = .succeeded }  // nothing was ever applied from a tree we know
            }
        }
        return execution
    }

    private func execute(_ items: [PlanItem], state: DesiredState, in checkout: CheckoutGuard,
                         score: Result<ScoreModel, ReconcileError>?, prune: Bool, into execution: inout Execution) async {
        let root = checkout.directory
        var rendered: RenderSlot?
        var settings = executorSettings
        settings.logDirectory = logDirectory
        settings.beforeWorkflow = { [app] in await checkout.ensureIntact(before: app) }
        if let stepLogger { settings.progress = progressLog(stepLogger, items) }
        // The watched branch's admin config in force, also for destroy workflows of the last applied tree.
        let executor = Executor(admin: desired.config, settings: settings)
        let context: AppContext
        var workflows: [Workflow] = []
        var generated: [GeneratedWorkflow] = []
        do {
            context = try appContext(score, root: root)
            for item in items { workflows += try self.workflows(of: item, in: state, prune: prune) }
            if !prune, items.contains(where: { $0.tier == .application && $0.workflows.contains(Planner.generatedWorkflow) }) {
                guard case .success(let score)? = score, let provisioners else {
                    throw ReconcileError(.invalidSpec, "\(app): its Score or the provisioners could not be read")
                }
                let slot = RenderSlot()
                rendered = slot
                generated.append(GeneratedDeploy(app: app, score: score, root: root, commit: commit, state: resourceState,
                                                 registry: provisioners, rendered: slot,
                                                 environment: desired.config.environment).workflow)
            }
        } catch {
            for item in items {
                execution.outcomes[item.key] = .failed
                execution.tiers[item.key] = [WorkflowOutcome(name: "(load)", tier: item.tier, phase: "-", result: .failed,
                                                             message: "\(error)")]
            }
            return
        }
        let result = await executor.run(app: context, workflows: workflows, prune: prune, generated: generated)
        if let manifests = rendered?.rendered { execution.renders[app] = manifests }
        if prune, items.contains(where: { $0.tier == .application }) { execution.pruned.insert(app) }
        for item in items {
            let ran = result.workflows.filter { $0.tier == item.tier }
            execution.tiers[item.key] = ran
            if let failed = ran.first(where: { $0.result == .failed }) {
                execution.outcomes[item.key] = .failed(workflow: failed.name)
            } else if ran.contains(where: { $0.result == .interrupted }) {
                execution.outcomes[item.key] = .interrupted
            } else if ran.allSatisfy({ $0.result == .succeeded }) {
                execution.outcomes[item.key] = .succeeded
            } else if ran.contains(where: { $0.result == .succeeded }) {
                execution.outcomes[item.key] = .incomplete  // half applied: some phases ran, later ones did not
            }
            // Nothing of the pair ran (an earlier phase failed): no outcome, so it is planned again.
        }
    }

    /// Logs each step's start and end with the app and tier (what `watch` and `serve` show at info level).
    private func progressLog(_ logger: Logger, _ items: [PlanItem]) -> @Sendable (StepProgress) -> Void {
        // Workflow names as the executor reports them (a product workflow without its product) → tier.
        var tiers: [String: String] = [:]
        for item in items {
            for name in item.workflows where tiers[String(name.split(separator: "/").last ?? "")] == nil {
                tiers[String(name.split(separator: "/").last ?? "")] = item.tier.rawValue
            }
        }
        let app = self.app
        return { [tiers] event in
            switch event {
            case .started(let workflow, let step, let attempt):
                logger.info("step started", metadata: ["app": "\(app)", "tier": "\(tiers[workflow] ?? "-")", "workflow": "\(workflow)",
                                                       "step": "\(step)", "attempt": "\(attempt)"])
            case .finished(let workflow, let outcome):
                logger.info("step finished", metadata: ["app": "\(app)", "tier": "\(tiers[workflow] ?? "-")", "workflow": "\(workflow)",
                                                        "step": "\(outcome.name)", "result": "\(outcome.result.rawValue)",
                                                        "ms": "\(outcome.durationMs)"])
            }
        }
    }

    /// The executor's view of the app. Its Score is the model the loader read from the blob the plan was
    /// made from (its path in the checkout is what steps get as `SCORE_FILE`); a pruned app's is the one of
    /// the last applied commit.
    private func appContext(_ score: Result<ScoreModel, ReconcileError>?, root: String) throws -> AppContext {
        switch score {
        case .success(let model)?:
            return AppContext(score: model.workload, scoreFile: root + "/" + model.path, commit: commit, repositoryRoot: root)
        case .failure(let error)?: throw error
        case nil: throw ReconcileError(.invalidSpec, "\(app) has no Score file")
        }
    }

    /// The workflow models a plan item names, in the order given.
    private func workflows(of item: PlanItem, in state: DesiredState, prune: Bool) throws -> [Workflow] {
        if prune {
            // The destroy workflows the plan judged runnable under the current admin config, as the last
            // applied tree holds them: an unapproved or over-limit one the note lists as blocked never runs.
            let planned = Set(item.workflows)
            let candidates: [(name: String, file: DesiredWorkflow)]
            switch item.tier {
            case .platform: candidates = state.platformWorkflows.map { ($0.name, $0) }
            case .product:
                let product = state.apps[app]?.product
                candidates = product.map { product in (state.productWorkflows[product] ?? []).map { ("\(product)/\($0.name)", $0) } } ?? []
            case .application: candidates = (state.apps[app]?.workflows ?? []).map { ($0.name, $0) }
            }
            return candidates.filter { planned.contains($0.name) }.compactMap(\.file.workflow).filter { $0.phase == .destroy }
        }
        return try item.workflows.filter { $0 != Planner.generatedWorkflow }.map { fullName in
            let found: DesiredWorkflow?
            switch item.tier {
            case .platform: found = state.platformWorkflows.first { $0.name == fullName }
            case .product:
                let parts = fullName.split(separator: "/", maxSplits: 1).map(String.init)
                found = parts.count == 2 ? state.productWorkflows[parts[0]]?.first { $0.name == parts[1] } : nil
            case .application: found = state.apps[app]?.workflows.first { $0.name == fullName }
            }
            guard let workflow = found?.workflow else { throw ReconcileError(.invalidSpec, "workflow \(fullName) of \(app) could not be loaded") }
            return workflow
        }
    }
}

/// A reconciler-level failure in words.
struct ReconcileFailure: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
