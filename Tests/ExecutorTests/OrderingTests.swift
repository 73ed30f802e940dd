import Foundation
import Specs
import Testing
@testable import Executor

@Suite struct OrderingTests {
    @Test func stepsWithoutDependsOnRunOneByOneInFileOrder() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.path("order.txt")
        let workflow = try Sandbox.workflow("""
            - {name: c, run: "echo c >> \(log)"}
            - {name: a, run: "echo a >> \(log)"}
            - {name: b, run: "echo b >> \(log)"}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded)
        #expect(sandbox.lines("order.txt") == ["c", "a", "b"])
        #expect(outcome.steps.map(\.name) == ["c", "a", "b"])
    }

    @Test func dependsOnOrdersADag() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.path("order.txt")
        // d needs b and c, which both need a; e needs nothing and may run first.
        let workflow = try Sandbox.workflow("""
            - {name: d, run: "echo d >> \(log)", dependsOn: [b, c]}
            - {name: b, run: "sleep 0.1; echo b >> \(log)", dependsOn: [a]}
            - {name: c, run: "echo c >> \(log)", dependsOn: [a]}
            - {name: a, run: "echo a >> \(log)", dependsOn: []}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded)
        let order = sandbox.lines("order.txt")
        #expect(order.count == 4)
        #expect(order.first == "a")
        #expect(order.last == "d")
    }

    @Test(arguments: [1, 2, 3])
    func parallelStepsRespectTheLimit(limit: Int) async throws {
        let sandbox = try Sandbox()
        let log = sandbox.path("spans.txt")
        let steps = (1...6).map { index in
            "- {name: s\(index), dependsOn: [], run: \"echo start $(date +%s%N) >> \(log); sleep 0.2; echo end $(date +%s%N) >> \(log)\"}"
        }.joined(separator: "\n")
        let outcome = await sandbox.run(try Sandbox.workflow(steps), parallel: limit)
        #expect(outcome.result == .succeeded)
        // Replaying the start/end events in time order gives how many steps ran at once.
        let events: [(time: Int, change: Int)] = sandbox.lines("spans.txt").map { line in
            let parts = line.split(separator: " ")
            let change = parts[0] == "start" ? 1 : -1
            return (Int(parts[1]) ?? 0, change)
        }
        // Ends before starts at the same instant: touching spans do not overlap.
        let sorted = events.sorted { (left: (time: Int, change: Int), right: (time: Int, change: Int)) -> Bool in
            left.time == right.time ? left.change < right.change : left.time < right.time
        }
        var running = 0, peak = 0
        for event in sorted {
            running += event.change
            peak = max(peak, running)
        }
        #expect(events.count == 12)
        #expect(peak <= limit)
        if limit == 1 { #expect(peak == 1) }
    }

    @Test func maxConcurrentWorkflowsInTheAdminConfigSetsTheLimit() throws {
        #expect(Executor(admin: try Sandbox.admin("maxConcurrentWorkflows: 2"), settings: ExecutorSettings(maxParallelSteps: 8))
            .maxParallelSteps == 2)
        #expect(Executor(settings: ExecutorSettings(maxParallelSteps: 8)).maxParallelSteps == 8)
    }

    @Test func phasesThenTiersOrderAnAppsWorkflows() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.path("order.txt")
        func workflow(_ name: String, _ kind: String, _ phase: String) throws -> Workflow {
            try Sandbox.workflow("- {name: s, run: \"echo \(name) $TIER $PHASE >> \(log)\"}", name: name, kind: kind, phase: phase)
        }
        let workflows = [
            try workflow("app-post", "Workflow", "post-deployment"),
            try workflow("app-deploy", "Workflow", "deployment"),
            try workflow("product-deploy", "ProductWorkflow", "deployment"),
            try workflow("platform-pre", "PlatformWorkflow", "pre-deployment"),
            try workflow("platform-deploy", "PlatformWorkflow", "deployment"),
            try workflow("platform-destroy", "PlatformWorkflow", "destroy"),
        ]
        let outcome = await sandbox.executor().run(app: sandbox.app, workflows: workflows)
        #expect(outcome.result == .succeeded)
        #expect(sandbox.lines("order.txt") == [
            "platform-pre platform pre-deployment",
            "platform-deploy platform deployment",
            "product-deploy product deployment",
            "app-deploy application deployment",
            "app-post application post-deployment",
        ])
        let pruned = await sandbox.executor().run(app: sandbox.app, workflows: workflows, prune: true)
        #expect(pruned.workflows.map(\.name) == ["platform-destroy"])
        #expect(sandbox.lines("order.txt").last == "platform-destroy platform destroy")
    }

    @Test func aFailedWorkflowStopsTheLaterOnes() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.path("order.txt")
        let workflows = [
            try Sandbox.workflow("- {name: s, run: \"echo pre >> \(log)\"}", name: "pre", kind: "PlatformWorkflow", phase: "pre-deployment"),
            try Sandbox.workflow("""
                - {name: fail, run: "exit 3"}
                - {name: cleanup, when: on_failure, run: "echo cleanup >> \(log)"}
                """, name: "deploy", kind: "PlatformWorkflow"),
            try Sandbox.workflow("- {name: s, run: \"echo app >> \(log)\"}", name: "app", kind: "Workflow"),
            try Sandbox.workflow("- {name: s, run: \"echo post >> \(log)\"}", name: "post", kind: "Workflow", phase: "post-deployment"),
        ]
        let outcome = await sandbox.executor().run(app: sandbox.app, workflows: workflows)
        #expect(outcome.result == .failed)
        #expect(outcome.workflows.map(\.result) == [.succeeded, .failed, .notRun, .notRun])
        #expect(sandbox.lines("order.txt") == ["pre", "cleanup"])
        let failed = outcome.workflows[1]
        #expect(failed.step("fail")?.exitCode == 3)
        #expect(failed.step("fail")?.result == .failed)
        #expect(failed.step("cleanup")?.result == .succeeded)
        #expect(outcome.workflows[2].message?.contains("deploy") == true)
    }
}
