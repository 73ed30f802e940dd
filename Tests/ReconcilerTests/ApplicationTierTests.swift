import Foundation
import GitKit
import Reconciler
import TestSupport
import Testing

/// The application tier end to end with the real binary: resources provisioned, manifests rendered and
/// delivered to `env/main` of the platform repository, checked with the git CLI after create, update,
/// revert and prune; secrets kept out of the branch, the notes and the logs.
@Suite("Application tier: provision, render, deliver")
struct ApplicationTierTests {
    static let shop = """
        apiVersion: score.dev/v1b1
        metadata:
          name: shop
        containers:
          main:
            image: ghcr.io/acme/shop:IMAGE
            variables:
              DB_HOST: ${resources.db.host}
              DB_PASSWORD: ${resources.db.password}
              QUEUE: ${resources.jobs.url}
        service:
          ports:
            web: {port: 80, targetPort: 8080}
        resources:
          db:
            type: postgres
          jobs:
            type: queue

        """

    static let web = """
        apiVersion: score.dev/v1b1
        metadata:
          name: web
        containers:
          main:
            image: nginx:1.27

        """

    /// A template provisioner of the repository, for a type no built-in serves.
    static let queueProvisioner = """
        - uri: template://acme/queue
          type: queue
          outputs:
            url: "amqp://queue.acme.internal/{{ uid }}"

        """

    /// The app's own deployment workflow reads a resource output, and prints the secret one (masked).
    static let smoke = """
        apiVersion: workflow.dev/v1
        kind: Workflow
        metadata: {name: smoke, phase: post-deployment}
        spec:
          steps:
            - name: check
              type: shell
              run: 'echo "db at ${resources.db.host}"; echo "password ${resources.db.password}"; echo host=${resources.db.host} >> "$INNOMINATUS_OUTPUT"'

        """

    final class World: @unchecked Sendable {
        // Safe: each test uses its world from one task.
        let git = try! GitFixture()
        /// Everything the binary printed, for the secret check.
        var printed = ""
        /// The URL passes use: the bare remote's path, or a `git daemon` URL (where hooks run).
        var url: String?
        var workdir: String { git.root.appending("workdir") }
        var binary: String { GitFixture.helper.executable }

        func reconcile() throws -> Shell.Result {
            let result = try Shell.execute([binary, "reconcile", "--repo", url ?? git.remote, "--workdir", workdir, "--log-level", "debug"])
            printed += result.stdout + result.stderr
            return result
        }

        func env(_ arguments: String...) throws -> String {
            try Shell.run(["git", "--git-dir", git.remote] + arguments)
        }

        func envFiles() throws -> [String] {
            try env("ls-tree", "-r", "--name-only", "env/main").split(separator: "\n").map(String.init).sorted()
        }

        func note(_ commit: String) throws -> String { try env("notes", "--ref", "innominatus", "show", commit) }

        /// The generated password of the shop's database, from the state file (mode 0600).
        func password() throws -> String {
            let file = workdir + "/resources/apps/shop.json"
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let match = try #require(text.firstMatch(of: /"password": "([^"]+)"/))
            return String(match.1)
        }
    }

    /// Secrets on disk are the reconciler's alone: the resource state and the rendered Secrets are 0600 files in
    /// 0700 folders (`resources/`, `resources/apps/`, `secrets/`, `secrets/<app>/`), also where an earlier version
    /// left those folders, and a Secret file, readable by others.
    @Test func secretsAndResourceStateAreOwnerOnly() throws {
        let world = World()
        try world.git.commit(["apps/shop/score.yaml": Self.shop.replacingOccurrences(of: "IMAGE", with: "1.0.0"),
                              "provisioners/queue.yaml": Self.queueProvisioner,
                              "policies/admin-config.yaml": "workflowPolicies:\n  allowedProvisioners: [provisioners/queue.yaml]\n"])
        try world.git.push()
        for folder in ["resources/apps", "secrets/shop"] {
            try FileManager.default.createDirectory(atPath: world.workdir + "/" + folder, withIntermediateDirectories: true)
        }
        for folder in ["resources", "resources/apps", "secrets", "secrets/shop"] { chmod(world.workdir + "/" + folder, 0o755) }
        let result = try world.reconcile()
        #expect(result.status == 0, "\(result.stderr)")
        func mode(_ path: String) throws -> Int? {
            try FileManager.default.attributesOfItem(atPath: world.workdir + "/" + path)[.posixPermissions] as? Int
        }
        for folder in ["resources", "resources/apps", "secrets", "secrets/shop"] {
            #expect(try mode(folder) == 0o700, "\(folder)")
        }
        #expect(try mode("resources/apps/shop.json") == 0o600)
        #expect(try mode("secrets/shop/secret-shop-db.yaml") == 0o600)
    }

