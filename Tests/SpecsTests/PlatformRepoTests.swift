import Foundation
import Testing
@testable import Specs

/// A platform repository as a whole: identity rules (docs/ARCHITECTURE.md §1) and admin-config policies
/// across files, on in-memory files (as the reconciler reads git blobs) and through the directory
/// front end.
@Suite struct PlatformRepoTests {
    static func score(_ name: String, product: String? = nil) -> String {
        "apiVersion: score.dev/v1b1\nmetadata:\n  name: \(name)\n"
            + (product.map { "  product: \($0)\n" } ?? "") + "containers:\n  main:\n    image: nginx\n"
    }

    static func workflow(_ kind: String, _ name: String, steps: String = "    - {name: a, run: \"true\"}\n") -> String {
        "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\nspec:\n  steps:\n\(steps)"
    }

    static let admin = """
        workflowPolicies:
          requiredPlatformWorkflows: [security-scan]
          allowedProductWorkflows: [ecommerce/deploy]
          stepTypes:
            vault-setup: {command: [./workflows/plugins/vault-setup]}
          allowedStepTypes:
            product: [shell, http]
          secretEnv:
            platform: [SCANNER_TOKEN]
          maxStepsPerWorkflow: 3
          maxWorkflowDuration: 30m
        """

    static func files(_ pairs: [String: String]) -> [RepoFile] {
        pairs.map { RepoFile(path: $0.key, bytes: Array($0.value.utf8)) }
    }

    static let validRepo: [String: String] = [
        "policies/admin-config.yaml": admin,
        "workflows/platform/security-scan.yaml": workflow("PlatformWorkflow", "security-scan"),
        "workflows/products/ecommerce/deploy.yaml": workflow("ProductWorkflow", "deploy"),
        "apps/checkout/score.yaml": score("checkout", product: "ecommerce"),
        "apps/checkout/workflows/smoke.yaml": workflow("Workflow", "smoke"),
        ".github/ci.yaml": "on: push\njobs: {}\n",
    ]

    func validate(_ changes: [String: String?]) -> PlatformRepoReport {
        var repo = Self.validRepo
        for (path, content) in changes { repo[path] = content }
        return PlatformRepoValidator().validate(files: Self.files(repo))
    }

    func report(_ result: PlatformRepoReport, _ path: String) -> SpecFileReport? {
        result.files.first { $0.path == path }
    }

    @Test func aConsistentRepositoryIsValid() {
        let result = validate([:])
        #expect(result.isValid, "\(result.files.map(\.summary).joined(separator: "\n"))")
        #expect(result.files.count == 5)
        #expect(result.scores["checkout"]?.metadata.product == "ecommerce")
        #expect(result.adminConfig.requiredPlatformWorkflows == ["security-scan"])
    }

    @Test func appFolderMustEqualScoreName() {
        let result = validate(["apps/checkout/score.yaml": Self.score("check-out")])
        let file = report(result, "apps/checkout/score.yaml")
        #expect(file?.hasError(field: "metadata.name", containing: "app folder is 'checkout'") == true, "\(file?.summary ?? "")")
        #expect(file?.errors.first?.line == 3)
    }

    @Test func workflowFileNameMustEqualItsName() {
        let result = validate(["apps/checkout/workflows/smoke.yaml": Self.workflow("Workflow", "smoke-test")])
        #expect(report(result, "apps/checkout/workflows/smoke.yaml")?.hasError(field: "metadata.name", containing: "named 'smoke'") == true)
    }

