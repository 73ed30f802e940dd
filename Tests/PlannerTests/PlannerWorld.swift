import Planner
import Specs

/// A small platform repository as values — no files, no git — that each test edits one thing of.
struct PlannerWorld {
    var config: AdminConfig = PlannerWorld.config("")
    var platform: [DesiredWorkflow] = [
        PlannerWorld.workflow("security-scan", kind: .platform, path: "workflows/platform/security-scan.yaml", id: "p1",
                              phase: "pre-deployment", inputs: ["scripts/scan.sh": "s1"]),
        PlannerWorld.workflow("notify", kind: .platform, path: "workflows/platform/notify.yaml", id: "p2"),
    ]
    var products: [String: [DesiredWorkflow]] = [
        "ecommerce": [PlannerWorld.workflow("database-setup", kind: .product, path: "workflows/products/ecommerce/database-setup.yaml", id: "e1")],
        "search": [PlannerWorld.workflow("index", kind: .product, path: "workflows/products/search/index.yaml", id: "x1")],
    ]
    var apps: [String: DesiredApp] = [
        "checkout": PlannerWorld.app("checkout", product: "ecommerce", score: "c1",
                                     workflows: [PlannerWorld.workflow("smoke-test", kind: .application,
                                                                       path: "apps/checkout/workflows/smoke-test.yaml", id: "w1")]),
        "cart": PlannerWorld.app("cart", product: "ecommerce", score: "k1"),
        "finder": PlannerWorld.app("finder", product: "search", score: "f1"),
    ]
    var stepTypeFiles: [String: String] = [:]

    static let approvals = """
        workflowPolicies:
          allowedProductWorkflows: [ecommerce/database-setup, search/index]

        """

    func desired(_ commit: String = "c0") -> DesiredState {
        DesiredState(commit: commit, config: config, platformWorkflows: platform, productWorkflows: products,
                     apps: apps, stepTypeFiles: stepTypeFiles)
    }

    func plan(_ applied: AppliedState = .empty, now: Int64 = 1_000_000) -> Plan {
        Planner().plan(desired: desired(), applied: applied, now: Timestamp(millisecondsSinceEpoch: now))
    }

    /// The applied state after a clean pass over this world.
    func applied(now: Int64 = 1_000_000) -> AppliedState {
        let desired = desired()
        let plan = Planner().plan(desired: desired, applied: .empty, now: Timestamp(millisecondsSinceEpoch: now))
        return AppliedState.empty.recordingSuccess(of: plan, desired: desired, at: Timestamp(millisecondsSinceEpoch: now))
    }

    /// An admin config parsed from YAML; `approvals` is added unless the text has its own list; delivery is
    /// off unless the text sets it.
    static func config(_ extra: String) -> AdminConfig {
        let text = extra.contains("workflowPolicies") ? extra : approvals + extra
        let report = SpecValidator().validate(Array(text.utf8), path: "policies/admin-config.yaml", as: .adminConfig)
        guard var config = report.adminConfig else { fatalError("bad test config: \(report.diagnostics)") }
        // The tier rules are tested with the application tier's generated workflow off, unless the text
        // configures delivery (GeneratedWorkflowTests).
        if !extra.contains("delivery") { config.delivery.enabled = false }
        return config
    }

    static func workflow(_ name: String, kind: Workflow.Kind, path: String, id: String, phase: String = "deployment",
                         triggers: [String]? = nil, stepTypes: [String] = ["shell"], inputs: [String: String] = [:]) -> DesiredWorkflow {
        var text = """
            apiVersion: workflow.dev/v1
            kind: \(kind.rawValue)
            metadata: {name: \(name), phase: \(phase)}
            spec:

            """
        if let triggers { text += "  triggers: [\(triggers.joined(separator: ", "))]\n" }
        if !inputs.isEmpty { text += "  inputs: [\(inputs.keys.sorted().joined(separator: ", "))]\n" }
        text += "  steps:\n"
        for (index, type) in stepTypes.enumerated() {
            switch type {
            case "shell": text += "    - {name: s\(index), type: shell, run: 'true'}\n"
            case "http": text += "    - {name: s\(index), type: http, url: 'https://example.com/hook'}\n"
            default: text += "    - {name: s\(index), type: \(type)}\n"
            }
        }
        let report = SpecValidator().validate(Array(text.utf8), path: path, as: .workflow)
        guard let workflow = report.workflow else { fatalError("bad test workflow: \(report.diagnostics)") }
        return DesiredWorkflow(name: name, path: path, blobID: id, content: .valid(workflow), inputs: inputs)
    }

    static func app(_ name: String, product: String?, score: String, workflows: [DesiredWorkflow] = []) -> DesiredApp {
        DesiredApp(name: name, scorePath: "apps/\(name)/score.yaml", scoreID: score, product: product, workflows: workflows)
    }

    /// The pairs a plan runs, as `app/tier` strings, sorted.
    static func running(_ plan: Plan) -> [String] {
        plan.items.filter { $0.action == .run }.map(\.key.description).sorted()
    }
}
