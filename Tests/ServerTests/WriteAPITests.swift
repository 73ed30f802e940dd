import Foundation
import TestSupport
import Testing

/// Webhooks, the write API and access control against a real server; the loop's interval is an hour,
/// so any pass after the first one was started by a webhook or the API.
@Suite struct WriteAPITests {
    enum Forge: String, CaseIterable, Sendable {
        case github, gitea, gitlab

        func push(secret: String) -> (body: String, headers: [String: String]) {
            switch self {
            case .github:
                let body = WebhookPayloads.github()
                return (body, WebhookPayloads.githubHeaders(body, secret: secret))
            case .gitea:
                let body = WebhookPayloads.gitea()
                return (body, WebhookPayloads.giteaHeaders(body, secret: secret))
            case .gitlab:
                return (WebhookPayloads.gitlab(), WebhookPayloads.gitlabHeaders(token: secret))
            }
        }
    }

    /// A push webhook wakes the loop: the new head's pass shows in `/api/v1/status`, its step ran, and the
    /// webhook → pass start time was measured.
    @Test(arguments: Forge.allCases)
    func pushWebhookTriggersAPass(forge: Forge) async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        try await fixture.waitUntilReady()
        let first = try fixture.git.git("rev-parse", "HEAD")
        #expect(try await client.get("/api/v1/status").json["commit"] as? String == first)
        let head = try fixture.change(["apps/checkout/workflows/deploy.yaml":
            ServerFixture.workflow("Workflow", "deploy", events: fixture.events, phase: "post-deployment")])
        let (body, headers) = forge.push(secret: ServerFixture.secret)
        let answer = try await client.post("/hooks/git", body: Data(body.utf8), headers: headers)
        #expect(answer.status == 202)
        #expect(answer.json["result"] as? String == "reconcile")
        try await fixture.eventually("a status for \(head)") {
            try await client.get("/api/v1/status").json["commit"] as? String == head
        }
        let status = try await client.get("/api/v1/status").json
        #expect(status["previousCommit"] as? String == first)
        #expect(try fixture.ranEvents().filter { $0 == "checkout application deploy" }.count == 2)
        let metrics = try PrometheusText.parse(try await client.get("/metrics").text)
        #expect(metrics["innominatus_webhook_to_pass_start_seconds_count"] == 1)
        #expect(metrics["innominatus_webhooks_total{outcome=\"push\"}"] == 1)
        try await fixture.stop()
    }

    @Test func badSignaturesAndOtherEventsChangeNothing() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        try await fixture.waitUntilReady()
        try fixture.change(["README.md": "# platform, edited\n"])
        let body = WebhookPayloads.github()
        var wrong = WebhookPayloads.githubHeaders(body, secret: "not-the-secret")
        let invalid = try await client.post("/hooks/git", body: Data(body.utf8), headers: wrong)
        #expect(invalid.status == 401)
        #expect(invalid.errorMessage?.contains("X-Hub-Signature-256") == true)
        wrong.removeValue(forKey: "X-Hub-Signature-256")
        let missing = try await client.post("/hooks/git", body: Data(body.utf8), headers: wrong)
        #expect(missing.status == 401)
        // A captured delivery's signature replayed on another body.
        let captured = WebhookPayloads.githubHeaders(body, secret: ServerFixture.secret)
        let replayed = WebhookPayloads.github(after: "3333333333333333333333333333333333333333")
        let replay = try await client.post("/hooks/git", body: Data(replayed.utf8), headers: captured)
        #expect(replay.status == 401)
        let badToken = try await client.post("/hooks/git", body: Data(WebhookPayloads.gitlab().utf8),
                                             headers: WebhookPayloads.gitlabHeaders(token: "guess"))
        #expect(badToken.status == 401)
        for ref in ["refs/tags/v1.0.0", "refs/heads/develop"] {
            let other = WebhookPayloads.github(ref: ref)
            let ignored = try await client.post("/hooks/git", body: Data(other.utf8),
                                                headers: WebhookPayloads.githubHeaders(other, secret: ServerFixture.secret))
            #expect(ignored.status == 202)
            #expect(ignored.json["result"] as? String == "ignored")
        }
        let ping = "{\"zen\": \"Design for failure.\", \"hook_id\": 7}"
        let pinged = try await client.post("/hooks/git", body: Data(ping.utf8),
                                           headers: WebhookPayloads.githubHeaders(ping, secret: ServerFixture.secret, event: "ping"))
        #expect(pinged.status == 202)
        // None of these woke the loop: still one pass.
        #expect(try await client.get("/readyz").json["passes"] as? Int == 1)
        let metrics = try PrometheusText.parse(try await client.get("/metrics").text)
        #expect(metrics["innominatus_webhooks_total{outcome=\"unauthorized\"}"] == 4)
        #expect(metrics["innominatus_webhooks_total{outcome=\"ignored\"}"] == 3)
        #expect(!(try await client.get("/metrics").text.contains(ServerFixture.secret)))
        try await fixture.stop()
    }

    @Test func reconcileNeedsTheBearerToken() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        try await fixture.waitUntilReady()
        let none = try await client.post("/api/v1/reconcile")
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate") == "Bearer")
        let wrong = try await client.post("/api/v1/reconcile", headers: ["Authorization": "Bearer \(ServerFixture.token)x"])
        #expect(wrong.status == 401)
        #expect(!wrong.text.contains(ServerFixture.token))
        let head = try fixture.change(["README.md": "# platform, again\n"])
        let accepted = try await client.post("/api/v1/reconcile", headers: fixture.authorization)
        #expect(accepted.status == 202)
        try await fixture.eventually("a pass at \(head)") {
            (try await client.get("/readyz").json["passes"] as? Int ?? 0) >= 2
        }
        try await fixture.stop()
    }

    /// A pass that fails as a whole (invalid admin config) writes a note but moves no applied state: the
    /// latest status is still that note.
    @Test func latestStatusIncludesAFailedPass() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        try await fixture.waitUntilReady()
        let head = try fixture.change(["policies/admin-config.yaml": "workflowPolicies: [\n"])
        #expect(try await client.post("/api/v1/reconcile", headers: fixture.authorization).status == 202)
        try await fixture.eventually("a status for \(head)") {
            try await client.get("/api/v1/status").json["commit"] as? String == head
        }
        #expect(try await client.get("/api/v1/status").json["result"] as? String == "failed")
        try await fixture.stop()
    }

    @Test func withoutSecretsWebhooksAre404AndWritesDisabled() async throws {
        let fixture = try await ServerFixture(token: nil, secret: nil)
        let client = fixture.client
        let body = WebhookPayloads.github()
        let hook = try await client.post("/hooks/git", body: Data(body.utf8),
                                         headers: WebhookPayloads.githubHeaders(body, secret: "anything"))
        #expect(hook.status == 404)
        #expect(hook.errorMessage?.contains("--webhook-secret-file") == true)
        let write = try await client.post("/api/v1/reconcile", headers: ["Authorization": "Bearer anything"])
        #expect(write.status == 403)
        #expect(write.errorMessage?.contains("disabled") == true)
        try await fixture.stop()
    }

    @Test func readAPINeedsTheTokenOffLoopback() async throws {
        let fixture = try await ServerFixture(listenHost: "0.0.0.0")
        let client = fixture.client
        #expect(try await client.get("/healthz").status == 200)
        try await fixture.waitUntilReady()
        for path in ["/api/v1/status", "/api/v1/apps", "/api/v1/workflows", "/api/v1/plan", "/metrics"] {
            #expect(try await client.get(path).status == 401, "\(path) without a token")
            #expect(try await client.get(path, headers: fixture.authorization).status == 200, "\(path) with the token")
        }
        try await fixture.stop()
    }
}
