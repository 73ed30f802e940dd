import Foundation
import GitKit
import Planner
import Reconciler
import TestSupport

/// A platform repository in a real git remote, and the plan/record steps the reconciler will take.
struct PlatformRepoFixture {
    let git: GitFixture
    let workdir: String
    var loader = DesiredStateLoader()

    static let adminConfig = """
        # Owned by the platform team.
        workflowPolicies:
          requiredPlatformWorkflows: [security-scan]
          allowedProductWorkflows:
            - ecommerce/database-setup   # approved in PR 12
          maxPrunePerPass: 5

        """

    static func workflow(_ kind: String, _ name: String, inputs: [String] = [], trigger: String? = nil) -> String {
        var text = "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata: {name: \(name)}\nspec:\n"
        if let trigger { text += "  triggers: [\(trigger)]\n" }
        if !inputs.isEmpty { text += "  inputs: [\(inputs.joined(separator: ", "))]\n" }
        return text + "  steps:\n    - {name: go, type: shell, run: 'echo \(name)'}\n"
    }

    static func score(_ name: String, product: String?, image: String = "nginx:1", extra: String = "") -> String {
        var text = "apiVersion: score.dev/v1b1\nmetadata:\n  name: \(name)\n"
        if let product { text += "  product: \(product)\n" }
        return text + extra + "containers:\n  main:\n    image: \(image)\n"
    }

    init() throws {
        git = try GitFixture()
        workdir = git.root.appending("workdir")
        try git.commit([
            "README.md": "# platform\n",
            "policies/admin-config.yaml": Self.adminConfig,
            "scripts/scan.sh": "#!/bin/sh\necho scan\n",
            "workflows/platform/security-scan.yaml": Self.workflow("PlatformWorkflow", "security-scan", inputs: ["scripts/scan.sh"]),
            "workflows/products/ecommerce/database-setup.yaml": Self.workflow("ProductWorkflow", "database-setup"),
            "apps/checkout/score.yaml": Self.score("checkout", product: "ecommerce"),
            "apps/checkout/workflows/smoke-test.yaml": Self.workflow("Workflow", "smoke-test"),
            "apps/cart/score.yaml": Self.score("cart", product: "ecommerce"),
            "apps/search/score.yaml": Self.score("search", product: nil),
        ], message: "initial platform repository")
        try git.push()
    }

    var pass: PlanningPass {
        var pass = PlanningPass(repo: git.remote, workdir: workdir, helper: GitFixture.helper)
        pass.stateKeyFile = git.stateKeyFile
        return pass
    }

    /// Commits and pushes `files`, then plans.
    mutating func change(_ files: [String: String?]) async throws -> PlanningPass.Outcome {
        try git.commit(files)
        try git.push()
        return try await plan()
    }

    mutating func plan(now: Int64 = 1_000_000) async throws -> PlanningPass.Outcome {
        try await pass.run(now: Timestamp(millisecondsSinceEpoch: now), loader: &loader)
    }

    /// Records that every pair of the outcome's plan succeeded, and pushes the state to the remote.
    func recordSuccess(_ outcome: PlanningPass.Outcome, now: Int64 = 1_000_000) async throws {
        let state = outcome.applied.recordingSuccess(of: outcome.plan, desired: outcome.desired,
                                                     at: Timestamp(millisecondsSinceEpoch: now))
        try await AppliedStateStore(repository: outcome.repository).save(state, to: pass.remote, key: outcome.key)
    }

    static func running(_ plan: Plan) -> [String] {
        plan.items.filter { $0.action == .run }.map(\.key.description).sorted()
    }
}
