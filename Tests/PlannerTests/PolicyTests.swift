import Planner
import Specs
import Testing

/// Policy: enforced by the planner, per workflow, reported on every pass until fixed.
@Suite("Policy")
struct PolicyTests {
    @Test func unapprovedProductWorkflowIsBlockedWhileApprovedOnesRun() {
        var world = PlannerWorld()
        world.products["ecommerce"]!.append(PlannerWorld.workflow(
            "rogue", kind: .product, path: "workflows/products/ecommerce/rogue.yaml", id: "r1"))
        let plan = world.plan()
        let item = plan.item("checkout", .product)
        #expect(item?.action == .run)
        #expect(item?.workflows == ["ecommerce/database-setup"])
        #expect(item?.blocked == [BlockedWorkflow(workflow: "ecommerce/rogue", reason: "not in allowedProductWorkflows (approve with: innominatus approve ecommerce/rogue)")])
        // Still reported on the next pass, when nothing runs.
        let again = world.plan(world.applied())
        #expect(again.item("checkout", .product)?.action == .skip)
        #expect(again.item("checkout", .product)?.blocked.count == 1)
    }

    @Test func approvingANewProductWorkflowRunsIt() {
        var world = PlannerWorld()
        world.products["ecommerce"]!.append(PlannerWorld.workflow(
            "rogue", kind: .product, path: "workflows/products/ecommerce/rogue.yaml", id: "r1"))
        let applied = world.applied()
        world.config = PlannerWorld.config("""
            workflowPolicies:
              allowedProductWorkflows: [ecommerce/database-setup, search/index, ecommerce/rogue]
            """)
        let plan = world.plan(applied)
        #expect(PlannerWorld.running(plan) == ["cart/product", "checkout/product"])
        #expect(plan.item("cart", .product)?.reason == "product tier: workflows/products/ecommerce/rogue.yaml added")
        // Its siblings, whose own inputs did not change, do not run again.
        #expect(plan.item("cart", .product)?.workflows == ["ecommerce/rogue"])
    }

