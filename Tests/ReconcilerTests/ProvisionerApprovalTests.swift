import Foundation
import GitKit
import Reconciler
import TestSupport
import Testing

/// Repository provisioners are approved like product workflows, end to end with the real binary: a file
/// `allowedProvisioners` does not list is not used (its resources fall to the built-in provisioners), a
/// `cmd://` one needs `allowCmdProvisioners: true`, and a provisioner never receives another one's state.
@Suite("Provisioner approval")
struct ProvisionerApprovalTests {
    static func shop(image: String) -> String {
        """
        apiVersion: score.dev/v1b1
        metadata:
          name: shop
        containers:
          main:
            image: ghcr.io/acme/shop:\(image)
            variables:
              DB_HOST: ${resources.db.host}
              DB_PASSWORD: ${resources.db.password}
        resources:
          db:
            type: postgres

        """
    }

    /// A cmd provisioner for `postgres` that leaves a marker, copies its stdin (the resource's state) to a
    /// file and to stderr (which a failing provisioner's error, and so the note, quotes), and fails.
    static func hostileCommand(marker: String, copy: String) -> String {
        """
        - uri: cmd://sh
          type: postgres
          args: ["-c", "touch '\(marker)'; tee '\(copy)' >&2; exit 1"]

        """
    }

    /// A template provisioner for `postgres` (it runs no code) that publishes the state's password in an
    /// output (listed in the note) and in a ConfigMap (delivered to env/main).
    static let hostileTemplate = """
        - uri: template://evil/postgres
          type: postgres
          outputs:
            host: "leak-{{ state.password ?? \\"none\\" }}"
            password: "{{ state.password ?? \\"none\\" }}"
          manifests:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: leak}
              data: {password: "{{ state.password ?? \\"none\\" }}"}

        """

    /// Every place the password must never reach: any object of the remote (env/main, notes, state) and
    /// everything the binary printed.
    static func expectNowhere(_ password: String, _ world: ApplicationTierTests.World) throws {
        let objects = try Shell.run(["sh", "-c", "git --git-dir '\(world.git.remote)' cat-file --batch-all-objects --batch"])
        #expect(!objects.contains(password))
        #expect(!world.printed.contains(password))
    }

    @Test func anUnapprovedCmdProvisionerNeverRunsNorReceivesAnotherAppsPassword() throws {
        let world = ApplicationTierTests.World()
        let marker = world.git.root.appending("marker")
        let copy = world.git.root.appending("stdin.json")
        try world.git.commit(["apps/shop/score.yaml": Self.shop(image: "1")], message: "shop")
        try world.git.push()
        #expect(try world.reconcile().status == 0)
        let password = try world.password()

        // Someone adds a cmd provisioner for postgres; the shop's tier runs again (new image).
        let hostile = try world.git.commit([
            "provisioners/evil.yaml": Self.hostileCommand(marker: marker, copy: copy),
            "apps/shop/score.yaml": Self.shop(image: "2"),
        ], message: "evil")
        try world.git.push()
        let result = try world.reconcile()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(!FileManager.default.fileExists(atPath: copy))
        // Still rendered by the built-in postgres, with the same password.
        #expect(try world.envFiles().contains("shop/statefulset-shop-db.yaml"))
        #expect(try world.env("show", "env/main:shop/deployment-shop.yaml").contains("ghcr.io/acme/shop:2"))
        #expect(try world.password() == password)
        let note = try world.note(hostile)
        #expect(note.contains("workflow: provisioners/evil.yaml"), "\(note)")
        #expect(note.contains("approve with: innominatus approve provisioners/evil.yaml"))
        try Self.expectNowhere(password, world)

        // Approved, but cmd:// is not allowed: the shop's application tier fails naming the switch; nothing runs.
        let approve = try Shell.execute([world.binary, "approve", "provisioners/evil.yaml", "--dir", world.git.work])
        #expect(approve.status == 0, "\(approve.stderr)")
        let blob = try world.git.git("hash-object", "provisioners/evil.yaml").trimmingCharacters(in: .whitespacesAndNewlines)
        let config = try String(contentsOfFile: world.git.work + "/policies/admin-config.yaml", encoding: .utf8)
        #expect(config == "workflowPolicies:\n  allowedProvisioners:\n    - {path: provisioners/evil.yaml, digest: \(blob)}\n")
        let approved = try world.git.commit(["policies/admin-config.yaml": config], message: "approve")
        try world.git.push()
        #expect(try world.reconcile().status == 1)
        #expect(!FileManager.default.fileExists(atPath: marker))
        let refused = try world.note(approved)
        #expect(refused.contains("allowCmdProvisioners"), "\(refused)")
        #expect(refused.contains("provisioners/evil.yaml:1:3"))

        // Allowed: it runs, but as a different provisioner it gets a state of its own (empty), not the built-in's.
        try world.git.commit(["policies/admin-config.yaml": config + "  allowCmdProvisioners: true\n"], message: "allow cmd")
        try world.git.push()
        #expect(try world.reconcile().status == 1)
        #expect(FileManager.default.fileExists(atPath: marker))
        let received = try String(contentsOfFile: copy, encoding: .utf8)
        #expect(received.contains("\"state\":{}"), "\(received)")
        #expect(!received.contains(password))
        try Self.expectNowhere(password, world)
    }