    @Test(arguments: [
        ("workflows/platform/security-scan.yaml", "ProductWorkflow", "security-scan", "PlatformWorkflow"),
        ("workflows/products/ecommerce/deploy.yaml", "Workflow", "deploy", "ProductWorkflow"),
        ("apps/checkout/workflows/smoke.yaml", "PlatformWorkflow", "smoke", "Workflow"),
    ])
    func kindMustMatchLocation(path: String, kind: String, name: String, expected: String) {
        let result = validate([path: Self.workflow(kind, name)])
        #expect(report(result, path)?.hasError(field: "kind", containing: "must be kind '\(expected)'") == true,
                "\(report(result, path)?.summary ?? "")")
    }

    @Test func productFolderMustBeADNSLabel() {
        let result = validate(["workflows/products/E_Commerce/deploy.yaml": Self.workflow("ProductWorkflow", "deploy")])
        #expect(report(result, "workflows/products/E_Commerce/deploy.yaml")?.errors.contains { $0.message.contains("DNS label") } == true)
    }

    @Test func aWorkflowOutsideTheKnownFoldersIsAnError() {
        let result = validate(["misc/deploy.yaml": Self.workflow("Workflow", "deploy")])
        #expect(report(result, "misc/deploy.yaml")?.errors.first?.message.contains("must lie under") == true)
    }

    @Test func anUnapprovedProductWorkflowIsAWarning() {
        let result = validate(["workflows/products/ecommerce/rogue.yaml": Self.workflow("ProductWorkflow", "rogue")])
        let file = report(result, "workflows/products/ecommerce/rogue.yaml")
        #expect(file?.isValid == true)
        #expect(file?.warnings.first?.message.contains("allowedProductWorkflows") == true)
        #expect(result.isValid)
    }

    @Test func aMissingRequiredPlatformWorkflowIsAnError() {
        let result = validate(["workflows/platform/security-scan.yaml": nil])
        let admin = report(result, "policies/admin-config.yaml")
        #expect(admin?.hasError(field: "workflowPolicies.requiredPlatformWorkflows[0]", containing: "does not exist") == true)
        #expect(admin?.errors.first?.line == 2)
        #expect(!result.isValid)
    }

    @Test func stepTypesMustBeRegisteredAndAllowed() {
        let steps = "    - {name: a, type: vault-setup}\n    - {name: b, type: securty}\n"
        let result = validate([
            "workflows/platform/security-scan.yaml": Self.workflow("PlatformWorkflow", "security-scan", steps: steps),
            "workflows/products/ecommerce/deploy.yaml": Self.workflow("ProductWorkflow", "deploy", steps: "    - {name: a, type: vault-setup}\n"),
        ])
        let platform = report(result, "workflows/platform/security-scan.yaml")
        #expect(platform?.errors.count == 1, "\(platform?.summary ?? "")")
        #expect(platform?.hasError(field: "spec.steps[1].type", containing: "unknown step type 'securty'") == true)
        let product = report(result, "workflows/products/ecommerce/deploy.yaml")
        #expect(product?.hasError(field: "spec.steps[0].type", containing: "not allowed in the product tier") == true)
    }

    @Test func fromEnvNeedsTheTiersSecretEnv() {
        let steps = "    - {name: a, run: x, env: {T: {fromEnv: SCANNER_TOKEN, secret: true}}}\n"
        let result = validate([
            "workflows/platform/security-scan.yaml": Self.workflow("PlatformWorkflow", "security-scan", steps: steps),
            "apps/checkout/workflows/smoke.yaml": Self.workflow("Workflow", "smoke", steps: steps),
        ])
        #expect(report(result, "workflows/platform/security-scan.yaml")?.isValid == true)
        #expect(report(result, "apps/checkout/workflows/smoke.yaml")?
            .hasError(field: "spec.steps[0].env.T.fromEnv", containing: "secretEnv.application") == true)
    }

    @Test func limitsFromTheAdminConfigApply() {
        let steps = (0..<4).map { "    - {name: s\($0), run: x}\n" }.joined()
        let result = validate(["apps/checkout/workflows/smoke.yaml": Self.workflow("Workflow", "smoke", steps: steps)
            .replacingOccurrences(of: "spec:\n", with: "spec:\n  timeout: 1h\n")])
        let file = report(result, "apps/checkout/workflows/smoke.yaml")
        #expect(file?.hasError(field: "spec.steps", containing: "maxStepsPerWorkflow") == true)
        #expect(file?.warnings.contains { $0.field == "spec.timeout" } == true)
    }

    @Test func movedRootsAreHonoured() {
        let result = PlatformRepoValidator().validate(files: Self.files([
            "policies/admin-config.yaml": "workflowPolicies:\n  appsRoot: ./services\n",
            "services/cart/score.yaml": Self.score("cart"),
            "apps/other/score.yaml": Self.score("other"),
        ]))
        #expect(report(result, "services/cart/score.yaml")?.isValid == true)
        #expect(report(result, "apps/other/score.yaml")?.warnings.first?.message.contains("not reconciled") == true)
    }

    @Test func anInvalidFileDoesNotHideTheOthers() {
        let result = validate(["apps/cart/score.yaml": "apiVersion: score.dev/v1b1\nmetadata: {name: cart}\ncontainers: [\n"])
        #expect(report(result, "apps/cart/score.yaml")?.isValid == false)
        #expect(report(result, "apps/checkout/score.yaml")?.isValid == true)
    }

    @Test func theDirectoryFrontEndReadsFilesAndSkipsOversizedOnes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("specs-repo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, content) in Self.validRepo {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        let big = root.appendingPathComponent("apps/huge/score.yaml")
        try FileManager.default.createDirectory(at: big.deletingLastPathComponent(), withIntermediateDirectories: true)
        var data = Data("apiVersion: score.dev/v1b1\nmetadata: {name: huge}\n# ".utf8)
        data.append(Data(repeating: 0x61, count: 50 * 1024 * 1024))
        try data.write(to: big)

        let result = try PlatformRepoValidator().validate(directory: root.path)
        let huge = result.files.first { $0.path.hasSuffix("apps/huge/score.yaml") }
        #expect(huge?.errors.first?.message.contains("more than the limit") == true)
        #expect(huge?.path == root.path + "/apps/huge/score.yaml")
        #expect(result.files.filter(\.isValid).count == 5)
    }

    @Test func jsonOutputHasTheContractShape() throws {
        let result = validate(["apps/checkout/score.yaml": Self.score("check-out")])
        let json = ValidationRendering.json(result.files)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let files = try #require(object?["files"] as? [[String: Any]])
        let score = try #require(files.first { $0["path"] as? String == "apps/checkout/score.yaml" })
        #expect(score["kind"] as? String == "score")
        let error = try #require((score["errors"] as? [[String: Any]])?.first)
        #expect(error["line"] as? Int == 3)
        #expect(error["column"] as? Int == 9)
        #expect(error["field"] as? String == "metadata.name")
        #expect((error["message"] as? String)?.isEmpty == false)
        #expect(score["warnings"] is [Any])
        let text = ValidationRendering.text(result.files)
        #expect(text.contains("apps/checkout/score.yaml:3:9: error: metadata.name:"))
    }
}

