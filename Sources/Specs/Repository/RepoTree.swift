import Foundation

/// Every file of a platform repository as a workflow's `inputs` see them: the paths, and each file's git
/// blob id computed on demand (a checkout's scripts are hashed only when an approval pin needs them).
/// `validate DIR` and `approve` build it from a checkout; in the reconciler the git tree plays its part.
public struct RepoTree: Sendable {
    public enum Kind: Sendable, Hashable {
        case file(size: Int)
        /// Git stores a symbolic link as a blob holding its target.
        case symlink
    }

    public let files: [String: Kind]
    /// Every folder that holds a file, at any depth (so a lookup costs nothing in a large repository).
    private let folders: Set<String>
    private let blobID: @Sendable (String) -> String?

    public init(files: [String: Kind], blobID: @escaping @Sendable (String) -> String?) {
        self.files = files
        self.blobID = blobID
        var folders: Set<String> = []
        for path in files.keys {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty, folders.insert(parts.joined(separator: "/")).inserted { parts = parts.dropLast() }
        }
        self.folders = folders
    }

    /// Files held in memory (what `PlatformRepoValidator.validate(files:)` is given).
    public init(files: [RepoFile]) {
        var kinds: [String: Kind] = [:]
        var ids: [String: [UInt8]] = [:]
        for file in files {
            kinds[file.path] = .file(size: file.bytes.count)
            ids[file.path] = file.bytes
        }
        let contents = ids
        self.init(files: kinds) { path in contents[path].map(GitBlobID.of) }
    }

    /// The files of the checkout at `root`: regular files and symbolic links, hidden ones included (git
    /// tracks them), the `.git` folder left out; links are never followed. Untracked files count too, as
    /// they lie there: `approve` lists the files its pin covers so that a stray one is seen.
    public static func checkout(at root: String) throws -> RepoTree {
        let base = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL
        let keys: [URLResourceKey] = [.isRegularFileKey, .isSymbolicLinkKey, .isDirectoryKey, .fileSizeKey]
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: keys) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        let prefix = base.path.hasSuffix("/") ? base.path : base.path + "/"
        var files: [String: Kind] = [:]
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: Set(keys))
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(prefix) else { continue }
            let relative = String(full.dropFirst(prefix.count))
            if url.lastPathComponent == ".git" {
                if values?.isDirectory == true { walker.skipDescendants() }
                continue
            }
            if values?.isSymbolicLink == true {
                files[relative] = .symlink
            } else if values?.isRegularFile == true {
                files[relative] = .file(size: values?.fileSize ?? 0)
            }
        }
        let folder = prefix
        return RepoTree(files: files) { path in
            let full = folder + path
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: full) {
                return GitBlobID.of(Array(target.utf8))
            }
            return FileManager.default.contents(atPath: full).map { GitBlobID.of(Array($0)) }
        }
    }

    public func contains(_ path: String) -> Bool { files[path] != nil }

    /// Some file lies under `path`.
    public func isFolder(_ path: String) -> Bool {
        folders.contains(path)
    }

    /// The paths `patterns` name (a workflow's `spec.inputs`), as the reconciler resolves them in a git tree.
    public func paths(named patterns: [String]) -> Set<String> {
        var result: Set<String> = []
        for pattern in patterns {
            result.formUnion(InputPattern(pattern).resolve(in: files.keys, contains: contains))
        }
        return result
    }

    /// The files `patterns` name with their git blob ids (files that cannot be read are left out).
    public func inputs(named patterns: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for path in paths(named: patterns) { result[path] = blobID(path) }
        return result
    }

    /// The git blob id of one file.
    public func blobID(of path: String) -> String? { blobID(path) }
}
