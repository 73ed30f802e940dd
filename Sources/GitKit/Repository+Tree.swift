import CLibGit2

/// The mode git records for a tree entry.
public enum FileMode: UInt32, Sendable {
    case blob = 0o100644
    case executable = 0o100755
    case symlink = 0o120000
    /// A submodule's commit (gitlink); its content is not in this repository.
    case gitlink = 0o160000
    case tree = 0o040000
}

/// One file of a commit's tree: which blob, with which mode. Reading it is a separate, explicit step.
public struct TreeEntry: Hashable, Sendable {
    public var id: ObjectID
    public var mode: FileMode
    public init(id: ObjectID, mode: FileMode) {
        self.id = id
        self.mode = mode
    }
}

/// Every file of a commit (path → blob id and mode), built from tree objects only: no blob is read.
public struct TreeSnapshot: Sendable, Equatable {
    public let commit: ObjectID
    public let tree: ObjectID
    public let entries: [String: TreeEntry]

    public init(commit: ObjectID, tree: ObjectID, entries: [String: TreeEntry]) {
        self.commit = commit
        self.tree = tree
        self.entries = entries
    }

    public subscript(path: String) -> TreeEntry? { entries[path] }
}

/// How a path differs between two commits. A type change (file ↔ symlink) counts as `modified`.
public struct PathChange: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case added, modified, deleted }
    public var path: String
    public var kind: Kind
    /// The blob before (nil when added) and after (nil when deleted).
    public var oldID: ObjectID?
    public var newID: ObjectID?

    public var description: String { "\(kind.rawValue) \(path)" }
}

extension Repository {
    /// The tree of every file at `commit`. Submodule entries (gitlinks) are listed with their commit id.
    public func snapshot(of commit: ObjectID) throws(GitError) -> TreeSnapshot {
        let tree = try lookupTree(of: commit)
        defer { git_tree_free(tree) }
        return TreeSnapshot(commit: commit, tree: ObjectID(git_tree_id(tree)), entries: try walk(tree, "walk tree of \(commit)"))
    }

    /// Every file below `tree` (path relative to it → blob id and mode); folders are not listed.
    private func walk(_ tree: OpaquePointer?, _ operation: @autoclosure () -> String) throws(GitError) -> [String: TreeEntry] {
        final class Collector {
            var entries: [String: TreeEntry] = [:]
        }
        let collector = Collector()
        collector.entries.reserveCapacity(1024)
        let result = withExtendedLifetime(collector) {
            git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
                let collector = Unmanaged<Collector>.fromOpaque(payload!).takeUnretainedValue()
                let rawMode = git_tree_entry_filemode(entry).rawValue
                guard rawMode != GIT_FILEMODE_TREE.rawValue, let mode = FileMode(rawValue: rawMode) else { return 0 }
                let name = String(cString: git_tree_entry_name(entry))
                let prefix = String(cString: root!)
                collector.entries[prefix.isEmpty ? name : prefix + name] =
                    TreeEntry(id: ObjectID(git_tree_entry_id(entry)), mode: mode)
                return 0
            }, Unmanaged.passUnretained(collector).toOpaque())
        }
        if result < 0 { throw GitError.last(result, operation()) }
        return collector.entries
    }

    /// The id of the object at `path` inside `commit` (a tree for a folder, a blob for a file), nil if absent.
    /// An empty path means the root tree.
    public func objectID(at path: String, in commit: ObjectID) throws(GitError) -> ObjectID? {
        let tree = try lookupTree(of: commit)
        defer { git_tree_free(tree) }
        if path.isEmpty { return ObjectID(git_tree_id(tree)) }
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, tree, path)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        if result < 0 { throw GitError.last(result, "look up \(path) in \(commit)") }
        defer { git_tree_entry_free(entry) }
        return ObjectID(git_tree_entry_id(entry))
    }

    /// The files below the folder `path` of `commit` (paths relative to it), empty when there is no such
    /// folder: one subtree walked, not the whole tree.
    public func files(under path: String, in commit: ObjectID) throws(GitError) -> [String: TreeEntry] {
        guard let id = try objectID(at: path, in: commit) else { return [:] }
        var raw = id.raw
        var tree: OpaquePointer?
        let result = git_tree_lookup(&tree, self.raw, &raw)
        if result == GIT_ENOTFOUND.rawValue { return [:] }  // a file, not a folder
        if result < 0 { throw GitError.last(result, "look up the folder \(path) in \(commit)") }
        defer { git_tree_free(tree) }
        return try walk(tree, "walk \(path) in \(commit)")
    }

    /// Paths added, modified or deleted from `old` to `new` (no rename detection: a rename is a
    /// deletion plus an addition, which is what change detection needs). Compares tree ids only, so
    /// unchanged folders are skipped whole and no blob is read. `old` nil means "from nothing".
    public func changedPaths(from old: ObjectID?, to new: ObjectID) throws(GitError) -> [PathChange] {
        let newTree = try lookupTree(of: new)
        defer { git_tree_free(newTree) }
        var oldTree: OpaquePointer?
        if let old { oldTree = try lookupTree(of: old) }
        defer { git_tree_free(oldTree) }
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "init diff options")
        options.flags = GIT_DIFF_SKIP_BINARY_CHECK.rawValue
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, raw, oldTree, newTree, &options),
                  "diff \(old?.hex ?? "the empty tree") → \(new)")
        defer { git_diff_free(diff) }
        let count = git_diff_num_deltas(diff)
        var changes: [PathChange] = []
        changes.reserveCapacity(count)
        for index in 0..<count {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            let kind: PathChange.Kind
            switch delta.status {
            case GIT_DELTA_ADDED: kind = .added
            case GIT_DELTA_DELETED: kind = .deleted
            default: kind = .modified
            }
            let file = kind == .deleted ? delta.old_file : delta.new_file
            changes.append(PathChange(
                path: String(cString: file.path),
                kind: kind,
                oldID: kind == .added ? nil : ObjectID(delta.old_file.id),
                newID: kind == .deleted ? nil : ObjectID(delta.new_file.id)))
        }
        return changes
    }

    /// The root tree of a commit; the caller frees it.
    func lookupTree(of commit: ObjectID) throws(GitError) -> OpaquePointer? {
        var id = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, raw, &id), "look up commit \(commit)")
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commitObject), "read tree of \(commit)")
        return tree
    }
}
