import Foundation
import TestSupport
import Testing

/// The read API against a real server and a real platform repository.
@Suite struct ReadAPITests {
    @Test func statusAppsAndPlanAfterTheFirstPass() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        let head = try fixture.git.git("rev-parse", "HEAD")
        #expect(try await client.get("/healthz").json["status"] as? String == "ok")
        try await fixture.waitUntilReady()

        let status = try await client.get("/api/v1/status")
        #expect(status.status == 200)
        #expect(status.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(status.json["commit"] as? String == head)
        #expect(status.json["kind"] as? String == "ReconcileStatus")
        #expect(status.json["result"] as? String == "succeeded")
        let apps = status.json["apps"] as? [String: Any]
        let checkout = (apps?["checkout"] as? [String: Any])?["tiers"] as? [String: Any]
        #expect((checkout?["platform"] as? [String: Any])?["result"] as? String == "succeeded")
        let rogue = ((checkout?["product"] as? [String: Any])?["blocked"] as? [[String: Any]])?.first
        #expect(rogue?["workflow"] as? String == "ecommerce/rogue")

        let byCommit = try await client.get("/api/v1/status/\(head)")
        #expect(byCommit.status == 200)
        #expect(byCommit.json["commit"] as? String == head)
        let bad = try await client.get("/api/v1/status/not-a-commit")
        #expect(bad.status == 400)
        #expect(bad.errorMessage?.contains("not a commit id") == true)
        let unknown = try await client.get("/api/v1/status/" + String(repeating: "ab", count: 20))
        #expect(unknown.status == 404)
        #expect(unknown.errorMessage == "no status for \(String(repeating: "ab", count: 20)): no commit with an innominatus status note has this id in the platform repository")

        let list = try await client.get("/api/v1/apps")
        #expect(list.status == 200)
        let entries = list.json["apps"] as? [[String: Any]] ?? []
        #expect(entries.compactMap { $0["name"] as? String } == ["checkout", "search"])
        let platform = (entries.first?["tiers"] as? [String: Any])?["platform"] as? [String: Any]
        #expect(platform?["lastResult"] as? String == "succeeded")
        #expect((platform?["fingerprint"] as? String)?.isEmpty == false)
        #expect(platform?["next"] as? String == "skip")

        let app = try await client.get("/api/v1/apps/checkout")
        #expect(app.status == 200)
        #expect(app.json["product"] as? String == "ecommerce")
        let runs = app.json["lastRuns"] as? [[String: Any]] ?? []
        #expect(runs.first?["commit"] as? String == head)
        let missing = try await client.get("/api/v1/apps/nope")
        #expect(missing.status == 404)
        #expect(missing.errorMessage?.contains("nope") == true)

        let plan = try await client.get("/api/v1/plan")
        #expect(plan.status == 200)
        #expect(plan.json["commit"] as? String == head)
        #expect(plan.json["appliedCommit"] as? String == head)
        let actions = Set((plan.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
        #expect(actions.isSubset(of: ["skip", "blocked"]))
        // A plan is reused only while the head and the applied state stay; a push is seen by the next read.
        let pushed = try fixture.git.commit(["README.md": "# moved\n"], message: "docs only")
        try fixture.git.push()
        let again = try await client.get("/api/v1/plan")
        #expect(again.json["commit"] as? String == pushed, "the read after a push plans the new head")
        try await fixture.stop()
    }

    @Test func workflowDiscoveryWithFiltersAndApprovalState() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        let all = try await client.get("/api/v1/workflows")
        #expect(all.status == 200)
        let workflows = all.json["workflows"] as? [[String: Any]] ?? []
        func entry(_ name: String, in list: [[String: Any]]) -> [String: Any]? {
            list.first { $0["name"] as? String == name }
        }
        #expect(workflows.compactMap { $0["name"] as? String }
            == ["security-scan", "ecommerce/database-setup", "ecommerce/rogue", "checkout/deploy"])
        let scan = entry("security-scan", in: workflows)
        #expect(scan?["owner"] as? String == "platform-team")
        #expect(scan?["phase"] as? String == "pre-deployment")
        #expect(scan?["triggers"] as? [String] == ["all_deployments"])
        #expect(scan?["stepCount"] as? Int == 1)
        #expect(entry("ecommerce/database-setup", in: workflows)?["approval"] as? String == "approved")
        #expect(entry("ecommerce/rogue", in: workflows)?["approval"] as? String == "not-approved")

