import Executor
import Foundation
import GitKit
import Logging
import Planner
import Provisioning
import Specs

/// The GitOps loop's one pass (`reconcileOnce`) as an ordered list of stages filling one `PassResult`,
/// the shape of Flux's controllers (docs/ARCHITECTURE.md §11): prepare, fetch + load + plan
/// (`PlanningPass`), lease, execute, deliver — then ONE `record` that runs whenever the head is known and
/// the pass is not someone else's (a busy lease) or a no-op. `trigger` is a one-pair plan through the same
/// stages. The reconciler keeps its desired-state loader (parsed specs by blob id) across passes, so a
/// long-running `watch` re-parses only what a commit changed.
public actor PlatformReconciler {
    public let settings: ReconcileSettings
    private var loader: DesiredStateLoader
    /// The guard of the last pass's checkout, still watching it: the next pass's checkout skips comparing
    /// the folder with its seal when the watch saw nothing (`CheckoutGuard.isIntact`).
    var keptCheckout: CheckoutGuard?
    let executorSettings: ExecutorSettings
    let logger: Logger
    /// Where each step's start and end is logged (app, tier, workflow, step, duration), unless the caller
    /// watches progress itself.
    let stepLogger: Logger?

    public init(settings: ReconcileSettings, executorSettings: ExecutorSettings = ExecutorSettings(),
                logger: Logger = Logger(label: "innominatus.reconciler")) {
        self.settings = settings
        self.loader = DesiredStateLoader(checkoutRoot: settings.workdir + "/checkout")
        self.stepLogger = executorSettings.progress == nil ? logger : nil
        var executorSettings = executorSettings
        if executorSettings.stepUser == nil { executorSettings.stepUser = settings.stepUser }
        self.executorSettings = executorSettings
        self.logger = logger
    }

    /// One pass, logged: its start, what it decided, and how it ended.
    public func reconcileOnce(now: Date = Date()) async -> PassReport {
        logger.debug("pass started", metadata: ["remote": "\(RemoteURL.redacted(settings.remote.url))", "branch": "\(settings.branch)"])
        let report: PassReport
        do { report = try await pass(now: now, purpose: .loop) } catch {
            report = PassReport(.couldNotStart, code: (error as? ReconcileError)?.code, message: "\(error)")
        }
        var metadata: Logger.Metadata = ["kind": "\(report.kind)", "exit": "\(report.exitCode)"]
        if let status = report.status {
            metadata["commit"] = "\(status.commit.prefix(12))"
            metadata["result"] = "\(status.result.rawValue)"
            metadata["unchanged"] = "\(status.unchanged)"
        }
        if let code = report.code { metadata["code"] = "\(code.rawValue)" }
        if let message = report.message { metadata["message"] = "\(message)" }
        switch report.kind {
        case .nothingToDo: logger.info("pass did nothing", metadata: metadata)
        case .busy: logger.warning("pass did nothing: busy", metadata: metadata)
        case .couldNotStart: logger.error("pass could not start", metadata: metadata)
        case .ran: logger.log(level: report.exitCode == 0 ? .info : .warning, "pass finished", metadata: metadata)
        }
        return report
    }

    /// `innominatus trigger APP WORKFLOW`: one `manual` workflow of one app at the branch head, through the
    /// same stages as a loop pass (lock, lease, guarded checkout, record); the applied state is not changed.
    /// Throws `ReconcileError` (`.refused`) when the loop's policy would not run it.
    public func trigger(app: String, workflow: String, now: Date = Date()) async throws -> PassReport {
        try await pass(now: now, purpose: .trigger(app: app, workflow: workflow))
    }

    /// What a pass is for: the loop's plan, or one triggered pair.
    enum Purpose: Sendable {
        case loop
        case trigger(app: String, workflow: String)

        /// The pairs this pass runs, from what the plan stage found.
        func plan(from planned: PlanningPass.Outcome) throws -> Plan {
            switch self {
            case .loop: planned.plan
            case .trigger(let app, let workflow): try ManualTrigger.plan(app: app, workflow: workflow, from: planned)
            }
        }

        var isLoop: Bool { if case .loop = self { true } else { false } }
    }

    /// The stages in order. Throws only what the caller asked wrongly (`trigger` refused); everything that
    /// went wrong otherwise is in the report (and, when the head is known, in its note).
    private func pass(now: Date, purpose: Purpose) async throws -> PassReport {
        // prepare
        let lock: WorkdirLock
        do {
            lock = try WorkdirLock(workdir: settings.workdir)
        } catch {
            return PassReport(.busy, code: .busy, message: "\(error)")
        }
        defer { lock.release() }
        if let problem = prepareWorkdir() { return PassReport(.couldNotStart, code: problem.code, message: problem.description) }
        await removeStaleGitLocks()

        // fetch, load, plan
        let planned: PlanningPass.Outcome
        do {
            guard let outcome = try await makePlan(now: now, stopIfUnchanged: purpose.isLoop) else {
                return PassReport(.nothingToDo, message: "nothing to do: the head is the applied commit")
            }
            planned = outcome
        } catch {
            return PassReport(.couldNotStart, code: .unreachable, message: "the pass could not start: \(error)")
        }
        // trust: a head refused at an earlier pass, with nothing moved since, is not tried again (docs/ARCHITECTURE.md §11).
        if planned.refusedBefore, let verdict = planned.plan.verification {
            return PassReport(.nothingToDo, code: .untrusted, message: "\(planned.plan.commit.prefix(12)) was refused at an earlier pass: "
                + verdict.summary)
        }
        if let verdict = planned.plan.verification, !verdict.passed, !purpose.isLoop {
            throw ReconcileError(.untrusted, verdict.summary)
        }
        var result = PassResult(started: now, planned: planned, plan: try purpose.plan(from: planned))
        result.recordsState = purpose.isLoop
        if refuseUntrusted(&result) { return await finish(result, purpose: purpose) }
        // Nothing changed since the last pass: write nothing, take no lease.
        if purpose.isLoop, !result.plan.runsAnything, result.plan.commit == planned.applied.commit, result.plan.errors.isEmpty {
            return PassReport(.nothingToDo, message: "nothing to do at \(result.plan.commit.prefix(12))" + pending(in: result.plan))
        }

        // lease, and the plan again under it
        if result.plan.runsAnything {
            if let stop = try await leaseStage(&result, now: now, purpose: purpose) { return stop }
            if refuseUntrusted(&result) { return await finish(result, purpose: purpose) }
        }
        logPlan(result)

        // execute, deliver
        if !result.plan.errors.isEmpty {
            result.failure = ReconcileError(.invalidConfig, "the admin config is invalid, nothing runs:\n"
                + result.plan.errors.joined(separator: "\n"))
        } else if result.failure == nil, result.plan.runsAnything {
            if result.recordsState { await markInFlight(&result) }
        }
        if result.failure == nil, result.plan.runsAnything {
            if purpose.isLoop { await settings.notifier?.passStarted(commit: result.plan.commit) }
            do {
                result.execution = try await execute(result.plan, desired: result.planned.desired, applied: result.planned.applied,
                                                     repository: result.planned.repository)
                if result.planned.desired.config.delivery.enabled {
                    let delivered = await deliver(result.execution, branch: result.planned.desired.config.delivery.branch,
                                                  source: result.plan.commit, repository: result.planned.repository)
                    result.execution.delivery = delivered.report
                    result.execution.deliveryError = delivered.error
                }
            } catch {
                result.failure = error as? ReconcileError ?? ReconcileError(.checkout, "the pass could not complete", underlying: error)
                result.completed = false
            }
        }
        return await finish(result, purpose: purpose)
    }

    /// record, then notify: after the record, so a slow or broken sink never delays or changes what the
    /// pass writes (docs/ARCHITECTURE.md §11).
    private func finish(_ result: PassResult, purpose: Purpose) async -> PassReport {
        let report = await record(result)
        if purpose.isLoop, report.wroteNote {
            await settings.notifier?.passRecorded(report, plan: result.plan, desired: result.planned.desired,
                                                  before: result.planned.applied)
        }
        return report
    }

    /// A head the trust stage refused: nothing runs, the applied state does not move, and the note says why
    /// (docs/ARCHITECTURE.md §9, trust). Returns whether the pass stops here (to record).
    private func refuseUntrusted(_ result: inout PassResult) -> Bool {
        guard let verdict = result.plan.verification, !verdict.passed else { return false }
        logger.error("head refused by the trust file", metadata: ["commit": "\(result.plan.commit.prefix(12))",
                                                                 "reason": "\(verdict.refusal?.reason ?? "")"])
        result.failure = ReconcileError(.untrusted, verdict.summary)
        result.recordsState = false
        return true
    }

    /// Writes, before any step starts, that the pairs about to run are in flight (`markingInFlight`): a
    /// reconciler killed mid-pass then leaves them dirty for the next one. Without that record nothing runs.
    private func markInFlight(_ result: inout PassResult) async {
        let planned = result.planned
        let marked = planned.applied.markingInFlight(result.plan, at: Timestamp(date: Date()))
        do {
            try await AppliedStateStore(repository: planned.repository).save(marked, to: settings.remote, key: planned.key)
        } catch {
            result.failure = ReconcileError(.recordFailed, "the pairs about to run could not be marked in flight in the applied "
                + "state, nothing ran", underlying: error)
        }
    }

    /// Git lock files a killed pass left in the cache (docs/ARCHITECTURE.md §12), removed under the cache lock
    /// while this pass holds the workdir lock: else the ref they lock could never be written again.
    private func removeStaleGitLocks() async {
        guard let cacheLock = try? await CacheLock.acquire(workdir: settings.workdir) else { return }
        defer { cacheLock.release() }
        let removed = Workdir(path: settings.workdir).removeStaleGitLocks()
        if !removed.isEmpty {
            logger.warning("removed lock files a killed process left in the cache", metadata: ["files": "\(removed.joined(separator: ", "))"])
        }
    }

    /// The workdir's checks before anything is fetched: room on the disk, and modes that keep steps out.
    private func prepareWorkdir() -> ReconcileError? {
        let workdir = Workdir(path: settings.workdir)
        if let full = workdir.spaceProblem(minimum: settings.minimumFreeBytes) { return ReconcileError(.workdir, full) }
        do {
            try workdir.secure(for: executorSettings.stepUser)
        } catch {
            return ReconcileError(.workdir, "the pass could not start", underlying: error)
        }
        return nil
    }

    /// Takes the remote lease and plans again under it (another reconciler may have finished a pass between
    /// our plan and our lease). Returns the report to stop with when the pass is not ours to do (a live
    /// holder, or the head already applied); a lease or re-plan that fails otherwise is recorded.
    private func leaseStage(_ result: inout PassResult, now: Date, purpose: Purpose) async throws -> PassReport? {
        let planned = result.planned
        // What the plan was made from, read before the lease's own transfers touch the cache.
        let planRefs = await Self.planRefs(in: planned.repository, branch: settings.branch)
        let candidate = RemoteLease(repository: planned.repository, remote: settings.remote, branch: settings.branch,
                                    holder: settings.holder, key: planned.key)
        do {
            try await candidate.acquire(for: settings.leaseDuration, now: now)
        } catch let busy as RemoteLease.Busy {
            return PassReport(.busy, code: .busy, message: "\(busy); this pass does nothing")
        } catch {
            // Not ours to write the applied state without the lease; the note says why nothing ran.
            result.failure = ReconcileError(.leaseUnavailable, "cannot take the lease on the remote, nothing ran", underlying: error)
            result.recordsState = false
            return nil
        }
        result.lease = candidate
        // A pass can outlast its lease (a slow re-plan, slow steps): renew it at half-life from now on.
        result.renewal = Task { [settings, logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: settings.leaseDuration / 2)
                guard !Task.isCancelled else { return }
                do { try await candidate.acquire(for: settings.leaseDuration, now: Date()) } catch {
                    logger.warning("cannot renew the lease", metadata: ["error": "\(error)"])
                }
            }
        }
        let fresh: PlanningPass.Outcome
        do {
            // Fetched again under the lease: when neither the branch nor the applied state moved, planning again
            // would read the same inputs at the same `now` and give the same plan (250 ms at 10,000 apps).
            _ = try await settings.planning.fetch()
            if let planRefs, await Self.planRefs(in: planned.repository, branch: settings.branch) == planRefs {
                fresh = planned
            } else {
                guard let outcome = try await makePlan(now: now, stopIfUnchanged: false) else {
                    throw ReconcileError(.unreachable, "no plan was made")
                }
                fresh = outcome
            }
        } catch {
            result.failure = ReconcileError(.unreachable, "the plan could not be made again under the lease, nothing ran",
                                            underlying: error)
            result.recordsState = false
            return nil
        }
        let plan: Plan
        do { plan = try purpose.plan(from: fresh) } catch {
            await release(result)
            throw error
        }
        if purpose.isLoop, plan.commit == fresh.applied.commit, !plan.runsAnything {
            await release(result)
            return PassReport(.nothingToDo, message: "another reconciler applied \(plan.commit.prefix(12))")
        }
        result.planned = fresh
        result.plan = plan
        return nil
    }

    private func logPlan(_ result: PassResult) {
        let counts = result.plan.counts
        logger.info("plan", metadata: ["commit": "\(result.plan.commit.prefix(12))",
                                       "applied": "\(result.planned.applied.commit?.prefix(12) ?? "none")",
                                       "run": "\(counts[.run] ?? 0)", "prune": "\(counts[.prune] ?? 0)",
                                       "blocked": "\(counts[.blocked] ?? 0)", "unchanged": "\(counts[.skip] ?? 0)"])
    }

    /// The one writer of a pass's outcome: the status note on the head and (for a loop pass that may) the
    /// applied state, then the lease is released. Recorded also when the pass failed, but then nothing as
    /// succeeded and the state not settled: the next pass plans again and runs what this one could not
    /// (docs/ARCHITECTURE.md §3).
    private func record(_ result: PassResult) async -> PassReport {
        let planned = result.planned
        let execution = result.execution.afterDelivery()
        var products = planned.applied.apps.compactMapValues(\.product)
        for (name, app) in planned.desired.apps { products[name] = app.product }
        if let stateProblem = planned.stateProblem { logger.error("\(stateProblem)") }
        var status = StatusBuilder(plan: result.plan, execution: execution, previousCommit: planned.applied.commit,
                                   startedAt: result.started, finishedAt: Date(), failure: result.failure?.description,
                                   products: products, deliveryBranch: planned.desired.config.delivery.branch).status
        let warnings = (planned.stateProblem.map { [$0] } ?? []) + planned.warnings
        status.warnings = warnings.isEmpty ? nil : warnings
        var report = PassReport(.ran, status: status, code: result.failure?.code, message: result.failure?.description)
        report.stateRejected = planned.stateProblem != nil
        do {
            let recorder = PassRecorder(repository: planned.repository, remote: settings.remote, key: planned.key)
            let next = result.recordsState
                ? planned.applied.recording(result.plan, outcomes: execution.outcomes, desired: planned.desired,
                                            at: Timestamp(date: Date()), complete: result.completed)
                : nil
            let written = try await recorder.record(status, state: next)
            report.wroteNote = true
            // The next pass of this process plans from it without reading it again.
            if let written, let blob = try? await AppliedStateStore(repository: planned.repository).blobID() {
                loader.appliedCache = (blob.hex, written)
            }
            // What the remote holds (ours, or ours merged with another writer's) is what the memo is made against.
            if let written, planned.stateProblem == nil, result.plan.verification == nil, !planned.partial {
                await settings.planning.writeMemo(after: written, desired: planned.desired, now: Timestamp(date: Date()),
                                                  limits: loader.limits, repository: planned.repository)
            }
        } catch {
            report.code = report.code ?? .recordFailed
            report.message = [report.message, "recording the status failed: \(error)"].compactMap { $0 }.joined(separator: "; ")
        }
        await release(result)
        return report
    }

    /// The fetched branch head and applied-state commit, the two refs a plan is made from; nil when one
    /// cannot be read (then the pass plans again).
    private static func planRefs(in repository: Repository, branch: String) async -> [String]? {
        do {
            let head = try await repository.resolveRemoteBranch(branch)
            let applied = try await repository.reference(AppliedStateStore.trackingRef)
            return [head.hex, applied?.hex ?? "-"]
        } catch {
            return nil
        }
    }

    /// Stops renewing the lease, then gives it up.
    private func release(_ result: PassResult) async {
        result.renewal?.cancel()
        await result.renewal?.value  // a renewal under way finishes first, so it cannot re-take the lease after the release
        await result.lease?.release()
    }

    /// What still waits although nothing runs now (pairs in backoff, gated, stalled), and why a forced pair
    /// did not run: the no-op pass hides nothing that `plan` would show.
    private func pending(in plan: Plan) -> String {
        let waiting = plan.items.count { $0.waiting }, gated = plan.items.count { $0.gated }
        let stalled = plan.items.count { $0.action == .stalled }
        let parts = [(waiting, "waiting to retry"), (gated, "gated"), (stalled, "stalled")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        var text = parts.isEmpty ? "" : ": " + parts.joined(separator: ", ") + " (innominatus plan says why)"
        let forced = forcedPairs
        for item in plan.items where forced.contains(item.key) && item.action != .run {
            text += "\n--force \(item.key): not run: \(item.reason)"
        }
        return text
    }

    /// `--force APP[/TIER]` as pairs.
    private var forcedPairs: Set<PairKey> {
        Set(settings.force.flatMap { target in
            Tier.allCases.filter { target.tier == nil || target.tier == $0.rawValue }.map { PairKey(app: target.app, tier: $0) }
        })
    }

    /// Plans with the loader this reconciler keeps across passes (a copy is used while suspended, then stored).
    private func makePlan(now: Date, stopIfUnchanged: Bool) async throws -> PlanningPass.Outcome? {
        var working = loader
        defer { loader = working }
        return try await settings.planning.run(now: Timestamp(date: now), loader: &working, forced: forcedPairs,
                                               stopIfUnchanged: stopIfUnchanged)
    }

    /// The Score model of an app the plan runs, read by the loader from the blob it planned with, with its
    /// `source:` files from the commit; nil for an app the commit does not hold.
    func scoreModel(of app: String, desired: DesiredState, commit: String, repository: Repository) async -> Result<ScoreModel, ReconcileError>? {
        guard let desiredApp = desired.apps[app] else { return nil }
        let loader = self.loader
        do {
            let model = try await loader.scoreModel(of: desiredApp, from: repository)
            return .success(await model.readingSources(in: commit, from: repository))
        } catch {
            return .failure(error as? ReconcileError ?? ReconcileError(.invalidSpec, "\(desiredApp.scorePath)", underlying: error))
        }
    }

    /// The provisioners of the commit the loader last loaded.
    var provisioners: ProvisionerRegistry? { loader.provisioners }
}

