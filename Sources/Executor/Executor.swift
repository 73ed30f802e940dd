import Foundation
import ProcessSupport
import Specs

/// Runs an app's workflows (docs/ARCHITECTURE.md §2): phases in order, tiers in order inside a phase, each
/// workflow's steps as a DAG. Everything that ran is returned as values; nothing here throws for a failing
/// step, and problems found before running (unknown step types, forbidden `fromEnv`) stop the run before
/// any step starts.
public struct Executor: Sendable {
    public var admin: AdminConfig
    public var settings: ExecutorSettings

    public init(admin: AdminConfig = .default, settings: ExecutorSettings = ExecutorSettings()) {
        self.admin = admin
        self.settings = settings
    }

    /// What would stop `workflows` before any step runs; empty when they may run.
    public func check(_ workflows: [Workflow], repositoryRoot: String) -> [ExecutorError] {
        let preflight = Preflight(admin: admin, settings: settings)
        return workflows.flatMap { preflight.problems(in: $0, repositoryRoot: repositoryRoot) }
    }

    /// The time a workflow gets: its `timeout:` (or the default), capped by `maxWorkflowDuration`.
    public func timeout(of workflow: Workflow) -> Duration {
        var limit = workflow.timeout?.duration ?? settings.defaultWorkflowTimeout
        if let cap = admin.maxWorkflowDuration?.duration, cap < limit { limit = cap }
        return limit
    }

    /// Steps of one workflow that may run at once.
    public var maxParallelSteps: Int { max(1, admin.maxConcurrentWorkflows ?? settings.maxParallelSteps) }

    /// Runs one workflow for one app (what `innominatus run` does).
    /// - Parameter earlierOutputs: outputs of workflows that ran before, by step name.
    public func run(_ workflow: Workflow, app: AppContext, earlierOutputs: [String: [String: String]] = [:]) async -> WorkflowOutcome {
        await run(app: app, workflows: [workflow], earlierOutputs: earlierOutputs).workflows[0]
    }

