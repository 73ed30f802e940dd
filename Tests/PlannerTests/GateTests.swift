import Planner
import Specs
import Testing

/// Gates across passes (docs/ARCHITECTURE.md §3): a pair runs only when every earlier pair of its app is
/// succeeded for its current inputs; the integrity of the applied state a pass records.
@Suite("Gates and pass integrity")
struct GateTests {
    static let retry = "  retry: {base: 1m, cap: 1h, attempts: 3}\n"
    static let start: Int64 = 1_000_000

    /// A world whose first pass ran everything, but `failing` failed in `workflow`; the rest of the app
    /// was not run (no outcome), as the executor reports it.
    static func failedPass(_ world: PlannerWorld, failing: PairKey, workflow: String,
                           others: [PairKey: PairOutcome] = [:]) -> AppliedState {
        let desired = world.desired()
        let plan = Planner().plan(desired: desired, applied: .empty, now: Timestamp(millisecondsSinceEpoch: start))
        var outcomes: [PairKey: PairOutcome] = [:]
        for item in plan.items where item.action == .run && item.app != failing.app { outcomes[item.key] = .succeeded }
        outcomes[failing] = .failed(workflow: workflow)
        outcomes.merge(others) { $1 }
        return AppliedState.empty.recording(plan, outcomes: outcomes, desired: desired, at: Timestamp(millisecondsSinceEpoch: start))
    }

    @Test func aFailedPlatformTierKeepsGatingTheAppUntilItSucceeds() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config(Self.retry)
        let applied = Self.failedPass(world, failing: PairKey(app: "checkout", tier: .platform), workflow: "security-scan")
        #expect(!applied.settled, "checkout's product and application tiers never ran")

        // Within the backoff: nothing of checkout runs, and the later tiers say why.
        let waiting = world.plan(applied, now: Self.start + 10_000)
        #expect(waiting.item("checkout", .platform)?.waiting == true)
        for tier in [Tier.product, .application] {
            let item = waiting.item("checkout", tier)
            #expect(item?.action == .skip && item?.gated == true && item?.workflows == [])
            #expect(item?.reason == "gated: platform tier failed: security-scan (retried after its backoff)")
        }
        #expect(PlannerWorld.running(waiting) == [])

        // The retry is due: the gate pair runs, and the gated pairs run right after it in the same pass.
        let retry = world.plan(applied, now: Self.start + 61_000)
        #expect(PlannerWorld.running(retry) == ["checkout/application", "checkout/platform", "checkout/product"])

