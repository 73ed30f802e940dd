import Foundation
import Testing
import TestSupport

/// The migrated `runnable` fixture pushed to a real bare remote and reconciled by the real binary: the
/// original's platform and product workflows run (their policy scripts as shell steps), none is blocked.
@Suite struct MigratedReconcileTests {
    @Test func migratedRepositoryReconcilesItsPlatformAndProductTiers() throws {
        let git = try GitFixture()
        let destination = git.root.appending("migrated")
        let migrate = try InnominatusBinary.run(["migrate", MigrationFixtures.path("runnable"), "--output", destination])
        try #require(migrate.status == 0, "\(migrate.stderr)")
        try Shell.run(["cp", "-a", destination + "/.", git.work])
        try git.git("add", "-A")
        try git.git("commit", "-q", "-m", "migrated from the original innominatus")
        try git.push()

        let workdir = git.root.appending("workdir")
        let reconcile = try InnominatusBinary.run(["reconcile", "--repo", git.remote, "--workdir", workdir, "--state-key", git.stateKeyFile])
        #expect(reconcile.status == 0, "\(reconcile.stdout)\(reconcile.stderr)")
        #expect(reconcile.stdout.contains("storefront/platform: succeeded"), "\(reconcile.stdout)")
        #expect(reconcile.stdout.contains("storefront/product: succeeded"), "\(reconcile.stdout)")
        #expect(reconcile.stdout.contains("0 workflows blocked"), "\(reconcile.stdout)")

        let status = try InnominatusBinary.run(["status", "--repo", git.remote, "--workdir", workdir, "--state-key", git.stateKeyFile,
                                                "--output", "json"])
        try #require(status.status == 0, "\(status.stderr)")
        let note = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let tiers = try #require(((note["apps"] as? [String: Any])?["storefront"] as? [String: Any])?["tiers"] as? [String: Any])
        func workflows(_ tier: String) -> [[String: Any]] { (tiers[tier] as? [String: Any])?["workflows"] as? [[String: Any]] ?? [] }
        #expect(workflows("platform").map { $0["name"] as? String } == ["audit-log"])
        #expect(workflows("product").map { $0["name"] as? String } == ["seed-catalog"])
        #expect(workflows("platform").first?["phase"] as? String == "pre-deployment")
        #expect((workflows("platform").first?["steps"] as? [[String: Any]])?.map { $0["name"] as? String } == ["record", "confirm"])
        for tier in ["platform", "product"] {
            #expect((tiers[tier] as? [String: Any])?["result"] as? String == "succeeded", "\(tier)")
            #expect((tiers[tier] as? [String: Any])?["blocked"] == nil, "\(tier)")
        }

        // What the steps printed: the translated placeholders reached bash as values.
        let commit = String(try git.git("rev-parse", "HEAD").prefix(12))
        let logs = workdir + "/logs/\(commit)/storefront"
        #expect(try String(contentsOfFile: logs + "/platform-audit-log/record.log", encoding: .utf8)
            .contains("audit: storefront (team shop-frontend) to qa"))
        #expect(try String(contentsOfFile: logs + "/platform-audit-log/confirm.log", encoding: .utf8)
            .contains("audit confirmed: storefront@qa"))
        #expect(try String(contentsOfFile: logs + "/product-seed-catalog/seed.log", encoding: .utf8)
            .contains("seeding 3 items for storefront (cost center retail-42)"))
    }
}