    /// Runs an app's workflows: `pre-deployment`, `deployment`, `post-deployment` (or only `destroy` when
    /// `prune` is set), platform → product → application inside each phase, in the given order within a
    /// tier, each tier's `generated` work first. The first failed workflow stops the rest: they are `not-run`.
    public func run(app: AppContext, workflows: [Workflow], prune: Bool = false,
                    earlierOutputs: [String: [String: String]] = [:], generated: [GeneratedWorkflow] = []) async -> AppRunOutcome {
        let ordered = Self.order(workflows, prune: prune)
        let units = Self.units(ordered, generated: generated, prune: prune)
        let problems = check(ordered, repositoryRoot: app.repositoryRoot)
        if !problems.isEmpty {
            let message = problems.map(\.message).joined(separator: "\n")
            return AppRunOutcome(app: app.appName, result: .failed, workflows: units.map { $0.outcome(.failed, message: message) })
        }
        let preflight = Preflight(admin: admin, settings: settings)
        var mask = SecretMask(preflight.secrets(of: ordered, repositoryRoot: app.repositoryRoot) + app.secrets)
        // SCORE_JSON is read from the checkout's Score file: only once nothing an earlier run did is left there.
        if let problem = await settings.beforeWorkflow?() {
            return AppRunOutcome(app: app.appName, result: .failed, workflows: units.map { $0.outcome(.failed, message: problem) })
        }
        // The run's private folder (0700). Should mkdtemp fail, steps fall back to the shared temporary
        // folder, which is never removed and never receives the Score.
        let ownScratch = Self.makeScratch(for: settings.stepUser)
        let scratch = ownScratch ?? NSTemporaryDirectory()
        defer { if let ownScratch { try? FileManager.default.removeItem(atPath: ownScratch) } }
        let scoreJSON = ownScratch.flatMap { ScoreJSON.write(scoreFile: app.scoreFile, root: app.repositoryRoot, into: $0,
                                                             owner: settings.stepUser) }
        var context = app
        var outputs = earlierOutputs
        var outcomes: [WorkflowOutcome] = []
        var stopped: WorkflowOutcome?
        for unit in units {
            if let stopped {
                outcomes.append(unit.outcome(.notRun, message: "not run: workflow '\(stopped.name)' "
                    + "(\(stopped.tier.rawValue), \(stopped.phase)) \(stopped.result.rawValue)"))
                continue
            }
            if let problem = await settings.beforeWorkflow?() {
                let outcome = unit.outcome(.failed, message: problem)
                outcomes.append(outcome)
                stopped = outcome
                continue
            }
            let outcome: WorkflowOutcome
            switch unit {
            case .generated(let work):
                let clock = ContinuousClock()
                let started = clock.now
                let result = await work.body()
                let milliseconds = Int((clock.now - started).wholeMilliseconds)
                if let failure = result.failure {
                    outcome = WorkflowOutcome(name: work.name, tier: work.tier, phase: work.phase.rawValue, result: .failed,
                                              durationMs: milliseconds, message: mask.mask(failure))
                } else {
                    context.resources.merge(result.resources) { $1 }
                    context.secrets += result.secrets
                    mask = mask.adding(result.secrets)
                    let step = StepOutcome(name: work.step, type: work.stepType, result: .succeeded, durationMs: milliseconds)
                    outcome = WorkflowOutcome(name: work.name, tier: work.tier, phase: work.phase.rawValue, result: .succeeded,
                                              durationMs: milliseconds, steps: [step])
                }
            case .file(let workflow):
                let logDirectory = settings.logDirectory.map { "\($0)/\(workflow.kind.tier.rawValue)-\(workflow.name)" }
                if let logDirectory { try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true) }
                let runner = StepRunner(admin: admin, settings: settings, scratch: scratch, logDirectory: logDirectory)
                let run = WorkflowRun(workflow: workflow, runner: runner, app: context, maxParallel: maxParallelSteps,
                                      timeout: timeout(of: workflow), mask: mask, scoreJSON: scoreJSON)
                let (ran, newOutputs) = await run.run(earlierOutputs: outputs)
                outputs = newOutputs
                outcome = ran
            }
            outcomes.append(outcome)
            if outcome.result != .succeeded { stopped = outcome }
        }
        return AppRunOutcome(app: app.appName, result: stopped?.result ?? .succeeded, workflows: outcomes)
    }

    /// Phases in order, tiers in order inside a phase, the given order inside a tier.
    public static func order(_ workflows: [Workflow], prune: Bool = false) -> [Workflow] {
        phases(prune: prune).flatMap { phase in
            Tier.allCases.flatMap { tier in workflows.filter { $0.phase == phase && $0.kind.tier == tier } }
        }
    }

    /// `ordered` (already in `order`) with the generated work first of its tier in its phase.
    static func units(_ ordered: [Workflow], generated: [GeneratedWorkflow], prune: Bool) -> [RunUnit] {
        phases(prune: prune).flatMap { phase in
            Tier.allCases.flatMap { tier in
                generated.filter { $0.phase == phase && $0.tier == tier }.map(RunUnit.generated)
                    + ordered.filter { $0.phase == phase && $0.kind.tier == tier }.map(RunUnit.file)
            }
        }
    }

    private static func phases(prune: Bool) -> [Workflow.Phase] {
        prune ? [.destroy] : [.preDeployment, .deployment, .postDeployment]
    }

    /// The run's folder: 0700, or 0711 when steps run as another user, who may then enter the folders
    /// of their own attempts (`StepScratch`) but not list what else is there.
    private static func makeScratch(for user: StepUser?) -> String? {
        var template = Array((NSTemporaryDirectory() + "/innominatus-steps-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { return nil }
        let path = String(cString: made)
        if user != nil { chmod(path, 0o711) }
        return path
    }
}