    @Test func editingAPinnedWorkflowBlocksIt() {
        let pin = String(repeating: "a", count: 40)
        let now = String(repeating: "b", count: 40)
        var world = PlannerWorld()
        world.config = PlannerWorld.config("""
            workflowPolicies:
              allowedProductWorkflows:
                - {name: ecommerce/database-setup, digest: \(pin)}
                - search/index
            """)
        world.products["ecommerce"]![0].blobID = pin
        #expect(world.plan().item("cart", .product)?.action == .run)
        world.products["ecommerce"]![0].blobID = now
        let item = world.plan().item("cart", .product)
        #expect(item?.action == .blocked)
        #expect(item?.blocked == [BlockedWorkflow(workflow: "ecommerce/database-setup",
                                                  reason: "changed since approval: approved \(pin), now \(now) (re-approve with: innominatus approve ecommerce/database-setup)")])
        #expect(item?.reason == "product tier: no workflow may run: ecommerce/database-setup: changed since approval: approved \(pin), now \(now) (re-approve with: innominatus approve ecommerce/database-setup)")
    }

    /// The pin `innominatus approve` writes covers the script the workflow runs: editing it (not the YAML)
    /// blocks the workflow until it is approved again.
    @Test func editingAnInputOfAPinnedWorkflowBlocksIt() {
        let path = "workflows/products/ecommerce/database-setup.yaml"
        var world = PlannerWorld()
        world.products["ecommerce"] = [PlannerWorld.workflow("database-setup", kind: .product, path: path, id: "e1",
                                                             inputs: ["scripts/db.sh": "d1"])]
        let pin = WorkflowPin.digest(path: path, blobID: "e1", inputs: ["scripts/db.sh": "d1"])
        world.config = PlannerWorld.config("""
            workflowPolicies:
              allowedProductWorkflows:
                - {name: ecommerce/database-setup, digest: \(pin)}
                - search/index
            """)
        #expect(world.plan().item("cart", .product)?.action == .run)
        let applied = world.applied()
        world.products["ecommerce"]![0].inputs["scripts/db.sh"] = "d2"
        let now = WorkflowPin.digest(path: path, blobID: "e1", inputs: ["scripts/db.sh": "d2"])
        let reason = "changed since approval: the workflow file or its inputs (scripts/db.sh): approved \(pin), now \(now) "
            + "(re-approve with: innominatus approve ecommerce/database-setup)"
        for plan in [world.plan(), world.plan(applied)] {
            let item = plan.item("cart", .product)
            #expect(item?.action == .blocked)
            #expect(item?.workflows == [])
            #expect(item?.blocked == [BlockedWorkflow(workflow: "ecommerce/database-setup", reason: reason)])
        }
        // A file added where its inputs glob looks breaks the pin as well.
        world.products["ecommerce"]![0].inputs = ["scripts/db.sh": "d1", "scripts/extra.sh": "x1"]
        #expect(world.plan().item("cart", .product)?.blocked.first?.reason.hasPrefix("changed since approval: ") == true)
        // Re-approved at the new content, it runs again.
        world.products["ecommerce"]![0].inputs = ["scripts/db.sh": "d2"]
        world.config.allowedProductWorkflows[0].digest = now
        #expect(world.plan(applied).item("cart", .product)?.action == .run)
    }

    /// An older pin (the git blob id of the YAML alone) keeps approving the workflow as before, inputs aside.
    @Test func aPinOfTheWorkflowFileAloneStillApprovesIt() {
        var world = PlannerWorld()
        world.products["ecommerce"] = [PlannerWorld.workflow("database-setup", kind: .product,
                                                             path: "workflows/products/ecommerce/database-setup.yaml",
                                                             id: String(repeating: "e", count: 40), inputs: ["scripts/db.sh": "d1"])]
        world.config = PlannerWorld.config("""
            workflowPolicies:
              allowedProductWorkflows:
                - {name: ecommerce/database-setup, digest: \(String(repeating: "e", count: 40))}
                - search/index
            """)
        #expect(world.plan().item("cart", .product)?.action == .run)
        world.products["ecommerce"]![0].inputs["scripts/db.sh"] = "d2"
        #expect(world.plan().item("cart", .product)?.action == .run)
        #expect(world.plan().item("cart", .product)?.blocked == [])
    }

    @Test(arguments: [
        ("allowedStepTypes: {platform: [shell]}", "step 's0' has type 'http', which allowedStepTypes does not allow in the platform tier"),
        ("maxStepsPerWorkflow: 1", "has 2 steps, more than maxStepsPerWorkflow (1)"),
    ])
    func stepPolicyBlocksTheWorkflow(policy: String, reason: String) {
        var world = PlannerWorld()
        world.config = PlannerWorld.config("  \(policy)\n")
        world.platform[1] = PlannerWorld.workflow("notify", kind: .platform, path: "workflows/platform/notify.yaml", id: "p2",
                                                  stepTypes: ["http", "shell"])
        let item = world.plan().item("cart", .platform)
        #expect(item?.action == .run)
        #expect(item?.workflows == ["security-scan"])
        #expect(item?.blocked == [BlockedWorkflow(workflow: "notify", reason: reason)])
    }

    @Test func fromEnvOutsideSecretEnvIsBlocked() {
        let text = """
            apiVersion: workflow.dev/v1
            kind: Workflow
            metadata: {name: leak}
            spec:
              steps:
                - name: s0
                  run: 'true'
                  env: {TOKEN: {fromEnv: SCANNER_TOKEN, secret: true}}
            """
        let report = SpecValidator().validate(Array(text.utf8), path: "apps/cart/workflows/leak.yaml", as: .workflow)
        var world = PlannerWorld()
        world.apps["cart"]!.workflows = [DesiredWorkflow(name: "leak", path: "apps/cart/workflows/leak.yaml", blobID: "l1",
                                                         content: .valid(report.workflow!))]
        #expect(world.plan().item("cart", .application)?.blocked.first?.reason
            == "step 's0' reads 'SCANNER_TOKEN' from the reconciler's environment, which secretEnv does not allow in the application tier")
        world.config = PlannerWorld.config("  secretEnv: {application: [SCANNER_TOKEN]}\n")
        #expect(world.plan().item("cart", .application)?.action == .run)
    }

    @Test func unregisteredPluginTypeIsBlocked() {
        var world = PlannerWorld()
        world.apps["cart"]!.workflows = [PlannerWorld.workflow("scan", kind: .application, path: "apps/cart/workflows/scan.yaml",
                                                                id: "w9", stepTypes: ["security"])]
        let item = world.plan().item("cart", .application)
        #expect(item?.action == .blocked)
        #expect(item?.blocked.first?.reason == "step 's0' uses the step type 'security', which is not registered under stepTypes")
    }

    @Test func missingRequiredPlatformWorkflowBlocksEveryApp() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config("  requiredPlatformWorkflows: [security-scan, audit]\n")
        let plan = world.plan()
        #expect(plan.items.count == 9)
        #expect(plan.items.allSatisfy { $0.action == .blocked })
        #expect(plan.item("finder", .application)?.reason
            == "required platform workflow 'audit' missing or blocked: add or fix workflows/platform/audit.yaml, "
            + "or remove it from requiredPlatformWorkflows")
    }

    @Test func invalidAdminConfigFailsClosed() {
        var desired = PlannerWorld().desired()
        desired.configErrors = [SpecDiagnostic(file: "policies/admin-config.yaml", at: SourceLocation(line: 3, column: 5),
                                                field: "workflowPolicies.maxPrunePerPass", message: "not a number")]
        let plan = Planner().plan(desired: desired, applied: .empty, now: Timestamp(millisecondsSinceEpoch: 0))
        #expect(plan.items.isEmpty)
        #expect(plan.errors == ["invalid admin config, nothing runs: policies/admin-config.yaml:3:5: error: workflowPolicies.maxPrunePerPass: not a number"])
    }

    @Test func invalidPlatformWorkflowIsBlockedWithItsErrors() {
        var world = PlannerWorld()
        world.platform[1].content = .invalid([SpecDiagnostic(file: "workflows/platform/notify.yaml", at: SourceLocation(line: 4, column: 3),
                                                             field: "spec.steps", message: "required")])
        let item = world.plan().item("cart", .platform)
        #expect(item?.action == .run)
        #expect(item?.blocked.first?.reason == "invalid workflow file: workflows/platform/notify.yaml:4:3: error: spec.steps: required")
    }
}
