import Planner
import Specs
import Testing

/// A product that declares its members in the admin config is not a label any app may take: an app that
/// claims it without being listed gets none of the product's workflows — nor any other of its own.
@Suite("Product membership")
struct ProductMembershipTests {
    static let membership = "  products:\n    ecommerce: {apps: [checkout, \"cart-*\"]}\n"

    @Test func anAppClaimingADeclaredProductItIsNotAMemberOfIsAnErrorInEveryTier() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config(Self.membership)
        world.apps["rogue"] = PlannerWorld.app("rogue", product: "ecommerce", score: "r1")
        world.apps["rogue"]?.productLocation = SourceLocation(line: 4, column: 12)
        var desired = world.desired()
        desired.configPath = "policies/admin-config.yaml"
        let plan = Planner().plan(desired: desired, applied: .empty, now: Timestamp(millisecondsSinceEpoch: 0))
        let reason = "apps/rogue/score.yaml:4:12: error: metadata.product: the app 'rogue' claims the product 'ecommerce', "
            + "but workflowPolicies.products.ecommerce.apps in policies/admin-config.yaml does not list it, so none of its "
            + "workflows run; ask the platform team to add it there, or remove metadata.product"
        for tier in Tier.allCases {
            let item = plan.item("rogue", tier)
            #expect(item?.action == .error, "\(tier)")
            #expect(item?.reason == reason)
            #expect(item?.workflows == [])
        }
        // A listed member runs as before.
        #expect(plan.item("checkout", .product)?.action == .run)
        #expect(plan.item("checkout", .product)?.workflows == ["ecommerce/database-setup"])
        // The app "cart" of the world is no member (the pattern is cart-*): it is refused too.
        #expect(plan.item("cart", .product)?.action == .error)
    }

    @Test func aMemberByPatternRunsTheProductTier() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config(Self.membership)
        world.apps["cart"] = nil
        world.apps["cart-eu"] = PlannerWorld.app("cart-eu", product: "ecommerce", score: "k1")
        let plan = world.plan()
        #expect(PlannerWorld.running(plan) == ["cart-eu/platform", "cart-eu/product",
                                               "checkout/application", "checkout/platform", "checkout/product",
                                               "finder/platform", "finder/product"])
    }

    @Test func productsNotDeclaredKeepTheOpenRule() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config(Self.membership)
        world.apps["anyone"] = PlannerWorld.app("anyone", product: "search", score: "a1")
        let plan = world.plan()
        #expect(plan.item("anyone", .product)?.action == .run)
        #expect(plan.item("anyone", .product)?.workflows == ["search/index"])
        #expect(plan.item("finder", .product)?.action == .run)
    }

    @Test func withoutALocationTheReasonStillNamesTheScoreFile() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config(Self.membership)
        let item = world.plan().item("cart", .platform)
        #expect(item?.action == .error)
        #expect(item?.reason.hasPrefix("apps/cart/score.yaml: error: metadata.product: the app 'cart' claims the product 'ecommerce'") == true,
                "\(item?.reason ?? "")")
    }

    @Test func removingTheAppFromTheListStopsItsRunsOnTheNextPass() {
        var world = PlannerWorld()
        let applied = world.applied()
        world.config = PlannerWorld.config("  products:\n    ecommerce: {apps: [checkout]}\n")
        let plan = world.plan(applied)
        #expect(Tier.allCases.allSatisfy { plan.item("cart", $0)?.action == .error })
        #expect(plan.item("checkout", .product)?.action == .skip)
        #expect(!plan.items.contains { $0.app == "cart" && $0.action == .prune }, "an error is never a prune")
    }
}
