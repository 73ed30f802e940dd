import Specs
import Testing

/// The `--notifications FILE` contract: what a valid file gives, and each mistake at its file:line:column.
@Suite struct NotificationConfigTests {
    static func read(_ text: String) -> (config: NotificationConfig?, diagnostics: [SpecDiagnostic]) {
        NotificationConfig.read(Array(text.utf8), file: "notify.yaml")
    }

    @Test func theDocumentedFileReadsAsWritten() throws {
        let read = Self.read("""
            forge:
              kind: gitlab
              apiURL: https://gitlab.example.com/api/v4/
              repository: acme/platform
              tokenEnv: INNOMINATUS_FORGE_TOKEN
            sinks:
              - name: platform-team
                kind: slack
                urlEnv: SLACK_URL
                events: [blocked, failed, stalled, recovered]
              - name: audit
                kind: webhook
                url: https://audit.example.com/innominatus
                secretEnv: AUDIT_HOOK_SECRET
                events: [succeeded, failed, blocked, stalled, recovered, delivered]
            dedupe: 10m
            """)
        let config = try #require(read.config, "\(read.diagnostics)")
        #expect(config.forge == .init(kind: .gitlab, apiURL: "https://gitlab.example.com/api/v4", repository: "acme/platform",
                                      tokenEnv: "INNOMINATUS_FORGE_TOKEN"))
        #expect(config.sinks.map(\.name) == ["platform-team", "audit"])
        #expect(config.sinks[0].address == .environment("SLACK_URL") && config.sinks[0].events == [.blocked, .failed, .stalled, .recovered])
        #expect(config.sinks[1].address == .url("https://audit.example.com/innominatus") && config.sinks[1].secretEnv == "AUDIT_HOOK_SECRET")
        #expect(config.sinks[1].events == Set(NotificationConfig.Event.allCases))
        #expect(config.dedupe.milliseconds == 600_000)
        #expect(Self.read("sinks: [{name: a, kind: slack, url: 'http://127.0.0.1:1/x', events: [failed]}]").config?.dedupe.description == "5m")
    }

    @Test func eachMistakeIsAnErrorAtItsPosition() {
        let read = Self.read("""
            forge: {kind: github, apiURL: "ftp://x", repository: acme, tokenEnv: 1TOKEN}
            sinks:
              - {name: a, kind: slack, url: "https://user:pw@hooks.example.com/x", secretEnv: S, events: []}
              - {name: a, kind: webhook, url: "https://h.example.com", urlEnv: U, secretEnv: S, events: [failed]}
            dedupe: soon
            extra: 1
            """)
        #expect(read.config == nil)
        let messages = read.diagnostics.map(\.description)
        for expected in [
            "notify.yaml:1:31: error: forge.apiURL: 'ftp://x' is not an http:// or https:// URL",
            "notify.yaml:1:54: error: forge.repository: 'acme' is not OWNER/NAME",
            "notify.yaml:1:70: error: forge.tokenEnv: '1TOKEN' is not a valid environment variable name",
            "notify.yaml:3:33: error: sinks[0].url: holds credentials",
            "notify.yaml:3:83: error: sinks[0].secretEnv: Slack bodies are not signed",
            "notify.yaml:3:94: error: sinks[0].events: must name at least one event",
            "notify.yaml:4:5: error: sinks[1]: has both 'url' and 'urlEnv'",
            "notify.yaml:5:9: error: dedupe:",
            "notify.yaml:6:1: error: extra: unknown field 'extra'",
        ] {
            #expect(messages.contains { $0.hasPrefix(expected) }, "missing \(expected) in \(messages)")
        }
        let twice = Self.read("""
            sinks:
              - {name: a, kind: slack, urlEnv: A, events: [failed]}
              - {name: a, kind: slack, urlEnv: B, events: [failed]}
            """)
        #expect(twice.diagnostics.map(\.description) == ["notify.yaml:3:12: error: sinks[1].name: another sink is already named 'a'; give each sink its own name"])
        #expect(Self.read("dedupe: 1m").diagnostics.first?.message.contains("names neither a forge nor a sink") == true)
    }
}
