import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

/// Two ways around the platform team's review, tried with the real binary on a real remote: editing the
/// script an approved workflow runs (its YAML untouched), and an app claiming a product whose workflows
/// (and the secrets they use) it is not meant to get.
@Suite("Approval pins and product membership (real binary)")
struct PinAndMembershipTests {
    static let deployPath = "workflows/products/ecommerce/deploy.yaml"
    static let deploy = """
        apiVersion: workflow.dev/v1
        kind: ProductWorkflow
        metadata: {name: deploy, product: ecommerce}
        spec:
          inputs: [scripts/deploy.sh]
          steps:
            - {name: go, type: shell, run: ./scripts/deploy.sh}

        """

    static func script(_ fixture: HostileRepoFixture, _ body: String) -> String {
        "#!/bin/sh\necho \"$APP_NAME $TIER deploy \(body)\" >> \(fixture.events)\n"
    }

    func approve(_ fixture: HostileRepoFixture) throws -> Shell.Result {
        try Shell.execute([GitFixture.helper.executable, "approve", "ecommerce/deploy", "--dir", fixture.git.work])
    }

    func blocked(_ status: ReconcileStatus?, _ app: String, _ workflow: String) -> String? {
        status?.apps[app]?.tiers[.product]?.blocked?.first { $0.workflow == workflow }?.reason
    }

    @Test func editingTheScriptOfAnApprovedWorkflowRunsNothingUntilItIsApprovedAgain() throws {
        let fixture = try HostileRepoFixture()
        // An approval written before pins covered inputs: the YAML's blob id alone. It still approves.
        let blob = try Shell.run(["git", "hash-object", "--stdin"], input: Self.deploy).trimmingCharacters(in: .whitespacesAndNewlines)
        try fixture.write("policies/admin-config.yaml", HostileRepoFixture.adminConfig().replacingOccurrences(
            of: "allowedProductWorkflows: [ecommerce/database-setup]",
            with: "allowedProductWorkflows: [ecommerce/database-setup, {name: ecommerce/deploy, digest: \(blob)}]"))
        try fixture.write(Self.deployPath, Self.deploy)
        try fixture.write("scripts/deploy.sh", Self.script(fixture, "v1"))
        try Shell.run(["chmod", "+x", fixture.git.work + "/scripts/deploy.sh"])
        try fixture.commitAndPush("ecommerce/deploy, approved by the blob id of its file")
        var run = try fixture.reconcile()
        #expect(run.status == 0, "\(run.output)")
        #expect(try fixture.events().contains("good-one product deploy v1"), "an older pin still approves the file it names")

        // `approve` now pins the file and its inputs, in place of the old entry.
        let approved = try approve(fixture)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(approved.stdout.contains("the pin covers: \(Self.deployPath), scripts/deploy.sh"), "\(approved.stdout)")
        let config = try String(contentsOfFile: fixture.git.work + "/policies/admin-config.yaml", encoding: .utf8)
        #expect(config.contains("{name: ecommerce/deploy, digest: sha256:") && !config.contains(blob), "\(config)")
        try fixture.commitAndPush("pin ecommerce/deploy with its inputs")
        run = try fixture.reconcile()
        #expect(run.status == 0, "\(run.output)")

        // The attack: the YAML stays as approved, the script it runs does something else.
        try fixture.write("scripts/deploy.sh", Self.script(fixture, "v2") + "touch \(fixture.markers)/unreviewed-script\n")
        let edited = try fixture.commitAndPush("harmless refactoring of the deploy script")
        run = try fixture.reconcile()
        #expect(run.status == 0, "blocked inside a pair that runs nothing is reported, not a failure: \(run.output)")
        #expect(try fixture.markerFiles() == [], "the edited script ran under the old approval")
        let status = try #require(try fixture.status(of: edited), "\(run.output)")
        let reason = blocked(status, "good-one", "ecommerce/deploy") ?? ""
        #expect(reason.hasPrefix("changed since approval: the workflow file or its inputs (scripts/deploy.sh): approved sha256:"), "\(reason)")
        #expect(reason.hasSuffix("(re-approve with: innominatus approve ecommerce/deploy)"), "\(reason)")
        #expect(status.apps["good-one"]?.tiers[.application]?.result == .succeeded || status.apps["good-one"]?.tiers[.application] == nil,
                "awaiting approval gates nothing: \(HostileRepoFixture.describe(status.apps["good-one"]?.tiers ?? [:]))")

