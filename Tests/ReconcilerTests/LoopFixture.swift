import Foundation
import GitKit
import Reconciler
import TestSupport

/// A platform repository whose every step appends `app tier phase workflow` to an events file, so tests
/// see exactly what ran, in which order, and how often.
struct LoopFixture {
    let git: GitFixture
    let events: String
    let workdir: String

    static let adminConfig = """
        workflowPolicies:
          requiredPlatformWorkflows: [security-scan]
          allowedProductWorkflows: [ecommerce/database-setup]
          retry: {base: 1ms, cap: 1ms, attempts: 3}

        """

    /// A workflow with one step that records itself (and then runs `extra`, when given).
    func workflow(_ kind: String, _ name: String, phase: String = "deployment", trigger: String? = nil,
                  extra: String? = nil, product: String? = nil) -> String {
        var text = "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\n  phase: \(phase)\n"
        if let product { text += "  product: \(product)\n" }
        text += "spec:\n"
        if let trigger { text += "  triggers: [\(trigger)]\n" }
        let command = "echo \"$APP_NAME $TIER $PHASE \(name)\" >> \(events)" + (extra.map { "; \($0)" } ?? "")
        text += "  steps:\n    - name: go\n      type: shell\n      run: '\(command.replacingOccurrences(of: "'", with: "''"))'\n"
        return text
    }

    static func score(_ name: String, product: String?) -> String {
        var text = "apiVersion: score.dev/v1b1\nmetadata:\n  name: \(name)\n"
        if let product { text += "  product: \(product)\n" }
        return text + "containers:\n  main:\n    image: nginx:1.27\n"
    }

    init() throws {
        git = try GitFixture()
        events = git.root.appending("events.log")
        workdir = git.root.appending("workdir")
        FileManager.default.createFile(atPath: events, contents: nil, attributes: [.posixPermissions: 0o666])
        try git.commit([
            "README.md": "# platform\n",
            "policies/admin-config.yaml": Self.adminConfig,
            "workflows/platform/security-scan.yaml": workflow("PlatformWorkflow", "security-scan", phase: "pre-deployment"),
            "workflows/platform/cost-report.yaml": workflow("PlatformWorkflow", "cost-report", phase: "post-deployment"),
            "workflows/products/ecommerce/database-setup.yaml": workflow("ProductWorkflow", "database-setup", product: "ecommerce"),
            "apps/checkout/score.yaml": Self.score("checkout", product: "ecommerce"),
            "apps/checkout/workflows/deploy.yaml": workflow("Workflow", "deploy"),
            "apps/checkout/workflows/seed.yaml": workflow("Workflow", "seed", trigger: "first_deployment"),
            "apps/cart/score.yaml": Self.score("cart", product: "ecommerce"),
            "apps/search/score.yaml": Self.score("search", product: nil),
        ], message: "initial platform repository")
        try git.push()
    }

    func settings(workdir: String? = nil, force: [String] = []) -> ReconcileSettings {
        ReconcileSettings(repo: git.remote, workdir: workdir ?? self.workdir, helper: GitFixture.helper,
                          force: force.compactMap(ForceTarget.init), stateKeyFile: git.stateKeyFile)
    }

    func reconcile(workdir: String? = nil, force: [String] = []) async -> PassReport {
        await PlatformReconciler(settings: settings(workdir: workdir, force: force)).reconcileOnce()
    }

    /// Lines appended to the events file since `since` lines.
    func events(after since: Int = 0) throws -> [String] {
        let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").map(String.init)
        return Array(lines.dropFirst(since))
    }

    /// Commits and pushes.
    @discardableResult
    func change(_ files: [String: String?], message: String = "change") throws -> String {
        let commit = try git.commit(files, message: message)
        try git.push()
        return commit
    }

    /// The last status note on a commit of the remote, parsed.
    func status(of commit: String) throws -> ReconcileStatus? {
        guard let note = try? git.remoteGit("notes", "--ref=innominatus", "show", commit) else { return nil }
        return StatusNote.lastStatus(in: note + "\n")
    }

    func noteCount(_ commit: String) throws -> Int {
        guard let note = try? git.remoteGit("notes", "--ref=innominatus", "show", commit) else { return 0 }
        return StatusNote.allStatuses(in: note + "\n").count
    }
}

extension StateKey {
    /// One key for the reconcilers of a test that share a remote.
    static let test = StateKey(secret: "innominatus-test-state-key-0123456789abcdef")
}
