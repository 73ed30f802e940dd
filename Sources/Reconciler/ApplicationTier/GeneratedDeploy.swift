import Executor
import Foundation
import Planner
import ProcessSupport
import Provisioning
import Specs
import Synchronization

/// The generated workflow of the application tier (docs/ARCHITECTURE.md §2): provision the Score's resources
/// through the repository's provisioners (then the built-in ones), resolve placeholders, render the
/// Kubernetes manifests. The executor runs it in its place (`GeneratedWorkflow`); delivery to the
/// environment branch happens once per pass, after every app ran (`EnvironmentDelivery`).
struct GeneratedDeploy: Sendable {
    var app: String
    /// The Score as the load stage read it from the commit.
    var score: ScoreModel
    /// The checkout's root: `cmd://` provisioners run there (`source:` files come from the commit, `score.sources`).
    var root: String
    var commit: String
    var state: ResourceStateFiles
    /// The commit's provisioners as the load stage read them, judged by the admin config the plan applied.
    var registry: ProvisionerRegistry
    /// Where the rendered manifests are left for delivery.
    var rendered: RenderSlot
    /// The admin config's `workflowPolicies.environment`: what `environment` resources output.
    var environment: [String: String] = [:]

    /// The work as the executor runs it.
    var workflow: GeneratedWorkflow {
        GeneratedWorkflow(name: Planner.generatedWorkflow, tier: .application, phase: .deployment, step: "render",
                          stepType: "provision") { [self] in await run() }
    }

    /// Renders on a thread of its own (provisioner commands block), one app at a time so that resources
    /// shared by id between apps read and write one consistent state.
    func run() async -> GeneratedWorkflow.Result {
        let result: Result<RenderedApp, ProvisioningError> = await withCheckedContinuation { continuation in
            OSThread.detach { [self] in
                Self.serial.lock()
                defer { Self.serial.unlock() }
                do throws(ProvisioningError) {
                    var renderer = AppRenderer(registry: registry, stateStore: state.store(for: app), commit: commit)
                    renderer.environment = environment
                    let source = ScoreSource(file: score.path, root: score.tree)
                    continuation.resume(returning: .success(try renderer.render(
                        score.workload, source: source, root: root,
                        sources: score.sources)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        switch result {
        case .success(let manifests):
            rendered.put(manifests)
            return .succeeded(resources: manifests.outputs, secrets: manifests.secretValues)
        case .failure(let error):
            return .failed(error.message)
        }
    }

    private static let serial = NSLock()
}

/// The rendered manifests of one app's generated deploy, handed from the executor's run to delivery.
final class RenderSlot: Sendable {
    private let value = Mutex<RenderedApp?>(nil)

    func put(_ rendered: RenderedApp) { value.withLock { $0 = rendered } }

    var rendered: RenderedApp? { value.withLock { $0 } }
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
