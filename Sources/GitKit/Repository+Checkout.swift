import CLibGit2
import Glibc

/// What a checkout changed on disk.
public struct CheckoutResult: Sendable, Equatable {
    public var commit: ObjectID
    /// The commit the folder held before, when it was updated incrementally.
    public var previous: ObjectID?
    /// Paths added, modified or deleted on disk (every file for a full checkout).
    public var changedPaths: Int
    /// Symlinks of the tree that would point outside the checkout (or nowhere), written instead as
    /// read-only plain files holding the link's target text.
    public var replacedSymlinks: [String]
    /// Paths found changed since the last checkout into the folder (`CheckoutSeal`): a step wrote there.
    /// The folder was then rewritten from scratch.
    public var restoredPaths: [String] = []
}

extension Repository {
    /// Checks `commit` out into `directory` (which the repository does not otherwise know about).
    ///
    /// - Incremental: the commit the folder holds is recorded beside it (`<directory>.checkout`), and
    ///   the next checkout rewrites only the paths that differ between the two commits.
    /// - Read-only for steps: files are left `0444` (`0555` when executable), folders `0555`. A process
    ///   running as root can still write; a checkout whose record is missing or unreadable is redone
    ///   from scratch, which is also how to repair a folder a step changed.
    /// - Verified: the folder is sealed after writing (`CheckoutSeal`, in `<directory>.seal`); a folder that
    ///   differs from its seal (or has none) is rewritten from scratch, and what differed is reported in
    ///   `restoredPaths`. `fresh` rewrites it from scratch whatever the seal says.
    /// - Contained: a symlink is kept only when it resolves to something inside the checkout;
    ///   any other (absolute, climbing out with `..`, through another link, dangling) becomes a plain
    ///   file holding its target text and is listed in the result.
    /// - Exact: no filters (CRLF, ident) are applied; files hold the blobs' bytes.
    /// - Parameter intact: the caller knows the folder is as its seal says (a watch on it saw nothing since
    ///   the seal was taken): it is not compared with the seal again.
    /// - Parameter beforeSeal: called once the folder is written, before its seal is taken (not when nothing
    ///   was written): a watch started there sees every later write, the seal's walk included.
    public func checkout(_ commit: ObjectID, into directory: String, fresh: Bool = false, intact: Bool = false,
                         beforeSeal: @Sendable () -> Void = {}) throws(GitError) -> CheckoutResult {
        let operation = "check out \(commit) into \(directory)"
        let recordPath = directory + ".checkout"
        let sealPath = directory + ".seal"
        var previous = fresh ? nil : FileSystem.readRecord(recordPath).flatMap(ObjectID.init(hex:))
        if let known = previous {
            if !FileSystem.isDirectory(directory) { previous = nil } else if !(try commitExists(known)) { previous = nil }
        }
        var restored: [String] = []
        if previous != nil {
            // No seal (a folder from an older version): rewritten, but nothing is known to have changed.
            if let seal = CheckoutSeal.read(for: directory) {
                restored = intact ? [] : seal.differences(in: directory)
                if !restored.isEmpty { previous = nil }
            } else {
                previous = nil
            }
        }
        if previous == commit {
            return CheckoutResult(commit: commit, previous: previous, changedPaths: 0, replacedSymlinks: [])
        }

        // Paths that will change, and the folders that must be writable while they do.
        let changes = try changedPaths(from: previous, to: commit)
        var folders: Set<String> = [""]
        for change in changes {
            var parent = change.path
            while let slash = parent.lastIndex(of: "/") {
                parent = String(parent[..<slash])
                guard folders.insert(parent).inserted else { break }
            }
        }
        if previous == nil {
            try FileSystem.removeTree(directory, operation: operation)
            try FileSystem.makeDirectory(directory, operation: operation)
        } else {
            for folder in folders { FileSystem.setMode(join(directory, folder), 0o755) }
            for change in changes where change.kind != .added { FileSystem.setMode(join(directory, change.path), 0o644) }
        }
        FileSystem.setMode(directory, 0o755)

        let tree = try lookupTree(of: commit)
        defer { git_tree_free(tree) }
        var baseline: OpaquePointer?
        if let previous { baseline = try lookupTree(of: previous) } else { baseline = try emptyTree() }
        defer { git_tree_free(baseline) }
        var options = git_checkout_options()
        try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), operation)
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue
            | GIT_CHECKOUT_DONT_WRITE_INDEX.rawValue | GIT_CHECKOUT_RECREATE_MISSING.rawValue
        options.disable_filters = 1
        options.baseline = baseline
        // Incremental: only the changed paths, named exactly, so libgit2 neither walks the folder nor compares
        // the unchanged rest of the trees (at 10,000 apps that was most of a pass's checkout).
        let limited = previous == nil ? [] : changes.map(\.path)
        if previous != nil { options.checkout_strategy |= GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue }
        if previous == nil || !limited.isEmpty {
            let result = directory.withCString { target in
                options.target_directory = target
                return limited.withStrarray { paths in
                    if !limited.isEmpty { options.paths = paths }
                    return git_checkout_tree(raw, tree, &options)
                }
            }
            if result < 0 { throw GitError.last(result, operation) }
        }
        baseline = nil

        // Contain symlinks, then make everything that changed read-only. An incremental checkout looks at
        // the paths it wrote: the symlinks it kept before were contained when they were written.
        let snapshot: TreeSnapshot
        if previous == nil {
            snapshot = try self.snapshot(of: commit)
        } else {
            var entries: [String: TreeEntry] = [:]
            for change in changes where change.kind != .deleted {
                var entry: OpaquePointer?
                guard git_tree_entry_bypath(&entry, tree, change.path) == 0 else { continue }
                defer { git_tree_entry_free(entry) }
                if let mode = FileMode(rawValue: git_tree_entry_filemode(entry).rawValue) {
                    entries[change.path] = TreeEntry(id: ObjectID(git_tree_entry_id(entry)), mode: mode)
                }
            }
            snapshot = TreeSnapshot(commit: commit, tree: ObjectID(git_tree_id(tree)), entries: entries)
        }
        let root = FileSystem.realPath(directory) ?? directory
        var replaced: [String] = []
        for (path, entry) in snapshot.entries where entry.mode == .symlink {
            let full = join(directory, path)
            guard !FileSystem.resolvesInside(full, root: root) else { continue }
            try FileSystem.replaceLinkWithFile(full, operation: operation)
            replaced.append(path)
        }
        let written: [(String, TreeEntry)] = previous == nil
            ? Array(snapshot.entries)
            : changes.compactMap { change in snapshot[change.path].map { (change.path, $0) } }
        for (path, entry) in written where entry.mode != .symlink || replaced.contains(path) {
            FileSystem.setMode(join(directory, path), entry.mode == .executable ? 0o555 : 0o444)
        }
        if previous == nil {
            for path in snapshot.entries.keys {
                var parent = path
                while let slash = parent.lastIndex(of: "/") {
                    parent = String(parent[..<slash])
                    guard folders.insert(parent).inserted else { break }
                }
            }
        }
        for folder in folders.sorted(by: >) { FileSystem.setMode(join(directory, folder), 0o555) }
        beforeSeal()
        try FileSystem.writeRecord(sealPath, CheckoutSeal.take(of: directory).serialized(), operation: operation)
        try FileSystem.writeRecord(recordPath, commit.hex, operation: operation)
        return CheckoutResult(commit: commit, previous: previous,
                              changedPaths: previous == nil ? snapshot.entries.count : changes.count,
                              replacedSymlinks: replaced.sorted(), restoredPaths: restored)
    }

    func commitExists(_ id: ObjectID) throws(GitError) -> Bool {
        var oid = id.raw
        var commit: OpaquePointer?
        let result = git_commit_lookup(&commit, raw, &oid)
        git_commit_free(commit)
        if result == GIT_ENOTFOUND.rawValue { return false }
        if result < 0 { throw GitError.last(result, "look up commit \(id)") }
        return true
    }

    private func emptyTree() throws(GitError) -> OpaquePointer? {
        var id = try emptyTreeID().raw
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, raw, &id), "look up the empty tree")
        return tree
    }

    private func join(_ directory: String, _ path: String) -> String {
        path.isEmpty ? directory : directory + "/" + path
    }
}
