import Foundation
import Specs
import Testing
import TestSupport
@testable import Executor

/// `innominatus run`, the built binary, as a user runs it — and as a parent killed with SIGKILL.
@Suite struct CommandLineTests {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/innominatus").path

    func sandbox(steps: String) throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write("policies/admin-config.yaml", "workflowPolicies:\n  maxWorkflowDuration: 1m\n")
        let indented = steps.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        try sandbox.write("apps/demo/workflows/wf.yaml", """
            apiVersion: workflow.dev/v1
            kind: Workflow
            metadata: {name: wf}
            spec:
              steps:
            \(indented)
            """)
        return sandbox
    }

    func run(_ sandbox: Sandbox, _ extra: [String] = []) throws -> Shell.Result {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build the innominatus binary first")
        return try Shell.execute([Self.binary, "run", "apps/demo/workflows/wf.yaml", "--app", "apps/demo/score.yaml"] + extra,
                                 in: sandbox.root)
    }

    @Test func aSucceedingWorkflowExitsZeroAndReportsJSON() throws {
        let sandbox = try sandbox(steps: "- {name: hello, run: \"echo hi from $APP_NAME; echo greeting=hi >> $INNOMINATUS_OUTPUT\"}")
        let result = try run(sandbox, ["--output", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let outcome = try JSONDecoder().decode(WorkflowOutcome.self, from: Data(result.stdout.utf8))
        #expect(outcome.result == .succeeded)
        #expect(outcome.step("hello")?.outputs == ["greeting": "hi"])
        #expect(outcome.step("hello")?.log == ["hi from demo"])
        #expect(result.stderr.contains("started wf/hello"))
        #expect(result.stderr.contains("succeeded wf/hello"))
    }

    @Test func aFailingWorkflowExitsOne() throws {
        let sandbox = try sandbox(steps: "- {name: broken, run: \"echo oh no; exit 5\"}")
        let result = try run(sandbox)
        #expect(result.status == 1)
        #expect(result.stdout.contains("broken [shell]: failed, exit 5"))
        #expect(result.stdout.contains("| oh no"))
    }

    @Test func aBadOutputFormatIsAUsageError() throws {
        let sandbox = try sandbox(steps: "- {name: s, run: \"true\"}")
        #expect(try run(sandbox, ["--output", "yaml"]).status == 2)
    }

    @Test func anInvalidWorkflowExitsOneWithItsErrors() throws {
        let sandbox = try sandbox(steps: "- {name: s, run: \"true\", retries: many}")
        let result = try run(sandbox)
        #expect(result.status == 1)
        #expect(result.stderr.contains("wf.yaml:"))
    }

    @Test func dryRunPrintsResolvedStepsAndRunsNothing() throws {
        let sandbox = try sandbox(steps: """
            - {name: first, run: "touch ran; echo ${app.name}"}
            - {name: second, run: "echo ${steps.first.outputs.x}", retries: 2}
            """)
        let result = try run(sandbox, ["--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("echo demo"))
        #expect(result.stdout.contains("second [shell] after first retries 2"))
        #expect(result.stdout.contains("${steps.first.outputs.x}"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("ran")))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs GNU time"))
    func a100MBStepLogKeepsTheRunsMemoryBounded() throws {
        let sandbox = try sandbox(steps: """
            - name: loud
              run: |
                line=$(printf '%0999d' 0)
                yes "$line" | head -c 100000000
                echo the-end
            """)
        // GNU time's %M: the run's peak resident set in KiB, on the last line of stderr.
        let result = try Shell.execute(["/usr/bin/time", "-f", "%M", Self.binary, "run", "apps/demo/workflows/wf.yaml",
                                        "--app", "apps/demo/score.yaml"], in: sandbox.root)
        #expect(result.status == 0, "\(result.stderr)")
        let peakKiB = try #require(result.stderr.split(separator: "\n").last.flatMap { Int($0) })
        #expect(peakKiB < 100 * 1024, "the run peaked at \(peakKiB) KiB for a 100 MB log")
        #expect(result.stdout.contains("loud [shell]: succeeded"))
    }

    @Test(arguments: [SIGKILL, SIGTERM])
    func aStepDiesWithItsReconcilerEvenOnSIGKILL(signal: Int32) async throws {
        let sandbox = try sandbox(steps: """
            - name: sleeper
              run: |
                echo $$ >> pids
                sleep 600 &
                echo $! >> pids
                wait
            """)
        // Longer than the sandbox's 1m: on a loaded machine the polls below can take a minute, and the
        // workflow's own deadline must not be what stops the step.
        try sandbox.write("policies/admin-config.yaml", "workflowPolicies:\n  maxWorkflowDuration: 15m\n")
        // The checkout is the working directory, so the step writes `pids` into it.
        let parent = try Shell.start([Self.binary, "run", "apps/demo/workflows/wf.yaml", "--app", "apps/demo/score.yaml"],
                                     in: sandbox.root, log: sandbox.path("run.log"))
        #expect(await eventually { sandbox.lines("pids").count == 2 })
        let pids = sandbox.lines("pids").compactMap { Int32($0) }
        for pid in pids { #expect(!processIsGone(pid)) }
        kill(parent.pid, signal)
        parent.stop()
        for pid in pids { #expect(await eventually { processIsGone(pid) }, "step process \(pid) outlived its reconciler") }
    }
}
