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

    @Test func approvesTheWorkflowFileOfACheckoutAtItsGitBlobID() throws {
        let fixture = try GitFixture()
        try fixture.commit([
            "policies/admin-config.yaml": "workflowPolicies:\n  allowedProductWorkflows:\n    - shop/other\n",
            "workflows/products/shop/deploy.yaml": "apiVersion: workflow.dev/v1\nkind: ProductWorkflow\n",
        ])
        let result = try Shell.execute([GitFixture.helper.executable, "approve", "shop/deploy", "--dir", fixture.work])
        #expect(result.status == 0)
        let blob = try fixture.git("rev-parse", "HEAD:workflows/products/shop/deploy.yaml")
        let text = try String(contentsOfFile: fixture.work + "/policies/admin-config.yaml", encoding: .utf8)
        #expect(text == "workflowPolicies:\n  allowedProductWorkflows:\n    - shop/other\n    - {name: shop/deploy, digest: \(blob)}\n")
        let missing = try Shell.execute([GitFixture.helper.executable, "approve", "shop/nope", "--dir", fixture.work])
        #expect(missing.status == 1)
    }
}
