import GitKit
import Planner
import Specs

extension DesiredStateLoader {
    /// For apps of the applied state whose Score file is gone, the workflows of the last applied tree
    /// that concerned them: their `destroy` workflows run when they are pruned (docs/ARCHITECTURE.md §3).
    /// Reads that tree only when some app departed; when the commit is gone from the cache (a remote
    /// rewritten and garbage-collected), the app is pruned with no destroy workflow and the reason says so.
    mutating func loadDeparted(into desired: inout DesiredState, applied: AppliedState, from repository: Repository) async throws {
        let gone = Set(applied.pairs.keys.map(\.app)).filter { desired.apps.index(forKey: $0) == nil }
        guard !gone.isEmpty, let hex = applied.commit, let commit = ObjectID(hex: hex) else { return }
        let snapshot: TreeSnapshot
        do {
            snapshot = try await repository.snapshot(of: commit)
        } catch {
            return
        }
        let classifier = RepoLocation.Classifier(config: desired.config)
        var platform: [(name: String, path: String, id: ObjectID)] = []
        var products: [String: [(name: String, path: String, id: ObjectID)]] = [:]
        var own: [String: [(name: String, path: String, id: ObjectID)]] = [:]
        for (path, entry) in snapshot.entries where entry.mode == .blob || entry.mode == .executable {
            switch classifier.location(of: path) {
            case .platformWorkflow(let name): platform.append((name, path, entry.id))
            case .productWorkflow(let product, let name): products[product, default: []].append((name, path, entry.id))
            case .appWorkflow(let app, let name) where gone.contains(app): own[app, default: []].append((name, path, entry.id))
            default: continue
            }
        }
        var inputs = InputResolver(snapshot: snapshot)
        var platformWorkflows: [DesiredWorkflow] = []
        for file in platform {
            platformWorkflows.append(inputs.workflow(file, try await workflowContent(file, at: .platformWorkflow(name: file.name), from: repository)))
        }
        for app in gone {
            // An app the current admin config does not admit to its product gets none of the product's
            // workflows, not even its destroy ones when it goes.
            let product = applied.apps[app]?.product.flatMap { desired.config.admits(app: app, toProduct: $0) ? $0 : nil }
            var workflows: [Tier: [DesiredWorkflow]] = [.platform: platformWorkflows]
            for file in product.flatMap({ products[$0] }) ?? [] {
                let location = RepoLocation.productWorkflow(product: product ?? "", name: file.name)
                workflows[.product, default: []].append(
                    inputs.workflow(file, try await workflowContent(file, at: location, from: repository)))
            }
            for file in own[app] ?? [] {
                workflows[.application, default: []].append(
                    inputs.workflow(file, try await workflowContent(file, at: .appWorkflow(app: app, name: file.name), from: repository)))
            }
            desired.departed[app] = DepartedApp(product: product, workflows: workflows)
        }
    }
}
