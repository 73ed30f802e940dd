import Foundation
import GitKit
import TestSupport
import Testing

/// Planted secrets — a `fromEnv` value, a `secret: true` inline value, a provisioner's generated password,
/// a step's secret output — must not appear in any byte innominatus produces: the notes and every other
/// object it pushed, the environment branch, its logs (files and stderr), every API answer, every status
/// page and `/metrics`.
/// The reconciler's own tokens must not reach a step's environment.
@Suite struct SecretLeakTests {
    static let fromEnvSecret = "planted-fromenv-7f3a9c1e"
    static let inlineSecret = "planted-inline-2b8d4e6f"
    static let gitToken = "planted-git-token-91c0ab"
    static let apiToken = "planted-api-token-5d72ee"

    static let adminConfig = """
        workflowPolicies:
          secretEnv:
            platform: [PLANTED_SECRET]
          retry: {base: 1ms, cap: 1ms, attempts: 2}

        """

    /// Prints every secret it has, hands one on as an output, and dumps its environment to a file.
    static func leakyWorkflow(envDump: String) -> String {
        """
        apiVersion: workflow.dev/v1
        kind: PlatformWorkflow
        metadata: {name: leaky, phase: pre-deployment}
        spec:
          steps:
            - name: shout
              type: shell
              env:
                TOKEN: {fromEnv: PLANTED_SECRET, secret: true}
                INLINE: {value: \(inlineSecret), secret: true}
              run: 'echo "token=$TOKEN inline=$INLINE"; echo "token=$TOKEN" >> "$INNOMINATUS_OUTPUT"; env > \(envDump)-$APP_NAME'
            - name: fail-loudly
              type: shell
              when: on_success
              run: 'if [ "$APP_NAME" = broken ]; then echo "failing with $STEP_SHOUT_TOKEN"; exit 3; fi'

        """
    }

    static let ownWorkflow = """
        apiVersion: workflow.dev/v1
        kind: Workflow
        metadata: {name: use-db, phase: post-deployment}
        spec:
          steps:
            - name: connect
              type: shell
              run: 'echo "connecting with ${resources.db.password} and ${resources.db.uri}"'

        """

    static func score(_ name: String) -> String {
        """
        apiVersion: score.dev/v1b1
        metadata: {name: \(name)}
        containers:
          main:
            image: ghcr.io/acme/\(name):1.0.0
            variables:
              DB_PASSWORD: ${resources.db.password}
        resources:
          db: {type: postgres}

        """
    }

    /// The text before the first occurrence of `secret`, to say where it leaked.
    static func context(of secret: String, in text: String) -> String {
        guard let range = text.range(of: secret) else { return "" }
        let start = text.index(range.lowerBound, offsetBy: -300, limitedBy: text.startIndex) ?? text.startIndex
        return String(text[start..<range.upperBound])
    }

    @Test func noPlantedSecretInAnyByteProduced() async throws {
        let repo = try GitFixture()
        let envDump = repo.root.appending("env-dump")
        try repo.commit([
            "policies/admin-config.yaml": Self.adminConfig,
            "workflows/platform/leaky.yaml": Self.leakyWorkflow(envDump: envDump),
            "apps/shop/score.yaml": Self.score("shop"),
            "apps/shop/workflows/use-db.yaml": Self.ownWorkflow,
            "apps/broken/score.yaml": Self.score("broken"),
        ], message: "apps with secrets")
        try repo.push()

        let port = try freeLocalPort()
        let workdir = repo.root.appending("workdir")
        let log = repo.root.appending("serve.log")
        let tokenFile = repo.root.appending("api-token")
        try Self.apiToken.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let serve = try Shell.start(["env", "PLANTED_SECRET=\(Self.fromEnvSecret)", "INNOMINATUS_GIT_TOKEN=\(Self.gitToken)",
                                     "INNOMINATUS_API_TOKEN=\(Self.apiToken)",
                                     GitFixture.helper.executable, "serve", "--repo", repo.remote, "--workdir", workdir,
                                     "--interval", "1h", "--listen", "127.0.0.1:\(port)", "--log-level", "debug"], log: log)
        defer { serve.stop() }
        try waitForPort(port, timeout: 60)
        let client = HTTPClient(base: "http://127.0.0.1:\(port)")
        let deadline = ContinuousClock.now + .seconds(120)
        var status = try await client.get("/api/v1/status")
        while status.status != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            status = try await client.get("/api/v1/status")
        }
        #expect(status.status == 200, "no status: \(status.text)")