    @Test func createUpdateRevertAndPruneOnTheEnvironmentBranch() throws {
        let world = World()
        let first = try world.git.commit([
            "apps/shop/score.yaml": Self.shop.replacingOccurrences(of: "IMAGE", with: "1.0.0"),
            "apps/shop/workflows/smoke.yaml": Self.smoke,
            "apps/web/score.yaml": Self.web,
            "provisioners/queue.yaml": Self.queueProvisioner,
            "policies/admin-config.yaml": "workflowPolicies:\n  allowedProvisioners: [provisioners/queue.yaml]\n",
        ], message: "two apps")
        try world.git.push()

        // Create: one commit on env/main naming the source commit, a folder per app, no Secret.
        let created = try world.reconcile()
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try world.envFiles() == [
            "shop/deployment-shop.yaml", "shop/service-shop-db.yaml", "shop/service-shop.yaml", "shop/statefulset-shop-db.yaml",
            "web/deployment-web.yaml",
        ])
        #expect(try world.env("log", "-1", "--format=%B", "env/main").contains("Source-Commit: \(first)"))
        let deployment = try world.env("show", "env/main:shop/deployment-shop.yaml")
        #expect(deployment.contains("ghcr.io/acme/shop:1.0.0"))
        #expect(deployment.contains("secretKeyRef"))
        #expect(deployment.contains("amqp://queue.acme.internal/shop-jobs"))
        let note = try world.note(first)
        #expect(note.contains("delivery:\n  branch: env/main\n  commit: \(try world.env("rev-parse", "env/main"))"))
        #expect(note.contains("name: generated/deploy"))
        #expect(note.contains("host: shop-db"))  // a non-secret output, in the note
        let password = try world.password()
        #expect(password.count >= 16)
        let secretFile = world.workdir + "/secrets/shop/secret-shop-db.yaml"
        #expect(try String(contentsOfFile: secretFile, encoding: .utf8).contains(password))
        #expect((try FileManager.default.attributesOfItem(atPath: secretFile)[.posixPermissions] as? Int) == 0o600)

        // Nothing changed: nothing delivered.
        let envBefore = try world.env("rev-parse", "env/main")
        #expect(try world.reconcile().status == 0)
        #expect(try world.env("rev-parse", "env/main") == envBefore)
        // Rendering again at the same commit gives the same bytes: nothing delivered either.
        let forced = try Shell.execute([world.binary, "reconcile", "--repo", world.git.remote, "--workdir", world.workdir,
                                        "--force", "web/application"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("web/application: succeeded"))
        #expect(try world.env("rev-parse", "env/main") == envBefore)

        // Someone else commits to the branch: their file stays, ours is rebuilt on top of it.
        try Shell.run(["git", "clone", "-q", "-b", "env/main", world.git.remote, world.git.root.appending("env-clone")])
        let clone = world.git.root.appending("env-clone")
        try "# synced by Argo CD\n".write(toFile: clone + "/README.md", atomically: true, encoding: .utf8)
        try Shell.run(["git", "-C", clone, "add", "README.md"])
        try Shell.run(["git", "-C", clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "readme"])
        try Shell.run(["git", "-C", clone, "push", "-q", "origin", "env/main"])

        // Update: a new image reaches the branch; the generated password stays the same.
        let updated = try world.git.commit(["apps/shop/score.yaml": Self.shop.replacingOccurrences(of: "IMAGE", with: "2.0.0")])
        try world.git.push()
        #expect(try world.reconcile().status == 0)
        #expect(try world.env("show", "env/main:shop/deployment-shop.yaml").contains("ghcr.io/acme/shop:2.0.0"))
        #expect(try world.envFiles().contains("README.md"))
        #expect(try world.password() == password)
        #expect(try world.env("log", "-1", "--format=%B", "env/main").contains("Apps: shop\n"))  // web untouched
        #expect(try world.note(updated).contains("apps:\n  - shop\n"))

        // Revert: the old image is delivered again.
        try world.git.git("revert", "--no-edit", "HEAD")
        try world.git.push()
        #expect(try world.reconcile().status == 0)
        #expect(try world.env("show", "env/main:shop/deployment-shop.yaml").contains("ghcr.io/acme/shop:1.0.0"))

        // A provisioner change re-renders only the app that uses it.
        try world.git.commit(["provisioners/queue.yaml": Self.queueProvisioner.replacingOccurrences(of: "acme.internal", with: "acme.example")])
        try world.git.push()
        let plan = try Shell.execute([world.binary, "plan", "--repo", world.git.remote, "--workdir", world.workdir])
        #expect(plan.stdout.contains("application run       application tier: provisioners/queue.yaml changed"))
        #expect(plan.stdout.hasSuffix("1 to run, 1 unchanged, 0 workflows blocked\n"))
        #expect(try world.reconcile().status == 0)
        #expect(try world.env("show", "env/main:shop/deployment-shop.yaml").contains("amqp://queue.acme.example/shop-jobs"))

        // Prune: the app's folder leaves the branch, its secrets and state leave the workdir.
        try world.git.commit(["apps/web/score.yaml": nil])
        try world.git.push()
        #expect(try world.reconcile().status == 0)
        #expect(try world.envFiles().allSatisfy { !$0.hasPrefix("web/") })
        #expect(try world.envFiles().contains("shop/deployment-shop.yaml"))
        #expect(!FileManager.default.fileExists(atPath: world.workdir + "/resources/apps/web.json"))

        // The password never reached the remote (any object of any ref, notes included) or a log.
        let everything = try world.env("log", "--all", "-p", "--notes=innominatus", "--format=%H %B %N")
        #expect(!everything.contains(password))
        let objects = try Shell.run(["sh", "-c", "git --git-dir '\(world.git.remote)' cat-file --batch-all-objects --batch"])
        #expect(!objects.contains(password))
        let logs = try Shell.run(["sh", "-c", "cat $(find '\(world.workdir)/logs' -type f)"])
        #expect(logs.contains("db at shop-db"))
        #expect(!logs.contains(password))
        #expect(logs.contains("password ***"))
        #expect(world.printed.contains("delivered"))
        #expect(!world.printed.contains(password))
    }

