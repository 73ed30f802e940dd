import Foundation
import Specs
import Synchronization
import Testing
@testable import Executor

/// Generated work (the application tier's deploy) runs in its place among the file workflows: first of its
/// tier in its phase, after the earlier tiers; its resources reach the workflows after it, its secrets are
/// masked there, and its failure stops what follows exactly as a workflow's does.
@Suite struct GeneratedWorkflowTests {
    static func generated(_ log: String, _ result: GeneratedWorkflow.Result) -> GeneratedWorkflow {
        GeneratedWorkflow(name: "generated/deploy", tier: .application, phase: .deployment, step: "render", stepType: "provision") {
            try? FileHandle(forWritingAtPath: log).map { handle in
                handle.seekToEndOfFile()
                handle.write(Data("generated\n".utf8))
                try handle.close()
            }
            return result
        }
    }

    @Test func itRunsFirstOfItsTierAndHandsItsResourcesAndSecretsOn() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.path("order.txt")
        try sandbox.write("order.txt", "")
        let workflows = [
            try Sandbox.workflow("- {name: own, run: \"echo own ${resources.db.url} >> \(log); echo token=${resources.db.url} >> $INNOMINATUS_OUTPUT\"}",
                                 name: "own-deploy"),
            try Sandbox.workflow("- {name: post, run: \"echo post >> \(log)\"}", name: "after", phase: "post-deployment"),
            try Sandbox.workflow("- {name: scan, run: \"echo scan >> \(log)\"}", name: "scan", kind: "PlatformWorkflow",
                                 phase: "deployment"),
            try Sandbox.workflow("- {name: pre, run: \"echo pre >> \(log)\"}", name: "pre-app", phase: "pre-deployment"),
        ]
        let work = Self.generated(log, .succeeded(resources: ["db": ["url": "pg://s3cr3t-pass@db"]], secrets: ["s3cr3t-pass"]))
        let outcome = await sandbox.executor().run(app: sandbox.app, workflows: workflows, generated: [work])
        #expect(outcome.result == .succeeded, "\(outcome.workflows.map { "\($0.name) \($0.result) \($0.message ?? "")" })")
        #expect(outcome.workflows.map(\.name) == ["pre-app", "scan", "generated/deploy", "own-deploy", "after"])
        #expect(sandbox.lines("order.txt") == ["pre", "scan", "generated", "own pg://s3cr3t-pass@db", "post"])
        let own = try #require(outcome.workflows.first { $0.name == "own-deploy" }?.step("own"))
        // What the step printed and output is masked: the secret came from the generated work.
        #expect(own.outputs["token"] == "pg://***@db")
        #expect(!own.log.joined().contains("s3cr3t-pass"))
        let generated = try #require(outcome.workflows.first { $0.name == "generated/deploy" })
        #expect(generated.steps.map(\.name) == ["render"])
        #expect(generated.steps.first?.type == "provision")
    }

    @Test func itsFailureStopsWhatFollowsAndAnEarlierFailureStopsIt() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.path("order.txt")
        try sandbox.write("order.txt", "")
        let own = try Sandbox.workflow("- {name: own, run: \"echo own >> \(log)\"}", name: "own-deploy")
        let failing = Self.generated(log, .failed("no provisioner matches resources.db (type postgres)"))
        let stopped = await sandbox.executor().run(app: sandbox.app, workflows: [own], generated: [failing])
        #expect(stopped.result == .failed)
        #expect(stopped.workflows.map(\.result) == [.failed, .notRun])
        #expect(stopped.workflows[0].message == "no provisioner matches resources.db (type postgres)")
        #expect(stopped.workflows[1].message == "not run: workflow 'generated/deploy' (application, deployment) failed")
        #expect(sandbox.lines("order.txt") == ["generated"])

        try sandbox.write("order.txt", "")
        let broken = try Sandbox.workflow("- {name: scan, run: \"exit 3\"}", name: "scan", kind: "PlatformWorkflow")
        let work = Self.generated(log, .succeeded(resources: [:], secrets: []))
        let early = await sandbox.executor().run(app: sandbox.app, workflows: [broken, own], generated: [work])
        #expect(early.workflows.map(\.name) == ["scan", "generated/deploy", "own-deploy"])
        #expect(early.workflows.map(\.result) == [.failed, .notRun, .notRun])
        #expect(sandbox.lines("order.txt").isEmpty, "the generated work ran after a failed platform workflow")
    }

    @Test func theCheckBeforeEachWorkflowAlsoGuardsTheGeneratedWork() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.path("order.txt")
        try sandbox.write("order.txt", "")
        let calls = Mutex(0)
        var settings = sandbox.executor().settings
        // The first call is the run's own check before SCORE_JSON is written; the second is before the
        // generated work, the first unit to run.
        settings.beforeWorkflow = {
            let count = calls.withLock { $0 += 1; return $0 }
            return count == 2 ? "the checkout was changed" : nil
        }
        let executor = Executor(admin: .default, settings: settings)
        let own = try Sandbox.workflow("- {name: own, run: \"echo own >> \(log)\"}", name: "own-deploy")
        let outcome = await executor.run(app: sandbox.app, workflows: [own],
                                         generated: [Self.generated(log, .succeeded(resources: [:], secrets: []))])
        #expect(outcome.workflows.map(\.result) == [.failed, .notRun])
        #expect(outcome.workflows[0].message == "the checkout was changed")
        #expect(sandbox.lines("order.txt").isEmpty)
    }
}
