import Foundation
import Specs
import Testing
@testable import Executor

@Suite struct TimeoutTests {
    @Test func aStepTimeoutKillsTheWholeProcessGroup() async throws {
        let sandbox = try Sandbox()
        let pids = sandbox.path("pids")
        // A background sleeper (a grandchild) that ignores SIGTERM, and the script waiting for it.
        let workflow = try Sandbox.workflow("""
            - name: slow
              timeout: 1s
              run: |
                echo $$ >> \(pids)
                sh -c 'trap "" TERM; sleep 30' &
                echo $! >> \(pids)
                wait
            - {name: after, when: always, run: "true"}
            """)
        let outcome = await sandbox.run(workflow)
        let slow = try #require(outcome.step("slow"))
        #expect(slow.result == .timedOut)
        #expect(slow.message?.contains("timed out") == true)
        #expect(outcome.result == .failed)
        #expect(outcome.step("after")?.result == .succeeded)
        let recorded = sandbox.lines("pids").compactMap { Int32($0) }
        #expect(recorded.count == 2)
        for pid in recorded { #expect(await eventually { processIsGone(pid) }, "process \(pid) of the step survived") }
    }

    @Test func theWorkflowTimeoutCapsItsSteps() async throws {
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: slow, timeout: 1h, run: "sleep 30"}
            - {name: next, run: "true"}
            """, timeout: "400ms")
        let outcome = await sandbox.run(workflow)
        #expect(outcome.step("slow")?.result == .timedOut)
        #expect(outcome.step("next")?.result == .skipped)
        #expect(outcome.result == .failed)
    }

    @Test func maxWorkflowDurationCapsTheWorkflowTimeout() throws {
        let admin = try Sandbox.admin("maxWorkflowDuration: 2m")
        let long = try Sandbox.workflow("- {name: s, run: \"true\"}", timeout: "1h")
        let short = try Sandbox.workflow("- {name: s, run: \"true\"}", timeout: "30s")
        let executor = Executor(admin: admin)
        #expect(executor.timeout(of: long) == .seconds(120))
        #expect(executor.timeout(of: short) == .seconds(30))
    }

    @Test func cancellationStopsARunningStep() async throws {
        let sandbox = try Sandbox()
        let pids = sandbox.path("pids")
        let workflow = try Sandbox.workflow("""
            - name: slow
              run: |
                sleep 30 &
                echo $! >> \(pids)
                wait
            - {name: next, run: "true"}
            """)
        let executor = sandbox.executor()
        let app = sandbox.app
        let task = Task { await executor.run(workflow, app: app) }
        #expect(await eventually { sandbox.lines("pids").count == 1 })
        task.cancel()
        let outcome = await task.value
        #expect(outcome.result == .interrupted)
        #expect(outcome.step("slow")?.result == .cancelled)
        #expect(outcome.step("next")?.result == .skipped)
        let sleeper = try #require(sandbox.lines("pids").first.flatMap { Int32($0) })
        #expect(await eventually { processIsGone(sleeper) })
    }

    @Test func aBackgroundProcessDoesNotOutliveItsStep() async throws {
        let sandbox = try Sandbox()
        let pids = sandbox.path("pids")
        let workflow = try Sandbox.workflow("- {name: leaves, run: \"sleep 30 & echo $! >> \(pids)\"}")
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded)
        let sleeper = try #require(sandbox.lines("pids").first.flatMap { Int32($0) })
        #expect(await eventually { processIsGone(sleeper) })
    }
}
