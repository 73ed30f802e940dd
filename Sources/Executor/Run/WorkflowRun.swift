import Foundation
import ProcessSupport
import Specs

/// Runs one workflow's steps as a DAG: a step without `dependsOn` follows the step before it (so a
/// workflow without any runs one by one in file order); ready steps run in parallel up to a limit.
///
/// `when`: `on_success` runs only while no step has failed, `on_failure` only once one has, `always` in
/// both cases; then `if:` decides. In parallel branches "has failed" means "had failed when the step
/// became ready".
struct WorkflowRun: Sendable {
    var workflow: Workflow
    var runner: StepRunner
    var app: AppContext
    var maxParallel: Int
    var timeout: Duration
    var mask: SecretMask
    /// The run's Score as JSON, for `SCORE_JSON`.
    var scoreJSON: String?

    func run(earlierOutputs: [String: [String: String]]) async -> (WorkflowOutcome, [String: [String: String]]) {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + timeout
        let steps = workflow.steps
        let positions = Dictionary(steps.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let dependencies: [[Int]] = steps.indices.map { index in
            guard let names = steps[index].dependsOn else { return index == 0 ? [] : [index - 1] }
            return names.compactMap { positions[$0] }
        }
        // Bookkeeping in O(steps + edges): a workflow of 1,000 chained steps must not cost a quadratic scan.
        var dependents: [[Int]] = Array(repeating: [], count: steps.count)
        for (index, needs) in dependencies.enumerated() { for need in needs { dependents[need].append(index) } }
        var waitingFor = dependencies.map(\.count)
        var ready = steps.indices.filter { waitingFor[$0] == 0 }
        var outcomes: [StepOutcome?] = Array(repeating: nil, count: steps.count)
        var outputs = earlierOutputs
        var failed = false
        var running = 0

        func complete(_ index: Int, _ outcome: StepOutcome) {
            outcomes[index] = outcome
            if outcome.isFailure { failed = true }
            for next in dependents[index] {
                waitingFor[next] -= 1
                if waitingFor[next] == 0 {
                    // Ready steps start in file order.
                    ready.insert(next, at: ready.firstIndex { $0 > next } ?? ready.endIndex)
                }
            }
        }

        await withTaskGroup(of: (Int, StepOutcome, [String: String]).self) { group in
            while true {
                while running < maxParallel, !ready.isEmpty {
                    let index = ready.removeFirst()
                    let step = steps[index]
                    let scope = StepScope(app: app, tier: workflow.kind.tier, phase: workflow.phase, workflow: workflow.name,
                                          outputs: outputs, scoreJSON: scoreJSON)
                    if let skip = skipReason(step, failed: failed, scope: scope, deadline: deadline) {
                        let outcome = skip.isFailure
                            ? runner.failedBeforeStart(step, message: skip.message, mask: mask)
                            : StepOutcome(name: step.name, type: step.type.description, result: .skipped, message: mask.mask(skip.message))
                        if skip.failsWorkflow { failed = true }
                        runner.settings.progress?(.finished(workflow: workflow.name, outcome))
                        complete(index, outcome)
                        continue
                    }
                    running += 1
                    let runner = self.runner, mask = self.mask
                    group.addTask {
                        let (outcome, raw) = await runner.run(step, scope: scope, mask: mask, deadline: deadline)
                        return (index, outcome, raw)
                    }
                }
                guard running > 0, let (index, outcome, raw) = await group.next() else { break }
                running -= 1
                if !raw.isEmpty { outputs[steps[index].name] = raw }
                complete(index, outcome)
            }
        }
        let finished = outcomes.enumerated().map { index, outcome in
            outcome ?? StepOutcome(name: steps[index].name, type: steps[index].type.description, result: .skipped,
                                   message: "not reached")
        }
        let interrupted = Task.isCancelled || finished.contains { $0.result == .cancelled }
        let failure = finished.first { $0.isFailure }
        let result: WorkflowResult = interrupted ? .interrupted : failed ? .failed : .succeeded
        let message = failure.map { "step '\($0.name)' \($0.result.rawValue)" + ($0.message.map { ": \($0)" } ?? "") }
        let outcome = WorkflowOutcome(name: workflow.name, tier: workflow.kind.tier, phase: workflow.phase.rawValue,
                                      result: result, durationMs: Int((clock.now - started).wholeMilliseconds),
                                      steps: finished, message: message)
        return (outcome, outputs)
    }

    private struct Skip {
        var message: String
        /// An `if:` that cannot be evaluated: the step failed.
        var isFailure = false
        /// Not started for lack of time: skipped, but its workflow fails.
        var failsWorkflow = false
    }

    private func skipReason(_ step: WorkflowStep, failed: Bool, scope: StepScope, deadline: ContinuousClock.Instant) -> Skip? {
        if Task.isCancelled { return Skip(message: "not started: the run was cancelled") }
        if ContinuousClock().now >= deadline {
            return Skip(message: "not started: the workflow's timeout (\(StepProcess.describe(timeout))) was reached", failsWorkflow: true)
        }
        switch step.when {
        case .onSuccess where failed: return Skip(message: "skipped: an earlier step failed (when: on_success)")
        case .onFailure where !failed: return Skip(message: "skipped: no earlier step failed (when: on_failure)")
        default: break
        }
        guard let condition = step.condition else { return nil }
        do {
            let resolved = try PlaceholderResolver(scope: scope).resolve(condition, field: "steps.\(step.name).if")
            return try StepCondition.evaluate(resolved) ? nil : Skip(message: "skipped: if '\(condition)' is false")
        } catch {
            return Skip(message: error.message, isFailure: true)
        }
    }
}
