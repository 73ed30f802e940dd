import Specs

/// The desired state at one commit, as values: what the loader found in the tree (ids, parsed specs,
/// file errors). The planner never reads files; everything it needs to decide and explain is here.
public struct DesiredState: Sendable {
    public var commit: String
    /// The admin config in force (the defaults when the repository has none).
    public var config: AdminConfig
    /// Errors of `policies/admin-config.yaml`, each at its file:line:column. Non-empty fails the pass closed.
    public var configErrors: [SpecDiagnostic]
    public var platformWorkflows: [DesiredWorkflow]
    /// Product name → the product's workflows.
    public var productWorkflows: [String: [DesiredWorkflow]]
    /// App name → app. An app is a folder under the apps root holding a Score file.
    public var apps: [String: DesiredApp]
    /// Step type name → blob id of the plugin's command file, when that file lies in the repository.
    public var stepTypeFiles: [String: String]
    /// Apps of the applied state whose Score file is gone, with the workflows of the last applied tree
    /// that concern them (their `destroy` ones run when they are pruned).
    public var departed: [String: DepartedApp] = [:]
    /// Errors of the repository's `provisioners/*.yaml` files: the application tier of every app with
    /// resources is an `error` while they stand (apps without resources are not concerned).
    public var provisionerErrors: [String] = []
    /// The paths that differ between the applied commit's tree and this one (nil when unknown): lets a
    /// reason tell a workflow approved in the admin config from a workflow file added.
    public var changedPaths: Set<String>?
    /// The admin config's path in the tree, when the repository has one.
    public var configPath: String?

    public init(commit: String, config: AdminConfig = .default, configErrors: [SpecDiagnostic] = [],
                platformWorkflows: [DesiredWorkflow] = [], productWorkflows: [String: [DesiredWorkflow]] = [:],
                apps: [String: DesiredApp] = [:], stepTypeFiles: [String: String] = [:]) {
        self.commit = commit
        self.config = config
        self.configErrors = configErrors
        self.platformWorkflows = platformWorkflows
        self.productWorkflows = productWorkflows
        self.apps = apps
        self.stepTypeFiles = stepTypeFiles
    }
}

/// One workflow file: where it lies, its blob id, and its model — or why it could not be read.
public struct DesiredWorkflow: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case valid(Workflow)
        /// The file's errors, each at its file:line:column.
        case invalid([SpecDiagnostic])
    }

    /// The file name's stem (`security-scan`); product workflows are shown as `<product>/<name>`.
    public var name: String
    public var path: String
    public var blobID: String
    public var content: Content
    /// The files its `inputs` globs matched in the tree: path → blob id.
    public var inputs: [String: String]

    public init(name: String, path: String, blobID: String, content: Content, inputs: [String: String] = [:]) {
        self.name = name
        self.path = path
        self.blobID = blobID
        self.content = content
        self.inputs = inputs
    }

    public var workflow: Workflow? {
        if case .valid(let workflow) = content { return workflow }
        return nil
    }
}

/// One app: its Score file's id and the few Score facts planning needs, or the Score's errors.
public struct DesiredApp: Sendable, Hashable {
    public var name: String
    public var scorePath: String
    public var scoreID: String
    public var product: String?
    /// Where the Score writes `metadata.product`, when the loader parsed it (for the reason of an app that
    /// claims a product it is not a member of).
    public var productLocation: SourceLocation?
    /// `innominatus.dev/suspend: "true"` among the Score's annotations.
    public var suspended: Bool
    /// The Score file's errors, each at its file:line:column. Non-empty makes every tier of the app an
    /// `error`, never a prune.
    public var errors: [SpecDiagnostic]
    /// The app's own workflows (`apps/<app>/workflows/*.yaml`).
    public var workflows: [DesiredWorkflow]
    /// The Score's resources (what provisioners are matched on).
    public var resources: [ResourceRef] = []
    /// The provisioner definitions its resources use, as fingerprint components of the application tier
    /// (repository path → blob id, or `provisioner:built-in` → the built-in set's digest).
    public var provisionerInputs: [String: String] = [:]
    /// Why provisioners its resources match may not run (a `cmd://` one the admin config does not allow):
    /// non-empty makes the application tier an `error`.
    public var provisionerRefusals: [String] = []
    /// Repository provisioners files that would have served one of its resources but are not approved
    /// (path → why, with the approve command): listed under the application tier's `blocked`.
    public var unapprovedProvisioners: [String: String] = [:]

    public init(name: String, scorePath: String, scoreID: String, product: String? = nil, suspended: Bool = false,
                errors: [SpecDiagnostic] = [], workflows: [DesiredWorkflow] = []) {
        self.name = name
        self.scorePath = scorePath
        self.scoreID = scoreID
        self.product = product
        self.suspended = suspended
        self.errors = errors
        self.workflows = workflows
    }

    public static let suspendAnnotation = "innominatus.dev/suspend"
}

/// An app being pruned: the workflows of the last applied commit that applied to it, per tier.
public struct DepartedApp: Sendable, Hashable {
    public var product: String?
    public var workflows: [Tier: [DesiredWorkflow]]

    public init(product: String?, workflows: [Tier: [DesiredWorkflow]]) {
        self.product = product
        self.workflows = workflows
    }
}

/// One Score resource as provisioners see it: the keys a provisioner is matched on.
public struct ResourceRef: Sendable, Hashable, Comparable {
    public var name: String
    public var type: String
    public var `class`: String?
    public var id: String?

    public init(name: String, type: String, class resourceClass: String? = nil, id: String? = nil) {
        self.name = name
        self.type = type
        self.class = resourceClass
        self.id = id
    }

    public static func < (lhs: ResourceRef, rhs: ResourceRef) -> Bool { lhs.name < rhs.name }
}
