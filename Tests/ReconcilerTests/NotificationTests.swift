import Foundation
import GitKit
import Testing
import TestSupport
@testable import Reconciler

/// `--notifications FILE` through the real binary against a real HTTP server on 127.0.0.1 that answers
/// as GitHub, Gitea and GitLab document their APIs (`FakeForge`).
@Suite struct NotificationTests {
    static let token = "ghp-secret-token-0123456789"

    /// The secrets of a run, each of which must never appear in an output, a note or the workdir's files.
    static func secrets(_ forge: FakeForge) -> [String] { [token, forge.secret, "slack-secret-path"] }

    static func environment(_ forge: FakeForge) -> [String: String] {
        ["TEST_FORGE_TOKEN": token, "TEST_SLACK_URL": forge.base + "/slack?slack-secret-path", "TEST_HOOK_SECRET": forge.secret]
    }

    static func writeConfig(_ text: String, in fixture: LoopFixture) throws -> String {
        let path = fixture.git.root.appending("notifications.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func reconcile(_ fixture: LoopFixture, config: String, forge: FakeForge) throws -> Shell.Result {
        try Shell.execute([GitFixture.helper.executable, "reconcile", "--repo", fixture.git.remote, "--workdir", fixture.workdir,
                           "--state-key", fixture.git.stateKeyFile, "--notifications", config],
                          environment: environment(forge))
    }

    /// Fails when any secret appears in `texts`.
    static func expectNoSecret(in texts: [String], _ forge: FakeForge, sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            for secret in secrets(forge) where text.contains(secret) {
                Issue.record("a secret reached an output: \(secret)", sourceLocation: sourceLocation)
            }
        }
    }

