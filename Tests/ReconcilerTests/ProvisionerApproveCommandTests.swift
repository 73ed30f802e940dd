import Foundation
import GitKit
import Reconciler
import TestSupport
import Testing

/// `innominatus approve provisioners/NAME.yaml` pins the file's git blob id in `allowedProvisioners`,
/// editing only that entry; `render` and `validate DIR` apply the same rule as the reconciler.
@Suite("approve provisioners")
struct ProvisionerApproveCommandTests {
    static let digest = String(repeating: "d", count: 40)

    @Test(arguments: [
        // A new list after the other policies' first key; comments stay.
        ("# platform team only\nworkflowPolicies:\n  maxPrunePerPass: 5   # keep\n",
         "# platform team only\nworkflowPolicies:\n  allowedProvisioners:\n    - {path: provisioners/db.yaml, digest: \(digest)}\n"
            + "  maxPrunePerPass: 5   # keep\n"),
        // A bare entry becomes pinned, on its own line.
        ("workflowPolicies:\n  allowedProvisioners:\n    - provisioners/db.yaml   # PR 7\n    - provisioners/q.yaml\n",
         "workflowPolicies:\n  allowedProvisioners:\n    - {path: provisioners/db.yaml, digest: \(digest)}   # PR 7\n    - provisioners/q.yaml\n"),
        // An old pin is replaced.
        ("workflowPolicies:\n  allowedProvisioners: [{path: provisioners/db.yaml, digest: \(String(repeating: "a", count: 40))}]\n",
         "workflowPolicies:\n  allowedProvisioners: [{path: provisioners/db.yaml, digest: \(digest)}]\n"),
        // A flow list gets the entry at its end.
        ("workflowPolicies:\n  allowedProvisioners: [provisioners/q.yaml]\n",
         "workflowPolicies:\n  allowedProvisioners: [provisioners/q.yaml, {path: provisioners/db.yaml, digest: \(digest)}]\n"),
    ])
    func theEntryIsPinnedInPlace(before: String, after: String) throws {
        #expect(try AdminConfigApproval.approveProvisioners(before, file: "provisioners/db.yaml", digest: Self.digest) == after)
    }

    @Test func theCommandPinsTheBlobIDAndRefusesAFileThatDoesNotLoad() throws {
        let git = try GitFixture()
        try git.commit(["provisioners/db.yaml": "- uri: template://acme/db\n  type: postgres\n",
                        "provisioners/bad.yaml": "- uri: ftp://x\n  type: y\n",
                        "policies/admin-config.yaml": "# owned by the platform team\nworkflowPolicies:\n  maxPrunePerPass: 5\n"])
        let binary = GitFixture.helper.executable
        let result = try Shell.execute([binary, "approve", "provisioners/db.yaml", "--dir", git.work])
        #expect(result.status == 0, "\(result.stderr)")
        let blob = try git.git("hash-object", "provisioners/db.yaml")
        #expect(result.stdout.contains("approved provisioners/db.yaml at \(blob)"))
        let diff = try git.git("diff", "-U0", "--no-color", "policies/admin-config.yaml")
        #expect(diff.hasSuffix("@@ -2,0 +3,2 @@ workflowPolicies:\n+  allowedProvisioners:\n+    - {path: provisioners/db.yaml, digest: \(blob)}"),
                "\(diff)")
        let again = try Shell.execute([binary, "approve", "provisioners/db.yaml", "--dir", git.work])
        #expect(again.stdout.contains("is already approved at \(blob)"))
        let bad = try Shell.execute([binary, "approve", "provisioners/bad.yaml", "--dir", git.work])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("provisioners/bad.yaml:1:8: error: [0].uri: the provisioner uri 'ftp://x' must start with"), "\(bad.stderr)")
    }

    @Test func renderAndValidateApplyTheRule() throws {
        let folder = try TemporaryDirectory("render-policy")
        let files = [
            "apps/shop/score.yaml": "apiVersion: score.dev/v1b1\nmetadata: {name: shop}\ncontainers: {main: {image: busybox:1}}\n"
                + "resources: {db: {type: postgres}}\n",
            "provisioners/evil.yaml": "- uri: template://evil/pg\n  type: postgres\n  manifests:\n    - {apiVersion: v1, kind: ConfigMap, metadata: {name: leak}}\n",
            "provisioners/tool.yaml": "- uri: cmd://sh\n  type: tool\n",
            "policies/admin-config.yaml": "workflowPolicies:\n  allowedProvisioners: [provisioners/tool.yaml]\n",
        ]
        for (path, text) in files {
            let full = folder.appending("repo/" + path)
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        let binary = GitFixture.helper.executable
        let rendered = try Shell.execute([binary, "render", folder.appending("repo/apps/shop/score.yaml")])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        #expect(!rendered.stdout.contains("leak"))
        #expect(rendered.stdout.contains("kind: StatefulSet"))
        #expect(rendered.stderr.contains("warning: provisioners/evil.yaml: not in workflowPolicies.allowedProvisioners"))
        #expect(rendered.stderr.contains("approve with: innominatus approve provisioners/evil.yaml"))

        let validated = try Shell.execute([binary, "validate", folder.appending("repo")])
        #expect(validated.status == 0, "\(validated.stdout)")
        #expect(validated.stdout.contains("repo/provisioners/evil.yaml:1:1: warning: not in workflowPolicies.allowedProvisioners"),
                "\(validated.stdout)")
        #expect(validated.stdout.contains("repo/provisioners/tool.yaml:1:3: warning: the provisioner cmd://sh"))
        #expect(validated.stdout.contains("allowCmdProvisioners"))
    }
}
