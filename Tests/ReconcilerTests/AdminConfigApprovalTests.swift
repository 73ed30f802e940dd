import Foundation
import GitKit
import Reconciler
import TestSupport
import Testing

/// `approve` edits the admin config in place: only the entry changes.
@Suite("approve")
struct AdminConfigApprovalTests {
    static let digest = String(repeating: "d", count: 40)
    static let old = String(repeating: "a", count: 40)

    @Test(arguments: [
        // Block list: a new entry goes after the last one, with its indentation; comments stay.
        ("""
         # platform team only
         workflowPolicies:
           allowedProductWorkflows:
             - ecommerce/database-setup   # PR 12
           # limits
           maxPrunePerPass: 5
         """,
         """
         # platform team only
         workflowPolicies:
           allowedProductWorkflows:
             - ecommerce/database-setup   # PR 12
             - {name: ecommerce/deploy, digest: \(digest)}
           # limits
           maxPrunePerPass: 5
         """),
        // A plain entry becomes a pinned one.
        ("workflowPolicies:\n  allowedProductWorkflows:\n    - ecommerce/deploy  # keep\n    - a/b\n",
         "workflowPolicies:\n  allowedProductWorkflows:\n    - {name: ecommerce/deploy, digest: \(digest)}  # keep\n    - a/b\n"),
        // An existing pin is updated in place.
        ("workflowPolicies:\n  allowedProductWorkflows:\n    - name: ecommerce/deploy\n      digest: \(old) # old\n",
         "workflowPolicies:\n  allowedProductWorkflows:\n    - name: ecommerce/deploy\n      digest: \(digest) # old\n"),
        ("workflowPolicies:\n  allowedProductWorkflows: [{name: ecommerce/deploy, digest: '\(old)'}, a/b]\n",
         "workflowPolicies:\n  allowedProductWorkflows: [{name: ecommerce/deploy, digest: \(digest)}, a/b]\n"),
        // A block map entry without a digest gets one on the next line.
        ("workflowPolicies:\n  allowedProductWorkflows:\n    - name: ecommerce/deploy\n  maxPrunePerPass: 5\n",
         "workflowPolicies:\n  allowedProductWorkflows:\n    - name: ecommerce/deploy\n      digest: \(digest)\n  maxPrunePerPass: 5\n"),
        // Flow lists.
        ("workflowPolicies:\n  allowedProductWorkflows: [a/b]   # x\n",
         "workflowPolicies:\n  allowedProductWorkflows: [a/b, {name: ecommerce/deploy, digest: \(digest)}]   # x\n"),
        ("workflowPolicies:\n  allowedProductWorkflows: []\n",
         "workflowPolicies:\n  allowedProductWorkflows: [{name: ecommerce/deploy, digest: \(digest)}]\n"),
        // No list yet.
        ("# top\nworkflowPolicies:\n    maxPrunePerPass: 5\n",
         "# top\nworkflowPolicies:\n    allowedProductWorkflows:\n      - {name: ecommerce/deploy, digest: \(digest)}\n    maxPrunePerPass: 5\n"),
        ("", "workflowPolicies:\n  allowedProductWorkflows:\n    - {name: ecommerce/deploy, digest: \(digest)}\n"),
    ])
    func editsOnlyTheEntry(before: String, after: String) throws {
        let edited = try AdminConfigApproval.approve(before, product: "ecommerce", name: "deploy", digest: Self.digest)
        #expect(edited == after)
    }

    /// The pin of `paths` at HEAD as the README documents it, computed with git and coreutils: SHA-256 over
    /// `path NUL blob-id LF` lines sorted by path.
    static func pin(_ fixture: GitFixture, _ paths: [String]) throws -> String {
        var lines = ""
        for path in paths.sorted() { lines += "\(path)\u{0}\(try fixture.git("rev-parse", "HEAD:" + path))\n" }
        let file = fixture.root.appending("pin-lines")
        try lines.write(toFile: file, atomically: true, encoding: .utf8)
        return "sha256:" + (try Shell.run(["sha256sum", file]).prefix(64))
    }