    @Test func anUnmatchedResourceFailsOnlyItsAppAndNamesWhatExists() throws {
        let world = World()
        let commit = try world.git.commit([
            "apps/odd/score.yaml": """
                apiVersion: score.dev/v1b1
                metadata: {name: odd}
                containers: {main: {image: busybox:1}}
                resources:
                  thing: {type: teleporter, class: large}

                """,
            "apps/web/score.yaml": Self.web,
        ], message: "odd app")
        try world.git.push()
        let result = try world.reconcile()
        #expect(result.status == 1)
        let note = try world.note(commit)
        #expect(note.contains("resources.thing (type teleporter, class large,"))
        #expect(note.contains("postgres"))  // the provisioners that exist are listed
        #expect(try world.envFiles() == ["web/deployment-web.yaml"])
        // The failing pair is retried (dirty), the delivered one is not.
        let again = try Shell.execute([world.binary, "plan", "--repo", world.git.remote, "--workdir", world.workdir, "--output", "json"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])["items"] as? [[String: Any]]
        let odd = try #require(items?.first { $0["app"] as? String == "odd" && $0["tier"] as? String == "application" })
        #expect((odd["reason"] as? String)?.contains("failed") == true, "\(odd)")
        let web = try #require(items?.first { $0["app"] as? String == "web" && $0["tier"] as? String == "application" })
        #expect(web["reason"] as? String == "application tier: unchanged")
    }
}

extension ApplicationTierTests {
    @Test func aRefusedDeliveryFailsTheRenderedTiersAndTheNextPassDeliversThem() throws {
        let world = World()
        let commit = try world.git.commit([
            "policies/admin-config.yaml": "workflowPolicies:\n  retry: {base: 1ms, cap: 1ms, attempts: 5}\n",
            "apps/web/score.yaml": Self.web,
        ], message: "web")
        try world.git.push()
        let hook = world.git.remote + "/hooks/pre-receive"
        try "#!/bin/sh\nwhile read old new ref; do case $ref in refs/heads/env/*) echo 'env branch frozen' >&2; exit 1;; esac; done\n"
            .write(toFile: hook, atomically: true, encoding: .utf8)
        try Shell.run(["chmod", "+x", hook])
        // Only a real transport runs the server's hooks.
        let daemon = try GitDaemon(basePath: world.git.root.path)
        world.url = daemon.url("remote.git")

        let refused = try world.reconcile()
        #expect(refused.status == 1)
        let note = try world.note(commit)
        #expect(note.contains("delivery to the environment branch env/main failed"))
        #expect(note.contains("application:\n        action: run\n        result: failed"))
        #expect((try? world.env("rev-parse", "--verify", "-q", "env/main")) == nil)

        try FileManager.default.removeItem(atPath: hook)
        let next = try world.reconcile()
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try world.envFiles() == ["web/deployment-web.yaml"])
    }
}
