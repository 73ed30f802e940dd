import Specs

/// How one workflow ended (the `result` values of docs/ARCHITECTURE.md §7 that apply to a workflow).
public enum WorkflowResult: String, Sendable, Hashable, Codable {
    case succeeded
    case failed
    /// Stopped by cancellation (e.g. the reconciler shutting down).
    case interrupted
    /// An earlier workflow of the app failed, so this one never started.
    case notRun = "not-run"
}

/// One workflow's run: its steps in file order, each with its outcome.
public struct WorkflowOutcome: Sendable, Hashable, Codable {
    public var name: String
    public var tier: Tier
    public var phase: String
    public var result: WorkflowResult
    public var durationMs: Int
    public var steps: [StepOutcome]
    /// Why it failed or did not run, in words.
    public var message: String?

    public init(name: String, tier: Tier, phase: String, result: WorkflowResult, durationMs: Int = 0,
                steps: [StepOutcome] = [], message: String? = nil) {
        self.name = name
        self.tier = tier
        self.phase = phase
        self.result = result
        self.durationMs = durationMs
        self.steps = steps
        self.message = message
    }

    /// Outputs of every step, by step name: what later workflows of the app see.
    public var outputs: [String: [String: String]] {
        Dictionary(steps.filter { !$0.outputs.isEmpty }.map { ($0.name, $0.outputs) }, uniquingKeysWith: { $1 })
    }
}

/// Everything that ran for one app: its workflows in the order they ran (phases, then tiers).
public struct AppRunOutcome: Sendable, Hashable, Codable {
    public var app: String
    public var result: WorkflowResult
    public var workflows: [WorkflowOutcome]

    public init(app: String, result: WorkflowResult, workflows: [WorkflowOutcome]) {
        self.app = app
        self.result = result
        self.workflows = workflows
    }
}
