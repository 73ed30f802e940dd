import Specs

/// A workflow that is not a file: the reconciler's built-in work in a tier (the application tier's
/// generated deploy: provision the Score's resources and render its manifests). The executor runs it in
/// its place among the file workflows — first of its tier in its phase — with the same order, the same
/// check of the checkout before it, the same stop on failure and the same `not-run` for what follows,
/// so none of that is written twice (docs/ARCHITECTURE.md §2).
public struct GeneratedWorkflow: Sendable {
    public var name: String
    public var tier: Tier
    public var phase: Workflow.Phase
    /// Its one step's name and type, as the note shows them.
    public var step: String
    public var stepType: String
    public var body: @Sendable () async -> Result

    /// What the work did. On success, `resources` (resource name → output → value) become
    /// `${resources.NAME.KEY}` for the workflows after it, and `secrets` are masked in everything after it.
    public struct Result: Sendable {
        public var failure: String?
        public var resources: [String: [String: String]]
        public var secrets: [String]

        public static func failed(_ message: String) -> Result { Result(failure: message, resources: [:], secrets: []) }

        public static func succeeded(resources: [String: [String: String]], secrets: [String]) -> Result {
            Result(failure: nil, resources: resources, secrets: secrets)
        }
    }

    public init(name: String, tier: Tier, phase: Workflow.Phase = .deployment, step: String, stepType: String,
                body: @escaping @Sendable () async -> Result) {
        self.name = name
        self.tier = tier
        self.phase = phase
        self.step = step
        self.stepType = stepType
        self.body = body
    }
}

/// One unit of an app's run, in order: a workflow file or generated work.
enum RunUnit: Sendable {
    case file(Workflow)
    case generated(GeneratedWorkflow)

    var name: String {
        switch self {
        case .file(let workflow): workflow.name
        case .generated(let generated): generated.name
        }
    }

    var tier: Tier {
        switch self {
        case .file(let workflow): workflow.kind.tier
        case .generated(let generated): generated.tier
        }
    }

    var phase: Workflow.Phase {
        switch self {
        case .file(let workflow): workflow.phase
        case .generated(let generated): generated.phase
        }
    }

    func outcome(_ result: WorkflowResult, message: String?) -> WorkflowOutcome {
        WorkflowOutcome(name: name, tier: tier, phase: phase.rawValue, result: result, message: message)
    }
}
