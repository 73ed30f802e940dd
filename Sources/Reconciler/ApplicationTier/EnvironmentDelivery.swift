import Foundation
import GitKit
import Provisioning

/// Delivers rendered manifests to the environment branch of the platform repository (default `env/main`),
/// one folder per app, in ONE commit per pass whose message names the source commit — the rendered-
/// manifests pattern Argo CD or Flux then sync. Apps whose manifests did not change are not touched, and
/// a pass that changes nothing makes no commit. The push is non-forced (`Repository.publish`): when someone
/// else moved the branch, the commit is rebuilt on their tip (other folders kept as they are) and pushed again.
///
/// Secrets never reach the branch: `Secret` objects are written under the workdir (mode 0600) instead,
/// for the operator's secret manager (README, "Secrets of rendered apps").
struct EnvironmentDelivery {
    var repository: Repository
    var remote: Remote
    var branch: String
    /// `<workdir>/secrets`: one folder per app holding its Secret objects.
    var secretsFolder: String
    /// Signs each delivery commit (`--signing-key`), with its tool folder (`<workdir>/trust`).
    var signing: (key: SigningKey, home: String)?

    struct Report: Sendable, Equatable {
        var branch: String
        /// The commit pushed; nil when nothing changed.
        var commit: String?
        /// Apps whose folder changed (added, updated or removed).
        var changed: [String]
    }

    /// - Parameters:
    ///   - rendered: app → its rendered manifests (apps whose application tier ran and rendered).
    ///   - removed: pruned apps whose folder leaves the branch.
    ///   - source: the platform-repo commit the manifests come from.
    func deliver(_ rendered: [String: RenderedApp], removed: Set<String>, source: String) async throws -> Report {
        try writeSecrets(rendered, removed: removed)
        let ref = "refs/heads/" + branch
        let tracking = "refs/innominatus/env-remote/" + branch
        // The new folders, their blobs written once: they do not depend on the branch's tip.
        var folders: [String: [String: TreeEntry]] = [:]
        for app in removed.union(rendered.keys) {
            var files: [String: TreeEntry] = [:]
            for file in rendered[app].map(Self.branchFiles) ?? [] {
                files[file.name] = TreeEntry(id: try await repository.writeBlob(Array(file.content.utf8)), mode: .blob)
            }
            folders[app] = files
        }
        // Fetch, rebuild on the remote's tip, non-forced push, retried from the fetch when someone moved
        // the branch (`Repository.publish`, docs/ARCHITECTURE.md §4).
        var changed: [String] = []
        let commit = try await repository.publish(ref, to: remote, tracking: tracking) { tip throws(GitError) in
            // The branch by app folder (paths outside any folder kept as they are), grouped once.
            var byFolder: [String: [String: TreeEntry]] = [:]
            var loose: [String: TreeEntry] = [:]
            if let tip {
                for (path, entry) in try await repository.snapshot(of: tip).entries {
                    if let slash = path.firstIndex(of: "/") {
                        byFolder[String(path[..<slash]), default: [:]][String(path[path.index(after: slash)...])] = entry
                    } else {
                        loose[path] = entry
                    }
                }
            }
            changed = folders.keys.sorted().filter { byFolder[$0] ?? [:] != folders[$0] }
            guard !changed.isEmpty else { return nil }
            for app in changed { byFolder[app] = folders[app]?.isEmpty == false ? folders[app] : nil }
            var entries = loose
            for (folder, files) in byFolder {
                for (name, entry) in files { entries[folder + "/" + name] = entry }
            }
            let tree = try await repository.writeTree(entries)
            let message = "innominatus: deliver \(changed.count) app(s) from \(source.prefix(12))\n\n"
                + "Source-Commit: \(source)\nApps: \(changed.joined(separator: ", "))\n"
            let parents = tip.map { [$0] } ?? []
            guard let signing else {
                return try await repository.createCommit(tree: tree, parents: parents, message: message, signature: .innominatus)
            }
            let content = try await repository.commitContent(tree: tree, parents: parents, message: message, signature: .innominatus)
            let armored: String
            do { armored = try await signing.key.sign(content, home: signing.home) } catch {
                throw GitError(.other, operation: "sign the delivery commit with \(signing.key.file)", message: "\(error)")
            }
            return try await repository.createCommit(content: content, signature: armored)
        }
        guard let commit else { return Report(branch: branch, commit: nil, changed: []) }
        return Report(branch: branch, commit: commit.hex, changed: changed)
    }

    /// The files of an app's folder on the branch: every object but Secrets.
    static func branchFiles(_ app: RenderedApp) -> [(name: String, content: String)] {
        var kept = app
        kept.objects = app.objects.filter { !RenderedApp.isSecret($0) }
        return kept.files
    }

    /// Each app's Secret objects under `<secretsFolder>/<app>/` (folders 0700, `secretsFolder` itself included,
    /// files 0600), replacing what was there.
    private func writeSecrets(_ rendered: [String: RenderedApp], removed: Set<String>) throws {
        let manager = FileManager.default
        for app in removed { try? manager.removeItem(atPath: secretsFolder + "/" + app) }
        for (app, manifests) in rendered {
            let folder = secretsFolder + "/" + app
            try? manager.removeItem(atPath: folder)
            var secrets = manifests
            secrets.objects = manifests.objects.filter(RenderedApp.isSecret)
            guard !secrets.objects.isEmpty else { continue }
            for owned in [secretsFolder, folder] {
                if let problem = PrivateFiles.makeFolder(owned, restrict: true) {
                    throw ReconcileFailure("\(problem); check that \(secretsFolder) is writable")
                }
            }
            for file in secrets.files {
                if let problem = PrivateFiles.write(Array(file.content.utf8), to: folder + "/" + file.name) {
                    throw ReconcileFailure("\(problem); check that \(secretsFolder) is writable")
                }
            }
        }
    }
}