        // A new Score while the scan waits: the scan runs at once on it, and the later tiers only after it.
        world.apps["checkout"]!.scoreID = "k2"
        let changed = world.plan(applied, now: Self.start + 10_000)
        #expect(PlannerWorld.running(changed) == ["checkout/application", "checkout/platform", "checkout/product"])
        #expect(changed.item("checkout", .platform)?.reason.hasSuffix("changed since the last attempt failed") == true)
    }

    @Test func aStalledGateStaysClosedAndForcingALaterTierDoesNotOpenIt() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config(Self.retry)
        var applied = Self.failedPass(world, failing: PairKey(app: "checkout", tier: .platform), workflow: "security-scan")
        applied.pairs[PairKey(app: "checkout", tier: .platform)]!.attempts = 3
        let forced: Set<PairKey> = [PairKey(app: "checkout", tier: .application)]
        let plan = Planner().plan(desired: world.desired(), applied: applied, now: Timestamp(millisecondsSinceEpoch: Self.start + 10_000_000),
                                  forced: forced)
        #expect(plan.item("checkout", .platform)?.action == .stalled)
        #expect(plan.item("checkout", .application)?.gated == true)
        #expect(plan.item("checkout", .application)?.reason == "gated: platform tier stalled: security-scan")
        // Forcing the gate pair itself runs it, and the app's later pairs with it.
        let gate = Planner().plan(desired: world.desired(), applied: applied, now: Timestamp(millisecondsSinceEpoch: Self.start + 10_000_000),
                                  forced: [PairKey(app: "checkout", tier: .platform)])
        #expect(PlannerWorld.running(gate) == ["checkout/application", "checkout/platform", "checkout/product"])
    }

    @Test func awaitingApprovalDoesNotGateTheApplicationTierButAnotherBlockDoes() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config("workflowPolicies:\n  allowedProductWorkflows: [search/index]\n")
        let plan = world.plan()
        #expect(plan.item("checkout", .product)?.action == .blocked)
        let application = plan.item("checkout", .application)
        #expect(application?.action == .run)
        #expect(application?.reason.hasSuffix("; without the workflows that await approval: ecommerce/database-setup") == true)

        world.config = PlannerWorld.config("  allowedStepTypes: {platform: [http]}\n")
        let limited = world.plan()
        #expect(limited.item("checkout", .platform)?.action == .blocked)
        #expect(limited.item("checkout", .product)?.gated == true)
        #expect(limited.item("checkout", .application)?.gated == true)
        #expect(limited.item("checkout", .application)?.reason.hasPrefix("gated: platform tier is blocked: ") == true)
    }

    @Test func pairsAreOrderedByTheirFirstPhase() {
        // The platform tier runs only a post-deployment workflow: it comes after the application tier's
        // deployment, so a failed application tier gates it, as inside one pass.
        var world = PlannerWorld()
        world.config = PlannerWorld.config(Self.retry)
        world.platform = [PlannerWorld.workflow("report", kind: .platform, path: "workflows/platform/report.yaml", id: "r1",
                                                phase: "post-deployment")]
        world.apps["cart"]!.workflows = [PlannerWorld.workflow("deploy", kind: .application, path: "apps/cart/workflows/deploy.yaml", id: "d1")]
        let applied = Self.failedPass(world, failing: PairKey(app: "cart", tier: .application), workflow: "deploy")
        let plan = world.plan(applied, now: Self.start + 10_000)
        #expect(plan.item("cart", .platform)?.gated == true)
        #expect(plan.item("cart", .platform)?.reason == "gated: application tier failed: deploy (retried after its backoff)")
        // The product tier (deployment phase, before the application tier) is not gated by it.
        #expect(plan.item("cart", .product)?.action == .run)
    }

    @Test func aPassThatDidNotCompleteRecordsNothingAsSucceeded() {
        let world = PlannerWorld()
        let desired = world.desired()
        let plan = world.plan()
        var outcomes: [PairKey: PairOutcome] = [:]
        for item in plan.items where item.action == .run { outcomes[item.key] = .succeeded }
        let broken = AppliedState.empty.recording(plan, outcomes: outcomes, desired: desired,
                                                  at: Timestamp(millisecondsSinceEpoch: Self.start), complete: false)
        #expect(broken.pairs.isEmpty && !broken.settled)
        #expect(PlannerWorld.running(world.plan(broken)) == PlannerWorld.running(plan))

        let clean = AppliedState.empty.recording(plan, outcomes: outcomes, desired: desired, at: Timestamp(millisecondsSinceEpoch: Self.start))
        #expect(clean.settled)
        #expect(PlannerWorld.running(world.plan(clean)) == [])
    }

    @Test func anIncompletePairRunsAgainWithoutCountingAsAFailedAttempt() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config(Self.retry)
        let key = PairKey(app: "checkout", tier: .platform)
        let applied = Self.failedPass(world, failing: PairKey(app: "cart", tier: .platform), workflow: "security-scan",
                                      others: [key: .incomplete])
        #expect(applied.pairs[key]?.result == .incomplete && applied.pairs[key]?.attempts == 0)
        let item = world.plan(applied, now: Self.start + 1).item("checkout", .platform)
        #expect(item?.action == .run)
        #expect(item?.reason.contains("did not finish") == true)
        #expect(item?.reason.contains("interrupted") == false)
    }

    @Test func approvalAndBrokenPinsSayWhatChangedAndRerunNoSibling() {
        var world = PlannerWorld()
        world.products["ecommerce"]!.append(PlannerWorld.workflow(
            "cache-warm", kind: .product, path: "workflows/products/ecommerce/cache-warm.yaml", id: "w9"))
        let applied = world.applied()
        world.config = PlannerWorld.config("""
            workflowPolicies:
              allowedProductWorkflows: [ecommerce/database-setup, search/index, ecommerce/cache-warm]
            """)
        var desired = world.desired("c1")
        desired.changedPaths = ["policies/admin-config.yaml"]
        desired.configPath = "policies/admin-config.yaml"
        let approved = Planner().plan(desired: desired, applied: applied, now: Timestamp(millisecondsSinceEpoch: Self.start))
        #expect(approved.item("cart", .product)?.reason == "product tier: ecommerce/cache-warm approved in policies/admin-config.yaml")
        #expect(approved.item("cart", .product)?.workflows == ["ecommerce/cache-warm"])
        #expect(approved.item("cart", .platform)?.action == .skip)

        // A pinned workflow edited after approval: blocked with its reason, and its sibling does not re-run.
        let pin = String(repeating: "a", count: 40), edit = String(repeating: "b", count: 40)
        world.products["ecommerce"]![0].blobID = pin
        world.config = PlannerWorld.config("""
            workflowPolicies:
              allowedProductWorkflows: [{name: ecommerce/database-setup, digest: \(pin)}, search/index, ecommerce/cache-warm]
            """)
        let pinned = AppliedState.empty.recordingSuccess(of: world.plan(), desired: world.desired(), at: Timestamp(millisecondsSinceEpoch: Self.start))
        world.products["ecommerce"]![0].blobID = edit
        let edited = world.plan(pinned).item("cart", .product)
        #expect(edited?.action == .skip)
        #expect(edited?.reason.hasPrefix("product tier: ecommerce/database-setup changed since approval: approved \(pin), now \(edit)") == true)
        #expect(edited?.reason.contains("removed") == false)
        #expect(edited?.blocked.map(\.workflow) == ["ecommerce/database-setup"])
    }

    @Test func skipsThatConcernNothingAreNeitherListedNorUnchanged() {
        var world = PlannerWorld()
        world.apps["solo"] = PlannerWorld.app("solo", product: nil, score: "s1")
        let plan = world.plan(world.applied())
        let product = plan.item("solo", .product)
        #expect(product?.applies == false && product?.isUnchanged == false)
        #expect(plan.item("solo", .platform)?.isUnchanged == true)
    }
}
