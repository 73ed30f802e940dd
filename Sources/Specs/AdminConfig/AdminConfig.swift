/// The platform team's policies (`policies/admin-config.yaml`, key `workflowPolicies`), after validation.
///
/// Unset fields take the defaults of docs/ARCHITECTURE.md, so the planner and executor never guess.
public struct AdminConfig: Sendable, Hashable, Codable {
    /// Where a platform repository keeps its admin config, in the order they are looked for: the one place
    /// every reader (loader, validator, approve, provisioner policy) takes the path from.
    public static let repositoryPaths = ["policies/admin-config.yaml", "policies/admin-config.yml"]
    /// The path named when a repository has none yet (and in messages).
    public static var defaultPath: String { repositoryPaths[0] }

    /// The admin config's path of those `exists` says are there; nil when none is.
    public static func path(where exists: (String) -> Bool) -> String? { repositoryPaths.first(where: exists) }

    /// A product workflow the platform team approved, optionally pinned to a digest of what it runs (its
    /// file and its inputs, `WorkflowPin`) so that a later edit of any of them needs approval again.
    public struct ApprovedWorkflow: Sendable, Hashable, Codable {
        public var product: String
        public var name: String
        /// `sha256:<hex>` over the workflow file and its inputs, or (older pins) the file's git blob id alone.
        public var digest: String?

        /// `product/name`, as written in the allow-list.
        public var fullName: String { "\(product)/\(name)" }
    }

    /// A repository provisioners file (`provisioners/NAME.yaml`) the platform team approved, optionally pinned
    /// to its git blob id so that a later edit needs approval again. Files not listed are never used.
    public struct ApprovedProvisioner: Sendable, Hashable, Codable {
        /// The file's path in the repository, `provisioners/NAME.yaml`.
        public var path: String
        /// The file's git blob id (40 hex digits), when pinned.
        public var digest: String?

        public init(path: String, digest: String? = nil) {
            self.path = path
            self.digest = digest
        }
    }

    /// A step type provided by a plugin: a command inside the repository that reads a JSON document on
    /// stdin and writes its outputs as JSON on stdout.
    public struct StepTypeDefinition: Sendable, Hashable, Codable {
        public var command: [String]
        public var timeout: SpecDuration?
        public var description: String?
    }

    /// Backoff for a failing (app, tier) pair, and how many attempts before it is `stalled`.
    public struct RetryPolicy: Sendable, Hashable, Codable {
        public var base: SpecDuration
        public var cap: SpecDuration
        public var attempts: Int

        public static let `default` = RetryPolicy(
            base: SpecDuration(milliseconds: 30_000), cap: SpecDuration(milliseconds: 3_600_000), attempts: 5)
    }

    /// Where the application tier delivers rendered manifests (docs/ARCHITECTURE.md §2, the generated workflow).
    public struct Delivery: Sendable, Hashable, Codable {
        /// Off: the application tier runs only the app's own workflows; nothing is provisioned or rendered.
        public var enabled: Bool
        /// The environment branch of the platform repository, one folder per app.
        public var branch: String

        public static let `default` = Delivery(enabled: true, branch: "env/main")
    }