        let product = try await client.get("/api/v1/workflows?tier=product")
        #expect((product.json["workflows"] as? [[String: Any]])?.count == 2)
        let otherProduct = try await client.get("/api/v1/workflows?product=payments")
        #expect((otherProduct.json["workflows"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["security-scan"])
        let badTier = try await client.get("/api/v1/workflows?tier=galaxy")
        #expect(badTier.status == 400)
        #expect(badTier.errorMessage?.contains("galaxy") == true)

        let products = try await client.get("/api/v1/workflows/products")
        let ecommerce = (products.json["products"] as? [[String: Any]])?.first
        #expect(ecommerce?["product"] as? String == "ecommerce")
        #expect(ecommerce?["approved"] as? Int == 1)
        #expect(ecommerce?["blocked"] as? Int == 1)
        let one = try await client.get("/api/v1/workflows/products/ecommerce")
        #expect((one.json["workflows"] as? [[String: Any]])?.count == 2)
        #expect(try await client.get("/api/v1/workflows/products/payments").status == 404)
        let rogue = try await client.get("/api/v1/workflows/products/ecommerce/rogue")
        #expect(rogue.json["approval"] as? String == "not-approved")
        #expect(rogue.json["approvalRequired"] as? Bool == true)
        #expect(try await client.get("/api/v1/workflows/products/ecommerce/nope").status == 404)

