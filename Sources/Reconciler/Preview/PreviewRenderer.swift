import Foundation
import GitKit
import Planner
import Provisioning
import Specs

/// Renders, for a preview, the apps whose application tier would run, exactly as the generated deploy
/// would (the loader's Score model, the commit's `source:` files and provisioners), except that no
/// `cmd://` provisioner runs and the resource state is read but never written; then compares each
/// app's files with its folder on the environment branch.
struct PreviewRenderer {
    var repository: Repository
    var environmentTip: ObjectID?
    var resourceState: ResourceStateFiles
    /// The most of a branch file read to diff it (a manifest is far smaller).
    static let fileLimit = 4 << 20

    struct Result {
        var changes: [Preview.ManifestChange] = []
        var errors: [String] = []
    }

    mutating func manifests(for plan: Plan, desired: DesiredState, loader: DesiredStateLoader) async -> Result {
        var result = Result()
        let renders = plan.items.filter {
            $0.tier == .application && $0.action == .run && $0.workflows.contains(Planner.generatedWorkflow)
        }
        for item in renders {
            guard let app = desired.apps[item.app] else { continue }
            let rendered: RenderedApp
            do {
                let model = try await loader.scoreModel(of: app, from: repository).readingSources(in: plan.commit, from: repository)
                guard let registry = loader.provisioners else { continue }
                rendered = try render(model, registry: registry, app: item.app, commit: plan.commit,
                                      environment: desired.config.environment)
            } catch {
                result.errors.append("\(item.app): the manifests cannot be rendered: \(error)")
                continue
            }
            await compare(app: item.app, rendered: rendered, into: &result)
        }
        for item in plan.items where item.tier == .application && item.action == .prune {
            await compare(app: item.app, rendered: nil, into: &result)
        }
        return result
    }

    /// Renders with a copy of the app's resource state in memory: generated passwords stay as they are,
    /// new ones are made and forgotten.
    private func render(_ model: ScoreModel, registry: ProvisionerRegistry, app: String, commit: String,
                        environment: [String: String]) throws -> RenderedApp {
        let states = (try? resourceState.store(for: app).load()) ?? [:]
        var renderer = AppRenderer(registry: registry, stateStore: MemoryStateStore(states), commit: commit)
        renderer.runsCommands = false
        renderer.environment = environment
        do {
            return try renderer.render(model.workload, source: ScoreSource(file: model.path, root: model.tree), root: nil,
                                       sources: model.sources)
        } catch {
            throw ReconcileError(.invalidSpec, error.message)
        }
    }

    /// `rendered` nil: the app leaves the branch.
    private func compare(app: String, rendered: RenderedApp?, into result: inout Result) async {
        var current: [String: [UInt8]] = [:]
        if let tip = environmentTip {
            do {
                for (path, entry) in try await repository.files(under: app, in: tip) {
                    current[path] = try await repository.readBlob(entry.id, limit: Self.fileLimit)
                }
            } catch {
                result.errors.append("\(app): its folder on the environment branch cannot be read: \(error)")
                return
            }
        }
        var next: [String: [UInt8]] = [:]
        if let rendered {
            for file in EnvironmentDelivery.branchFiles(rendered) { next[file.name] = Array(file.content.utf8) }
            var secrets = rendered
            secrets.objects = rendered.objects.filter(RenderedApp.isSecret)
            for file in secrets.files {
                result.changes.append(.init(app: app, path: app + "/" + file.name, change: .secret, diff: ""))
            }
        }
        for name in Set(current.keys).union(next.keys).sorted() where current[name] != next[name] {
            let path = app + "/" + name
            let change: Preview.ManifestChange.Change = current[name] == nil ? .added : next[name] == nil ? .removed : .modified
            let diff = (try? UnifiedDiff.between(current[name], next[name], path: path)) ?? "(the diff could not be made)"
            result.changes.append(.init(app: app, path: path, change: change, diff: diff))
        }
    }
}
