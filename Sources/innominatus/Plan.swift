import ArgumentParser
import Foundation
import Planner
import ProcessSupport
import Reconciler

/// `innominatus plan --repo URL|PATH [--branch main] [--workdir DIR] [--output text|json]`: what the next
/// pass would run, and why. Exit 0 when a plan was made, 1 on error (docs/ARCHITECTURE.md §6).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show which (app, tier) pairs the next pass would run, and why.",
        discussion: """
            Fetches the branch and the applied state (refs/innominatus/applied) into the workdir's cache and \
            compares them. Nothing is executed. Exit status: 0 when a plan was made, 1 on error (including an \
            invalid admin config, which fails closed, and a head --trust refuses: the plan then names the \
            commit, path, rule and signer, and lists no pairs). The workdir keeps a memo of the last plan (plan-memo): \
            after a change inside some apps' folders, or to platform workflows alone, the next plan decides \
            only those apps, or each app's platform pair, and keeps the rest; any other change is planned in \
            full. The answer is the same either way.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var remote: RemoteOptions
    @OptionGroup var trust: TrustOptions

    @Option(help: "Output format: text or json.")
    var output: Output = .text

    /// Benchmarks need an applied state for 10,000 apps without running their steps: this records every
    /// planned pair as succeeded and pushes it. Hidden: it changes the remote.
    @Flag(help: .hidden)
    var recordSuccess = false

    func run() async throws {
        var pass = remote.settings().planning
        pass.trust = try await trust.load()
        pass.memo = !recordSuccess  // --record-success needs every app's desired state
        pass.listedOnly = output == .text
        // Held to the end: freeing 10,000 apps' values just before exit costs time for nothing.
        let outcome: PlanningPass.Outcome
        do {
            var loader = DesiredStateLoader()
            outcome = try await pass.run(now: .now, loader: &loader)
            if recordSuccess { try await pass.recordSuccess(of: outcome) }
        } catch {
            StandardStream.error.write("error: \(error)\n")
            throw ExitCode(1)
        }
        let plan = outcome.plan
        let text = output == .json ? PlanRendering.json(plan) : PlanRendering.text(plan, tally: outcome.tally)
        StandardStream.output.write(text)
        if !plan.errors.isEmpty {
            StandardStream.error.write(plan.errors.map { "error: \($0)\n" }.joined())
            throw ExitCode(1)
        }
        if let verification = plan.verification, !verification.passed {
            if output == .json { StandardStream.error.write("error: \(verification.summary)\n") }
            throw ExitCode(1)
        }
        withExtendedLifetime(outcome) { Foundation.exit(0) }
    }
}