    @Test func anUnapprovedTemplateProvisionerCannotPublishThePassword() throws {
        let world = ApplicationTierTests.World()
        try world.git.commit(["apps/shop/score.yaml": Self.shop(image: "1")], message: "shop")
        try world.git.push()
        #expect(try world.reconcile().status == 0)
        let password = try world.password()

        let hostile = try world.git.commit([
            "provisioners/evil.yaml": Self.hostileTemplate, "apps/shop/score.yaml": Self.shop(image: "2"),
        ], message: "evil")
        try world.git.push()
        #expect(try world.reconcile().status == 0)
        #expect(try world.envFiles().allSatisfy { !$0.contains("leak") })
        let deployment = try world.env("show", "env/main:shop/deployment-shop.yaml")
        #expect(deployment.contains("shop-db") && !deployment.contains("leak-"), "\(deployment)")
        #expect(try world.note(hostile).contains("approve with: innominatus approve provisioners/evil.yaml"))
        try Self.expectNowhere(password, world)
    }

    @Test func aPinnedProvisionerEditedAfterApprovalIsNotUsed() throws {
        let world = ApplicationTierTests.World()
        let queue = "- uri: template://acme/queue\n  type: queue\n  outputs: {url: \"amqp://approved/{{ uid }}\"}\n"
        try world.git.commit([
            "apps/jobs/score.yaml": """
                apiVersion: score.dev/v1b1
                metadata: {name: jobs}
                containers: {main: {image: busybox:1, variables: {QUEUE: "${resources.jobq.url}"}}}
                resources: {jobq: {type: queue}}

                """,
            "provisioners/queue.yaml": queue,
        ], message: "jobs")
        #expect(try Shell.execute([world.binary, "approve", "provisioners/queue.yaml", "--dir", world.git.work]).status == 0)
        try world.git.git("add", "-A")
        try world.git.git("commit", "-qm", "approve")
        try world.git.push()
        #expect(try world.reconcile().status == 0, "\(world.printed)")
        #expect(try world.env("show", "env/main:jobs/deployment-jobs.yaml").contains("amqp://approved/jobs-jobq"))

        // Edited after approval: the pin no longer matches, nothing else serves `queue`, so the tier fails saying why.
        let edited = try world.git.commit(["provisioners/queue.yaml": queue.replacingOccurrences(of: "approved", with: "edited")])
        try world.git.push()
        #expect(try world.reconcile().status == 1)
        let note = try world.note(edited)
        #expect(note.contains("changed since it was approved"), "\(note)")
        #expect(note.contains("approve with: innominatus approve provisioners/queue.yaml"))
        #expect(!(try world.env("show", "env/main:jobs/deployment-jobs.yaml").contains("edited")))
    }
}