/// What the stages of one pass found and did, filled in order; `record` turns it into the note and the
/// applied state.
struct PassResult {
    var started: Date
    /// What fetch, load and plan found (again under the lease).
    var planned: PlanningPass.Outcome
    /// The pairs this pass runs: the loop's plan, or a triggered pair.
    var plan: Plan
    var lease: RemoteLease?
    var renewal: Task<Void, Never>?
    var execution = Execution(outcomes: [:], tiers: [:])
    /// The stage that could not do its work; nothing after it ran.
    var failure: ReconcileError?
    /// False when execution stopped part-way: nothing is recorded as succeeded.
    var completed = true
    /// Whether the applied state is written (a triggered run and a pass without the lease write only the note).
    var recordsState = true
}

/// What one pass did, for the command line (exit status), the loop (backoff) and the server.
public struct PassReport: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Nothing changed since the last pass: nothing was written.
        case nothingToDo
        /// Another reconciler holds the workdir or the remote branch's lease: this pass did nothing.
        case busy
        /// The remote could not be read or the plan not made (no head commit known, so no note).
        case couldNotStart
        /// A status note was written (or recording it failed: see `message`).
        case ran
    }

    public var kind: Kind
    /// What stopped a stage, when one could not do its work (what the loop backs off on).
    public var code: ReconcileError.Code?
    /// The status written; nil unless `kind` is `.ran`.
    public var status: ReconcileStatus?
    public var wroteNote: Bool
    /// What went wrong or why nothing ran, in words.
    public var message: String?
    /// The stored applied state failed verification and was ignored (`/metrics` counts these).
    public var stateRejected = false

    public init(_ kind: Kind, status: ReconcileStatus? = nil, code: ReconcileError.Code? = nil, wroteNote: Bool = false,
                message: String? = nil) {
        self.kind = kind
        self.code = code
        self.status = status
        self.wroteNote = wroteNote
        self.message = message
    }

    /// Whether the loop should wait longer before the next pass (`ReconcileError.backsOff`).
    public var backsOff: Bool {
        guard let code else { return kind == .couldNotStart }
        return ReconcileError(code, "").backsOff
    }

    /// docs/ARCHITECTURE.md §6: 0 when every pair that ran succeeded (blocked workflows inside a pair that ran
    /// are reported, not failures), 1 when a pair failed, was blocked as a whole, stalled, errored, or the
    /// pass could not complete; 3 when another process holds the workdir or the remote's lease (nothing
    /// was done, and the message names the holder).
    public var exitCode: Int32 {
        switch kind {
        // A head the trust file refused earlier is not applied: still a failure, though nothing was written.
        case .nothingToDo: return code == .untrusted ? 1 : 0
        case .busy: return 3
        case .couldNotStart: return 1
        case .ran:
            guard let status, wroteNote else { return 1 }
            if status.result == .failed || status.result == .partial { return 1 }
            let bad = status.apps.values.contains { app in
                app.tiers.values.contains { [.blocked, .stalled, .error].contains($0.action) || $0.result == .failed }
            }
            return bad ? 1 : 0
        }
    }
}
