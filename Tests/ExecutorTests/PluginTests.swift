import Foundation
import Specs
import TestSupport
import Testing
@testable import Executor

@Suite struct PluginTests {
    /// The example plugins shipped in this repository.
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("workflows/plugins").path

    static let admin = """
        stepTypes:
          manifest-render: {command: [./plugins/manifest-render], timeout: 30s}
          port-check: {command: [./plugins/port-check]}
          bad-json: {command: [./plugins/bad-json]}
          crashes: {command: [./plugins/crashes]}
          echo-input: {command: [./plugins/echo-input]}
          hangs: {command: [./plugins/hangs], timeout: 300ms}
        """

    func sandbox() throws -> Sandbox {
        let sandbox = try Sandbox()
        for name in ["manifest-render", "port-check"] {
            try sandbox.write("plugins/\(name)", try String(contentsOfFile: "\(Self.shipped)/\(name)", encoding: .utf8), executable: true)
        }
        try sandbox.write("plugins/bad-json", "#!/bin/sh\ncat > /dev/null\necho 'this is not json'\n", executable: true)
        try sandbox.write("plugins/crashes", "#!/bin/sh\ncat > /dev/null\necho 'cannot reach the vault' >&2\nexit 4\n", executable: true)
        try sandbox.write("plugins/hangs", "#!/bin/sh\nsleep 30 &\necho $! > \"$(dirname \"$0\")/../hangs.pid\"\nwait\n",
                          executable: true)
        try sandbox.write("plugins/echo-input", "#!/bin/sh\ncat > \"$(dirname \"$0\")/../input.json\"\necho '{\"ok\": true, \"n\": 3}'\n",
                          executable: true)
        return sandbox
    }

    @Test func manifestRenderWritesAManifestAndAnswersWithOutputs() async throws {
        let sandbox = try sandbox()
        let out = sandbox.path("out")
        let workflow = try Sandbox.workflow("""
            - name: render
              type: manifest-render
              config: {image: "ghcr.io/acme/${app.name}:1", replicas: 2, outputDir: \(out)}
            - {name: check, run: "test -f '${steps.render.outputs.path}' && grep -q acme/demo:1 '${steps.render.outputs.path}'"}
            """)
        let outcome = await sandbox.run(workflow, admin: try Sandbox.admin(Self.admin))
        #expect(outcome.result == .succeeded, "\(outcome)")
        let render = try #require(outcome.step("render"))
        #expect(render.outputs["path"] == "\(out)/demo-deployment.json")
        #expect(render.outputs["replicas"] == "2")
        #expect(render.outputs["digest"]?.count == 64)
        #expect(render.log.contains { $0.contains("wrote") })
    }

    @Test func portCheckFindsAnOpenPortAndFailsOnAClosedOne() async throws {
        let sandbox = try sandbox()
        let listener = try SilentServer()
        let workflow = try Sandbox.workflow("""
            - {name: open, type: port-check, config: {port: \(listener.port), attempts: 2, interval: 0.1}}
            - {name: closed, type: port-check, config: {port: 1, attempts: 2, interval: 0.1}}
            """)
        let outcome = await sandbox.run(workflow, admin: try Sandbox.admin(Self.admin))
        #expect(outcome.step("open")?.result == .succeeded)
        #expect(outcome.step("open")?.outputs["address"] == "127.0.0.1:\(listener.port)")
        #expect(outcome.step("closed")?.result == .failed)
        #expect(outcome.step("closed")?.log.contains { $0.contains("refused") } == true)
    }