    /// The workdir's notification files (the dedupe record, the outbox) as text.
    static func notificationFiles(_ fixture: LoopFixture) -> [String] {
        let folder = fixture.workdir + "/notifications"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }
    }

    @Test func aPassPostsItsStatusAndEventsAndTheSameEventIsNotSentTwiceAcrossProcesses() async throws {
        let forge = try FakeForge()
        let fixture = try LoopFixture()
        let config = try Self.writeConfig("""
            forge:
              kind: github
              apiURL: \(forge.base)/gh/
              repository: acme/platform
              tokenEnv: TEST_FORGE_TOKEN
            sinks:
              - name: platform-team
                kind: slack
                urlEnv: TEST_SLACK_URL
                events: [blocked, failed, stalled, recovered]
              - name: audit
                kind: webhook
                url: \(forge.base)/hook
                secretEnv: TEST_HOOK_SECRET
                events: [succeeded, failed, blocked, stalled, recovered, delivered]
            dedupe: 5m
            """, in: fixture)
        // checkout's own deploy fails; an unapproved product workflow is blocked for ecommerce's two apps.
        let head = try fixture.change([
            "apps/checkout/workflows/deploy.yaml": fixture.workflow("Workflow", "deploy", extra: "exit 3"),
            "workflows/products/ecommerce/cache-warm.yaml": fixture.workflow("ProductWorkflow", "cache-warm", product: "ecommerce"),
        ])
        let first = try Self.reconcile(fixture, config: config, forge: forge)
        #expect(first.status == 1, "a pair failed: \(first.stdout)\(first.stderr)")

        let statuses = try forge.requests(to: "/gh/repos/acme/platform/statuses/")
        #expect(statuses.map(\.path) == Array(repeating: "/gh/repos/acme/platform/statuses/\(head)", count: 2))
        #expect(statuses.map { $0.json["state"] as? String } == ["pending", "failure"])
        #expect(statuses.allSatisfy { $0.json["context"] as? String == "innominatus" && $0.authorization == "Bearer \(Self.token)" })
        let description = statuses.last?.json["description"] as? String ?? ""
        #expect(description.contains("1 failed") && description.contains("1 workflow blocked") && description.count < 140, "\(description)")

        let slack = try forge.requests(to: "/slack")
        let texts = slack.compactMap { $0.json["text"] as? String }.sorted()
        #expect(texts.count == 2, "\(texts)")
        #expect(texts.first?.hasPrefix("Blocked: ecommerce/cache-warm (2 apps)") == true, "\(texts)")
        #expect(texts.last?.hasPrefix("Failed: checkout application tier deploy, step go") == true, "\(texts)")
        #expect(slack.allSatisfy { ($0.json["blocks"] as? [Any])?.isEmpty == false })

        let hooks = try forge.requests(to: "/hook")
        #expect(hooks.allSatisfy { $0.signatureValid == true }, "every webhook body is signed with the secret")
        let byEvent = Dictionary(grouping: hooks.map(\.json)) { $0["event"] as? String ?? "" }
        #expect(Set(byEvent.keys) == ["blocked", "failed", "delivered"], "\(byEvent.keys)")
        #expect(byEvent["delivered"]?.first?["branch"] as? String == "env/main")
        let failed = try #require(byEvent["failed"]?.first)
        #expect(failed["commit"] as? String == head && failed["app"] as? String == "checkout")
        #expect(failed["tier"] as? String == "application" && failed["workflow"] as? String == "deploy")
        #expect((failed["time"] as? String)?.hasSuffix("Z") == true && failed["reason"] is String)
        let blocked = try #require(byEvent["blocked"]?.first)
        #expect(blocked["approve"] as? String == "innominatus approve ecommerce/cache-warm")
        #expect((blocked["digest"] as? String)?.hasPrefix("sha256:") == true)

        // A second process on the same workdir, a new commit that changes nothing of the blocked
        // workflow: the failure (of a new commit) is news, the same blocked workflow within 5m is not.
        let second = try fixture.change(["README.md": "# platform, edited\n"])
        let again = try Self.reconcile(fixture, config: config, forge: forge)
        #expect(again.status == 1)
        let later = try forge.requests(to: "/hook").map(\.json)
        #expect(later.filter { $0["event"] as? String == "blocked" }.count == 1, "deduplicated across processes")
        #expect(later.filter { $0["event"] as? String == "failed" }.compactMap { $0["commit"] as? String } == [head, second])
        #expect(try forge.requests(to: "/gh/repos/acme/platform/statuses/\(second)").count == 2)

        // The deploy fixed: the pair recovered, the pass succeeded, the commit's status is a success.
        let fixed = try fixture.change(["apps/checkout/workflows/deploy.yaml": fixture.workflow("Workflow", "deploy")])
        let third = try Self.reconcile(fixture, config: config, forge: forge)
        #expect(third.status == 0, "\(third.stderr)")
        let news = try forge.requests(to: "/hook").map(\.json).filter { $0["commit"] as? String == fixed }
        #expect(Set(news.compactMap { $0["event"] as? String }) == ["recovered", "succeeded", "delivered"], "\(news)")
        #expect(news.first { $0["event"] as? String == "recovered" }?["app"] as? String == "checkout")
        #expect(try forge.requests(to: "/slack").compactMap { $0.json["text"] as? String }.contains("Recovered: checkout application tier"))
        #expect(try forge.requests(to: "/gh/repos/acme/platform/statuses/\(fixed)").last?.json["state"] as? String == "success")

        let note = try fixture.git.remoteGit("notes", "--ref=innominatus", "show", second)
        Self.expectNoSecret(in: [first.stdout, first.stderr, again.stdout, again.stderr, third.stdout, third.stderr, note]
            + Self.notificationFiles(fixture), forge)
    }

    @Test func aSinkAnswering500IsRetriedAndOneThatNeverAnswersDoesNotHoldThePass() async throws {
        let forge = try FakeForge()
        let fixture = try LoopFixture()
        let config = try Self.writeConfig("""
            sinks:
              - {name: flaky, kind: webhook, url: "\(forge.base)/flaky", secretEnv: TEST_HOOK_SECRET, events: [succeeded]}
              - {name: stuck, kind: webhook, url: "\(forge.base)/hang", secretEnv: TEST_HOOK_SECRET, events: [succeeded]}
            """, in: fixture)
        let result = try Self.reconcile(fixture, config: config, forge: forge)
        #expect(result.status == 0, "the sinks never fail the pass: \(result.stderr)")
        #expect(try fixture.status(of: fixture.git.git("rev-parse", "HEAD"))?.result == .succeeded)
        #expect(try forge.requests(to: "/flaky").count == 2, "a 500, then delivered on the second try")
        #expect(try forge.requests(to: "/hang").count == Notifier.tries)
        #expect(result.stderr.contains("to=\"sink 'stuck'\"") && result.stderr.contains("reason=\"no answer within"), "\(result.stderr)")
        #expect(!result.stderr.contains("/hang"), "a sink's URL is never logged")
        // What never got through waits in the outbox for the next pass.
        let outbox = try String(contentsOfFile: fixture.workdir + "/notifications/outbox.json", encoding: .utf8)
        #expect(outbox.contains("\"stuck\"") && !outbox.contains("\"flaky\""), "\(outbox)")
        Self.expectNoSecret(in: [result.stdout, result.stderr] + Self.notificationFiles(fixture), forge)

        // The next pass sends it first, to the sink as the file names it now (here: fixed to answer).
        let first = try fixture.git.git("rev-parse", "HEAD")
        _ = try Self.writeConfig("""
            sinks:
              - {name: stuck, kind: webhook, url: "\(forge.base)/hook", secretEnv: TEST_HOOK_SECRET, events: [succeeded]}
            """, in: fixture)
        let next = try fixture.change(["apps/cart/score.yaml": LoopFixture.score("cart", product: nil)])
        #expect(try Self.reconcile(fixture, config: config, forge: forge).status == 0)
        let delivered = try forge.requests(to: "/hook").compactMap { $0.json["commit"] as? String }
        #expect(Set(delivered) == [first, next] && delivered.count == 2, "the kept event and this pass's: \(delivered)")
        #expect(try String(contentsOfFile: fixture.workdir + "/notifications/outbox.json", encoding: .utf8) == "[]")
    }

    @Test func aPreviewPostsOneCommentAndEditsItLaterAndItsOwnStatus() async throws {
        let forge = try FakeForge()
        let fixture = try LoopFixture()
        #expect(await fixture.reconcile().exitCode == 0)
        let config = try Self.writeConfig("""
            forge: {kind: gitea, apiURL: "\(forge.base)/gitea", repository: acme/platform, tokenEnv: TEST_FORGE_TOKEN}
            """, in: fixture)
        let head = try fixture.git.commit([
            "workflows/products/ecommerce/cache-warm.yaml": fixture.workflow("ProductWorkflow", "cache-warm", product: "ecommerce"),
        ], message: "the pull request")
        try fixture.git.git("push", "-q", "origin", "HEAD:refs/pull/7/head")
        let arguments = [GitFixture.helper.executable, "preview", "--repo", fixture.git.remote, "--workdir", fixture.workdir,
                         "--state-key", fixture.git.stateKeyFile, "--ref", "refs/pull/7/head", "--notifications", config, "--pr", "7"]
        // Only a blocked workflow: nothing would run (exit 0), and the preview's status is a failure.
        let first = try Shell.execute(arguments, environment: Self.environment(forge))
        #expect(first.status == 0, "\(first.stderr)")
        let second = try Shell.execute(arguments, environment: Self.environment(forge))
        #expect(second.status == 0)

        let comments = try forge.requests(to: "/gitea/repos/acme/platform/issues/")
        #expect(comments.map(\.method) == ["GET", "POST", "GET", "PATCH"], "\(comments.map { "\($0.method) \($0.path)" })")
        #expect(comments.last?.path == "/gitea/repos/acme/platform/issues/comments/1001")
        let body = comments.last?.json["body"] as? String ?? ""
        #expect(body.hasPrefix(ForgeAPI.commentMarker) && body.contains("innominatus approve ecommerce/cache-warm"), "\(body)")
        let statuses = try forge.requests(to: "/gitea/repos/acme/platform/statuses/\(head)")
        #expect(statuses.count == 2)
        #expect(statuses.allSatisfy { $0.json["context"] as? String == "innominatus/preview" && $0.json["state"] as? String == "failure" })
        #expect(statuses.allSatisfy { $0.authorization == "Bearer \(Self.token)" })
        Self.expectNoSecret(in: [first.stdout, first.stderr, second.stdout, second.stderr], forge)
    }

    @Test func gitLabGetsItsOwnRoutesStatesAndTokenHeader() async throws {
        let forge = try FakeForge()
        let fixture = try LoopFixture()
        let config = try Self.writeConfig("""
            forge: {kind: gitlab, apiURL: "\(forge.base)/gitlab/api/v4", repository: acme/platform, tokenEnv: TEST_FORGE_TOKEN}
            """, in: fixture)
        let result = try Self.reconcile(fixture, config: config, forge: forge)
        #expect(result.status == 0, "\(result.stderr)")
        let head = try fixture.git.git("rev-parse", "HEAD")
        let statuses = try forge.requests(to: "/gitlab/")
        #expect(statuses.map(\.path) == Array(repeating: "/gitlab/api/v4/projects/acme%2Fplatform/statuses/\(head)", count: 2))
        #expect(statuses.map { $0.json["state"] as? String } == ["running", "success"])
        #expect(statuses.allSatisfy { $0.json["name"] as? String == "innominatus" && $0.privateToken == Self.token && $0.authorization == nil })
    }

    @Test func aBadFileOrAnUnsetVariableStopsTheCommandBeforeAnythingRuns() async throws {
        let forge = try FakeForge()
        let fixture = try LoopFixture()
        let bad = try Self.writeConfig("""
            forge: {kind: bitbucket, apiURL: "\(forge.base)", repository: acme/platform, tokenEnv: TEST_FORGE_TOKEN}
            sinks:
              - {name: audit, kind: webhook, url: "\(forge.base)/hook", events: [failed, exploded]}
            """, in: fixture)
        let refused = try Self.reconcile(fixture, config: bad, forge: forge)
        #expect(refused.status == 2, "a usage error: \(refused.stderr)")
        #expect(refused.stderr.contains("notifications.yaml:1:15: error: forge.kind: 'bitbucket' is not one of github, gitea, gitlab"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains("notifications.yaml:3:5: error: sinks[0]: a webhook sink needs 'secretEnv'"), "\(refused.stderr)")
        #expect(refused.stderr.contains("sinks[0].events[1]: 'exploded' is not one of"), "\(refused.stderr)")
        let unset = try Self.writeConfig("""
            forge: {kind: github, apiURL: "\(forge.base)/gh", repository: acme/platform, tokenEnv: TEST_UNSET_TOKEN}
            """, in: fixture)
        let missing = try Self.reconcile(fixture, config: unset, forge: forge)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("the environment variable TEST_UNSET_TOKEN is not set"), "\(missing.stderr)")
        #expect(try fixture.events().isEmpty, "nothing ran")
        #expect(try forge.requests().isEmpty)
    }
}
