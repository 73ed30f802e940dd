import Executor
import Foundation
import GitKit
import Logging
import Planner
import Specs

/// The GitOps loop's one pass (`reconcileOnce`), in the order Flux's controllers use: fetch, load, plan,
/// execute, record. It keeps its desired-state loader (parsed specs by blob id) across passes, so a
/// long-running `watch` re-parses only what a commit changed.
///
/// Status is written in exactly one place (`record`), on every exit path that knows the head commit:
/// a pass that fails after fetching still leaves a note saying why.
public actor PlatformReconciler {
    public let settings: ReconcileSettings
    private var loader = DesiredStateLoader()
    let executorSettings: ExecutorSettings
    let logger: Logger
    /// Where each step's start and end is logged (app, tier, workflow, step, duration), unless the caller
    /// watches progress itself.
    let stepLogger: Logger?

    public init(settings: ReconcileSettings, executorSettings: ExecutorSettings = ExecutorSettings(),
                logger: Logger = Logger(label: "innominatus.reconciler")) {
        self.settings = settings
        self.stepLogger = executorSettings.progress == nil ? logger : nil
        var executorSettings = executorSettings
        if executorSettings.stepUser == nil { executorSettings.stepUser = settings.stepUser }
        self.executorSettings = executorSettings
        self.logger = logger
    }

    /// One pass, logged: its start, what it decided, and how it ended.
    public func reconcileOnce(now: Date = Date()) async -> PassReport {
        logger.debug("pass started", metadata: ["remote": "\(RemoteURL.redacted(settings.remote.url))", "branch": "\(settings.branch)"])
        let report = await pass(now: now)
        var metadata: Logger.Metadata = ["kind": "\(report.kind)", "exit": "\(report.exitCode)"]
        if let status = report.status {
            metadata["commit"] = "\(status.commit.prefix(12))"
            metadata["result"] = "\(status.result.rawValue)"
            metadata["unchanged"] = "\(status.unchanged)"
        }
        if let message = report.message { metadata["message"] = "\(message)" }
        switch report.kind {
        case .nothingToDo: logger.info("pass did nothing", metadata: metadata)
        case .busy: logger.warning("pass did nothing: busy", metadata: metadata)
        case .couldNotStart: logger.error("pass could not start", metadata: metadata)
        case .ran: logger.log(level: report.exitCode == 0 ? .info : .warning, "pass finished", metadata: metadata)
        }
        return report
    }

    /// One pass. Never throws: everything that went wrong is in the report (and, when a head commit is
    /// known, in its note).
    private func pass(now: Date) async -> PassReport {
        let started = now
        let lock: WorkdirLock
        do {
            lock = try WorkdirLock(workdir: settings.workdir)
        } catch {
            return PassReport(.busy, message: "\(error)")
        }
        defer { lock.release() }
        let workdir = Workdir(path: settings.workdir)
        if let full = workdir.spaceProblem(minimum: settings.minimumFreeBytes) { return PassReport(.couldNotStart, message: full) }
        do {
            try workdir.secure(for: executorSettings.stepUser)
        } catch {
            return PassReport(.couldNotStart, message: "the pass could not start: \(error)")
        }

        let outcome: PlanningPass.Outcome
        do {
            guard let planned = try await makePlan(now: now, stopIfUnchanged: true) else {
                return PassReport(.nothingToDo, message: "nothing to do: the head is the applied commit")
            }
            outcome = planned
        } catch {
            return PassReport(.couldNotStart, message: "the pass could not start: \(error)")
        }
        var plan = outcome.plan
        let head = plan.commit
        let hasWork = plan.errors.isEmpty && plan.items.contains { $0.action == .run || $0.action == .prune }
        // Nothing changed since the last pass: write nothing, take no lease.
        if !hasWork && head == outcome.applied.commit && plan.errors.isEmpty {
            return PassReport(.nothingToDo, message: "nothing to do at \(head.prefix(12))" + pending(in: plan))
        }

        var lease: RemoteLease?
        var desired = outcome.desired
        var applied = outcome.applied
        var stateProblem = outcome.stateProblem
        var warnings = outcome.warnings
        if hasWork {
            let candidate = RemoteLease(repository: outcome.repository, remote: settings.remote, branch: settings.branch,
                                        holder: settings.holder, key: outcome.key)
            do {
                try await candidate.acquire(for: settings.leaseDuration, now: now)
            } catch let busy as RemoteLease.Busy {
                return PassReport(.busy, message: "\(busy); this pass does nothing")
            } catch {
                return PassReport(.couldNotStart, message: "cannot take the lease on the remote: \(error)")
            }
            lease = candidate
            // Another reconciler may have finished a pass between our plan and our lease: plan again.
            do {
                guard let fresh = try await makePlan(now: now, stopIfUnchanged: false) else { throw ReconcileFailure("no plan") }
                plan = fresh.plan
                desired = fresh.desired
                applied = fresh.applied
                stateProblem = fresh.stateProblem
                warnings = fresh.warnings
            } catch {
                await candidate.release()
                return PassReport(.couldNotStart, message: "the pass could not start: \(error)")
            }
            if plan.commit == applied.commit && !plan.items.contains(where: { $0.action == .run || $0.action == .prune }) {
                await candidate.release()
                return PassReport(.nothingToDo, message: "another reconciler applied \(plan.commit.prefix(12))")
            }
        }

        // A pass can outlast its lease (slow steps): renew it at half-life while the pass works.
        let renewal = lease.map { held in
            Task { [settings, logger] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: settings.leaseDuration / 2)
                    guard !Task.isCancelled else { return }
                    do { try await held.acquire(for: settings.leaseDuration, now: Date()) } catch {
                        logger.warning("cannot renew the lease", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
        defer { renewal?.cancel() }

        let counts = plan.counts
        logger.info("plan", metadata: ["commit": "\(plan.commit.prefix(12))", "applied": "\(applied.commit?.prefix(12) ?? "none")",
                                       "run": "\(counts[.run] ?? 0)", "prune": "\(counts[.prune] ?? 0)",
                                       "blocked": "\(counts[.blocked] ?? 0)", "unchanged": "\(counts[.skip] ?? 0)"])
        var execution = Execution(outcomes: [:], tiers: [:])
        var failure: String?
        var completed = true
        if !plan.errors.isEmpty {
            failure = "the admin config is invalid, nothing runs:\n" + plan.errors.joined(separator: "\n")
        } else if plan.items.contains(where: { $0.action == .run || $0.action == .prune }) {
            do {
                execution = try await execute(plan, desired: desired, applied: applied, repository: outcome.repository)
            } catch {
                failure = "the pass could not complete: \(error)"
                completed = false
            }
        }
        var products = applied.apps.compactMapValues(\.product)
        for (name, app) in desired.apps { products[name] = app.product }
        if let stateProblem { logger.error("\(stateProblem)") }
        var status = StatusBuilder(plan: plan, execution: execution, previousCommit: applied.commit,
                                   startedAt: started, finishedAt: Date(), failure: failure, products: products,
                                   deliveryBranch: desired.config.delivery.branch).status
        warnings = (stateProblem.map { [$0] } ?? []) + warnings
        status.warnings = warnings.isEmpty ? nil : warnings
        var report = PassReport(.ran, status: status, message: failure)
        report.stateRejected = stateProblem != nil
        do {
            let recorder = PassRecorder(repository: outcome.repository, remote: settings.remote, key: outcome.key)
            // Recorded even when the pass failed, but then nothing as succeeded and the state not settled:
            // the next pass plans again and runs what this one could not (ARCHITECTURE.md §3).
            let next = applied.recording(plan, outcomes: execution.outcomes, desired: desired, at: Timestamp(date: Date()),
                                         complete: completed)
            try await recorder.record(status, state: next)
            report.wroteNote = true
        } catch {
            report.message = [report.message, "recording the status failed: \(error)"].compactMap { $0 }.joined(separator: "; ")
        }
        renewal?.cancel()
        await renewal?.value  // a renewal under way finishes first, so it cannot re-take the lease after the release
        await lease?.release()
        return report
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
    /// The status written; nil unless `kind` is `.ran`.
    public var status: ReconcileStatus?
    public var wroteNote: Bool
    /// What went wrong or why nothing ran, in words.
    public var message: String?
    /// The stored applied state failed verification and was ignored (`/metrics` counts these).
    public var stateRejected = false

    public init(_ kind: Kind, status: ReconcileStatus? = nil, wroteNote: Bool = false, message: String? = nil) {
        self.kind = kind
        self.status = status
        self.wroteNote = wroteNote
        self.message = message
    }

    /// ARCHITECTURE.md §6: 0 when every pair that ran succeeded (blocked workflows inside a pair that ran
    /// are reported, not failures), 1 when a pair failed, was blocked as a whole, stalled, errored, or the
    /// pass could not complete; 3 when another process holds the workdir or the remote's lease (nothing
    /// was done, and the message names the holder).
    public var exitCode: Int32 {
        switch kind {
        case .nothingToDo: return 0
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
