import Foundation
import GitKit
import Provisioning

extension ScoreModel {
    /// The most a `source:` file may hold: what a ConfigMap can (1 MiB).
    static let sourceLimit = 1 << 20

    /// This model with its `source:` files read from `commit`'s tree, not from a checkout a step may have
    /// changed: only the Score's own folder is listed, and a symlink, a submodule or a file over
    /// `sourceLimit` becomes that file's error at render time.
    func readingSources(in commit: String, from repository: Repository) async -> ScoreModel {
        let wanted = SourceFiles.paths(of: workload, at: path)
        guard !wanted.isEmpty, let commitID = ObjectID(hex: commit) else { return self }
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        var files: [String: Result<Data, ProvisioningError>] = [:]
        let listed: [String: TreeEntry]
        do { listed = try await repository.files(under: folder, in: commitID) } catch {
            for file in wanted { files[file] = .failure(ProvisioningError("cannot be read from the commit: \(error)")) }
            var model = self
            model.sources = SourceFiles(scorePath: path, files: files)
            return model
        }
        for file in wanted {
            let relative = folder.isEmpty ? file : String(file.dropFirst(folder.count + 1))
            guard let entry = listed[relative] else { continue }
            switch entry.mode {
            case .symlink:
                files[file] = .failure(ProvisioningError("is a symlink in the commit; a source must be a regular file, so copy it into the repository"))
            case .gitlink, .tree:
                files[file] = .failure(ProvisioningError("is a submodule, not a file"))
            case .blob, .executable:
                do { files[file] = .success(Data(try await repository.readBlob(entry.id, limit: Self.sourceLimit))) } catch {
                    files[file] = .failure(ProvisioningError(error.code == .tooLarge
                        ? "is over \(Self.sourceLimit >> 20) MiB, more than a ConfigMap holds"
                        : "cannot be read from the commit: \(error)"))
                }
            }
        }
        var model = self
        model.sources = SourceFiles(scorePath: path, files: files)
        return model
    }
}
