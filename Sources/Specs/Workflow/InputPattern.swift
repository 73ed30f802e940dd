import Foundation

/// One entry of a workflow's `spec.inputs`: a file, a folder (every file under it), or a glob (`fnmatch`
/// over whole repository paths, so `*` also crosses `/`). One rule for the reconciler (which resolves it
/// against a git tree), `validate DIR` and `approve` (which resolve it against a checkout), so that the
/// files a fingerprint or an approval pin covers are the same everywhere.
public struct InputPattern: Sendable, Hashable {
    /// As written, normalized (`./scripts/` → `scripts`).
    public let path: String
    public let isGlob: Bool

    public init(_ written: String) {
        path = RepositoryPath.normalized(written)
        isGlob = path.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// The files of `paths` it names: the glob's matches, or the file itself, or else the files under the folder.
    public func resolve<Paths: Collection<String>>(in paths: Paths, contains: (String) -> Bool) -> [String] {
        if isGlob { return paths.filter(matchesGlob) }
        if contains(path) { return [path] }
        let folder = path + "/"
        return paths.filter { $0.hasPrefix(folder) }
    }

    /// Whether `file` is one of the files it names (whatever else the repository holds).
    public func covers(_ file: String) -> Bool {
        if isGlob { return matchesGlob(file) }
        return file == path || file.hasPrefix(path + "/")
    }

    private func matchesGlob(_ candidate: String) -> Bool {
        fnmatch(path, candidate, 0) == 0
    }
}
