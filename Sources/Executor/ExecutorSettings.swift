import Foundation

/// Knobs of an executor that are not in the admin config: where logs go, how long to wait, and what
/// environment `fromEnv` reads. Tests shorten the durations; the reconciler keeps the defaults.
public struct ExecutorSettings: Sendable {
    /// Full step logs go to `<logDirectory>/<workflow>/<step>.log`; nil keeps only the in-memory tails.
    public var logDirectory: String?
    /// Steps of one workflow running at once when the DAG allows it; the admin config's
    /// `maxConcurrentWorkflows` replaces it when set.
    public var maxParallelSteps: Int
    /// A workflow without `timeout:` gets this (and `maxWorkflowDuration` caps both).
    public var defaultWorkflowTimeout: Duration
    /// Between SIGTERM and SIGKILL when a step's time is up.
    public var killGrace: Duration
    /// The first retry waits this long; each later one twice as long, up to `retryBackoffCap`.
    public var retryBackoff: Duration
    public var retryBackoffCap: Duration
    /// The reconciler's environment: only `fromEnv` reads it, and only names the admin config allows.
    public var hostEnvironment: [String: String]
    /// The `PATH` steps get (the only variable of the reconciler's they see).
    public var path: String
    /// What full log files of this executor's steps may still take (nil: only each step's own cap).
    public var logBudget: LogBudget?
    /// Who shell and plugin steps run as; nil: the reconciler's own user (`StepUser`).
    public var stepUser: StepUser?
    /// Awaited before each workflow of a run starts; a message fails that workflow (and stops the run).
    /// The reconciler checks here that no earlier step changed the checkout.
    public var beforeWorkflow: (@Sendable () async -> String?)?
    /// Called as steps start and finish (live progress in the CLI); on any thread.
    public var progress: (@Sendable (StepProgress) -> Void)?

    public init(logDirectory: String? = nil, maxParallelSteps: Int = 4, defaultWorkflowTimeout: Duration = .seconds(3600),
                killGrace: Duration = .seconds(10), retryBackoff: Duration = .seconds(1), retryBackoffCap: Duration = .seconds(60),
                hostEnvironment: [String: String] = ProcessInfo.processInfo.environment, path: String? = nil,
                stepUser: StepUser? = nil, progress: (@Sendable (StepProgress) -> Void)? = nil) {
        self.logDirectory = logDirectory
        self.maxParallelSteps = maxParallelSteps
        self.defaultWorkflowTimeout = defaultWorkflowTimeout
        self.killGrace = killGrace
        self.retryBackoff = retryBackoff
        self.retryBackoffCap = retryBackoffCap
        self.hostEnvironment = hostEnvironment
        self.path = path ?? hostEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        self.stepUser = stepUser
        self.progress = progress
    }
}

/// A step starting or finishing, for live progress.
public enum StepProgress: Sendable {
    case started(workflow: String, step: String, attempt: Int)
    case finished(workflow: String, StepOutcome)
}
