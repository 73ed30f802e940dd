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

    /// The files of `commit` with the folder `root` cut down to the files directly in it and the subfolders
    /// `keeping` names: the other subfolders' trees are never read, and their entries cost a type check
    /// each, not a path, so the cost follows what is kept (docs/ARCHITECTURE.md §18: 10,000 app folders of
    /// which one is planned).
    public func snapshot(of commit: ObjectID, pruning root: String, keeping: Set<String>) throws(GitError) -> TreeSnapshot {
        let tree = try lookupTree(of: commit)
        defer { git_tree_free(tree) }
        var entries = try walk(tree, "walk tree of \(commit)", skipping: { $0 == root })
        var entry: OpaquePointer?
        let found = git_tree_entry_bypath(&entry, tree, root)
        if found == GIT_ENOTFOUND.rawValue { return TreeSnapshot(commit: commit, tree: ObjectID(git_tree_id(tree)), entries: entries) }
        if found < 0 { throw GitError.last(found, "look up \(root) in \(commit)") }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else {
            return TreeSnapshot(commit: commit, tree: ObjectID(git_tree_id(tree)), entries: entries)
        }
        var folder: OpaquePointer?
        try check(git_tree_lookup(&folder, raw, git_tree_entry_id(entry)), "read the folder \(root) of \(commit)")
        defer { git_tree_free(folder) }
        for index in 0..<git_tree_entrycount(folder) {
            guard let child = git_tree_entry_byindex(folder, index) else { continue }
            let rawMode = git_tree_entry_filemode(child).rawValue
            if rawMode != GIT_FILEMODE_TREE.rawValue {
                if let mode = FileMode(rawValue: rawMode) {
                    entries[root + "/" + String(cString: git_tree_entry_name(child))] = TreeEntry(id: ObjectID(git_tree_entry_id(child)), mode: mode)
                }
                continue
            }
            let name = String(cString: git_tree_entry_name(child))
            guard keeping.contains(name) else { continue }
            var subtree: OpaquePointer?
            try check(git_tree_lookup(&subtree, raw, git_tree_entry_id(child)), "read the folder \(root)/\(name) of \(commit)")
            defer { git_tree_free(subtree) }
            let prefix = root + "/" + name + "/"
            for (path, file) in try walk(subtree, "walk \(root)/\(name) in \(commit)") { entries[prefix + path] = file }
        }
        return TreeSnapshot(commit: commit, tree: ObjectID(git_tree_id(tree)), entries: entries)
    }

    /// Every file below `tree` (path relative to it → blob id and mode); folders are not listed, and
    /// those `skipping` names are not entered.
    private func walk(_ tree: OpaquePointer?, _ operation: @autoclosure () -> String,
                      skipping: @Sendable (String) -> Bool = { _ in false }) throws(GitError) -> [String: TreeEntry] {
        final class Collector {
            var entries: [String: TreeEntry] = [:]
            let skipping: @Sendable (String) -> Bool

            init(skipping: @escaping @Sendable (String) -> Bool) { self.skipping = skipping }
        }
        let result = withoutActuallyEscaping(skipping) { skipping in
            let collector = Collector(skipping: skipping)
            collector.entries.reserveCapacity(1024)
            let result = withExtendedLifetime(collector) {
                git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
                    let collector = Unmanaged<Collector>.fromOpaque(payload!).takeUnretainedValue()
                    let rawMode = git_tree_entry_filemode(entry).rawValue
                    let name = String(cString: git_tree_entry_name(entry))
                    let prefix = String(cString: root!)
                    let path = prefix.isEmpty ? name : prefix + name
                    if rawMode == GIT_FILEMODE_TREE.rawValue { return collector.skipping(path) ? 1 : 0 }  // 1: do not enter
                    guard let mode = FileMode(rawValue: rawMode) else { return 0 }
                    collector.entries[path] = TreeEntry(id: ObjectID(git_tree_entry_id(entry)), mode: mode)
                    return 0
                }, Unmanaged.passUnretained(collector).toOpaque())
            }
            return (result, collector.entries)
        }
        if result.0 < 0 { throw GitError.last(result.0, operation()) }
        return result.1
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
    /// deletion plus an addition, which is what change detection needs; a file that became a folder is its
    /// deletion plus the folder's files). Two sorted entry lists are walked side by side and a folder is
    /// entered only when its tree id differs, so the cost follows the change: libgit2's own tree diff reads
    /// every folder of both trees (25 ms at 10,000 apps for a one-file change). No blob is read. `old` nil
    /// means "from nothing".
    public func changedPaths(from old: ObjectID?, to new: ObjectID) throws(GitError) -> [PathChange] {
        let newTree = try lookupTree(of: new)
        defer { git_tree_free(newTree) }
        var oldTree: OpaquePointer?
        if let old { oldTree = try lookupTree(of: old) }
        defer { git_tree_free(oldTree) }
        var changes: [PathChange] = []
        try diff(oldTree, newTree, prefix: "", into: &changes)
        return changes
    }

    /// The changes between two trees (either may be nil: absent), appended in path order.
    private func diff(_ old: OpaquePointer?, _ new: OpaquePointer?, prefix: String, into changes: inout [PathChange]) throws(GitError) {
        let oldCount = old.map(git_tree_entrycount) ?? 0
        let newCount = new.map(git_tree_entrycount) ?? 0
        var oldIndex = 0
        var newIndex = 0
        while oldIndex < oldCount || newIndex < newCount {
            let before = oldIndex < oldCount ? git_tree_entry_byindex(old, oldIndex) : nil
            let after = newIndex < newCount ? git_tree_entry_byindex(new, newIndex) : nil
            let order: Int32 = before == nil ? 1 : after == nil ? -1 : git_tree_entry_cmp(before, after)
            if order < 0 {
                try entry(before, removed: true, prefix: prefix, into: &changes)
                oldIndex += 1
            } else if order > 0 {
                try entry(after, removed: false, prefix: prefix, into: &changes)
                newIndex += 1
            } else {
                oldIndex += 1
                newIndex += 1
                let oldMode = git_tree_entry_filemode(before).rawValue
                let newMode = git_tree_entry_filemode(after).rawValue
                let oldID = ObjectID(git_tree_entry_id(before))
                let newID = ObjectID(git_tree_entry_id(after))
                if oldID == newID && oldMode == newMode { continue }
                let oldIsTree = oldMode == GIT_FILEMODE_TREE.rawValue
                let newIsTree = newMode == GIT_FILEMODE_TREE.rawValue
                if oldIsTree && newIsTree {
                    let name = String(cString: git_tree_entry_name(after))
                    let left = try subtree(before)
                    defer { git_tree_free(left) }
                    let right = try subtree(after)
                    defer { git_tree_free(right) }
                    try diff(left, right, prefix: prefix + name + "/", into: &changes)
                } else if oldIsTree || newIsTree {
                    // Git orders a folder as its name plus "/", so a file and a folder of one name do not
                    // meet here; should they, each side is reported on its own.
                    try entry(before, removed: true, prefix: prefix, into: &changes)
                    try entry(after, removed: false, prefix: prefix, into: &changes)
                } else {
                    changes.append(PathChange(path: prefix + String(cString: git_tree_entry_name(after)), kind: .modified,
                                              oldID: oldID, newID: newID))
                }
            }
        }
    }

    /// An entry only one side has: a file, or every file under a folder.
    private func entry(_ entry: OpaquePointer?, removed: Bool, prefix: String, into changes: inout [PathChange]) throws(GitError) {
        let path = prefix + String(cString: git_tree_entry_name(entry))
        guard git_tree_entry_filemode(entry).rawValue == GIT_FILEMODE_TREE.rawValue else {
            let id = ObjectID(git_tree_entry_id(entry))
            changes.append(PathChange(path: path, kind: removed ? .deleted : .added, oldID: removed ? id : nil, newID: removed ? nil : id))
            return
        }
        let tree = try subtree(entry)
        defer { git_tree_free(tree) }
        try diff(removed ? tree : nil, removed ? nil : tree, prefix: path + "/", into: &changes)
    }

    /// The tree an entry names; the caller frees it.
    private func subtree(_ entry: OpaquePointer?) throws(GitError) -> OpaquePointer? {
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, raw, git_tree_entry_id(entry)), "read tree \(ObjectID(git_tree_entry_id(entry)))")
        return tree
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
