import Foundation
import Specs
import Testing
@testable import Executor

@Suite(.serialized) struct EnvironmentTests {
    @Test func theReconcilersEnvironmentNeverReachesAStep() async throws {
        setenv("INNOMINATUS_GIT_TOKEN", "ghp_reconciler_token", 1)
        setenv("SSH_AUTH_SOCK", "/tmp/agent.sock", 1)
        defer { unsetenv("INNOMINATUS_GIT_TOKEN"); unsetenv("SSH_AUTH_SOCK") }
        let sandbox = try Sandbox()
        let dump = sandbox.path("env")
        let workflow = try Sandbox.workflow("""
            - {name: first, run: "echo k=v >> $INNOMINATUS_OUTPUT"}
            - {name: dump, env: {DECLARED: hello}, run: "env > \(dump)"}
            """)
        // Default settings: the executor reads this very process's environment.
        let executor = Executor(settings: ExecutorSettings(logDirectory: sandbox.path("logs")))
        let outcome = await executor.run(workflow, app: sandbox.app)
        #expect(outcome.result == .succeeded)
        let names = Set(sandbox.lines("env").compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        // sh itself adds PWD (and may add SHLVL, _, OLDPWD).
        let allowed: Set = ["APP_NAME", "PRODUCT", "SCORE_FILE", "SCORE_JSON", "COMMIT", "TIER", "PHASE", "INNOMINATUS_OUTPUT", "PATH", "TMPDIR",
                            "DECLARED", "STEP_FIRST_K", "PWD", "SHLVL", "_", "OLDPWD"]
        #expect(names.subtracting(allowed).isEmpty, "unexpected variables: \(names.subtracting(allowed))")
        #expect(names.isSuperset(of: ["APP_NAME", "PRODUCT", "SCORE_FILE", "SCORE_JSON", "COMMIT", "TIER", "PHASE", "INNOMINATUS_OUTPUT",
                                      "PATH", "DECLARED", "STEP_FIRST_K"]))
        #expect(!sandbox.read("env").contains("ghp_reconciler_token"))
        #expect(sandbox.lines("env").contains("TIER=application"))
        #expect(sandbox.lines("env").contains("APP_NAME=demo"))
    }

    @Test func fromEnvReadsOnlyWhatTheAdminConfigAllowsForTheTier() async throws {
        let sandbox = try Sandbox()
        let admin = try Sandbox.admin("secretEnv:\n  application: [DEPLOY_TOKEN]")
        let host = ["DEPLOY_TOKEN": "tok-123456", "OTHER_TOKEN": "nope-123456", "PATH": "/usr/bin:/bin"]
        let allowed = try Sandbox.workflow("- {name: s, env: {T: {fromEnv: DEPLOY_TOKEN}}, run: \"test \\\"$T\\\" = tok-123456\"}")
        let ok = await sandbox.executor(admin: admin, environment: host).run(allowed, app: sandbox.app)
        #expect(ok.result == .succeeded)

        let denied = try Sandbox.workflow("- {name: s, env: {T: {fromEnv: OTHER_TOKEN}}, run: \"echo ran > \(sandbox.path("ran"))\"}")
        let refused = await sandbox.executor(admin: admin, environment: host).run(denied, app: sandbox.app)
        #expect(refused.result == .failed)
        #expect(refused.message?.contains("OTHER_TOKEN") == true)
        #expect(refused.message?.contains("secretEnv") == true)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("ran")), "nothing may run when a fromEnv is refused")

        let platform = try Sandbox.workflow("- {name: s, env: {T: {fromEnv: DEPLOY_TOKEN}}, run: \"true\"}", kind: "PlatformWorkflow")
        let otherTier = await sandbox.executor(admin: admin, environment: host).run(platform, app: sandbox.app)
        #expect(otherTier.result == .failed)
    }

    @Test func anUnsetFromEnvVariableIsAnErrorBeforeAnythingRuns() async throws {
        let sandbox = try Sandbox()
        let admin = try Sandbox.admin("secretEnv:\n  application: [MISSING_TOKEN]")
        let workflow = try Sandbox.workflow("""
            - {name: first, run: "touch \(sandbox.path("ran"))"}
            - {name: s, env: {T: {fromEnv: MISSING_TOKEN}}, run: "true"}
            """)
        let outcome = await sandbox.executor(admin: admin, environment: ["PATH": "/usr/bin:/bin"]).run(workflow, app: sandbox.app)
        #expect(outcome.result == .failed)
        #expect(outcome.message?.contains("MISSING_TOKEN") == true)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("ran")))
    }

    @Test func fromFileStaysInsideTheRepository() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("config/region", "eu-west-1\n")
        let inside = try Sandbox.workflow("- {name: s, env: {REGION: {fromFile: config/region}}, run: \"test \\\"$REGION\\\" = eu-west-1\"}")
        #expect(await sandbox.run(inside).result == .succeeded)
        try FileManager.default.createSymbolicLink(atPath: sandbox.path("config/passwd"), withDestinationPath: "/etc/passwd")
        let outside = try Sandbox.workflow("- {name: s, env: {X: {fromFile: config/passwd}}, run: \"true\"}")
        let refused = await sandbox.run(outside)
        #expect(refused.result == .failed)
        #expect(refused.message?.contains("outside the repository") == true)
    }
}