        // Every API answer.
        var sources: [(String, String)] = [("GET /api/v1/status", status.text)]
        // And every status page (HTML), the app pages with their log tails included.
        for path in ["/api/v1/apps", "/api/v1/apps/shop", "/api/v1/apps/broken", "/api/v1/workflows", "/api/v1/plan", "/metrics",
                     "/healthz", "/readyz", "/api/v1/workflows/products", "/", "/apps/shop", "/apps/broken", "/workflows", "/history"] {
            sources.append(("GET " + path, try await client.get(path, headers: ["Authorization": "Bearer \(Self.apiToken)"]).text))
        }
        #expect(sources[1].1.contains("shop"))
        let brokenPage = try #require(sources.first { $0.0 == "GET /apps/broken" }).1
        #expect(brokenPage.contains("failing with ***"), "the app page shows the masked log tail")
        // Every object in the remote (notes, applied state, lease, the environment branch), as git stores them.
        let objects = try Shell.run(["sh", "-c", "git --git-dir '\(repo.remote)' cat-file --batch-all-objects --batch"])
        let notes = try Shell.run(["git", "--git-dir", repo.remote, "log", "--all", "--format=%H%n%N", "--notes=innominatus"])
        #expect(notes.contains("kind: ReconcileStatus"))
        let environmentBranch = try Shell.run(["git", "--git-dir", repo.remote, "log", "-p", "env/main"])
        let stateRefs = try Shell.run(["sh", "-c", "git --git-dir '\(repo.remote)' log -p --glob='refs/innominatus/*'"])
        #expect(try Shell.run(["git", "--git-dir", repo.remote, "ls-tree", "-r", "--name-only", "env/main"]).contains("shop/"))
        // Every log: the server's stdout and stderr, and the step logs under the workdir.
        serve.stop()
        let stepLogs = try Shell.run(["sh", "-c", "find '\(workdir)/logs' -type f -exec cat {} +"])
        #expect(stepLogs.contains("token=*** inline=***"))
        #expect(stepLogs.contains("failing with ***"))
        let serverLog = try String(contentsOfFile: log, encoding: .utf8)
        sources += [("notes", notes), ("env/main", environmentBranch), ("refs/innominatus/*", stateRefs), ("step logs", stepLogs),
                    ("server output", serverLog)]

        // The generated password is in the state store (0600) and nowhere else.
        let state = try String(contentsOfFile: workdir + "/resources/apps/shop.json", encoding: .utf8)
        let password = String(try #require(state.firstMatch(of: /"password": "([^"]+)"/)).1)
        for secret in [Self.fromEnvSecret, Self.inlineSecret, Self.gitToken, Self.apiToken, password] {
            // The inline value is committed in the repository by its author; every other one must not be in any object.
            for (name, text) in sources + (secret == Self.inlineSecret ? [] : [("remote objects", objects)]) {
                let leaked = text.contains(secret)
                #expect(!leaked, "\(secret) leaked into \(name): …\(Self.context(of: secret, in: text))")
            }
        }

        // Steps see what they declare, never the reconciler's own tokens.
        let environment = try String(contentsOfFile: envDump + "-shop", encoding: .utf8)
        #expect(environment.contains("TOKEN=\(Self.fromEnvSecret)"))
        #expect(!environment.contains(Self.gitToken))
        #expect(!environment.contains(Self.apiToken))
        #expect(!environment.contains("INNOMINATUS_GIT_TOKEN"))
    }
}
