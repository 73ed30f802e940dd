import Foundation
import Synchronization
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

@Suite("Planner rules through the real loop")
struct ReconcileRulesTests {
    @Test func productChangeRunsOnlyThatProductsTiers() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        let seen = try fixture.events().count
        try fixture.change(["workflows/products/ecommerce/database-setup.yaml":
            fixture.workflow("ProductWorkflow", "database-setup", extra: "true", product: "ecommerce")])
        _ = await fixture.reconcile()
        #expect(try fixture.events(after: seen).sorted() == ["cart product deployment database-setup",
                                                             "checkout product deployment database-setup"])
    }

    @Test func appWorkflowChangeRunsOnlyThatAppsApplicationTier() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        let seen = try fixture.events().count
        try fixture.change(["apps/checkout/workflows/deploy.yaml": fixture.workflow("Workflow", "deploy", extra: "true")])
        _ = await fixture.reconcile()
        // first_deployment workflows (seed) do not run again.
        #expect(try fixture.events(after: seen) == ["checkout application deployment deploy"])
    }

    @Test func suspendedAppRunsNothingAndSaysWhy() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        let seen = try fixture.events().count
        let head = try fixture.change(["apps/cart/score.yaml": LoopFixture.score("cart", product: "ecommerce")
            .replacingOccurrences(of: "  product: ecommerce\n", with: "  product: ecommerce\n  annotations:\n    innominatus.dev/suspend: \"true\"\n")])
        _ = await fixture.reconcile()
        #expect(try fixture.events(after: seen).isEmpty)
        let cart = try #require(try fixture.status(of: head)?.apps["cart"])
        #expect(cart.tiers.values.allSatisfy { $0.action == .suspended && $0.reason.contains("suspend") })
    }

    @Test func failingPairBacksOffThenStallsAndNeverRerunsOnlyBecauseTimePassed() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        try fixture.change(["apps/search/workflows/broken.yaml": fixture.workflow("Workflow", "broken", extra: "exit 1")])
        var actions: [String] = []
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(20))  // past the 1ms backoff of the fixture's admin config
            let report = await fixture.reconcile()
            actions.append(report.status?.apps["search"]?.tiers[.application]?.action.rawValue ?? "\(report.kind)")
        }
        // attempts: 3 in the admin config; then stalled, and a stalled pair is not retried.
        #expect(actions.prefix(3) == ["run", "run", "run"], "\(actions)")
        #expect(actions.dropFirst(3).allSatisfy { $0 == "stalled" || $0 == "nothingToDo" }, "\(actions)")
        #expect(try fixture.events().filter { $0.contains("broken") }.count == 3)
        // Forcing runs it again.
        let forced = await fixture.reconcile(force: ["search/application"])
        #expect(forced.status?.apps["search"]?.tiers[.application]?.action == .run)
    }

    @Test func invalidScoreIsAnErrorForThatAppOnlyNeverAPrune() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        let seen = try fixture.events().count
        let head = try fixture.change([
            "apps/cart/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: cart\ncontainers:\n  main:\n    image: 12\n",
            "apps/search/workflows/new.yaml": fixture.workflow("Workflow", "new"),
        ])
        let report = await fixture.reconcile()
        #expect(report.exitCode == 1)
        let status = try #require(try fixture.status(of: head))
        let cart = try #require(status.apps["cart"]?.tiers[.platform])
        #expect(cart.action == .error && cart.reason.contains("apps/cart/score.yaml:6:12"), "\(cart.reason)")
        #expect(try fixture.events(after: seen) == ["search application deployment new"], "other apps reconcile")
    }

    @Test func invalidAdminConfigFailsClosedOnceAndNothingRuns() async throws {
        let fixture = try LoopFixture()
        _ = await fixture.reconcile()
        let seen = try fixture.events().count
        let head = try fixture.change([
            "policies/admin-config.yaml": "workflowPolicies:\n  maxPrunePerPass: many\n",
            "apps/search/workflows/new.yaml": fixture.workflow("Workflow", "new"),
        ])
        let report = await fixture.reconcile()
        #expect(report.exitCode == 1)
        let status = try #require(try fixture.status(of: head))
        #expect(status.result == .failed && status.error?.contains("admin-config.yaml:2:") == true, "\(status.error ?? "")")
        #expect(try fixture.events(after: seen).isEmpty)
        #expect(await fixture.reconcile().kind == .nothingToDo, "polling the same head again writes nothing")
        #expect(try fixture.noteCount(head) == 1)
    }

    @Test func watchLoopRunsPassesUntilCancelled() async throws {
        let fixture = try LoopFixture()
        let reconciler = PlatformReconciler(settings: fixture.settings())
        let reports = Counter()
        let loop = WatchLoop(reconciler: reconciler, interval: .milliseconds(50))
        let task = Task { await loop.run { report, _ in reports.add(report.kind) } }
        for _ in 0..<600 where reports.kinds.count < 3 { try await Task.sleep(for: .milliseconds(50)) }
        task.cancel()
        await task.value
        let kinds = reports.kinds
        #expect(kinds.first == .ran && kinds.dropFirst().allSatisfy { $0 == .nothingToDo }, "\(kinds)")
    }
}

/// Collects pass kinds from the loop's callback.
final class Counter: Sendable {
    private let storage = Mutex<[PassReport.Kind]>([])
    func add(_ kind: PassReport.Kind) { storage.withLock { $0.append(kind) } }
    var kinds: [PassReport.Kind] { storage.withLock { $0 } }
}
