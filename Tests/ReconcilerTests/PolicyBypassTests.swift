import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

/// Attempts to run something the platform team did not approve. Every workflow or plugin below
/// would leave a marker file if it executed; none may, and each is reported as blocked or invalid with the
/// reason in the status note, while the good apps reconcile in the same pass.
@Suite("Policy bypass attempts")
struct PolicyBypassTests {
    static let approvedCleanup = "apiVersion: workflow.dev/v1\nkind: ProductWorkflow\nmetadata:\n  name: cleanup\n"
        + "  product: ecommerce\nspec:\n  steps:\n    - {name: go, type: shell, run: 'true'}\n"

    static func adminConfig(cleanupDigest: String) -> String {
        """
        workflowPolicies:
          requiredPlatformWorkflows: [security-scan]
          allowedProductWorkflows:
            - ecommerce/database-setup
            - {name: ecommerce/cleanup, digest: \(cleanupDigest)}
          allowedStepTypes:
            application: [shell, escape]
          stepTypes:
            notify: {command: [./plugins/notify.sh]}
            escape: {command: [./plugins/escape.sh]}
          retry: {base: 1ms, cap: 1ms, attempts: 3}

        """
    }

    /// A workflow whose step leaves the marker `name` (under the fixture's markers folder).
    static func rogue(_ fixture: HostileRepoFixture, kind: String, name: String, product: String? = nil,
                      type: String = "shell", marker: String) -> String {
        var text = "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\n"
        if let product { text += "  product: \(product)\n" }
        let step = type == "shell" ? "{name: go, type: shell, run: 'touch \(fixture.markers)/\(marker)'}" : "{name: go, type: \(type)}"
        return text + "spec:\n  steps:\n    - \(step)\n"
    }

