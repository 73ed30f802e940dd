import Foundation
import GitKit
import Planner
import Reconciler
import Specs
import TestSupport
import Testing

/// The plan memo (docs/ARCHITECTURE.md §18): a `plan` that starts from the memo of the last one plans only
/// the apps a change touched, and its plan is the one a full plan makes — checked here by comparing both
/// JSON forms after every kind of change, each made by a fresh loader as a new process would.
@Suite("incremental plan from the memo of the last one")
struct IncrementalPlanTests {
    /// Plans with the memo, then in full (without it, on the same workdir), and returns the memo's outcome
    /// after checking both plans are the same.
    static func planBoth(_ repo: PlatformRepoFixture, now: Int64 = 1_000_000, incremental expected: Bool,
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> PlanningPass.Outcome {
        var pass = repo.pass
        pass.memo = true
        // First as `plan --output text` plans (the listed items and the tally), from a copy of the memo,
        // then from the memo itself as `--output json` does (every item).
        let path = repo.workdir + "/plan-memo"
        let saved = FileManager.default.contents(atPath: path)
        var listing = pass
        listing.listedOnly = true
        var first = DesiredStateLoader()
        let listed = try await listing.run(now: Timestamp(millisecondsSinceEpoch: now), loader: &first)
        #expect(listed.partial == expected, "incremental (text): \(listed.partial)", sourceLocation: sourceLocation)
        #expect((listed.tally != nil) == expected, sourceLocation: sourceLocation)
        if let saved { try saved.write(to: URL(fileURLWithPath: path)) } else { try? FileManager.default.removeItem(atPath: path) }
        var loader = DesiredStateLoader()
        let memo = try await pass.run(now: Timestamp(millisecondsSinceEpoch: now), loader: &loader)
        #expect(memo.partial == expected, "incremental: \(memo.partial)", sourceLocation: sourceLocation)
        #expect(memo.tally == nil)
        var full = DesiredStateLoader()
        let whole = try await repo.pass.run(now: Timestamp(millisecondsSinceEpoch: now), loader: &full)
        #expect(!whole.partial)
        #expect(PlanRendering.json(memo.plan) == PlanRendering.json(whole.plan), sourceLocation: sourceLocation)
        #expect(PlanRendering.text(memo.plan) == PlanRendering.text(whole.plan), sourceLocation: sourceLocation)
        #expect(PlanRendering.text(listed.plan, tally: listed.tally) == PlanRendering.text(whole.plan), sourceLocation: sourceLocation)
        return memo
    }

    static func push(_ repo: PlatformRepoFixture, _ files: [String: String?]) throws {
        try repo.git.commit(files)
        try repo.git.push()
    }

    @Test func everyKindOfChangeGivesTheFullPlan() async throws {
        let repo = try PlatformRepoFixture()
        // No memo yet: a full plan, which writes one.
        let first = try await Self.planBoth(repo, incremental: false)
        try await repo.recordSuccess(first)
        // The applied state moved: the memo is not for it.
        _ = try await Self.planBoth(repo, incremental: false)
        // Same commit, same state: the memo's plan.
        _ = try await Self.planBoth(repo, incremental: true)

        try Self.push(repo, ["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:2")])
        let score = try await Self.planBoth(repo, incremental: true)
        #expect(PlatformRepoFixture.running(score.plan) == ["cart/application", "cart/platform", "cart/product"])
        #expect(Set(score.desired.apps.keys) == ["cart"], "only the changed app is loaded")

        try Self.push(repo, ["apps/checkout/workflows/smoke-test.yaml": PlatformRepoFixture.workflow("Workflow", "smoke-test", trigger: "all_deployments")])
        _ = try await Self.planBoth(repo, incremental: true)

        // A new app, and a Score that moves to another product.
        try Self.push(repo, ["apps/basket/score.yaml": PlatformRepoFixture.score("basket", product: nil),
                             "apps/search/score.yaml": PlatformRepoFixture.score("search", product: "ecommerce")])
        let added = try await Self.planBoth(repo, incremental: true)
        #expect(added.plan.item("basket", .platform)?.action == .run)

        // A broken Score: an error with its position.
        try Self.push(repo, ["apps/basket/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: basket\ncontainers: 7\n"])
        let broken = try await Self.planBoth(repo, incremental: true)
        #expect(broken.plan.item("basket", .platform)?.action == .error)

        // Files outside the apps' folders reach every app: planned in full.
        try Self.push(repo, ["scripts/scan.sh": "#!/bin/sh\necho scan harder\n"])
        _ = try await Self.planBoth(repo, incremental: false)
        try Self.push(repo, ["README.md": "# platform, documented\n"])
        _ = try await Self.planBoth(repo, incremental: false)

        // A removed Score is a prune: planned in full.
        try Self.push(repo, ["apps/search/score.yaml": nil])
        let removed = try await Self.planBoth(repo, incremental: false)
        #expect(removed.plan.items.contains { $0.app == "search" && $0.action == .prune })
        // Another app's change keeps the prune items where the planner puts them (last).
        try Self.push(repo, ["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:3")])
        _ = try await Self.planBoth(repo, incremental: true)
    }

    @Test func filesOtherAppsDependOnAreNotPlannedAlone() async throws {
        let repo = try PlatformRepoFixture()
        // An app workflow reading another app's file: that workflow cannot be planned from its own folder.
        try Self.push(repo, ["apps/checkout/workflows/peek.yaml": PlatformRepoFixture.workflow("Workflow", "peek", inputs: ["apps/cart/score.yaml"])])
        _ = try await Self.planBoth(repo, incremental: false)
        try Self.push(repo, ["apps/checkout/workflows/peek.yaml": PlatformRepoFixture.workflow("Workflow", "peek", inputs: ["apps/cart/score.yaml", "README.md"])])
        _ = try await Self.planBoth(repo, incremental: false)
        // cart's Score is a component of checkout's pairs: its change is not cart's alone.
        try Self.push(repo, ["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:2")])
        let cart = try await Self.planBoth(repo, incremental: false)
        #expect(cart.plan.item("checkout", .application)?.action == .run)
        // A platform workflow whose inputs glob into the apps' folders: no change there is an app's alone.
        try Self.push(repo, ["apps/checkout/workflows/peek.yaml": nil,
                             "workflows/platform/inventory.yaml": PlatformRepoFixture.workflow("PlatformWorkflow", "inventory", inputs: ["apps/*/notes.txt"])])
        _ = try await Self.planBoth(repo, incremental: false)
        try Self.push(repo, ["apps/search/notes.txt": "hello\n"])
        let notes = try await Self.planBoth(repo, incremental: false)
        #expect(PlatformRepoFixture.running(notes.plan).contains("cart/platform"))
        // Its own folder is fine: an app workflow reading its app's files.
        // (A platform workflow leaves with it: every app's platform pair is decided again from the memo.)
        try Self.push(repo, ["workflows/platform/inventory.yaml": nil,
                             "apps/search/workflows/own.yaml": PlatformRepoFixture.workflow("Workflow", "own", inputs: ["apps/search/*.txt"])])
        _ = try await Self.planBoth(repo, incremental: true)
        try Self.push(repo, ["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:3")])
        _ = try await Self.planBoth(repo, incremental: true)
    }

    @Test func aPlatformWorkflowChangeDecidesEveryAppsPlatformPairAgain() async throws {
        let repo = try PlatformRepoFixture()
        let workflow = PlatformRepoFixture.workflow
        /// Records a full plan's runs as succeeded, then plans in full (the memo of that state).
        func settle(_ now: Int64) async throws {
            var loader = DesiredStateLoader()
            try await repo.recordSuccess(try await repo.pass.run(now: Timestamp(millisecondsSinceEpoch: now), loader: &loader))
            _ = try await Self.planBoth(repo, now: now, incremental: false)
        }
        // An unapproved product workflow: cart and checkout are listed (blocked workflows), their pairs skipped.
        try Self.push(repo, ["workflows/platform/cost-report.yaml": workflow("PlatformWorkflow", "cost-report", [], nil),
                             "workflows/products/ecommerce/audit.yaml": workflow("ProductWorkflow", "audit", [], nil)])
        try await repo.recordSuccess(try await Self.planBoth(repo, incremental: false))
        let blocked = try await Self.planBoth(repo, incremental: false)
        #expect(blocked.plan.item("cart", .product)?.blocked.map(\.workflow) == ["ecommerce/audit"])
        // One platform workflow changed: every app's platform pair runs it alone, and no app is loaded.
        try Self.push(repo, ["workflows/platform/cost-report.yaml": workflow("PlatformWorkflow", "cost-report", [], "all_deployments")])
        let changed = try await Self.planBoth(repo, incremental: true)
        #expect(PlatformRepoFixture.running(changed.plan) == ["cart/platform", "checkout/platform", "search/platform"])
        #expect(changed.plan.item("cart", .platform)?.workflows.count == 1)
        #expect(changed.plan.item("cart", .platform)?.reason.contains("cost-report") == true)
        #expect(changed.desired.apps.isEmpty, "no app is loaded: \(changed.desired.apps.keys.sorted())")
        try await settle(1_000_000)

        // cart's Score moves to score.yml (same content: its digest does not move, its recorded path does),
        // checkout's product pair fails and waits: both are planned in full, the other apps from the memo.
        var loader = DesiredStateLoader()
        let now = try await repo.pass.run(now: Timestamp(millisecondsSinceEpoch: 1_000_000), loader: &loader)
        let failed = now.applied.recording(Plan(commit: now.plan.commit, appliedCommit: now.plan.appliedCommit, items: [
            PlanItem(app: "checkout", tier: .product, action: .run, reason: "test",
                     workflows: ["ecommerce/database-setup"], fingerprint: now.plan.item("checkout", .product)?.fingerprint),
        ]), outcomes: [PairKey(app: "checkout", tier: .product): .failed(workflow: "ecommerce/database-setup")], desired: now.desired,
            at: Timestamp(millisecondsSinceEpoch: 1_000_000))
        try await AppliedStateStore(repository: now.repository).save(failed, to: repo.pass.remote, key: now.key)
        _ = try await Self.planBoth(repo, now: 1_000_100, incremental: false)
        try Self.push(repo, ["apps/cart/score.yaml": nil,
                             "apps/cart/score.yml": PlatformRepoFixture.score("cart", product: "ecommerce")])
        let moved = try await Self.planBoth(repo, now: 1_000_200, incremental: true)
        #expect(moved.plan.item("cart", .platform)?.action == .skip, "the same Score: \(moved.plan.item("cart", .platform)?.reason ?? "")")
        #expect(moved.plan.item("checkout", .product)?.waiting == true)
        try Self.push(repo, ["workflows/platform/cost-report.yaml": workflow("PlatformWorkflow", "cost-report", [], nil)])
        let again = try await Self.planBoth(repo, now: 1_000_300, incremental: true)
        #expect(Set(again.desired.apps.keys) == ["cart", "checkout"])
        #expect(again.plan.item("search", .platform)?.workflows.count == 1)
        // The platform pair runs first; checkout's product pair still waits for its backoff.
        #expect(again.plan.item("checkout", .platform)?.action == .run)
        #expect(again.plan.item("checkout", .product)?.waiting == true)

        // Each case below starts from a memo whose apps are plainly unchanged (but checkout, still waiting).
        // An app in error is planned in full with the change.
        try await settle(1_000_350)
        try Self.push(repo, ["apps/search/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: search\ncontainers: 7\n"])
        _ = try await Self.planBoth(repo, now: 1_000_360, incremental: true)
        try Self.push(repo, ["workflows/platform/cost-report.yaml": workflow("PlatformWorkflow", "cost-report", [], "all_deployments")])
        let inError = try await Self.planBoth(repo, now: 1_000_370, incremental: true)
        #expect(Set(inError.desired.apps.keys) == ["checkout", "search"])
        #expect(inError.plan.item("search", .platform)?.action == .error)
        try Self.push(repo, ["apps/search/score.yaml": PlatformRepoFixture.score("search", product: nil)])

        // Not the same platform tier for every app (a blocked workflow, a required one gone): planned in full.
        try await settle(1_000_400)
        try Self.push(repo, ["workflows/platform/cost-report.yaml": "kind: [\n"])
        let broken = try await Self.planBoth(repo, now: 1_000_400, incremental: false)
        #expect(broken.plan.item("search", .platform)?.blocked.isEmpty == false)
        // (From that memo every app is listed, so each is planned in full from it.)
        try Self.push(repo, ["workflows/platform/cost-report.yaml": workflow("PlatformWorkflow", "cost-report", [], nil)])
        _ = try await Self.planBoth(repo, now: 1_000_500, incremental: true)
        try await settle(1_000_500)
        try Self.push(repo, ["workflows/platform/security-scan.yaml": nil])
        let required = try await Self.planBoth(repo, now: 1_000_600, incremental: false)
        #expect(required.plan.item("search", .platform)?.action == .blocked)
        try Self.push(repo, ["workflows/platform/security-scan.yaml": workflow("PlatformWorkflow", "security-scan", ["scripts/scan.sh"], nil)])
        _ = try await Self.planBoth(repo, now: 1_000_700, incremental: true)
        // A file below the platform folder is not a platform workflow.
        try await settle(1_000_800)
        try Self.push(repo, ["workflows/platform/notes/readme.yaml": "hello: world\n"])
        _ = try await Self.planBoth(repo, now: 1_000_800, incremental: false)
    }

    @Test func waitingPairsArePlannedAgainAtTheirTime() async throws {
        let repo = try PlatformRepoFixture()
        var loader = DesiredStateLoader()
        let cold = try await repo.pass.run(now: Timestamp(millisecondsSinceEpoch: 1_000_000), loader: &loader)
        // cart's platform pair failed; the others succeeded.
        var outcomes: [PairKey: PairOutcome] = [:]
        for item in cold.plan.items where item.action == .run { outcomes[item.key] = .succeeded }
        outcomes[PairKey(app: "cart", tier: .platform)] = .failed(workflow: "security-scan")
        let state = cold.applied.recording(cold.plan, outcomes: outcomes, desired: cold.desired,
                                           at: Timestamp(millisecondsSinceEpoch: 1_000_000))
        try await AppliedStateStore(repository: cold.repository).save(state, to: repo.pass.remote, key: cold.key)
        // In backoff: waiting (and the memo written with it).
        let waiting = try await Self.planBoth(repo, now: 1_000_100, incremental: false)
        #expect(waiting.plan.item("cart", .platform)?.waiting == true)
        // Another app changes; later, the backoff is over: cart retries, though its files did not change.
        try Self.push(repo, ["apps/search/score.yaml": PlatformRepoFixture.score("search", product: nil, image: "nginx:2")])
        let later = try await Self.planBoth(repo, now: 10_000_000, incremental: true)
        #expect(later.plan.item("cart", .platform)?.action == .run)
        #expect(later.plan.item("cart", .platform)?.reason.contains("retrying") == true)
    }

    @Test func aDamagedMemoIsIgnored() async throws {
        let repo = try PlatformRepoFixture()
        try await repo.recordSuccess(try await Self.planBoth(repo, incremental: false))
        _ = try await Self.planBoth(repo, incremental: false)
        let path = repo.workdir + "/plan-memo"
        let bytes = try #require(FileManager.default.contents(atPath: path))
        // Cut before its end line.
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        try Self.push(repo, ["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:2")])
        _ = try await Self.planBoth(repo, incremental: false)
        // An item naming a reason the memo does not hold.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\tplatform\tskip\t"))
        try text.replacingOccurrences(of: "\tplatform\tskip\t", with: "\tplatform\tskip\t99").write(toFile: path, atomically: true, encoding: .utf8)
        try Self.push(repo, ["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:3")])
        _ = try await Self.planBoth(repo, incremental: false)
    }

    /// The binary end to end: a `reconcile` pass leaves the memo of the plan after it (the applied state it
    /// pushed), so the next `plan` after a one-Score change is incremental — and prints what a full plan does.
    @Test func aReconcilePassLeavesTheMemoTheNextPlanStartsFrom() async throws {
        let repo = try PlatformRepoFixture()
        let base = ["--repo", repo.git.remote, "--workdir", repo.workdir, "--state-key", repo.git.stateKeyFile]
        let pass = try InnominatusBinary.run(["reconcile"] + base)
        #expect(pass.status == 0, "\(pass.stderr)")
        try Self.push(repo, ["apps/cart/score.yaml": PlatformRepoFixture.score("cart", product: "ecommerce", image: "nginx:2")])
        let timed = try Shell.execute([InnominatusBinary.path, "plan", "--output", "json"] + base, environment: ["INNOMINATUS_TIMINGS": "1"])
        #expect(timed.status == 0, "\(timed.stderr)")
        #expect(timed.stderr.contains("plan phase memo items"), "incremental: \(timed.stderr)")
        #expect(!timed.stderr.contains("memo not used"))
        try FileManager.default.removeItem(atPath: repo.workdir + "/plan-memo")
        let full = try InnominatusBinary.run(["plan", "--output", "json"] + base)
        #expect(full.stdout == timed.stdout)
        #expect(timed.stdout.contains("\"app\": \"cart\", \"tier\": \"platform\", \"action\": \"run\""))
    }
}

