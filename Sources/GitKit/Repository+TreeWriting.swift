import CLibGit2

extension Repository {
    /// Writes the tree holding exactly `entries` (path → blob id and mode; folders are implied) and
    /// returns its id. Paths are checked: no empty, `.`, `..` or `.git` component, no leading `/`.
    /// With `createCommit` this is how a commit of generated files (an environment branch, a state
    /// document) is made without a work tree.
    public func writeTree(_ entries: [String: TreeEntry]) throws(GitError) -> ObjectID {
        var root = Folder()
        for (path, entry) in entries {
            let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard !path.hasPrefix("/"), components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.lowercased() != ".git" }),
                  entry.mode != .tree else {
                throw GitError(.invalid, operation: "write tree", message: "'\(path)' is not a valid path for a file in a tree")
            }
            guard root.insert(components[...], entry) else {
                throw GitError(.invalid, operation: "write tree", message: "'\(path)' is both a file and a folder")
            }
        }
        return try write(root)
    }

    private func write(_ folder: Folder) throws(GitError) -> ObjectID {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, raw, nil), "write tree")
        defer { git_treebuilder_free(builder) }
        for (name, entry) in folder.files {
            var id = entry.id.raw
            try check(git_treebuilder_insert(nil, builder, name, &id, git_filemode_t(rawValue: entry.mode.rawValue)),
                      "write tree: add \(name)")
        }
        for (name, child) in folder.folders {
            var id = try write(child).raw
            try check(git_treebuilder_insert(nil, builder, name, &id, GIT_FILEMODE_TREE), "write tree: add \(name)/")
        }
        var tree = git_oid()
        try check(git_treebuilder_write(&tree, builder), "write tree")
        return ObjectID(tree)
    }
}

/// A folder of a tree being written.
private struct Folder {
    var files: [String: TreeEntry] = [:]
    var folders: [String: Folder] = [:]

    /// False when the path runs into a file where a folder is needed, or the reverse.
    mutating func insert(_ components: ArraySlice<String>, _ entry: TreeEntry) -> Bool {
        let name = components.first!
        if components.count == 1 {
            guard folders[name] == nil else { return false }
            files[name] = entry
            return true
        }
        guard files[name] == nil else { return false }
        return folders[name, default: Folder()].insert(components.dropFirst(), entry)
    }
}
