import Foundation
import Specs
import Testing
@testable import Executor

/// A step that fails before anything runs (its cause is known up front) says why in its log tail and in
/// the full log file it reports, as a step whose script failed does: nobody should find an empty log.
@Suite struct FailureCauseTests {
    /// The step's log tail and full log file both hold `cause`, and the file exists where the outcome says.
    func expectCause(_ step: StepOutcome?, contains cause: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let step = try #require(step, sourceLocation: sourceLocation)
        #expect(step.result == .failed, sourceLocation: sourceLocation)
        #expect(step.log.contains { $0.hasPrefix("[innominatus] ") && $0.contains(cause) }, "log: \(step.log)",
                sourceLocation: sourceLocation)
        let file = try #require(step.logFile, sourceLocation: sourceLocation)
        #expect(FileManager.default.fileExists(atPath: file), "\(file) must exist", sourceLocation: sourceLocation)
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        #expect(text.contains(cause), "full log: \(text)", sourceLocation: sourceLocation)
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600, sourceLocation: sourceLocation)
    }

    @Test func aPlaceholderWithNoValueIsTheCauseInTheLogAndTheFullLog() async throws {
        let sandbox = try Sandbox()
        let outcome = await sandbox.run(try Sandbox.workflow("- {name: tag, run: 'echo cost center ${metadata.costCenter}'}"))
        try expectCause(outcome.step("tag"), contains: "'${metadata.costCenter}' has no value here")
        #expect(outcome.step("tag")?.logFile == sandbox.path("logs/application-wf/tag.log"))
    }

    @Test(arguments: [
        // A placeholder in env, in an http URL, in a plugin's config: each resolved before anything starts.
        ("- {name: s, run: 'true', env: {X: '${metadata.nope}'}}", "'${metadata.nope}' has no value here"),
        ("- {name: s, type: http, url: 'http://127.0.0.1:1/${metadata.nope}'}", "'${metadata.nope}' has no value here"),
        // fromFile of a file that is not there.
        ("- {name: s, run: 'true', env: {T: {fromFile: missing.txt}}}", "cannot read fromFile 'missing.txt'"),
    ])
    func everyCauseFoundBeforeTheStepRunsIsLogged(steps: String, cause: String) async throws {
        let sandbox = try Sandbox()
        let outcome = await sandbox.run(try Sandbox.workflow(steps))
        try expectCause(outcome.step("s"), contains: cause)
    }

    @Test func anIfThatCannotBeEvaluatedIsTheCauseInTheLogAndTheFullLog() async throws {
        let sandbox = try Sandbox()
        let outcome = await sandbox.run(try Sandbox.workflow("- {name: gate, run: 'true', if: '${metadata.costCenter} == 42'}"))
        try expectCause(outcome.step("gate"), contains: "'${metadata.costCenter}' has no value here")
    }

    @Test func eachAttemptOfARetriedStepLeavesItsCauseInTheFullLog() async throws {
        let sandbox = try Sandbox()
        let outcome = await sandbox.run(try Sandbox.workflow("- {name: tag, run: 'echo ${metadata.costCenter}', retries: 1}"))
        try expectCause(outcome.step("tag"), contains: "'${metadata.costCenter}' has no value here")
        #expect(outcome.step("tag")?.attempts == 2)
        let text = sandbox.read("logs/application-wf/tag.log")
        #expect(text.components(separatedBy: "has no value here").count - 1 >= 2, "\(text)")
        #expect(text.contains("[innominatus] attempt 2: not started:"), "\(text)")
    }

    @Test func aSecretInTheCauseIsMaskedInTheLogAndTheFile() async throws {
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: s, type: http, url: '${metadata.team}', env: {K: {value: payments, secret: true}}}
            """)
        let outcome = await sandbox.run(workflow)
        try expectCause(outcome.step("s"), contains: "is not an http or https URL")
        // The URL came from ${metadata.team}, whose value ("payments") is also a secret of the workflow.
        #expect(!(outcome.step("s")?.log.joined().contains("payments") ?? true))
        #expect(!sandbox.read("logs/application-wf/s.log").contains("payments"))
        #expect(sandbox.read("logs/application-wf/s.log").contains("'***' is not an http or https URL"))
    }
}