        // Pinning another digest makes the approved workflow "changed since approval".
        try fixture.change(["policies/admin-config.yaml": """
            workflowPolicies:
              allowedProductWorkflows:
                - {name: ecommerce/database-setup, digest: 0123456789abcdef0123456789abcdef01234567}

            """])
        let changed = try await client.get("/api/v1/workflows/products/ecommerce/database-setup")
        #expect(changed.json["approval"] as? String == "changed-since-approval")
        try await fixture.stop()
    }

    /// `GET /api/v1/preview?ref=` answers the preview JSON for a ref no branch points to; nothing runs.
    @Test func previewOfAPullRequestRef() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        try await fixture.waitUntilReady()
        let events = try fixture.ranEvents().count
        try fixture.git.commit(["apps/search/score.yaml": ServerFixture.score("search", product: nil)
            .replacingOccurrences(of: "nginx:1.27", with: "nginx:1.99")], message: "the pull request")
        try fixture.git.git("push", "-q", "origin", "HEAD:refs/pull/5/head")
        let head = try fixture.git.git("rev-parse", "HEAD")
        try fixture.git.git("reset", "-q", "--hard", "HEAD~1")  // main stays where the loop applied it

        let answer = try await client.get("/api/v1/preview?ref=refs/pull/5/head")
        #expect(answer.status == 200, "\(answer.errorMessage ?? "")")
        #expect(answer.json["commit"] as? String == head)
        let items = answer.json["items"] as? [[String: Any]] ?? []
        #expect(items.contains { $0["app"] as? String == "search" && $0["tier"] as? String == "application" && $0["action"] as? String == "run" })
        #expect(answer.json["exitCode"] as? Int == 2)
        #expect(try await client.get("/api/v1/preview").status == 400)
        #expect(try await client.get("/api/v1/preview?ref=refs/pull/..%2Fx").status == 400)
        let missing = try await client.get("/api/v1/preview?ref=refs/pull/404/head")
        #expect(missing.status == 404)
        #expect(missing.errorMessage?.contains("refs/pull/404/head") == true)
        #expect(try fixture.ranEvents().count == events, "a preview ran a step")
        try await fixture.stop()
    }

    /// Requests at once each fetch into the read clone in turn (two fetches into one repository at once
    /// would fail on git's locks).
    @Test func concurrentReadsAllSucceed() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for path in ["/api/v1/workflows", "/api/v1/apps", "/api/v1/plan", "/api/v1/workflows/products", "/api/v1/workflows"] {
                group.addTask { try await client.get(path).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [200, 200, 200, 200, 200])
        try await fixture.stop()
    }

    @Test func validateAnswersTheValidatorsErrors() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        let valid = ServerFixture.workflow("PlatformWorkflow", "lint", events: "/dev/null")
        let ok = try await client.post("/api/v1/workflows/validate", body: Data(valid.utf8))
        #expect(ok.status == 200)
        #expect(ok.json["valid"] as? Bool == true)
        let invalid = valid.replacingOccurrences(of: "spec:\n", with: "spec:\n  colour: blue\n")
        let bad = try await client.post("/api/v1/workflows/validate?path=workflows/platform/lint.yaml", body: Data(invalid.utf8))
        #expect(bad.status == 200)
        #expect(bad.json["valid"] as? Bool == false)
        let file = (bad.json["files"] as? [[String: Any]])?.first
        #expect(file?["path"] as? String == "workflows/platform/lint.yaml")
        let error = (file?["errors"] as? [[String: Any]])?.first
        #expect(error?["line"] as? Int == 7)
        #expect((error?["message"] as? String)?.isEmpty == false)
        let empty = try await client.post("/api/v1/workflows/validate")
        #expect(empty.status == 400)
        #expect(empty.errorMessage?.contains("empty") == true)
        try await fixture.stop()
    }

    @Test func errorsAreJSONWithAMessage() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        let notFound = try await client.get("/api/v2/everything")
        #expect(notFound.status == 404)
        #expect(notFound.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(notFound.errorMessage?.contains("/api/v2/everything") == true)
        #expect(notFound.text.contains("no endpoint /api/v2/everything"))
        let wrongMethod = try await client.send("DELETE", "/api/v1/status")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET")
        #expect(wrongMethod.errorMessage?.contains("DELETE") == true)
        let getOnPost = try await client.get("/api/v1/reconcile")
        #expect(getOnPost.status == 405)
        #expect(getOnPost.header("Allow") == "POST")
        let huge = Data(repeating: UInt8(ascii: "a"), count: 10 << 20)
        let tooLarge = try await client.post("/api/v1/workflows/validate", body: huge)
        #expect(tooLarge.status == 413)
        #expect(tooLarge.errorMessage?.contains("limit") == true)
        let hookTooLarge = try await client.post("/hooks/git", body: huge)
        #expect(hookTooLarge.status == 413)
        try await fixture.stop()
    }

    @Test func metricsParseAsPrometheusText() async throws {
        let fixture = try await ServerFixture()
        try await fixture.waitUntilReady()
        let answer = try await fixture.client.get("/metrics")
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type")?.hasPrefix("text/plain") == true)
        let samples = try PrometheusText.parse(answer.text)
        #expect(samples["innominatus_passes_total{result=\"succeeded\"}"] == 1)
        #expect(samples["innominatus_tier_runs_total{tier=\"platform\",result=\"succeeded\"}"] == 2)
        #expect(samples["innominatus_steps_total{result=\"succeeded\"}"] != nil)
        #expect(samples["innominatus_blocked_workflows"] == 1)
        #expect((samples["innominatus_last_successful_pass_timestamp_seconds"] ?? 0) > 0)
        #expect(samples["innominatus_pass_duration_seconds_count"] == 1)
        #expect(samples["innominatus_webhook_to_pass_start_seconds_count"] == 0)
        try await fixture.stop()
    }
}
