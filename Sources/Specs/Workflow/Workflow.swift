/// The three tiers of the innominatus model (docs/ARCHITECTURE.md §2); they run in this order in a phase.
public enum Tier: String, Sendable, Hashable, CaseIterable, Codable {
    case platform
    case product
    case application

    /// Platform → product → application: 0, 1, 2 — the order of the cases above, so it is written once
    /// (`allCases` walks the same order; docs/ARCHITECTURE.md §15).
    public var order: Int { Self.ordered.firstIndex(of: self) ?? 0 }

    private static let ordered = allCases
}

/// A workflow file (`workflow.dev/v1`), after validation. All kinds share the format; the kind says
/// which tier it belongs to and must match where the file lies.
public struct Workflow: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case platform = "PlatformWorkflow"
        case product = "ProductWorkflow"
        case application = "Workflow"

        public var tier: Tier {
            switch self {
            case .platform: .platform
            case .product: .product
            case .application: .application
            }
        }
    }

    public enum Phase: String, Sendable, Hashable, CaseIterable, Codable {
        case preDeployment = "pre-deployment"
        case deployment
        case postDeployment = "post-deployment"
        /// Runs only when an app is pruned.
        case destroy
    }

    public enum Trigger: String, Sendable, Hashable, CaseIterable, Codable {
        case allDeployments = "all_deployments"
        case productDeployment = "product_deployment"
        case firstDeployment = "first_deployment"
        case manual
    }

    public static let apiVersions = ["workflow.dev/v1", "orchestrator.innominatus.dev/v1"]

    public var apiVersion: String
    public var kind: Kind
    public var name: String
    public var description: String?
    public var owner: String?
    public var phase: Phase
    /// `metadata.product`, for product workflows that state it (the folder is authoritative).
    public var product: String?
    /// As written, or the kind's default: `product_deployment` for product workflows, else `all_deployments`.
    public var triggers: [Trigger]
    public var timeout: SpecDuration?
    /// Repository paths (globs) the workflow reads; they join its fingerprint.
    public var inputs: [String]
    public var steps: [WorkflowStep]

    /// True when some step declares `dependsOn`: the steps form a DAG; otherwise they run in file order.
    public var isGraph: Bool { steps.contains { $0.dependsOn != nil } }
}