    public var workflowsRoot: String
    public var appsRoot: String
    public var requiredPlatformWorkflows: [String]
    public var allowedProductWorkflows: [ApprovedWorkflow]
    /// Step types allowed in every tier; nil when the config does not restrict them.
    public var allowedStepTypes: [String]?
    /// Further restrictions per tier, when given.
    public var allowedStepTypesByTier: [Tier: [String]]
    public var stepTypes: [String: StepTypeDefinition]
    /// Which reconciler environment variables `fromEnv` may read, per tier.
    public var secretEnv: [Tier: [String]]
    public var maxStepsPerWorkflow: Int?
    public var maxWorkflowDuration: SpecDuration?
    public var maxConcurrentWorkflows: Int?
    public var maxPrunePerPass: Int
    public var retry: RetryPolicy
    public var delivery: Delivery = .default
    /// Products whose membership the platform team declares (`products: {ecommerce: {apps: [shop, cart-*]}}`):
    /// only those apps may claim them with `metadata.product`. A product not listed here keeps the open rule
    /// (any app may name it).
    public var products: [String: ProductMembership] = [:]
    /// The repository provisioners files that may serve resources; a file not listed (or whose pin no longer
    /// matches) is ignored, so its resources fall to the next approved file or the built-in provisioners.
    public var allowedProvisioners: [ApprovedProvisioner] = []
    /// Whether approved files may hold `cmd://` provisioners, which run a program as the reconciler's user.
    public var allowCmdProvisioners = false
    /// The target environment's values, what Score `environment` resources output (`${resources.env.KEY}`).
    public var environment: [String: String] = [:]

    /// The apps of one product, as patterns where `*` stands for any run of characters.
    public struct ProductMembership: Sendable, Hashable, Codable {
        public var apps: [String]

        public init(apps: [String]) {
            self.apps = apps
        }

        /// Whether `app` (an app folder's name) is a member.
        public func admits(_ app: String) -> Bool {
            apps.contains { Self.matches(pattern: Array($0.utf8), name: Array(app.utf8)) }
        }

        /// `*` matches any run of characters (none included); everything else matches itself. Greedy with
        /// one backtrack point, so a pattern of many stars costs no more than a pass per star.
        static func matches(pattern: [UInt8], name: [UInt8]) -> Bool {
            let star = UInt8(ascii: "*")
            var p = 0, n = 0
            var lastStar: Int?, resume = 0
            while n < name.count {
                if p < pattern.count, pattern[p] == star {
                    lastStar = p
                    resume = n
                    p += 1
                } else if p < pattern.count, pattern[p] == name[n] {
                    p += 1
                    n += 1
                } else if let star = lastStar {
                    p = star + 1
                    resume += 1
                    n = resume
                } else {
                    return false
                }
            }
            while p < pattern.count, pattern[p] == star { p += 1 }
            return p == pattern.count
        }
    }

    /// Steps a workflow may have when the admin config does not say: a bound on what one file can start.
    public static let defaultMaxStepsPerWorkflow = 1000

    /// What a platform repository without an admin config gets: default roots, nothing approved.
    public static let `default` = AdminConfig(
        workflowsRoot: "workflows", appsRoot: "apps", requiredPlatformWorkflows: [], allowedProductWorkflows: [],
        allowedStepTypes: nil, allowedStepTypesByTier: [:], stepTypes: [:], secretEnv: [:],
        maxStepsPerWorkflow: AdminConfig.defaultMaxStepsPerWorkflow, maxWorkflowDuration: nil, maxConcurrentWorkflows: nil, maxPrunePerPass: 5,
        retry: .default)

    /// Whether a step of `type` may run in `tier`: built-in or registered, and allowed by the lists.
    public func allows(stepType type: String, in tier: Tier) -> Bool {
        if let global = allowedStepTypes, !global.contains(type) { return false }
        if let perTier = allowedStepTypesByTier[tier], !perTier.contains(type) { return false }
        return true
    }

    /// Whether `app` may claim `product` in its Score: it is a member, or the product declares no membership.
    public func admits(app: String, toProduct product: String) -> Bool {
        products[product]?.admits(app) ?? true
    }

    /// What an app that claims a product it is not a member of is told, by `validate DIR` at its Score's
    /// `metadata.product` and by the plan in every tier's reason: what is wrong, where, and what to do.
    public static func notAMember(app: String, product: String, configPath: String) -> String {
        "the app '\(app)' claims the product '\(product)', but workflowPolicies.products.\(product).apps in \(configPath) "
            + "does not list it, so none of its workflows run; ask the platform team to add it there, or remove metadata.product"
    }
}
