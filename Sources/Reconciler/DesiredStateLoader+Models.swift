import GitKit
import Planner
import Provisioning
import Specs

/// A Score as execution uses it: the model, its YAML tree (for errors at file:line:column) and its path
/// in the repository.
public struct ScoreModel: Sendable {
    public var path: String
    public var workload: ScoreWorkload
    public var tree: YAMLNode?
    /// Its `source:` files as the commit holds them (`readingSources`); none until read.
    public var sources: SourceFiles

    init(path: String, workload: ScoreWorkload, tree: YAMLNode?) {
        self.path = path
        self.workload = workload
        self.tree = tree
        sources = SourceFiles(scorePath: path, files: [:])
    }
}

extension DesiredStateLoader {
    /// The Score model of an app of the last `load`, read from the blob that load planned with — the one
    /// way a commit is read, so planning and execution cannot disagree (docs/ARCHITECTURE.md §11, load).
    /// Planning takes unchanged Scores' facts from the applied state without parsing them; the apps that
    /// run are parsed here, each when its app job starts, and kept nowhere: a pass over 10,000 apps would
    /// otherwise hold 10,000 models and their YAML trees at once.
    func scoreModel(of app: DesiredApp, from repository: Repository) async throws -> ScoreModel {
        guard let id = ObjectID(hex: app.scoreID) else {
            throw ReconcileError(.invalidSpec, "\(app.scorePath) is not a regular file in the commit")
        }
        switch try await read(id, path: app.scorePath, from: repository) {
        case .failure(let problem):
            throw ReconcileError(.invalidSpec, problem.description)
        case .success(let bytes):
            let report = SpecValidator(limits: limits).validate(bytes, path: app.scorePath, as: .score)
            guard let workload = report.score else {
                throw ReconcileError(.invalidSpec, "\(app.scorePath) is not a valid Score file:\n"
                    + report.errors.map(\.description).joined(separator: "\n"))
            }
            return ScoreModel(path: app.scorePath, workload: workload, tree: report.root)
        }
    }
}
