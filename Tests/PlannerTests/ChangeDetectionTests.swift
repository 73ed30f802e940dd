import Planner
import Specs
import Testing

/// Rules 1–4 and 7 of the Planner issue: only the pairs whose fingerprint moved run.
@Suite("Change detection")
struct ChangeDetectionTests {
    @Test func coldStartRunsEveryTier() {
        let world = PlannerWorld()
        let plan = world.plan()
        #expect(PlannerWorld.running(plan).count == 7)  // cart and finder have no workflows of their own
        #expect(plan.item("checkout", .platform)?.reason == "platform tier: first deployment: never applied")
        #expect(plan.item("checkout", .platform)?.workflows == ["security-scan", "notify"])
        #expect(plan.item("checkout", .product)?.workflows == ["ecommerce/database-setup"])
        #expect(plan.appliedCommit == nil)
    }

    @Test func nothingChangedRunsNothing() {
        let world = PlannerWorld()
        let plan = world.plan(world.applied())
        #expect(PlannerWorld.running(plan).isEmpty)
        #expect(plan.items.allSatisfy { $0.action == .skip })
        #expect(plan.item("cart", .application)?.reason == "application tier: no workflows apply")
        #expect(plan.item("cart", .platform)?.reason == "platform tier: unchanged")
    }

    struct Change: Sendable, CustomStringConvertible {
        var description: String
        var edit: @Sendable (inout PlannerWorld) -> Void
        var expected: [String]
        var reason: (pair: String, text: String)?
    }

    static let changes: [Change] = [
        Change(description: "platform workflow", edit: { $0.platform[0].blobID = "p1b" },
               expected: ["cart/platform", "checkout/platform", "finder/platform"],
               reason: ("finder/platform", "platform tier: workflows/platform/security-scan.yaml changed")),
        Change(description: "platform workflow input", edit: { $0.platform[0].inputs["scripts/scan.sh"] = "s2" },
               expected: ["cart/platform", "checkout/platform", "finder/platform"],
               reason: ("cart/platform", "platform tier: scripts/scan.sh changed")),
        Change(description: "product workflow", edit: { $0.products["ecommerce"]![0].blobID = "e2" },
               expected: ["cart/product", "checkout/product"],
               reason: ("cart/product", "product tier: workflows/products/ecommerce/database-setup.yaml changed")),
        Change(description: "one Score", edit: { $0.apps["finder"]!.scoreID = "f2" },
               expected: ["finder/platform", "finder/product"],
               reason: ("finder/product", "product tier: apps/finder/score.yaml changed")),
        Change(description: "an app's own workflow", edit: { $0.apps["checkout"]!.workflows[0].blobID = "w2" },
               expected: ["checkout/application"],
               reason: ("checkout/application", "application tier: apps/checkout/workflows/smoke-test.yaml changed")),
        Change(description: "a new platform workflow", edit: {
                   $0.platform.append(PlannerWorld.workflow("audit", kind: .platform, path: "workflows/platform/audit.yaml", id: "a1"))
               },
               expected: ["cart/platform", "checkout/platform", "finder/platform"],
               reason: ("cart/platform", "platform tier: workflows/platform/audit.yaml added")),
        Change(description: "limits and roots", edit: {
                   $0.config.maxPrunePerPass = 50
                   $0.config.maxStepsPerWorkflow = 99
                   $0.config.workflowsRoot = "ops/workflows"
               }, expected: [], reason: nil),
        Change(description: "a manual workflow", edit: {
                   $0.platform.append(PlannerWorld.workflow("rotate", kind: .platform, path: "workflows/platform/rotate.yaml",
                                                            id: "m1", triggers: ["manual"]))
               }, expected: [], reason: nil),
    ]

    @Test(arguments: changes)
    func aChangeRunsOnlyItsPairs(change: Change) {
        let before = PlannerWorld()
        let applied = before.applied()
        var after = before
        change.edit(&after)
        let plan = after.plan(applied)
        #expect(PlannerWorld.running(plan) == change.expected)
        if let reason = change.reason {
            #expect(plan.items.first { $0.key.description == reason.pair }?.reason == reason.text)
        }
    }

    @Test func scoreChangeRunsTheAppsThreeTiers() {
        var world = PlannerWorld()
        let applied = world.applied()
        world.apps["checkout"]!.scoreID = "c2"
        #expect(PlannerWorld.running(world.plan(applied)) == ["checkout/application", "checkout/platform", "checkout/product"])
    }

    @Test func docsOnlyChangeRunsNothingEvenAtANewCommit() {
        let world = PlannerWorld()
        let applied = world.applied()
        let plan = Planner().plan(desired: world.desired("c1"), applied: applied, now: Timestamp(millisecondsSinceEpoch: 5))
        #expect(PlannerWorld.running(plan).isEmpty)
        #expect(plan.commit == "c1" && plan.appliedCommit == "c0")
    }