    @Test func approvesTheWorkflowFileOfACheckoutAtTheDigestOfItsFileAndInputs() throws {
        let fixture = try GitFixture()
        let workflow = Self.shopDeploy.replacingOccurrences(of: "  steps:", with: "  inputs: [scripts/]\n  steps:")
            .replacingOccurrences(of: "echo deploy", with: "./scripts/deploy.sh")
        try fixture.commit([
            "policies/admin-config.yaml": "workflowPolicies:\n  allowedProductWorkflows:\n    - shop/other\n",
            "workflows/products/shop/deploy.yaml": workflow,
            "scripts/deploy.sh": "#!/bin/sh\necho deploy\n",
            "scripts/lib.sh": "x=1\n",
            "docs/readme.md": "# not an input\n",
        ])
        let result = try Shell.execute([GitFixture.helper.executable, "approve", "shop/deploy", "--dir", fixture.work])
        #expect(result.status == 0, "\(result.stderr)")
        let pin = try Self.pin(fixture, ["workflows/products/shop/deploy.yaml", "scripts/deploy.sh", "scripts/lib.sh"])
        let text = try String(contentsOfFile: fixture.work + "/policies/admin-config.yaml", encoding: .utf8)
        #expect(text == "workflowPolicies:\n  allowedProductWorkflows:\n    - shop/other\n    - {name: shop/deploy, digest: \(pin)}\n")
        #expect(result.stdout.contains("the pin covers: workflows/products/shop/deploy.yaml, scripts/deploy.sh, scripts/lib.sh"),
                "\(result.stdout)")
        // What approve wrote is what validate reads back, without a warning.
        let validate = try Shell.execute([GitFixture.helper.executable, "validate", fixture.work])
        #expect(validate.status == 0 && !validate.stdout.contains("shop/deploy"), "\(validate.stdout)")
        let missing = try Shell.execute([GitFixture.helper.executable, "approve", "shop/nope", "--dir", fixture.work])
        #expect(missing.status == 1)
    }

    static let shopDeploy = """
        apiVersion: workflow.dev/v1
        kind: ProductWorkflow
        metadata: {name: deploy, product: shop}
        spec:
          steps:
            - {name: go, run: 'echo deploy'}

        """

    static let config = "workflowPolicies:\n  allowedProductWorkflows:\n    - shop/other\n"

    @Test(arguments: [
        // metadata.name is not the file's name.
        ("metadata: {name: deploy, product: shop}", "metadata: {name: deplo, product: shop}", "3:18: error: metadata.name: the file is named 'deploy'"),
        // An unknown field.
        ("  steps:", "  stepz: []\n  steps:", "5:3: error: spec.stepz: unknown field"),
        // A step type nobody registered.
        ("{name: go, run: 'echo deploy'}", "{name: go, type: scanner}", "6:24: error: spec.steps[0].type: unknown step type 'scanner'"),
        // Not a workflow at all.
        ("kind: ProductWorkflow", "kind: [ProductWorkflow]", "2:7: error: kind"),
    ])
    func refusesAWorkflowThatDoesNotValidateWithItsErrors(original: String, broken: String, error: String) throws {
        let fixture = try GitFixture()
        try fixture.commit([
            "policies/admin-config.yaml": Self.config,
            "workflows/products/shop/deploy.yaml": Self.shopDeploy.replacingOccurrences(of: original, with: broken),
        ])
        let result = try Shell.execute([GitFixture.helper.executable, "approve", "shop/deploy", "--dir", fixture.work])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(fixture.work)/workflows/products/shop/deploy.yaml:\(error)"), "\(result.stderr)")
        #expect(result.stderr.contains("not approved"), "\(result.stderr)")
        let text = try String(contentsOfFile: fixture.work + "/policies/admin-config.yaml", encoding: .utf8)
        #expect(text == Self.config, "the admin config is untouched")
    }

    @Test(arguments: [
        // No --dir: the current folder, a subfolder of the checkout.
        (["approve", "shop/deploy"], "workflows/products"),
        // --dir naming a subfolder, from anywhere.
        (["approve", "shop/deploy", "--dir", "apps/web"], ""),
        (["approve", "shop/deploy", "--dir", "."], "apps/web"),
    ])
    func findsTheRepositoryRootFromASubfolder(arguments: [String], folder: String) throws {
        let fixture = try GitFixture()
        try fixture.commit([
            "policies/admin-config.yaml": Self.config,
            "workflows/products/shop/deploy.yaml": Self.shopDeploy,
            "apps/web/score.yaml": "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx:1}}\n",
        ])
        let result = try Shell.execute([GitFixture.helper.executable] + arguments, in: fixture.work + "/" + folder)
        #expect(result.status == 0, "\(result.stderr)")
        let pin = try Self.pin(fixture, ["workflows/products/shop/deploy.yaml"])
        let text = try String(contentsOfFile: fixture.work + "/policies/admin-config.yaml", encoding: .utf8)
        #expect(text == Self.config + "    - {name: shop/deploy, digest: \(pin)}\n")
        for subfolder in ["workflows/products", "apps/web"] {
            #expect(!FileManager.default.fileExists(atPath: fixture.work + "/" + subfolder + "/policies"), "no admin config made in \(subfolder)")
        }
    }
}
