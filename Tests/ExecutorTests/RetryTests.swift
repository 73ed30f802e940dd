import Foundation
import Specs
import Testing
@testable import Executor

@Suite struct RetryTests {
    @Test func retriesUntilTheStepSucceeds() async throws {
        let sandbox = try Sandbox()
        let counter = sandbox.path("count")
        let workflow = try Sandbox.workflow("""
            - name: flaky
              retries: 3
              run: |
                echo try >> \(counter)
                [ "$(wc -l < \(counter))" -ge 3 ]
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded)
        #expect(outcome.step("flaky")?.attempts == 3)
        #expect(sandbox.lines("count").count == 3)
        let log = sandbox.read("logs/application-wf/flaky.log")
        #expect(log.contains("retrying in 20ms"))
        #expect(log.contains("retrying in 40ms"))
    }

    @Test func givesUpAfterItsRetries() async throws {
        let sandbox = try Sandbox()
        let counter = sandbox.path("count")
        let workflow = try Sandbox.workflow("- {name: broken, retries: 2, run: \"echo try >> \(counter); exit 1\"}")
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .failed)
        #expect(outcome.step("broken")?.attempts == 3)
        #expect(sandbox.lines("count").count == 3)
    }

    @Test func backoffDoublesUpToTheCap() {
        let settings = ExecutorSettings(retryBackoff: .milliseconds(100), retryBackoffCap: .milliseconds(500))
        let runner = StepRunner(admin: .default, settings: settings, scratch: "/tmp", logDirectory: nil)
        #expect((1...5).map { runner.backoff(after: $0) } == [.milliseconds(100), .milliseconds(200), .milliseconds(400),
                                                              .milliseconds(500), .milliseconds(500)])
    }
}
