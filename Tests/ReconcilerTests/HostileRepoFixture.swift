import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport

/// A platform repository for hostile-content and policy-bypass tests: a few good apps whose every step
/// appends `app tier workflow` to an events file, hostile files added beside them, and `reconcile` run as the
/// real `innominatus` binary under a deadline (so a crash or a hang is an exit status, not a dead test runner).
///
/// Hostile files may hold `@APP@` (replaced by the app's folder name) and `@MARKER@` (replaced by a path in
/// the markers folder): a marker file appearing proves that something the repository did not declare as a
/// step — or a step that must never run — executed.
struct HostileRepoFixture {
    let git: GitFixture
    let events: String
    let markers: String
    let workdir: String

    static let goodApps = ["good-one", "good-two", "good-three"]

    /// The folder of the committed corpus (`Tests/Fixtures/hostile`).
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile").path

    static func adminConfig(extra: String = "") -> String {
        """
        workflowPolicies:
          requiredPlatformWorkflows: [security-scan]
          allowedProductWorkflows: [ecommerce/database-setup]
          maxStepsPerWorkflow: 100
          retry: {base: 1ms, cap: 1ms, attempts: 3}
        \(extra)
        """
    }

    /// A workflow whose one step records itself in the events file.
    func workflow(_ kind: String, _ name: String, product: String? = nil, run: String? = nil) -> String {
        var text = "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\n"
        if let product { text += "  product: \(product)\n" }
        let command = run ?? "echo \"$APP_NAME $TIER \(name)\" >> \(events)"
        return text + "spec:\n  steps:\n    - name: go\n      type: shell\n      run: '\(command.replacingOccurrences(of: "'", with: "''"))'\n"
    }

    static func score(_ name: String, product: String? = nil, image: String = "nginx:1.27") -> String {
        var text = "apiVersion: score.dev/v1b1\nmetadata:\n  name: \(name)\n"
        if let product { text += "  product: \(product)\n" }
        return text + "containers:\n  main:\n    image: \(image)\n"
    }

    init(adminConfig: String = Self.adminConfig(), files extra: [String: String] = [:]) throws {
        git = try GitFixture()
        events = git.root.appending("events.log")
        markers = git.root.appending("markers")
        workdir = git.root.appending("workdir")
        FileManager.default.createFile(atPath: events, contents: nil, attributes: [.posixPermissions: 0o666])
        try FileManager.default.createDirectory(atPath: markers, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o1777])
        var files: [String: String?] = [
            "README.md": "# platform\n",
            "policies/admin-config.yaml": adminConfig,
            "workflows/platform/security-scan.yaml": workflow("PlatformWorkflow", "security-scan"),
            "workflows/products/ecommerce/database-setup.yaml": workflow("ProductWorkflow", "database-setup", product: "ecommerce"),
        ]
        for app in Self.goodApps {
            files["apps/\(app)/score.yaml"] = Self.score(app, product: app == "good-one" ? "ecommerce" : nil)
            files["apps/\(app)/workflows/deploy.yaml"] = workflow("Workflow", "deploy")
        }
        for (path, text) in extra { files[path] = text }
        try git.commit(files, message: "initial platform repository")
        try git.push()
    }

    /// The bytes of a corpus file with its placeholders filled in for `app`.
    func corpusFile(_ relativePath: String, app: String) throws -> Data {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/" + relativePath))
        return fill(data, app: app)
    }

    func fill(_ data: Data, app: String) -> Data {
        var bytes = [UInt8](data)
        bytes = Bytes.replacing(Array("@APP@".utf8), with: Array(app.utf8), in: bytes)
        bytes = Bytes.replacing(Array("@MARKER@".utf8), with: Array((markers + "/" + app).utf8), in: bytes)
        return Data(bytes)
    }


    /// Writes raw bytes into the working clone (not yet committed).
    func write(_ path: String, _ data: Data) throws {
        let full = git.work + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
    }

    func write(_ path: String, _ text: String) throws {
        try write(path, Data(text.utf8))
    }

    /// Creates a symlink in the working clone (git stores it as a link, mode 120000).
    func symlink(_ path: String, to target: String) throws {
        let full = git.work + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
    }

    /// Commits everything in the working clone and pushes it.
    @discardableResult
    func commitAndPush(_ message: String) throws -> String {
        let commit = try git.commit([:], message: message)
        try git.push()
        return commit
    }

    /// What one `innominatus reconcile` run did.
    struct Run {
        var status: Int32
        var output: String
    }

    /// Runs `innominatus reconcile` once, killed after `deadline` seconds (`timeout` exits 124 then).
    func reconcile(deadline: Int = 120) throws -> Run {
        let result = try Shell.execute(["timeout", "-s", "KILL", String(deadline), GitFixture.helper.executable,
                                        "reconcile", "--repo", git.remote, "--workdir", workdir])
        return Run(status: result.status, output: result.stderr + result.stdout)
    }

    /// Event lines (`app tier workflow`) written since `since` lines.
    func events(after since: Int = 0) throws -> [String] {
        let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").map(String.init)
        return Array(lines.dropFirst(since))
    }

    /// Marker files that appeared: each is something that executed and must not have.
    func markerFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: markers).sorted()
    }

    /// The last status note on a commit of the remote.
    func status(of commit: String) throws -> ReconcileStatus? {
        guard let note = try? git.remoteGit("notes", "--ref=innominatus", "show", commit) else { return nil }
        return StatusNote.lastStatus(in: note + "\n")
    }

    /// `path:LINE:COLUMN` appears in `text`.
    static func hasPosition(_ text: String, of path: String) -> Bool {
        text.range(of: NSRegularExpression.escapedPattern(for: path) + ":[0-9]+:[0-9]+", options: .regularExpression) != nil
    }

    /// A short account of tiers for failure messages.
    static func describe(_ tiers: [Tier: TierStatus]) -> String {
        tiers.sorted { $0.key.rawValue < $1.key.rawValue }.map { tier, entry in
            "\(tier.rawValue): \(entry.action.rawValue)/\(entry.result.rawValue) '\(entry.reason)' "
                + (entry.blocked ?? []).map { "[\($0.workflow): \($0.reason)]" }.joined(separator: " ")
        }.joined(separator: "; ")
    }
}