    @Test func nothingUnapprovedExecutesAndEachAttemptIsReported() throws {
        let digest = try Shell.run(["git", "hash-object", "--stdin"], input: Self.approvedCleanup)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let outside = try TemporaryDirectory("outside")
        let fixture = try HostileRepoFixture(adminConfig: Self.adminConfig(cleanupDigest: digest))
        let touch = { (marker: String) in "#!/bin/sh\ntouch \(fixture.markers)/\(marker)\ncat >/dev/null\necho '{}'\n" }
        try touch("escaped-plugin").write(toFile: outside.appending("evil.sh"), atomically: true, encoding: .utf8)
        try Shell.run(["chmod", "+x", outside.appending("evil.sh")])

        // 1. A product workflow placed under another product's folder (payments/) claiming ecommerce.
        try fixture.write("workflows/products/payments/charge.yaml",
                          Self.rogue(fixture, kind: "ProductWorkflow", name: "charge", product: "ecommerce", marker: "other-folder"))
        try fixture.write("apps/pay/score.yaml", HostileRepoFixture.score("pay", product: "payments"))
        // 2. A rogue workflow renamed to an approved name: the file is database-setup.yaml, its name is not.
        try fixture.write("workflows/products/ecommerce/database-setup.yaml",
                          Self.rogue(fixture, kind: "ProductWorkflow", name: "rogue", product: "ecommerce", marker: "renamed"))
        // ... and one whose metadata.name claims the approved name from an unapproved file name.
        try fixture.write("workflows/products/ecommerce/rogue.yaml",
                          Self.rogue(fixture, kind: "ProductWorkflow", name: "database-setup", product: "ecommerce", marker: "renamed-2"))
        // 3. Approved by name with a digest pin, then edited.
        try fixture.write("workflows/products/ecommerce/cleanup.yaml",
                          Self.approvedCleanup.replacingOccurrences(of: "run: 'true'", with: "run: 'touch \(fixture.markers)/edited'"))
        // 4. A platform workflow added under an app's folder.
        try fixture.write("apps/victim/score.yaml", HostileRepoFixture.score("victim"))
        try fixture.write("apps/victim/workflows/scan.yaml",
                          Self.rogue(fixture, kind: "PlatformWorkflow", name: "scan", marker: "platform-in-app"))
        // 5. A step type not allowed for its tier: `notify` is registered but the application tier allows shell only.
        try fixture.write("plugins/notify.sh", touch("tier-not-allowed"))
        try Shell.run(["chmod", "+x", fixture.git.work + "/plugins/notify.sh"])
        try fixture.write("apps/notifier/score.yaml", HostileRepoFixture.score("notifier"))
        try fixture.write("apps/notifier/workflows/notify.yaml",
                          Self.rogue(fixture, kind: "Workflow", name: "notify", type: "notify", marker: "unused"))
        // 6. A plugin whose program is a symlink leaving the repository.
        try fixture.symlink("plugins/escape.sh", to: outside.appending("evil.sh"))
        try fixture.write("apps/escaper/score.yaml", HostileRepoFixture.score("escaper"))
        try fixture.write("apps/escaper/workflows/escape.yaml",
                          Self.rogue(fixture, kind: "Workflow", name: "escape", type: "escape", marker: "unused"))
        let head = try fixture.commitAndPush("policy bypass attempts")

        let run = try fixture.reconcile()
        #expect(run.status == 0 || run.status == 1, "exit \(run.status): \(run.output)")
        let executed = try fixture.markerFiles()
        #expect(executed == [], "an unapproved workflow or plugin executed")
        let status = try #require(try fixture.status(of: head), "no status note: \(run.output)")
        for app in HostileRepoFixture.goodApps where app != "good-one" {
            let tiers = status.apps[app]?.tiers ?? [:]
            #expect(tiers.count >= 2 && tiers.values.allSatisfy { $0.result == .succeeded }, "\(app): \(HostileRepoFixture.describe(tiers))")
        }
        // good-one is an ecommerce app: its product tier is blocked as a whole, and not only awaiting approval
        // (one of its files is invalid), so it gates the application tier; the platform tier runs.
        let goodOne = status.apps["good-one"]?.tiers ?? [:]
        #expect(goodOne[.platform]?.result == .succeeded, "\(HostileRepoFixture.describe(goodOne))")
        #expect(goodOne[.application]?.result == .notRun
                    && goodOne[.application]?.reason.hasPrefix("gated: product tier is blocked: ") == true,
                "\(HostileRepoFixture.describe(goodOne))")
        let ecommerce = status.apps["good-one"]?.tiers[.product]
        #expect(ecommerce?.action == .blocked && ecommerce?.result == .blocked)
        let blocked = Dictionary((ecommerce?.blocked ?? []).map { ($0.workflow, $0.reason) }, uniquingKeysWith: { $1 })
        #expect(blocked["ecommerce/cleanup"]?.contains("changed since approval") == true, "\(blocked)")
        #expect(blocked["ecommerce/database-setup"]?.contains("metadata.name") == true, "\(blocked)")
        #expect(blocked["ecommerce/rogue"]?.contains("allowedProductWorkflows") == true
                    || blocked["ecommerce/rogue"]?.contains("metadata.name") == true, "\(blocked)")
        #expect(try fixture.events().contains("good-one product database-setup") == false,
                "the approved name now holds a rogue file: it must not run as database-setup")

        let pay = status.apps["pay"]?.tiers[.product]
        #expect(pay?.result == .blocked || pay?.result == .error, "\(String(describing: pay))")
        #expect(Self.reasons(pay).contains("product"), "\(String(describing: pay))")

        let victim = status.apps["victim"]?.tiers[.application]
        #expect(victim?.result == .blocked || victim?.result == .error, "\(String(describing: victim))")
        #expect(Self.reasons(victim).contains("Workflow"), "\(String(describing: victim))")

        let notifier = status.apps["notifier"]?.tiers[.application]
        // Blocked per workflow: the tier's generated workflow still runs, the plugin workflow is listed as blocked.
        #expect(notifier?.result == .blocked || notifier?.blocked?.contains { $0.workflow == "notify" } == true,
                "\(String(describing: notifier))")
        #expect(Self.reasons(notifier).contains("allowedStepTypes"), "\(String(describing: notifier))")

        let escaper = status.apps["escaper"]?.tiers[.application]
        #expect(escaper?.result == .failed || escaper?.result == .blocked, "\(String(describing: escaper))")
    }

    /// A plugin program outside the repository makes the admin config invalid: the pass fails closed.
    @Test func pluginPathLeavingTheRepositoryFailsTheAdminConfigClosed() throws {
        let fixture = try HostileRepoFixture()
        _ = try fixture.reconcile()
        let before = try fixture.events().count
        let config = HostileRepoFixture.adminConfig() + "  stepTypes:\n    evil: {command: [../../../../bin/sh, -c, 'touch \(fixture.markers)/evil']}\n"
        try fixture.write("policies/admin-config.yaml", config)
        try fixture.write("apps/good-two/workflows/evil.yaml", Self.rogue(fixture, kind: "Workflow", name: "evil", type: "evil", marker: "unused"))
        try fixture.write("apps/good-one/score.yaml", HostileRepoFixture.score("good-one", product: "ecommerce", image: "nginx:1.28"))
        let head = try fixture.commitAndPush("plugin leaving the repository")
        let run = try fixture.reconcile()
        #expect(run.status == 1, "\(run.output)")
        let executed = try fixture.markerFiles()
        #expect(executed == [], "nothing may execute")
        #expect(try fixture.events(after: before) == [], "nothing runs under an invalid admin config")
        let status = try #require(try fixture.status(of: head), "\(run.output)")
        #expect(status.result == .failed)
        let error = status.error ?? ""
        #expect(HostileRepoFixture.hasPosition(error, of: "policies/admin-config.yaml") && error.contains("repository"), "\(error)")
    }

    static func reasons(_ tier: TierStatus?) -> String {
        guard let tier else { return "" }
        return ([tier.reason] + (tier.blocked ?? []).map { "\($0.workflow): \($0.reason)" }).joined(separator: "\n")
    }
}
