import Planner
import Specs

/// Workflow discovery for product teams (`GET /api/v1/workflows…`, `innominatus workflows list|show`), in the
/// Reconciler so that listing workflows needs no HTTP layer (docs/ARCHITECTURE.md §5, §15):
/// every workflow of the branch head with its owner, phase, triggers, step count and approval state.
/// Built from the same `DesiredState` the planner sees, so what it says is what the loop would do.
public struct WorkflowCatalog: Sendable {
    public var commit: String
    public var entries: [WorkflowEntry]
    /// Products with workflows or apps, sorted.
    public var products: [String]

    public init(_ desired: DesiredState) {
        commit = desired.commit
        var entries: [WorkflowEntry] = []
        for source in desired.platformWorkflows {
            entries.append(WorkflowEntry(source, tier: .platform, product: nil, app: nil, approval: .approved,
                                         approvalRequired: false))
        }
        for (product, sources) in desired.productWorkflows {
            for source in sources {
                let verdict = desired.config.approval(ofWorkflow: product, source.name, path: source.path, blobID: source.blobID,
                                                      inputs: source.inputs)
                var entry = WorkflowEntry(source, tier: .product, product: product, app: nil, approval: Self.approval(verdict),
                                          approvalRequired: true)
                switch verdict {
                case .pinned(let digest), .changed(let digest, _): entry.pinned = digest
                case .approved, .notListed: break
                }
                entries.append(entry)
            }
        }
        for (name, app) in desired.apps {
            for source in app.workflows {
                entries.append(WorkflowEntry(source, tier: .application, product: app.product, app: name, approval: .approved,
                                             approvalRequired: false))
            }
        }
        self.entries = entries.sorted { ($0.tier.order, $0.name) < ($1.tier.order, $1.name) }
        products = Set(desired.productWorkflows.keys).union(desired.apps.values.compactMap(\.product)).sorted()
    }

    /// docs/ARCHITECTURE.md §1: a product workflow runs only when `allowedProductWorkflows` lists it, and, when
    /// the entry pins a digest, only while what it pins still hashes to it — the planner's rule, which is
    /// `AdminConfig.approval(ofWorkflow:…)` (docs/ARCHITECTURE.md §15).
    static func approval(_ verdict: AdminConfig.Approval) -> WorkflowEntry.Approval {
        switch verdict {
        case .approved, .pinned: .approved
        case .changed: .changedSinceApproval
        case .notListed: .notApproved
        }
    }

    /// `?tier=` keeps one tier; `?product=` keeps what runs for that product's apps: the platform
    /// workflows, the product's own, and the application workflows of its apps.
    public func filtered(tier: Tier? = nil, product: String? = nil) -> [WorkflowEntry] {
        entries.filter { entry in
            if let tier, entry.tier != tier { return false }
            if let product, entry.tier != .platform, entry.product != product { return false }
            return true
        }
    }

    /// The product tier's workflows of one product.
    public func workflows(ofProduct product: String) -> [WorkflowEntry] {
        entries.filter { $0.tier == .product && $0.product == product }
    }

    public func workflow(product: String, name: String) -> WorkflowEntry? {
        entries.first { $0.tier == .product && $0.product == product && $0.shortName == name }
    }

    /// One line per product: how many product workflows, how many may run.
    public var productSummaries: [ProductSummary] {
        products.map { product in
            let own = workflows(ofProduct: product)
            return ProductSummary(product: product, workflows: own.count,
                                  approved: own.filter { $0.approval == .approved }.count,
                                  blocked: own.filter { $0.approval != .approved }.count)
        }
    }
}

/// A product and the state of its workflows.
public struct ProductSummary: Codable, Sendable, Equatable {
    public var product: String
    public var workflows: Int
    public var approved: Int
    public var blocked: Int
}

/// One workflow as discovery shows it.
public struct WorkflowEntry: Codable, Sendable, Equatable {
    public enum Approval: String, Codable, Sendable {
        case approved
        case notApproved = "not-approved"
        case changedSinceApproval = "changed-since-approval"
    }

    public struct Step: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
    }

    /// `security-scan`, `ecommerce/database-setup`, or `checkout/deploy` (app/name) for application workflows.
    public var name: String
    /// The file name's stem.
    public var shortName: String
    public var tier: Tier
    public var product: String?
    public var app: String?
    public var path: String
    /// The git blob id of the file (what older approval pins hold).
    public var digest: String
    /// What `innominatus approve` pins now: `sha256:` over the file and the files its inputs name.
    public var pin: String
    /// The files its `inputs` name, which its fingerprint and its approval pin cover beside the file.
    public var inputs: [String]
    public var owner: String?
    public var description: String?
    public var phase: String?
    public var triggers: [String]
    public var stepCount: Int
    public var steps: [Step]
    /// `approved` for platform and application workflows, which need no allow-list entry (see
    /// `approvalRequired`); for product workflows, the admin config's verdict.
    public var approval: Approval
    public var approvalRequired: Bool
    /// The digest the allow-list entry pins, when it pins one (a product workflow approved with
    /// `innominatus approve`); nil for an entry without a pin and for workflows that need no approval.
    public var pinned: String?
    /// The file's errors (file:line:column) when it does not validate; it never runs then.
    public var errors: [String]

    init(_ source: DesiredWorkflow, tier: Tier, product: String?, app: String?, approval: Approval, approvalRequired: Bool) {
        shortName = source.name
        switch tier {
        case .platform: name = source.name
        case .product: name = "\(product ?? "")/\(source.name)"
        case .application: name = "\(app ?? "")/\(source.name)"
        }
        self.tier = tier
        self.product = product
        self.app = app
        path = source.path
        digest = source.blobID
        pin = WorkflowPin.digest(path: source.path, blobID: source.blobID, inputs: source.inputs)
        inputs = source.inputs.keys.sorted()
        self.approval = approval
        self.approvalRequired = approvalRequired
        if let workflow = source.workflow {
            owner = workflow.owner
            description = workflow.description
            phase = workflow.phase.rawValue
            triggers = workflow.triggers.map(\.rawValue)
            steps = workflow.steps.map { Step(name: $0.name, type: $0.type.description) }
            errors = []
        } else {
            triggers = []
            steps = []
            if case .invalid(let problems) = source.content { errors = problems.map(\.description) } else { errors = [] }
        }
        stepCount = steps.count
    }
}

