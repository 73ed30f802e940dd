import Planner
import Specs
import Testing

/// The application tier's generated workflow (provision, render, deliver): every app has it, it sits first
/// in the deployment phase, and the provisioner definitions an app's resources use join its fingerprint.
@Suite("Generated application workflow")
struct GeneratedWorkflowTests {
    static func world() -> PlannerWorld {
        var world = PlannerWorld()
        world.config = PlannerWorld.config(PlannerWorld.approvals + "  delivery: {branch: env/main}\n")
        world.apps["checkout"]?.workflows.append(PlannerWorld.workflow("migrate", kind: .application,
                                                                       path: "apps/checkout/workflows/migrate.yaml", id: "w2",
                                                                       phase: "pre-deployment"))
        world.apps["checkout"]?.resources = [ResourceRef(name: "db", type: "postgres")]
        world.apps["checkout"]?.provisionerInputs = ["provisioners/postgres.yaml": "pg1"]
        world.apps["cart"]?.resources = [ResourceRef(name: "cache", type: "redis")]
        world.apps["cart"]?.provisionerInputs = ["provisioner:built-in": "b1"]
        return world
    }

    @Test func everyAppRunsItAfterItsOwnPreDeploymentWorkflows() {
        let plan = Self.world().plan()
        #expect(plan.item("cart", .application)?.workflows == [Planner.generatedWorkflow])
        #expect(plan.item("finder", .application)?.workflows == [Planner.generatedWorkflow])
        #expect(plan.item("checkout", .application)?.workflows == ["migrate", Planner.generatedWorkflow, "smoke-test"])
        #expect(PlannerWorld.running(plan).count == 9)
    }

    @Test func aProvisionerChangeRerunsOnlyTheAppsUsingIt() {
        var world = Self.world()
        let applied = world.applied()
        #expect(PlannerWorld.running(world.plan(applied)).isEmpty)
        world.apps["checkout"]?.provisionerInputs = ["provisioners/postgres.yaml": "pg2"]
        let plan = world.plan(applied)
        #expect(PlannerWorld.running(plan) == ["checkout/application"])
        #expect(plan.item("checkout", .application)?.reason == "application tier: provisioners/postgres.yaml changed")
    }

    @Test func aNewDeliveryBranchRerunsEveryApplicationTier() {
        var world = Self.world()
        let applied = world.applied()
        world.config.delivery.branch = "env/prod"
        #expect(PlannerWorld.running(world.plan(applied)) == ["cart/application", "checkout/application", "finder/application"])
    }

    @Test func unreadableProvisionersAreAnErrorOnlyForAppsWithResources() {
        let world = Self.world()
        var desired = world.desired()
        desired.provisionerErrors = ["provisioners/bad.yaml:3:1: a provisioner needs 'uri'"]
        let plan = Planner().plan(desired: desired, applied: .empty, now: Timestamp(millisecondsSinceEpoch: 1))
        #expect(plan.item("checkout", .application)?.action == .error)
        #expect(plan.item("checkout", .application)?.reason.contains("provisioners/bad.yaml:3:1") == true)
        #expect(plan.item("finder", .application)?.action == .run)  // no resources: not concerned
        #expect(plan.item("checkout", .platform)?.action == .run)
    }

    @Test func deliveryOffLeavesOnlyTheAppsOwnWorkflows() {
        var world = Self.world()
        world.config.delivery.enabled = false
        let plan = world.plan()
        #expect(plan.item("cart", .application)?.action == .skip)
        #expect(plan.item("checkout", .application)?.workflows == ["migrate", "smoke-test"])
    }
}
