import Specs

/// What the executor knows about the app it runs workflows for: the values of the context variables and
/// placeholders of docs/ARCHITECTURE.md §2 (`APP_NAME`, `PRODUCT`, `SCORE_FILE`, `COMMIT`, `TIER`, `PHASE`,
/// `INNOMINATUS_OUTPUT`, and `SCORE_JSON`, the Score as JSON, which the executor writes for each run).
public struct AppContext: Sendable, Hashable {
    public var appName: String
    public var product: String?
    /// The Score file's path, as steps see it in `SCORE_FILE` (absolute, or relative to the repository root).
    /// Each run also hands steps the Score as JSON, in a private file named by `SCORE_JSON`.
    public var scoreFile: String
    public var commit: String
    /// The app's Score metadata, for `${metadata.KEY}`.
    public var metadata: [String: String]
    /// Outputs of the app's provisioned resources, for `${resources.NAME.OUTPUT}`.
    public var resources: [String: [String: String]]
    /// The checkout's root: steps run there, and `fromFile` and plugin paths must stay inside it.
    public var repositoryRoot: String
    /// Values masked in every log and output besides the workflows' own secrets (secret resource outputs).
    public var secrets: [String] = []

    public init(appName: String, product: String? = nil, scoreFile: String, commit: String,
                metadata: [String: String] = [:], resources: [String: [String: String]] = [:], repositoryRoot: String) {
        self.appName = appName
        self.product = product
        self.scoreFile = scoreFile
        self.commit = commit
        self.metadata = metadata
        self.resources = resources
        self.repositoryRoot = repositoryRoot
    }

    /// The context of a validated Score workload.
    public init(score: ScoreWorkload, scoreFile: String, commit: String, repositoryRoot: String,
                resources: [String: [String: String]] = [:]) {
        self.init(appName: score.metadata.name, product: score.metadata.product, scoreFile: scoreFile, commit: commit,
                  metadata: score.metadata.values, resources: resources, repositoryRoot: repositoryRoot)
    }
}

/// Where in an app's run a step is: the values of `TIER` and `PHASE`, and the outputs before it.
struct StepScope: Sendable {
    var app: AppContext
    var tier: Tier
    var phase: Workflow.Phase
    var workflow: String
    /// Outputs of earlier steps (of this workflow and earlier workflows of the app), by step name.
    var outputs: [String: [String: String]]
    /// The run's copy of the Score as JSON (`SCORE_JSON`); nil when the Score file could not be read.
    var scoreJSON: String? = nil
}
