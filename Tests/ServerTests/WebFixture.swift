import Foundation
import GitKit
import Server
import TestSupport

/// A platform repository with an app of each state the status pages colour — succeeded (checkout, with a
/// database whose generated password must never show), failed (its own workflow exits 3 and prints
/// markup), blocked (its product's only workflow is not approved), suspended, error (a hostile folder
/// name and a Score whose name is a script) — and a real `innominatus serve` process on it, on 127.0.0.1
/// or all interfaces, once its first pass has ended.
final class WebFixture: Sendable {
    let git: GitFixture
    let port: Int
    let serve: Shell.Background
    let client: HTTPClient
    let token: String
    let tokenFile: String

    /// A folder name that is markup, and a Score name that is a script: input written by many teams.
    static let hostileApp = "<img src=x onerror=alert(1)>"
    static let scriptName = "<script>document.title='pwned'</script>"
    /// What the failing step prints.
    static let hostileLog = "<script>document.title='pwned'</script><b>bold</b> & done"

    static let adminConfig = """
        workflowPolicies:
          allowedProductWorkflows: [ecommerce/database-setup]
          retry: {base: 1ms, cap: 1ms, attempts: 3}

        """

    static func workflow(_ kind: String, _ name: String, phase: String = "deployment", product: String? = nil,
                         owner: String? = nil, run: String = "echo \"$APP_NAME $TIER\"") -> String {
        var text = "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\n  phase: \(phase)\n"
        if let product { text += "  product: \(product)\n" }
        if let owner { text += "  owner: \(owner)\n" }
        text += "spec:\n  steps:\n    - name: go\n      type: shell\n      run: |\n"
        for line in run.split(separator: "\n") { text += "        \(line)\n" }
        return text
    }

    static func score(_ name: String, product: String? = nil, annotations: String? = nil) -> String {
        var text = "apiVersion: score.dev/v1b1\nmetadata:\n  name: \"\(name.replacingOccurrences(of: "\"", with: "\\\""))\"\n"
        if let product { text += "  product: \(product)\n" }
        if let annotations { text += "  annotations:\n    \(annotations)\n" }
        return text + "containers:\n  main:\n    image: nginx:1.27\n"
    }

    static var files: [String: String] {
        [
            "README.md": "# platform\n",
            "policies/admin-config.yaml": adminConfig,
            "workflows/platform/security-scan.yaml": workflow("PlatformWorkflow", "security-scan", phase: "pre-deployment",
                                                              owner: "platform-team"),
            "workflows/products/ecommerce/database-setup.yaml": workflow("ProductWorkflow", "database-setup", product: "ecommerce",
                                                                         owner: "dba-team"),
            "workflows/products/ecommerce/rogue.yaml": workflow("ProductWorkflow", "rogue", product: "ecommerce"),
            "workflows/products/payments/ledger.yaml": workflow("ProductWorkflow", "ledger", product: "payments"),
            "apps/checkout/score.yaml": score("checkout", product: "ecommerce")
                + "    variables:\n      DB_PASSWORD: ${resources.db.password}\nresources:\n  db: {type: postgres}\n",
            "apps/checkout/workflows/deploy.yaml": workflow("Workflow", "deploy"),
            "apps/search/score.yaml": score("search"),
            "apps/broken/score.yaml": score("broken"),
            "apps/broken/workflows/smoke.yaml": workflow("Workflow", "smoke", run: "echo \"\(hostileLog)\"\nexit 3"),
            "apps/billing/score.yaml": score("billing", product: "payments"),
            "apps/paused/score.yaml": score("paused", annotations: "innominatus.dev/suspend: \"true\""),
            "apps/\(hostileApp)/score.yaml": score(scriptName),
        ]
    }

    /// `listen`: `127.0.0.1` (pages open) or `0.0.0.0` (pages need the token or the session cookie).
    /// `files` replaces the repository's content; `prepare` runs on the pushed repository before `serve`
    /// starts (with the serve's workdir).
    init(listen: String = "127.0.0.1", files: [String: String] = WebFixture.files,
         prepare: (GitFixture, String) throws -> Void = { _, _ in }) async throws {
        git = try GitFixture()
        try git.commit(files, message: "initial platform repository")
        try git.push()
        let workdir = git.root.appending("workdir")
        try prepare(git, workdir)
        token = "web-test-token-\(UUID().uuidString.prefix(8))"
        tokenFile = git.root.appending("api-token")
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        port = try freeLocalPort()
        serve = try Shell.start([GitFixture.helper.executable, "serve", "--repo", git.remote, "--workdir", workdir,
                                 "--listen", "\(listen):\(port)", "--interval", "1h", "--api-token-file", tokenFile],
                                log: git.root.appending("serve.log"))
        do { try waitForPort(port, timeout: 120) } catch { serve.stop(); throw error }
        client = HTTPClient(base: "http://127.0.0.1:\(port)")
        try await waitForPasses(1)
    }

    deinit { serve.stop() }

    var base: String { client.base }

    var bearer: [String: String] { ["Authorization": "Bearer \(token)"] }

    /// Waits until `/readyz` counts `count` passes (a generous deadline; no test asserts on time).
    func waitForPasses(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if let answer = try? await client.get("/readyz"), answer.json["passes"] as? Int ?? 0 >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerError("serve did not finish \(count) pass(es); its log: \(serveLog)")
    }

    var serveLog: String {
        (try? String(contentsOfFile: git.root.appending("serve.log"), encoding: .utf8)) ?? ""
    }

    /// A page's DOM in a real browser.
    func dom(_ path: String, browser: Browser) throws -> DOM {
        DOM(text: try browser.dom(base + path))
    }
}
