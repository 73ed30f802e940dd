import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

/// `plan` over real git repositories: commit a change, plan, check what runs and why.
@Suite("plan over a real platform repository")
struct PlanScenarioTests {
    @Test func changesRunOnlyTheirPairsAcrossPasses() async throws {
        var repo = try PlatformRepoFixture()
        let cold = try await repo.plan()
        #expect(PlatformRepoFixture.running(cold.plan) == [
            "cart/application", "cart/platform", "cart/product", "checkout/application", "checkout/platform", "checkout/product",
            "search/application", "search/platform",
        ])
        #expect(cold.plan.appliedCommit == nil)
        try await repo.recordSuccess(cold)

        // Nothing changed: nothing runs, and the applied state came back from the remote.
        let again = try await repo.plan()
        #expect(PlatformRepoFixture.running(again.plan).isEmpty)
        #expect(again.plan.appliedCommit == cold.plan.commit)

        // A docs-only change runs nothing.
        let docs = try await repo.change(["README.md": "# platform, documented\n"])
        #expect(PlatformRepoFixture.running(docs.plan).isEmpty)

        // A platform workflow input: the platform tier of every app, named in the reason.
        let input = try await repo.change(["scripts/scan.sh": "#!/bin/sh\necho scan harder\n"])
        #expect(PlatformRepoFixture.running(input.plan) == ["cart/platform", "checkout/platform", "search/platform"])
        #expect(input.plan.item("cart", .platform)?.reason == "platform tier: scripts/scan.sh changed")
        try await repo.recordSuccess(input)

        // One Score: that app's tiers only (its application tier renders it); only that blob is parsed.
        let score = try await repo.change(["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:2")])
        #expect(PlatformRepoFixture.running(score.plan) == ["cart/application", "cart/platform", "cart/product"])
        #expect(score.plan.item("cart", .product)?.reason == "product tier: apps/cart/score.yaml changed")
        #expect(repo.loader.parsedBlobs == 1)
        try await repo.recordSuccess(score)

        // git revert: back to the old Score, and the pairs whose fingerprint moved run again.
        try repo.git.git("revert", "--no-edit", "HEAD")
        try repo.git.push()
        let reverted = try await repo.plan()
        #expect(PlatformRepoFixture.running(reverted.plan) == ["cart/application", "cart/platform", "cart/product"])
    }

    @Test func brokenScoreIsAnErrorWithItsPositionAndNeverAPrune() async throws {
        var repo = try PlatformRepoFixture()
        try await repo.recordSuccess(try await repo.plan())
        let broken = try await repo.change(["apps/cart/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: cart\ncontainers: 7\n"])
        let item = try #require(broken.plan.item("cart", .platform))
        #expect(item.action == .error)
        #expect(item.reason.contains("apps/cart/score.yaml:4:"))
        // The loader hands the planner diagnostics, not sentences: file, line, column and field as values.
        let problem = try #require(broken.desired.apps["cart"]?.errors.first)
        #expect(problem.file == "apps/cart/score.yaml" && problem.line == 4 && problem.field == "containers", "\(problem)")
        #expect(!broken.plan.items.contains { $0.action == .prune })
        // A removed Score is a prune, running the destroy workflows of the last applied tree.
        let cleanup = PlatformRepoFixture.workflow("PlatformWorkflow", "cleanup").replacingOccurrences(
            of: "metadata: {name: cleanup}", with: "metadata: {name: cleanup, phase: destroy}")
        try await repo.recordSuccess(try await repo.change([
            "apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce"),
            "workflows/platform/cleanup.yaml": cleanup,
        ]))
        let removed = try await repo.change(["apps/cart/score.yaml": nil, "workflows/platform/cleanup.yaml": nil])
        #expect(removed.plan.items.filter { $0.action == .prune }.map(\.key.description) == ["cart/platform", "cart/product", "cart/application"])
        #expect(removed.plan.item("cart", .platform)?.workflows == ["cleanup"])
    }

    @Test func unapprovedAndRepinnedProductWorkflowsAreBlocked() async throws {
        var repo = try PlatformRepoFixture()
        let rogue = try await repo.change([
            "workflows/products/ecommerce/rogue.yaml": PlatformRepoFixture.workflow("ProductWorkflow", "rogue"),
        ])
        let item = try #require(rogue.plan.item("cart", .product))
        #expect(item.action == .run)
        #expect(item.workflows == ["ecommerce/database-setup"])
        #expect(item.blocked.map(\.reason) == ["not in allowedProductWorkflows (approve with: innominatus approve ecommerce/rogue)"])
        // Pin database-setup to a digest that is not its content.
        let stale = String(repeating: "a", count: 40)
        let pinned = try await repo.change(["policies/admin-config.yaml": PlatformRepoFixture.adminConfig.replacingOccurrences(
            of: "- ecommerce/database-setup", with: "- {name: ecommerce/database-setup, digest: \(stale)}")])
        let blocked = try #require(pinned.plan.item("cart", .product))
        #expect(blocked.action == .blocked)
        let actual = try repo.git.git("rev-parse", "HEAD:workflows/products/ecommerce/database-setup.yaml")
        #expect(blocked.blocked.first { $0.workflow == "ecommerce/database-setup" }?.reason
            == "changed since approval: approved \(stale), now \(actual) (re-approve with: innominatus approve ecommerce/database-setup)")
    }

    @Test func theBinaryPrintsContractJSONAndFailsClosedOnABadAdminConfig() async throws {
        let repo = try PlatformRepoFixture()
        let binary = GitFixture.helper.executable
        let result = try Shell.execute([binary, "plan", "--repo", repo.git.remote, "--workdir", repo.workdir, "--output", "json"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["commit"] as? String == (try repo.git.git("rev-parse", "HEAD")))
        #expect(json["appliedCommit"] is NSNull)
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items.count == 9)
        let first = try #require(items.first)
        #expect(Set(first.keys).isSuperset(of: ["app", "tier", "action", "reason", "workflows", "blocked"]))

        let text = try Shell.execute([binary, "plan", "--repo", repo.git.remote, "--workdir", repo.workdir])
        #expect(text.stdout.hasSuffix("8 to run, 0 unchanged, 0 workflows blocked\n"))

        try repo.git.commit(["policies/admin-config.yaml": "workflowPolicies:\n  maxPrunePerPass: many\n"])
        try repo.git.push()
        let failed = try Shell.execute([binary, "plan", "--repo", repo.git.remote, "--workdir", repo.workdir, "--output", "json"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("policies/admin-config.yaml:2:"))
        #expect(failed.stdout.contains("\"items\": []"))
    }

    /// A Score file turned into a symlink, or a folder, is an error of its app — never a prune.
    /// `environment` resources read the admin config's values: changing them re-runs the application tier
    /// of the apps that have one, and nothing else.
    @Test func changingTheEnvironmentValuesReRendersOnlyTheAppsThatReadThem() async throws {
        var repo = try PlatformRepoFixture()
        try await repo.recordSuccess(try await repo.change([
            "apps/search/score.yaml": PlatformRepoFixture.score("search", product: nil, extra: "resources:\n  env: {type: environment}\n"),
        ]))
        let config = PlatformRepoFixture.adminConfig + "  environment: {REGION: eu-west-1}\n"
        let changed = try await repo.change(["policies/admin-config.yaml": config])
        #expect(PlatformRepoFixture.running(changed.plan) == ["search/application"], "\(changed.plan.items.map { "\($0.key) \($0.reason)" })")
        #expect(changed.desired.config.environment == ["REGION": "eu-west-1"])
    }

    @Test func aScoreThatIsNoLongerAFileIsAnErrorNotAPrune() async throws {
        var repo = try PlatformRepoFixture()
        try await repo.recordSuccess(try await repo.plan())
        try FileManager.default.removeItem(atPath: repo.git.work + "/apps/cart/score.yaml")
        try FileManager.default.createSymbolicLink(atPath: repo.git.work + "/apps/cart/score.yaml", withDestinationPath: "/etc/hostname")
        try FileManager.default.removeItem(atPath: repo.git.work + "/apps/search/score.yaml")
        try FileManager.default.createDirectory(atPath: repo.git.work + "/apps/search/score.yaml", withIntermediateDirectories: true)
        try "x: 1\n".write(toFile: repo.git.work + "/apps/search/score.yaml/inner.yaml", atomically: true, encoding: .utf8)
        try repo.git.git("add", "-A")
        try repo.git.git("commit", "-qm", "scores replaced by a symlink and a folder")
        try repo.git.push()
        let changed = try await repo.plan()
        #expect(!changed.plan.items.contains { $0.action == .prune }, "\(changed.plan.items)")
        let cart = try #require(changed.plan.item("cart", .platform))
        #expect(cart.action == .error)
        #expect(cart.reason.contains("apps/cart/score.yaml:1:1: error: the Score file is a symbolic link"), "\(cart.reason)")
        let search = try #require(changed.plan.item("search", .application))
        #expect(search.action == .error)
        #expect(search.reason.contains("apps/search/score.yaml:1:1: error: the Score file is a folder"), "\(search.reason)")
    }

    /// A product workflow naming another product than its folder never runs, even when approved by its path.
    @Test func aProductWorkflowInAnotherProductsFolderIsInvalid() async throws {
        var repo = try PlatformRepoFixture()
        let config = PlatformRepoFixture.adminConfig.replacingOccurrences(
            of: "    - ecommerce/database-setup   # approved in PR 12\n",
            with: "    - ecommerce/database-setup   # approved in PR 12\n    - payments/charge\n")
        let charge = PlatformRepoFixture.workflow("ProductWorkflow", "charge").replacingOccurrences(
            of: "metadata: {name: charge}", with: "metadata: {name: charge, product: ecommerce}")
        let outcome = try await repo.change([
            "policies/admin-config.yaml": config,
            "workflows/products/payments/charge.yaml": charge,
            "apps/pay/score.yaml": PlatformRepoFixture.score("pay", product: "payments"),
        ])
        let item = try #require(outcome.plan.item("pay", .product))
        #expect(item.action != .run, "\(item)")
        let text = item.reason + item.blocked.map(\.reason).joined()
        #expect(text.contains("lies in the product folder 'payments' but names the product 'ecommerce'"), "\(item)")
    }
}
