import Foundation
import Reconciler
import Specs
import TestSupport
import Testing

/// Attacks by someone who can push to the platform repository, on the reconciler's own refs and on the
/// prune path, with the real binary: each reproduces a red-team finding and must execute nothing
/// unapproved, skip nothing required, prune nothing and stop no reconciler.
@Suite("Forged refs and the prune path")
struct RefForgeryTests {
    static let emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

    static func marking(_ world: PassIntegrityTests.World, kind: String, name: String, product: String? = nil,
                        phase: String = "destroy", steps: Int = 1) -> String {
        var text = "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\n  phase: \(phase)\n"
        if let product { text += "  product: \(product)\n" }
        text += "spec:\n  steps:\n"
        for index in 0..<steps { text += "    - {name: s\(index), type: shell, run: 'touch \(world.git.root.appending("marker-\(name)"))'}\n" }
        return text
    }

    /// Commits `text` as the applied state (a child of the remote's current one), as a pusher could.
    static func forgeState(_ world: PassIntegrityTests.World, _ text: String) throws {
        let git = ["git", "--git-dir", world.git.remote]
        let blob = try Shell.run(git + ["hash-object", "-w", "--stdin"], input: text).trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = try Shell.run(git + ["mktree"], input: "100644 blob \(blob)\t\(emptyTree)\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let parent = try Shell.run(git + ["rev-parse", "refs/innominatus/applied"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try Shell.run(git + ["commit-tree", tree, "-p", parent, "-m", "Notes added by 'git notes add'"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try Shell.run(git + ["update-ref", "refs/innominatus/applied", commit])
    }

    @Test func pruningRunsOnlyTheDestroyWorkflowsThePlanAllows() throws {
        let world = try PassIntegrityTests.World(extra: [
            "policies/admin-config.yaml": """
                workflowPolicies:
                  allowedProductWorkflows: [ecommerce/database-setup]
                  maxStepsPerWorkflow: 2

                """,
        ])
        try world.commit([
            "workflows/products/ecommerce/teardown.yaml": Self.marking(world, kind: "ProductWorkflow", name: "teardown", product: "ecommerce"),
            "apps/cart/workflows/big.yaml": Self.marking(world, kind: "Workflow", name: "big", steps: 3),
            "apps/cart/workflows/cleanup.yaml": Self.marking(world, kind: "Workflow", name: "cleanup"),
        ])
        _ = try world.run("reconcile")  // big is over the limit and teardown unapproved: blocked, reported
        let gone = try world.commit(["apps/cart/score.yaml": nil])
        let prune = try world.run("reconcile")
        let markers = try FileManager.default.contentsOfDirectory(atPath: world.git.root.path).filter { $0.hasPrefix("marker-") }
        #expect(markers == ["marker-cleanup"], "only the approved, in-limit destroy workflow runs: \(markers) \(prune.stdout)")
        let note = try #require(try world.status(gone))
        let blocked = (note.apps["cart"]?.tiers.values.flatMap { $0.blocked ?? [] } ?? []).map(\.workflow).sorted()
        #expect(blocked == ["big", "ecommerce/teardown"], "the note and the run agree: \(blocked)")
    }

    @Test func aForgedAppliedStateSkipsNoScanAndPrunesNothing() throws {
        let world = try PassIntegrityTests.World()
        #expect(try world.run("reconcile").status == 0)
        let head = try world.commit(["apps/cart/score.yaml": PassIntegrityTests.score("cart", image: "ghcr.io/acme/cart:vulnerable")])
        // Every pair of cart "succeeded" at the new head, with the fingerprints plan prints, and an app
        // that main never had, so that a prune would run.
        var lines = ["innominatus-applied-state v1", "commit\t\(head)", "settled\t1", "set\t0"]
        for item in try world.planItems() where item["app"] as? String == "cart" {
            guard let digest = item["fingerprint"] as? String, let tier = item["tier"] as? String else { continue }
            lines.append("pair\tcart\t\(tier)\tsucceeded\t0\t0\t-\t=\t\(digest)\t0\tapps/cart/score.yaml\t-")
        }
        lines.append("pair\tghost\tplatform\tsucceeded\t0\t0\t-\t=\tffffffffffffffffffffffffffffffff\t0\tapps/ghost/score.yaml\t-")
        try Self.forgeState(world, lines.joined(separator: "\n") + "\n")

        let pass = try world.run("reconcile")
        #expect(pass.status == 1, "the scan ran and failed: \(pass.stdout)")
        #expect(try world.deliveredImage("cart") == "ghcr.io/acme/cart:1.0")
        let note = try #require(try world.status(head))
        #expect(note.apps["cart"]?.tiers[.platform]?.result == .failed)
        #expect(note.apps["ghost"] == nil, "nothing is pruned")
        #expect(note.warnings?.first?.contains("the applied state was ignored") == true, "\(note.warnings ?? [])")
        #expect(pass.stderr.contains("the applied state was ignored"), "logged: \(pass.stderr)")
    }

    @Test func aGarbageAppliedStateStopsNoPass() throws {
        let world = try PassIntegrityTests.World()
        #expect(try world.run("reconcile").status == 0)
        try Self.forgeState(world, "\u{0}\u{1}not a state at all\n")
        let head = try world.commit(["apps/cart/score.yaml": PassIntegrityTests.score("cart", image: "ghcr.io/acme/cart:2.0")])
        let pass = try world.run("reconcile")
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(try world.deliveredImage("cart") == "ghcr.io/acme/cart:2.0")
        #expect(try world.status(head)?.warnings?.isEmpty == false)
        // The next pass reads the state this one wrote: nothing to do.
        #expect(try world.run("reconcile").stdout.contains("nothing to do"))
    }

    @Test func aForgedStatusDocumentIsNotTakenForAPass() throws {
        let world = try PassIntegrityTests.World()
        let head = try world.commit(["apps/cart/score.yaml": PassIntegrityTests.score("cart", image: "ghcr.io/acme/cart:vulnerable")])
        #expect(try world.run("reconcile").status == 1)
        // Someone appends a "succeeded" pass of their own to the head's note, and pushes it.
        try world.git.git("fetch", "-q", "origin", "+refs/notes/innominatus:refs/notes/innominatus")
        try world.git.git("notes", "--ref", "innominatus", "append", "-m", """
            ---
            apiVersion: innominatus.dev/v1
            kind: ReconcileStatus
            commit: \(head)
            previousCommit: null
            result: succeeded
            startedAt: 2026-12-03T00:00:00Z
            finishedAt: 2026-12-03T00:00:01Z
            unchanged: 999
            apps: {}
            """, head)
        try world.git.git("push", "-q", "origin", "refs/notes/innominatus")
        let status = try world.run("status", head)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(!status.stdout.contains("unchanged pairs: 999") && status.stdout.contains("cart"), "\(status.stdout)")
        let history = try world.run("history")
        #expect(!history.stdout.contains("999 unchanged"), "\(history.stdout)")
    }

    @Test func aForgedLeaseStopsNoReconciler() throws {
        let world = try PassIntegrityTests.World()
        #expect(try world.run("reconcile").status == 0)
        let git = ["git", "--git-dir", world.git.remote]
        let tree = try Shell.run(git + ["mktree"], input: "").trimmingCharacters(in: .whitespacesAndNewlines)
        let lease = try Shell.run(git + ["commit-tree", tree, "-m", #"{"holder":"evil:1","expires":4102444800}"#])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try Shell.run(git + ["update-ref", "refs/innominatus/lease/main", lease])
        try world.commit(["apps/cart/score.yaml": PassIntegrityTests.score("cart", image: "ghcr.io/acme/cart:2.0")])
        for workdir in [world.workdir, world.git.root.appending("fresh-workdir")] {
            let pass = try world.run("reconcile", workdir: workdir)
            #expect(!pass.stdout.contains("lease is held"), "\(pass.stdout)")
        }
        #expect(try world.deliveredImage("cart") == "ghcr.io/acme/cart:2.0")
    }
}

/// The example `pre-receive` hook of `examples/hooks/`, installed in a real bare remote and run by git's
/// receive-pack: a pusher who is not the reconciler cannot move `refs/innominatus/*` or `env/*`; the
/// reconciler's account can. (The reconciler itself writes a local-path remote in-process, without hooks:
/// here it only makes the refs to attack.)
@Suite("Example pre-receive hook")
struct ForgeHookTests {
    static let hook = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/hooks/pre-receive").path

    @Test func onlyTheReconcilersAccountMovesItsRefs() throws {
        let world = try PassIntegrityTests.World()
        let hooks = world.git.remote + "/hooks/pre-receive"
        try FileManager.default.copyItem(atPath: Self.hook, toPath: hooks)
        try world.git.remoteGit("config", "innominatus.reconcilerUser", "innominatus-bot")
        let pass = try world.run("reconcile")
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")

        // Someone else pushes a forged applied state and a forged env/main: both refused.
        try world.git.git("fetch", "-q", "origin", "refs/innominatus/applied:refs/innominatus/applied", "env/main:refs/heads/env/main")
        try world.git.git("update-ref", "refs/innominatus/applied", "HEAD")
        for ref in ["refs/innominatus/applied", "refs/heads/env/main"] {
            let push = try Shell.execute(["git", "-C", world.git.work, "push", "-f", "origin", "HEAD:\(ref)"],
                                         environment: ["REMOTE_USER": "mallory"])
            #expect(push.status != 0 && push.stderr.contains("only innominatus-bot (the reconciler) may update it"), "\(ref): \(push.stderr)")
            let bot = try Shell.execute(["git", "-C", world.git.work, "push", "-f", "origin", "HEAD:\(ref)"],
                                        environment: ["REMOTE_USER": "innominatus-bot"])
            #expect(bot.status == 0, "\(ref): \(bot.stderr)")
        }
        // Ordinary work is untouched.
        try world.git.commit(["README.md": "docs\n"])
        #expect(try Shell.execute(["git", "-C", world.git.work, "push", "origin", "main"], environment: ["REMOTE_USER": "mallory"]).status == 0)
    }
}
