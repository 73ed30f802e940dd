import Executor
import Foundation
import Planner
import ProcessSupport
import Provisioning
import Specs

/// The generated workflow of the application tier (ARCHITECTURE.md §2): provision the Score's resources
/// through the repository's provisioners (then the built-in ones), resolve placeholders, render the
/// Kubernetes manifests. Delivery to the environment branch happens once per pass, after every app ran
/// (`EnvironmentDelivery`).
struct GeneratedDeploy: Sendable {
    var app: String
    /// The Score file in the checkout.
    var scoreFile: String
    /// The checkout's root: provisioners are read from it, `source:` files must stay inside it.
    var root: String
    var commit: String
    var state: ResourceStateFiles
    /// The watched branch's admin config's rule on repository provisioners: the one the plan applied.
    var policy: ProvisionerPolicy

    /// Renders on a thread of its own (provisioner commands block), one app at a time so that resources
    /// shared by id between apps read and write one consistent state.
    func run() async -> (outcome: WorkflowOutcome, rendered: RenderedApp?) {
        let started = ContinuousClock.now
        let result: Result<RenderedApp, ProvisioningError> = await withCheckedContinuation { continuation in
            OSThread.detach { [self] in
                Self.serial.lock()
                defer { Self.serial.unlock() }
                do throws(ProvisioningError) {
                    let registry = try ProvisionerRegistry.forRepository(root: root, policy: policy)
                    let renderer = AppRenderer(registry: registry, stateStore: state.store(for: app), commit: commit)
                    continuation.resume(returning: .success(try renderer.render(scoreFile: scoreFile, root: root)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        let milliseconds = Int(started.duration(to: .now).wholeMilliseconds)
        switch result {
        case .success(let rendered):
            let step = StepOutcome(name: "render", type: "provision", result: .succeeded, durationMs: milliseconds,
                                   outputs: [:])
            return (WorkflowOutcome(name: Planner.generatedWorkflow, tier: .application, phase: Workflow.Phase.deployment.rawValue,
                                    result: .succeeded, durationMs: milliseconds, steps: [step]), rendered)
        case .failure(let error):
            return (Self.failed(error.message, milliseconds: milliseconds), nil)
        }
    }

    static func failed(_ message: String, milliseconds: Int = 0) -> WorkflowOutcome {
        WorkflowOutcome(name: Planner.generatedWorkflow, tier: .application, phase: Workflow.Phase.deployment.rawValue,
                        result: .failed, durationMs: milliseconds, message: message)
    }

    static func notRun(_ workflow: String, tier: Tier, phase: String, because stopped: WorkflowOutcome) -> WorkflowOutcome {
        WorkflowOutcome(name: workflow, tier: tier, phase: phase, result: .notRun,
                        message: "not run: workflow '\(stopped.name)' (\(stopped.tier.rawValue), \(stopped.phase)) \(stopped.result.rawValue)")
    }

    private static let serial = NSLock()
}

/// Resource state (generated passwords, ids) under the workdir, mode 0600 in folders of mode 0700: one file
/// per app, and one for resources shared between apps by `id`.
struct ResourceStateFiles: Sendable {
    var folder: String

    func store(for app: String) -> any ResourceStateStore { Store(folder: folder, app: FileStateStore(path: appFile(app)),
                                                                  shared: FileStateStore(path: folder + "/shared.json")) }

    func appFile(_ app: String) -> String { folder + "/apps/" + app + ".json" }

    /// Forgets a pruned app's resources (shared ones stay: other apps may use them).
    func remove(_ app: String) { unlink(appFile(app)) }

    private struct Store: ResourceStateStore {
        var folder: String
        var app: FileStateStore
        var shared: FileStateStore

        func load() throws(ProvisioningError) -> [String: ManifestValue] {
            try app.load().merging(try shared.load()) { $1 }
        }

        func save(_ states: [String: ManifestValue]) throws(ProvisioningError) {
            let own = states.filter { !$0.key.hasPrefix("shared/") }
            var common = try shared.load()
            var changed = false
            for (key, value) in states where key.hasPrefix("shared/") && common[key] != value {
                common[key] = value
                changed = true
            }
            // Both folders are the reconciler's own: made private also when an earlier version left them open.
            for owned in [folder, folder + "/apps"] {
                if let problem = PrivateFiles.makeFolder(owned, restrict: true) { throw ProvisioningError(problem) }
            }
            try app.save(own)
            if changed { try shared.save(common) }
        }
    }
}
