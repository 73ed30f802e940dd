import Foundation
@testable import Server
import Testing

/// Signature checks and event filtering of `PushWebhook`, on each forge's real payload format.
@Suite struct PushWebhookTests {
    let secret = "s3cret-for-tests"
    var hook: PushWebhook { PushWebhook(secret: Secret(secret)!, branch: "main") }

    func judge(_ headers: [String: String], _ body: String) -> PushWebhook.Verdict {
        hook.judge(headers: Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) }),
                   body: Array(body.utf8))
    }

    @Test func validPushOfEachForgeWakes() {
        let github = WebhookPayloads.github()
        #expect(judge(WebhookPayloads.githubHeaders(github, secret: secret), github) == .wake(branch: "main"))
        let gitea = WebhookPayloads.gitea()
        #expect(judge(WebhookPayloads.giteaHeaders(gitea, secret: secret), gitea) == .wake(branch: "main"))
        let gitlab = WebhookPayloads.gitlab()
        #expect(judge(WebhookPayloads.gitlabHeaders(token: secret), gitlab) == .wake(branch: "main"))
    }

    @Test func giteaWithGitHubStyleSignatureToo() {
        let body = WebhookPayloads.gitea()
        var headers = WebhookPayloads.giteaHeaders(body, secret: secret)
        headers["X-Hub-Signature-256"] = "sha256=" + WebhookPayloads.hmac(body, secret: secret)
        #expect(judge(headers, body) == .wake(branch: "main"))
    }

    @Test func wrongSecretIsUnauthorized() {
        let github = WebhookPayloads.github()
        guard case .unauthorized = judge(WebhookPayloads.githubHeaders(github, secret: "other"), github) else {
            Issue.record("a GitHub signature made with another secret was accepted"); return
        }
        let gitea = WebhookPayloads.gitea()
        guard case .unauthorized = judge(WebhookPayloads.giteaHeaders(gitea, secret: "other"), gitea) else {
            Issue.record("a Gitea signature made with another secret was accepted"); return
        }
        guard case .unauthorized = judge(WebhookPayloads.gitlabHeaders(token: "other"), WebhookPayloads.gitlab()) else {
            Issue.record("a wrong GitLab token was accepted"); return
        }
    }

    @Test func missingSignatureIsUnauthorized() {
        guard case .unauthorized = judge(["X-GitHub-Event": "push"], WebhookPayloads.github()) else {
            Issue.record("a push without signature was accepted"); return
        }
    }

    @Test func replayedSignatureOnAnotherBodyIsUnauthorized() {
        let original = WebhookPayloads.github(after: "1111111111111111111111111111111111111111")
        let forged = WebhookPayloads.github(after: "2222222222222222222222222222222222222222")
        let headers = WebhookPayloads.githubHeaders(original, secret: secret)
        #expect(judge(headers, original) == .wake(branch: "main"))
        guard case .unauthorized = judge(headers, forged) else {
            Issue.record("a signature was accepted for a body it was not made for"); return
        }
    }

    @Test func malformedSignaturesAreUnauthorized() {
        let body = WebhookPayloads.github()
        for value in ["", "sha256=", "sha256=zz", "sha1=" + WebhookPayloads.hmac(body, secret: secret),
                      WebhookPayloads.hmac(body, secret: secret)] {
            var headers = WebhookPayloads.githubHeaders(body, secret: secret)
            headers["X-Hub-Signature-256"] = value
            guard case .unauthorized = judge(headers, body) else {
                Issue.record("signature '\(value)' was accepted"); return
            }
        }
    }

    @Test(arguments: ["refs/tags/v1.2.0", "refs/heads/feature/login", "refs/heads/mainline"])
    func otherRefsAreIgnored(ref: String) {
        let github = WebhookPayloads.github(ref: ref)
        guard case .ignore = judge(WebhookPayloads.githubHeaders(github, secret: secret), github) else {
            Issue.record("GitHub push to \(ref) was not ignored"); return
        }
        let gitlab = WebhookPayloads.gitlab(ref: ref)
        guard case .ignore = judge(WebhookPayloads.gitlabHeaders(token: secret, event: "Tag Push Hook"), gitlab) else {
            Issue.record("GitLab event for \(ref) was not ignored"); return
        }
    }

    @Test func otherEventsAreIgnored() {
        let body = "{\"zen\": \"Keep it logically awesome.\", \"hook_id\": 1}"
        guard case .ignore = judge(WebhookPayloads.githubHeaders(body, secret: secret, event: "ping"), body) else {
            Issue.record("a ping was not ignored"); return
        }
        let gitea = WebhookPayloads.gitea()
        guard case .ignore = judge(WebhookPayloads.giteaHeaders(gitea, secret: secret, event: "create"), gitea) else {
            Issue.record("a Gitea create event was not ignored"); return
        }
    }

    @Test func authenticButUnreadablePayloadIsMalformed() {
        let body = "not json"
        guard case .malformed = judge(WebhookPayloads.githubHeaders(body, secret: secret), body) else {
            Issue.record("an unreadable payload was not refused"); return
        }
    }

    @Test func secretsNeverPrint() {
        let secret = Secret("hunter2")!
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(secret.matches(Array("hunter2".utf8)))
        #expect(!secret.matches(Array("hunter".utf8)))
        #expect(!secret.matches(Array("hunter22".utf8)))
    }

    @Test func listenAddresses() {
        #expect(ListenAddress(parsing: "127.0.0.1:8080") == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(ListenAddress(parsing: "[::1]:9000")?.isLoopback == true)
        #expect(ListenAddress(parsing: ":8080")?.isLoopback == false)
        #expect(ListenAddress(parsing: "0.0.0.0:8080")?.isLoopback == false)
        #expect(ListenAddress(parsing: "localhost") == nil)
    }
}
