import ArgumentParser
import Foundation
import Planner
import Reconciler

/// `innominatus plan --repo URL|PATH [--branch main] [--workdir DIR] [--output text|json]`: what the next
/// pass would run, and why. Exit 0 when a plan was made, 1 on error (ARCHITECTURE.md §6).
///
/// A synchronous command that waits for its async work: `main.swift`'s dispatch calls the synchronous
/// `run()` of async commands (see the Planner issue's closing note), so an `AsyncParsableCommand` would
/// only print its help.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show which (app, tier) pairs the next pass would run, and why.",
        discussion: """
            Fetches the branch and the applied state (refs/innominatus/applied) into the workdir's cache and \
            compares them. Nothing is executed. Exit status: 0 when a plan was made, 1 on error (including an \
            invalid admin config, which fails closed).
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var remote: RemoteOptions

    @Option(help: "Output format: text or json.")
    var output: Output = .text

    /// Benchmarks need an applied state for 10,000 apps without running their steps: this records every
    /// planned pair as succeeded and pushes it. Hidden: it changes the remote.
    @Flag(help: .hidden)
    var recordSuccess = false

    func run() throws {
        let pass = remote.settings().planning
        let plan: Plan
        // Held to the end: freeing 10,000 apps' values just before exit costs time for nothing.
        let outcome: PlanningPass.Outcome
        do {
            let record = recordSuccess
            outcome = try Self.wait {
                var loader = DesiredStateLoader()
                let outcome = try await pass.run(now: .now, loader: &loader)
                if record, outcome.plan.errors.isEmpty {
                    let state = outcome.applied.recordingSuccess(of: outcome.plan, desired: outcome.desired, at: .now)
                    try await AppliedStateStore(repository: outcome.repository).save(state, to: pass.remote, key: outcome.key)
                }
                return outcome
            }
            plan = outcome.plan
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let text = output == .json ? PlanRendering.json(plan) : PlanRendering.text(plan)
        FileHandle.standardOutput.write(Data(text.utf8))
        if !plan.errors.isEmpty {
            FileHandle.standardError.write(Data(plan.errors.map { "error: \($0)\n" }.joined().utf8))
            throw ExitCode(1)
        }
        withExtendedLifetime(outcome) { Foundation.exit(0) }
    }

    /// Runs `work` on the global executor and blocks this (main) thread until it is done.
    static func wait(_ work: @escaping @Sendable () async throws -> PlanningPass.Outcome) throws -> PlanningPass.Outcome {
        let box = OutcomeBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// Hands the outcome from the detached task to the waiting thread; the semaphore orders the accesses.
private final class OutcomeBox: @unchecked Sendable {
    var result: Result<PlanningPass.Outcome, any Error>?
}