/// Digest pins of approved product workflows, compared with the file's git blob id.
@Suite struct ApprovalPinTests {
    @Test(arguments: [("hello\n", "ce013625030ba8dba906f756967f9e9ca394464a"), ("", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")])
    func blobIDsMatchGit(content: String, id: String) {
        #expect(GitBlobID.of(Array(content.utf8)) == id)
    }

    @Test func aStalePinIsAWarning() {
        let workflow = PlatformRepoTests.workflow("ProductWorkflow", "deploy")
        let pinned = GitBlobID.of(Array(workflow.utf8))
        func run(_ digest: String) -> SpecFileReport? {
            let admin = "workflowPolicies:\n  allowedProductWorkflows: [{name: shop/deploy, digest: \(digest)}]\n"
            return PlatformRepoValidator().validate(files: PlatformRepoTests.files([
                "policies/admin-config.yaml": admin, "workflows/products/shop/deploy.yaml": workflow,
            ])).files.first { $0.path.hasSuffix("deploy.yaml") }
        }
        #expect(run(pinned)?.warnings.isEmpty == true)
        let stale = run(String(repeating: "a", count: 40))
        #expect(stale?.isValid == true)
        #expect(stale?.warnings.first?.message.contains("changed since it was approved") == true)
    }
}

extension PlatformRepoTests {
    @Test func anAppWorkflowWithoutAScoreFileIsAWarning() {
        let result = validate(["apps/ghost/workflows/smoke.yaml": Self.workflow("Workflow", "smoke")])
        let file = report(result, "apps/ghost/workflows/smoke.yaml")
        #expect(file?.isValid == true)
        #expect(file?.warnings.first?.message.contains("no score.yaml") == true)
    }
}

extension PlatformRepoTests {
    @Test func aSingleFileIsSizeCheckedBeforeItIsRead() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(repeating: 0x61, count: 50 * 1024 * 1024).write(to: url)
        let report = try SpecValidator().validate(fileAt: url.path)
        #expect(report.errors.first?.message.contains("more than the limit") == true)
        #expect(throws: SpecValidator.UnreadableFile.self) { try SpecValidator().validate(fileAt: url.path + ".missing") }
    }
}

extension PlatformRepoTests {
    @Test func theFixtureRepositoryIsValid() throws {
        let result = try PlatformRepoValidator().validate(directory: SpecTesting.fixtures.appendingPathComponent("platform-repo").path)
        #expect(result.files.count == 5)
        #expect(result.isValid, "\(result.files.map(\.summary).joined(separator: "\n"))")
        #expect(result.files.allSatisfy { $0.warnings.isEmpty })
        #expect(result.adminConfig.stepTypes["security"]?.timeout == SpecDuration(milliseconds: 300_000))
    }

    /// The original innominatus's `kind: WorkflowPolicies` document, laid into a platform repo: one error that
    /// says what it is and points at `innominatus migrate`, never a cascade of unknown workflow fields and
    /// never a file the folder check silently skips.
    @Test func theOriginalsWorkflowPoliciesDocumentIsNamedNotSkipped() throws {
        let original = """
            apiVersion: workflow.dev/v1
            kind: WorkflowPolicies
            metadata: {name: org-policies}
            spec:
              allowedProductWorkflows: [ecommerce/deploy]
              workflowOverrides: {platform: true}
            """
        let result = validate(["policies/workflow-policies.yaml": original])
        let file = try #require(report(result, "policies/workflow-policies.yaml"))
        #expect(file.errors.count == 1, "\(file.summary)")
        let error = try #require(file.errors.first)
        #expect((error.line, error.column) == (2, 7))
        #expect(error.message.hasPrefix("WorkflowPolicies is the original innominatus's policy document and is not read here"))
        #expect(error.message.contains("innominatus migrate SRC --output DST"))
        #expect(!result.isValid)
    }

    /// The original innominatus's admin-config blocks laid into policies/admin-config.yaml: each error says what
    /// the block was and points at migrate, and the other files' step-type errors say the config is the cause.
    @Test func theOriginalsAdminBlocksAreNamedAndTheCascadeSaysWhy() throws {
        let original = Self.admin + "\n  workflowOverrides: {platform: true}\n  security: {requireApproval: [production]}\n"
        let result = validate([
            "policies/admin-config.yaml": original,
            "workflows/platform/security-scan.yaml": Self.workflow("PlatformWorkflow", "security-scan",
                                                                   steps: "    - {name: a, type: vault-setup}\n"),
        ])
        let admin = try #require(report(result, "policies/admin-config.yaml"))
        let messages = admin.errors.map(\.message)
        #expect(messages.contains { $0.hasPrefix("unknown field 'workflowOverrides'. Not a field here: it is the original innominatus's; tiers never override each other") })
        #expect(messages.contains { $0.hasPrefix("unknown field 'security'. Not a field here: it is the original innominatus's") && $0.contains("innominatus migrate") })
        let workflow = try #require(report(result, "workflows/platform/security-scan.yaml"))
        #expect(workflow.errors.map(\.message) == ["unknown step type 'vault-setup': use shell, http, or a plugin registered under stepTypes in the admin config. "
            + "(policies/admin-config.yaml does not validate, so its stepTypes and allow-list are not read: fix its errors first)"])
        // With a valid admin config the same plugin is registered and the note never appears.
        let valid = validate(["workflows/platform/security-scan.yaml": Self.workflow("PlatformWorkflow", "security-scan",
                                                                                     steps: "    - {name: a, type: vault-setup}\n")])
        #expect(valid.isValid, "\(valid.files.map(\.summary))")
    }
}