    @Test func revertRunsMovedPairsPlusDirtyOnes() {
        let base = PlannerWorld()
        var changed = base
        changed.apps["finder"]!.scoreID = "f2"
        changed.platform[1].blobID = "p2b"
        // Applied: base, then `changed` where finder/platform failed.
        var applied = base.applied()
        let changedPlan = changed.plan(applied)
        var outcomes: [PairKey: PairOutcome] = [:]
        for item in changedPlan.items where item.action == .run { outcomes[item.key] = .succeeded }
        outcomes[PairKey(app: "finder", tier: .platform)] = .failed
        applied = applied.recording(changedPlan, outcomes: outcomes, desired: changed.desired(), at: Timestamp(millisecondsSinceEpoch: 2))
        // `git revert`: back to base. Every platform tier moved back; finder's product tier moved back;
        // finder/platform is dirty and also moved.
        let plan = base.plan(applied, now: 10_000_000)
        #expect(PlannerWorld.running(plan) == ["cart/platform", "checkout/platform", "finder/platform", "finder/product"])
        #expect(plan.item("cart", .platform)?.reason == "platform tier: workflows/platform/notify.yaml changed")
        #expect(plan.item("finder", .platform)?.reason.hasPrefix("platform tier: back to the last successful inputs") == true)
    }

    @Test func firstDeploymentWorkflowsRunOnlyTheFirstTime() {
        var world = PlannerWorld()
        world.platform.append(PlannerWorld.workflow("bootstrap", kind: .platform, path: "workflows/platform/bootstrap.yaml",
                                                    id: "b1", triggers: ["first_deployment"]))
        let cold = world.plan()
        #expect(cold.item("cart", .platform)?.workflows.contains("bootstrap") == true)
        let applied = world.applied()
        world.apps["cart"]!.scoreID = "k2"
        let plan = world.plan(applied)
        #expect(plan.item("cart", .platform)?.action == .run)
        #expect(plan.item("cart", .platform)?.workflows.contains("bootstrap") == false)
        // Editing a first-deployment workflow re-runs nothing.
        world.apps["cart"]!.scoreID = "k1"
        world.platform[2].blobID = "b2"
        #expect(PlannerWorld.running(world.plan(applied)).isEmpty)
    }

    @Test func manualAndDestroyWorkflowsNeverRunFromThePlan() {
        var world = PlannerWorld()
        world.platform = [
            PlannerWorld.workflow("rotate", kind: .platform, path: "workflows/platform/rotate.yaml", id: "m1", triggers: ["manual"]),
            PlannerWorld.workflow("teardown", kind: .platform, path: "workflows/platform/teardown.yaml", id: "d1", phase: "destroy"),
        ]
        let plan = world.plan()
        #expect(plan.item("cart", .platform)?.action == .skip)
        #expect(plan.items.allSatisfy { !$0.workflows.contains("rotate") && !$0.workflows.contains("teardown") })
    }

    @Test func stepTypePluginDefinitionJoinsTheFingerprint() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config("""
              stepTypes:
                security: {command: [./plugins/security]}

            """)
        world.platform[1] = PlannerWorld.workflow("notify", kind: .platform, path: "workflows/platform/notify.yaml", id: "p2",
                                                  stepTypes: ["security"])
        world.stepTypeFiles = ["security": "plugin1"]
        let applied = world.applied()
        world.stepTypeFiles = ["security": "plugin2"]
        let plan = world.plan(applied)
        #expect(PlannerWorld.running(plan) == ["cart/platform", "checkout/platform", "finder/platform"])
        #expect(plan.item("cart", .platform)?.reason == "platform tier: step type 'security' changed")
    }
}

/// Moving the roots along with their files changes paths, not contents: nothing runs.
@Suite("Roots")
struct RootsTests {
    @Test func movingAppsAndWorkflowsRootsWithTheirFilesRunsNothing() {
        let before = PlannerWorld()
        let applied = before.applied()
        var after = before
        after.config.appsRoot = "deploy/apps"
        after.config.workflowsRoot = "ops/workflows"
        for index in after.platform.indices { after.platform[index].path = "ops/" + after.platform[index].path }
        for product in after.products.keys {
            for index in after.products[product]!.indices { after.products[product]![index].path = "ops/" + after.products[product]![index].path }
        }
        for name in after.apps.keys {
            after.apps[name]!.scorePath = "deploy/" + after.apps[name]!.scorePath
            for index in after.apps[name]!.workflows.indices {
                after.apps[name]!.workflows[index].path = "deploy/" + after.apps[name]!.workflows[index].path
            }
        }
        #expect(PlannerWorld.running(after.plan(applied)).isEmpty)
    }
}