    @Test func thePluginReceivesConfigContextAndEarlierOutputs() async throws {
        let sandbox = try sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: first, run: "echo x=1 >> $INNOMINATUS_OUTPUT"}
            - {name: plug, type: echo-input, env: {MODE: fast}, config: {team: "${metadata.team}", list: [1, two]}}
            """)
        let outcome = await sandbox.run(workflow, admin: try Sandbox.admin(Self.admin))
        #expect(outcome.result == .succeeded)
        #expect(outcome.step("plug")?.outputs == ["ok": "true", "n": "3"])
        let input = try JSONSerialization.jsonObject(with: Data(sandbox.read("input.json").utf8)) as? [String: Any]
        #expect((input?["config"] as? [String: Any])?["team"] as? String == "payments")
        #expect((input?["context"] as? [String: Any])?["app"] as? String == "demo")
        #expect((input?["context"] as? [String: Any])?["tier"] as? String == "application")
        #expect(((input?["outputs"] as? [String: Any])?["first"] as? [String: String])?["x"] == "1")
        #expect((input?["env"] as? [String: String])?["MODE"] == "fast")
    }

    @Test func badJSONFailsTheStepWithAClearMessage() async throws {
        let sandbox = try sandbox()
        let outcome = await sandbox.run(try Sandbox.workflow("- {name: p, type: bad-json}"), admin: try Sandbox.admin(Self.admin))
        let step = try #require(outcome.step("p"))
        #expect(step.result == .failed)
        #expect(step.exitCode == 0)
        #expect(step.message?.contains("did not answer with a JSON object") == true)
        #expect(step.message?.contains("this is not json") == true)
    }

    @Test func aNonZeroExitFailsTheStepWithItsStderr() async throws {
        let sandbox = try sandbox()
        let outcome = await sandbox.run(try Sandbox.workflow("- {name: p, type: crashes}"), admin: try Sandbox.admin(Self.admin))
        let step = try #require(outcome.step("p"))
        #expect(step.result == .failed)
        #expect(step.exitCode == 4)
        #expect(step.message?.contains("exited with status 4") == true)
        #expect(step.log == ["cannot reach the vault"])
    }

    @Test func theStepTypesTimeoutKillsThePluginsProcessGroup() async throws {
        let sandbox = try sandbox()
        let outcome = await sandbox.run(try Sandbox.workflow("- {name: p, type: hangs}"), admin: try Sandbox.admin(Self.admin))
        #expect(outcome.step("p")?.result == .timedOut)
        let sleeper = try #require(Int32(sandbox.read("hangs.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { processIsGone(sleeper) })
    }

    @Test func anUnknownTypeInALaterWorkflowStopsTheWholeAppBeforeAnythingRuns() async throws {
        let sandbox = try sandbox()
        let workflows = [
            try Sandbox.workflow("- {name: first, run: \"touch \(sandbox.path("ran"))\"}", name: "early",
                                 kind: "PlatformWorkflow", phase: "pre-deployment"),
            try Sandbox.workflow("- {name: scan, type: security}", name: "late", phase: "post-deployment"),
        ]
        let outcome = await sandbox.executor(admin: try Sandbox.admin(Self.admin)).run(app: sandbox.app, workflows: workflows)
        #expect(outcome.result == .failed)
        #expect(outcome.workflows.allSatisfy { $0.message?.contains("unknown step type 'security'") == true })
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("ran")))
    }

    @Test func anUnknownTypeIsAnErrorBeforeAnythingRuns() async throws {
        let sandbox = try sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: first, run: "touch \(sandbox.path("ran"))"}
            - {name: scan, type: security, config: {scanner: trivy}}
            """)
        let executor = sandbox.executor(admin: try Sandbox.admin(Self.admin))
        let problems = executor.check([workflow], repositoryRoot: sandbox.root)
        #expect(problems.map(\.code) == [.unknownStepType])
        #expect(problems.first?.message.contains("'security'") == true)
        let outcome = await executor.run(workflow, app: sandbox.app)
        #expect(outcome.result == .failed)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("ran")))
    }

    @Test func aPluginOutsideTheRepositoryIsRefused() throws {
        let sandbox = try sandbox()
        // A symlink in the repository that leads out of it.
        try FileManager.default.createSymbolicLink(atPath: sandbox.path("plugins/escape"), withDestinationPath: "/bin/true")
        let admin = try Sandbox.admin("stepTypes:\n  escape: {command: [./plugins/escape]}")
        let workflow = try Sandbox.workflow("- {name: p, type: escape}")
        #expect(Executor(admin: admin).check([workflow], repositoryRoot: sandbox.root).map(\.code) == [.path])
    }
}
