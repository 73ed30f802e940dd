import Planner
import Specs
import Testing

/// Rules 5, 9 and 10: new and removed apps, retries with backoff, stalled, suspended, broken Scores.
@Suite("App lifecycle")
struct AppLifecycleTests {
    @Test func newAppRunsAllItsTiers() {
        var world = PlannerWorld()
        let applied = world.applied()
        world.apps["basket"] = PlannerWorld.app("basket", product: "ecommerce", score: "n1",
                                                workflows: [PlannerWorld.workflow("hello", kind: .application,
                                                                                  path: "apps/basket/workflows/hello.yaml", id: "h1")])
        #expect(PlannerWorld.running(world.plan(applied)) == ["basket/application", "basket/platform", "basket/product"])
    }

    @Test func removedAppIsPrunedWithinTheLimit() {
        var world = PlannerWorld()
        let applied = world.applied()
        world.apps["finder"] = nil
        let plan = world.plan(applied)
        #expect(plan.items.filter { $0.action == .prune }.map(\.key.description) == ["finder/platform", "finder/product"])
        #expect(PlannerWorld.running(plan).isEmpty)
        // After the prune succeeded the app has left the applied state.
        let next = applied.recordingSuccess(of: plan, desired: world.desired(), at: Timestamp(millisecondsSinceEpoch: 9))
        #expect(next.pairs.keys.allSatisfy { $0.app != "finder" })
        #expect(next.apps["finder"] == nil)
    }

    @Test func morePrunesThanTheLimitStopThePrune() {
        var world = PlannerWorld()
        world.config = PlannerWorld.config("  maxPrunePerPass: 1\n")
        let applied = world.applied()
        world.apps["finder"] = nil
        world.apps["cart"] = nil
        let plan = world.plan(applied)
        #expect(plan.items.filter { $0.action == .prune }.isEmpty)
        let stopped = plan.items.filter { $0.action == .blocked }
        #expect(stopped.count == 4)
        #expect(stopped[0].reason.hasPrefix("prune stopped: 2 apps lost their Score file, more than maxPrunePerPass (1)"))
    }

    @Test func brokenScoreIsAnErrorNeverAPrune() {
        var world = PlannerWorld()
        let applied = world.applied()
        world.apps["cart"]!.errors = [SpecDiagnostic(file: "apps/cart/score.yaml", at: SourceLocation(line: 3, column: 7), field: "containers",
                                                     message: "required")]
        world.apps["cart"]!.scoreID = "k9"
        let plan = world.plan(applied)
        #expect(plan.items.filter { $0.app == "cart" }.map(\.action) == [.error, .error, .error])
        #expect(plan.item("cart", .platform)?.reason == "apps/cart/score.yaml is invalid: apps/cart/score.yaml:3:7: error: containers: required")
        #expect(!plan.items.contains { $0.action == .prune })
    }

    @Test func suspendedAppIsSkippedAsSuspended() {
        var world = PlannerWorld()
        world.apps["cart"]!.suspended = true
        let plan = world.plan()
        #expect(plan.items.filter { $0.app == "cart" }.map(\.action) == [.suspended, .suspended, .suspended])
        #expect(plan.item("cart", .product)?.reason == "suspended: the Score annotation innominatus.dev/suspend is \"true\"")
    }

    /// Retry policy of the test config: base 30s, cap 1h, 5 attempts.
    @Test(arguments: [
        // (failed attempts so far, ms since the last attempt, expected action, waiting)
        (1, 10_000, PlanItem.Action.skip, true),
        (1, 30_000, .run, false),
        (2, 59_000, .skip, true),
        (2, 60_000, .run, false),
        (4, 239_000, .skip, true),
        (4, 240_000, .run, false),
        (5, 10_000, .stalled, false),
        (5, 100_000_000, .stalled, false),
    ])
    func failedPairBacksOffThenStalls(attempts: Int, elapsed: Int64, action: PlanItem.Action, waiting: Bool) {
        let world = PlannerWorld()
        var applied = world.applied()
        let key = PairKey(app: "cart", tier: .platform)
        let fingerprint = world.plan().item("cart", .platform)!.fingerprint!
        applied.pairs[key] = PairRecord(fingerprint: fingerprint, result: .failed, attempts: attempts, dirty: true,
                                        lastAttempt: Timestamp(millisecondsSinceEpoch: 1_000_000),
                                        attemptedDigest: fingerprint.digest)
        let item = world.plan(applied, now: 1_000_000 + elapsed).item("cart", .platform)
        #expect(item?.action == action)
        #expect(item?.waiting == waiting)
        if action == .stalled {
            #expect(item?.reason == "platform tier: stalled after \(attempts) failed attempts; not retried until its inputs change or it is forced")
        }
    }

