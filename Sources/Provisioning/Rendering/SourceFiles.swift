import Foundation
import Specs

/// Reads a Score file's `source:` files: relative to the Score file and never outside the repository,
/// whether through `..` or through a symlink, because a product team must not read the platform's
/// other files through a render.
///
/// Two kinds: a folder on disk (`innominatus render` of a local Score file), or the files of a commit,
/// read by the caller from the commit's tree before rendering (the reconciler and the preview): then
/// no checkout is read, so what renders is exactly what the commit holds.
public struct SourceFiles: Sendable {
    enum Storage: Sendable {
        /// The folder holding the Score file, and the repository root every source must stay inside.
        case folder(scoreFolder: String, root: String)
        /// The Score file's folder in the repository, and what each repository path below it holds.
        case commit(scoreFolder: String, files: [String: Result<Data, ProvisioningError>])
    }

    let storage: Storage

    public init(scoreFile: String, root: String) {
        storage = .folder(scoreFolder: URL(fileURLWithPath: scoreFile).standardizedFileURL.deletingLastPathComponent().path,
                          root: URL(fileURLWithPath: root).standardizedFileURL.path)
    }

    /// Sources of the Score at `scorePath` in a commit: `files` maps repository paths (those `paths(of:at:)`
    /// named) to their content, or to why they cannot be used (a symlink, too large).
    public init(scorePath: String, files: [String: Result<Data, ProvisioningError>]) {
        storage = .commit(scoreFolder: Self.folder(of: scorePath), files: files)
    }

    /// The repository path of every `source:` the workload names that may be read (the others fail at
    /// render with their own error), for the caller to read from the commit.
    public static func paths(of workload: ScoreWorkload, at scorePath: String) -> Set<String> {
        var paths: Set<String> = []
        for container in workload.containers.values {
            for file in container.files.values {
                guard case .source(let source) = file.content, lexicalProblem(source) == nil else { continue }
                paths.insert(repositoryPath(source, folder: folder(of: scorePath)))
            }
        }
        return paths
    }

    public func read(_ source: String, field: String) throws(ProvisioningError) -> Data {
        if let problem = Self.lexicalProblem(source) { throw ProvisioningError("\(field): the source '\(source)' \(problem)") }
        switch storage {
        case .folder(let scoreFolder, let root):
            return try readFile(source, field: field, scoreFolder: scoreFolder, root: root)
        case .commit(let scoreFolder, let files):
            let path = Self.repositoryPath(source, folder: scoreFolder)
            switch files[path] {
            case nil:
                throw ProvisioningError("\(field): the source file '\(source)' is not in the commit (looked for \(path)); add it or fix the path")
            case .failure(let error):
                throw ProvisioningError("\(field): the source file '\(source)' (\(path)) \(error.message)")
            case .success(let data):
                return data
            }
        }
    }

    private func readFile(_ source: String, field: String, scoreFolder: String, root: String) throws(ProvisioningError) -> Data {
        let path = URL(fileURLWithPath: scoreFolder).appendingPathComponent(source).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ProvisioningError("\(field): the source file '\(source)' does not exist (looked for \(path)); add it or fix the path")
        }
        let realRoot = Self.realPath(root)
        let real = Self.realPath(path)
        guard real == realRoot || real.hasPrefix(realRoot + "/") else {
            throw ProvisioningError("\(field): the source '\(source)' leads outside the repository (to \(real)), through a symlink; "
                                    + "copy the file into the repository instead")
        }
        guard let data = FileManager.default.contents(atPath: real) else {
            throw ProvisioningError("\(field): the source file '\(source)' cannot be read; check that it is a readable file")
        }
        return data
    }

    static func lexicalProblem(_ source: String) -> String? {
        if source.hasPrefix("/") || source.split(separator: "/").contains("..") {
            return "must be a path inside the repository relative to the Score file, without '..' or a leading '/'"
        }
        return nil
    }

    static func folder(of scorePath: String) -> String {
        guard let slash = scorePath.lastIndex(of: "/") else { return "" }
        return String(scorePath[..<slash])
    }

    /// `source` (no `..`, no leading `/`) joined to the Score's folder, without `.` or empty components.
    static func repositoryPath(_ source: String, folder: String) -> String {
        (folder.split(separator: "/") + source.split(separator: "/")).filter { $0 != "." }.joined(separator: "/")
    }

    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