        // Discovery and validate say the same as the plan.
        let list = try Shell.run([GitFixture.helper.executable, "workflows", "list", "--tier", "product", "--output", "json",
                                  "--repo", fixture.git.remote, "--workdir", fixture.git.root.appending("cli")])
        let entries = try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]] ?? []
        let entry = entries.first { $0["name"] as? String == "ecommerce/deploy" }
        #expect(entry?["approval"] as? String == "changed-since-approval", "\(entries)")
        #expect(entry?["inputs"] as? [String] == ["scripts/deploy.sh"])
        let validate = try Shell.execute([GitFixture.helper.executable, "validate", fixture.git.work])
        #expect(validate.status == 0, "\(validate.stdout)")
        #expect(validate.stdout.contains("\(fixture.git.work)/\(Self.deployPath):1:1: warning: 'ecommerce/deploy' changed since it was approved"),
                "\(validate.stdout)")

        // Approved again after review, the new script runs.
        #expect(try approve(fixture).status == 0)
        try fixture.commitAndPush("approve the new deploy script")
        run = try fixture.reconcile()
        #expect(run.status == 0, "\(run.output)")
        #expect(try fixture.markerFiles() == ["unreviewed-script"])
        #expect(try fixture.events().contains("good-one product deploy v2"))
    }

    static let membership = "  products:\n    ecommerce: {apps: [good-one]}\n"

    func productWorkflow(_ fixture: HostileRepoFixture, _ name: String, phase: String = "deployment", trigger: String? = nil) -> String {
        var text = "apiVersion: workflow.dev/v1\nkind: ProductWorkflow\nmetadata: {name: \(name), product: ecommerce, phase: \(phase)}\nspec:\n"
        if let trigger { text += "  triggers: [\(trigger)]\n" }
        return text + "  steps:\n    - {name: go, type: shell, run: 'echo \"$APP_NAME $TIER \(name)\" >> \(fixture.events)'}\n"
    }

    @Test func anAppClaimingAProductItIsNotAMemberOfGetsNoneOfItsWorkflows() throws {
        let fixture = try HostileRepoFixture(adminConfig: HostileRepoFixture.adminConfig(extra: Self.membership).replacingOccurrences(
            of: "[ecommerce/database-setup]", with: "[ecommerce/database-setup, ecommerce/rotate-keys]"))
        try fixture.write("workflows/products/ecommerce/rotate-keys.yaml", productWorkflow(fixture, "rotate-keys", trigger: "manual"))
        try fixture.write("apps/rogue/score.yaml", HostileRepoFixture.score("rogue", product: "ecommerce"))
        try fixture.write("apps/rogue/workflows/deploy.yaml", fixture.workflow("Workflow", "deploy"))
        let head = try fixture.commitAndPush("an app that says it belongs to ecommerce")
        let run = try fixture.reconcile()
        #expect(run.status == 0 || run.status == 1, "\(run.output)")
        #expect(try fixture.events().filter { $0.hasPrefix("rogue ") } == [], "nothing may run for the rogue app")
        #expect(try fixture.events().contains("good-one product database-setup"), "the member still gets the product's workflows")
        let status = try #require(try fixture.status(of: head), "\(run.output)")
        let tiers = status.apps["rogue"]?.tiers ?? [:]
        #expect(tiers.count == 3 && tiers.values.allSatisfy { $0.action == .error && $0.result == .error }, "\(HostileRepoFixture.describe(tiers))")
        let reason = tiers[.product]?.reason ?? ""
        #expect(HostileRepoFixture.hasPosition(reason, of: "apps/rogue/score.yaml"), "\(reason)")
        #expect(reason.contains("claims the product 'ecommerce', but workflowPolicies.products.ecommerce.apps in policies/admin-config.yaml "
                    + "does not list it"), "\(reason)")
        for app in HostileRepoFixture.goodApps {
            #expect(status.apps[app]?.tiers.values.allSatisfy { $0.result == .succeeded } == true,
                    "\(app): \(HostileRepoFixture.describe(status.apps[app]?.tiers ?? [:]))")
        }

        // A manual product workflow is refused for it too; a member may run it.
        let common = ["--repo", fixture.git.remote, "--workdir", fixture.workdir]
        let refused = try Shell.execute([GitFixture.helper.executable, "trigger"] + common + ["rogue", "ecommerce/rotate-keys"])
        #expect(refused.status != 0, "\(refused.stdout)")
        #expect(refused.stderr.contains("workflowPolicies.products.ecommerce.apps"), "\(refused.stderr)")
        #expect(try fixture.events().filter { $0.hasPrefix("rogue ") } == [])
        let member = try Shell.execute([GitFixture.helper.executable, "trigger"] + common + ["good-one", "ecommerce/rotate-keys"])
        #expect(member.status == 0, "\(member.stderr)")
        #expect(try fixture.events().contains("good-one product rotate-keys"))

        // validate DIR reports it before the merge, at the Score's metadata.product.
        let validate = try Shell.execute([GitFixture.helper.executable, "validate", fixture.git.work])
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("\(fixture.git.work)/apps/rogue/score.yaml:4:12: error: metadata.product: the app 'rogue' claims "
                    + "the product 'ecommerce'"), "\(validate.stdout)")
    }

    /// An app that ran before, then claimed the product, then went: the product's destroy workflows are not
    /// run for it either.
    @Test func aRefusedAppGetsNoDestroyWorkflowOfTheProductWhenItIsPruned() throws {
        let fixture = try HostileRepoFixture(adminConfig: HostileRepoFixture.adminConfig(extra: Self.membership).replacingOccurrences(
            of: "[ecommerce/database-setup]", with: "[ecommerce/database-setup, ecommerce/teardown]"))
        try fixture.write("workflows/products/ecommerce/teardown.yaml", productWorkflow(fixture, "teardown", phase: "destroy"))
        try fixture.write("apps/drifter/score.yaml", HostileRepoFixture.score("drifter"))
        try fixture.commitAndPush("drifter, an app of no product")
        var run = try fixture.reconcile()
        #expect(run.status == 0, "\(run.output)")
        try fixture.write("apps/drifter/score.yaml", HostileRepoFixture.score("drifter", product: "ecommerce"))
        try fixture.commitAndPush("drifter claims ecommerce")
        run = try fixture.reconcile()
        #expect(try fixture.events().filter { $0.hasPrefix("drifter product") } == [])
        try fixture.git.git("rm", "-q", "-r", "apps/drifter")
        let gone = try fixture.commitAndPush("drifter leaves")
        run = try fixture.reconcile()
        #expect(run.status == 0, "\(run.output)")
        #expect(try fixture.events().filter { $0.hasPrefix("drifter product") } == [], "a product destroy workflow ran for a non-member")
        let status = try #require(try fixture.status(of: gone), "\(run.output)")
        #expect(status.apps["drifter"]?.tiers[.platform]?.action == .prune, "\(HostileRepoFixture.describe(status.apps["drifter"]?.tiers ?? [:]))")
        // The member's teardown still runs when it goes.
        try fixture.git.git("rm", "-q", "-r", "apps/good-one")
        try fixture.commitAndPush("good-one leaves")
        run = try fixture.reconcile()
        #expect(try fixture.events().contains("good-one product teardown"), "\(run.output)")
    }
}