    @Test func stalledPairRunsWhenItsInputsChange() {
        var world = PlannerWorld()
        var applied = world.applied()
        let key = PairKey(app: "cart", tier: .platform)
        let fingerprint = world.plan().item("cart", .platform)!.fingerprint!
        applied.pairs[key] = PairRecord(fingerprint: nil, result: .failed, attempts: 5, dirty: true,
                                        lastAttempt: Timestamp(millisecondsSinceEpoch: 0), attemptedDigest: fingerprint.digest)
        world.apps["cart"]!.scoreID = "k2"
        #expect(world.plan(applied).item("cart", .platform)?.action == .run)
    }

    @Test func interruptedPairRunsAgainAtOnce() {
        let world = PlannerWorld()
        var applied = world.applied()
        let key = PairKey(app: "cart", tier: .platform)
        applied.pairs[key]!.dirty = true
        applied.pairs[key]!.result = .interrupted
        applied.pairs[key]!.lastAttempt = Timestamp(millisecondsSinceEpoch: 1_000_000)
        let item = world.plan(applied, now: 1_000_001).item("cart", .platform)
        #expect(item?.action == .run)
        #expect(item?.reason == "platform tier: the last attempt was interrupted and may be half-applied; running again")
    }

    @Test func recordingCountsFailedAttemptsAndResetsOnSuccess() {
        let world = PlannerWorld()
        let desired = world.desired()
        let plan = world.plan()
        let key = PairKey(app: "cart", tier: .platform)
        var state = AppliedState.empty
        for round in 1...3 {
            state = state.recording(plan, outcomes: [key: .failed], desired: desired, at: Timestamp(millisecondsSinceEpoch: Int64(round)))
            #expect(state.pairs[key]?.attempts == round)
            #expect(state.pairs[key]?.dirty == true)
        }
        state = state.recording(plan, outcomes: [key: .succeeded], desired: desired, at: Timestamp(millisecondsSinceEpoch: 9))
        #expect(state.pairs[key]?.attempts == 0)
        #expect(state.pairs[key]?.dirty == false)
        #expect(state.pairs[key]?.fingerprint?.digest == plan.item("cart", .platform)?.fingerprint?.digest)
        #expect(state.apps["cart"] == AppliedApp(scoreID: "k1", product: "ecommerce", suspended: false, resources: []))
    }

    @Test func neverRerunsOnlyBecauseTimePassed() {
        let world = PlannerWorld()
        let applied = world.applied(now: 0)
        #expect(PlannerWorld.running(world.plan(applied, now: 365 * 24 * 3_600_000)).isEmpty)
    }
}

/// Pruning runs the `destroy` workflows of the last applied tree.
@Suite("Prune")
struct PruneTests {
    @Test func prunedAppRunsItsDestroyWorkflowsFromTheLastAppliedTree() {
        var world = PlannerWorld()
        let teardown = PlannerWorld.workflow("teardown", kind: .platform, path: "workflows/platform/teardown.yaml", id: "t1",
                                             phase: "destroy")
        let goodbye = PlannerWorld.workflow("goodbye", kind: .application, path: "apps/finder/workflows/goodbye.yaml", id: "g1",
                                            phase: "destroy")
        let drop = PlannerWorld.workflow("drop", kind: .product, path: "workflows/products/search/drop.yaml", id: "d1",
                                         phase: "destroy")
        world.platform.append(teardown)
        let applied = world.applied()
        world.apps["finder"] = nil
        var desired = world.desired()
        desired.departed["finder"] = DepartedApp(product: "search", workflows: [
            .platform: world.platform, .product: [drop], .application: [goodbye],
        ])
        let plan = Planner().plan(desired: desired, applied: applied, now: Timestamp(millisecondsSinceEpoch: 1))
        #expect(plan.item("finder", .platform)?.action == .prune)
        #expect(plan.item("finder", .platform)?.workflows == ["teardown"])
        // The product's destroy workflow is not approved: reported, never run.
        #expect(plan.item("finder", .product)?.workflows == [])
        #expect(plan.item("finder", .product)?.blocked == [BlockedWorkflow(workflow: "search/drop", reason: "not in allowedProductWorkflows (approve with: innominatus approve search/drop)")])
        // The application tier never ran (only a destroy workflow), yet it is pruned with it.
        #expect(plan.item("finder", .application)?.workflows == ["goodbye"])
        #expect(plan.item("finder", .application)?.reason == "application tier: the app's Score file was removed; its destroy workflows run")
    }
}
