import Foundation
import Specs
import Testing
@testable import Executor

@Suite struct ConditionTests {
    @Test func whenDecidesOnEarlierFailures() async throws {
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: ok, run: "true"}
            - {name: onFailureBeforeFailure, when: on_failure, run: "true"}
            - {name: broken, run: "exit 7"}
            - {name: onSuccess, run: "true"}
            - {name: onFailure, when: on_failure, run: "true"}
            - {name: always, when: always, run: "true"}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .failed)
        #expect(outcome.steps.map(\.result) == [.succeeded, .skipped, .failed, .skipped, .succeeded, .succeeded])
        #expect(outcome.step("broken")?.exitCode == 7)
        #expect(outcome.message?.contains("broken") == true)
    }

    @Test(arguments: [
        ("${app.product} == shop", true),
        ("${app.product} == 'other'", false),
        ("${app.name} != demo", false),
        ("${metadata.team} != marketing", true),
        ("${steps.first.outputs.flag}", true),
        ("${steps.first.outputs.off}", false),
    ])
    func ifComparesContextValues(condition: String, runs: Bool) async throws {
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: first, run: "echo flag=yes >> $INNOMINATUS_OUTPUT; echo off=false >> $INNOMINATUS_OUTPUT"}
            - {name: guarded, if: "\(condition)", run: "true"}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded)
        #expect(outcome.step("guarded")?.result == (runs ? .succeeded : .skipped))
    }

    @Test func anUnknownPlaceholderInIfFailsTheStepNamingIt() async throws {
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: first, run: "true"}
            - {name: guarded, if: "${steps.first.outputs.x} == 1", run: "true"}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .failed)
        #expect(outcome.step("guarded")?.message?.contains("${steps.first.outputs.x}") == true)
    }
}
