import CLibGit2
import Dispatch

/// An open git repository (usually the reconciler's bare cache of the platform repo).
///
/// libgit2 handles must not be used by two threads at once, and blocking libgit2 calls must not run on
/// Swift's small cooperative pool. So a `Repository` is an actor whose executor is its own serial
/// dispatch queue: every libgit2 call on this handle runs there, one at a time. Open it once and keep it
/// across passes (opening costs more than a tree diff).
public actor Repository {
    /// The git directory.
    public nonisolated let path: String
    let handle: Handle
    private let executor: QueueExecutor

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private init(path: String, handle: OpaquePointer) {
        self.path = path
        self.handle = Handle(handle)
        self.executor = QueueExecutor(label: "innominatus.git.\(path)")
    }

    var raw: OpaquePointer { handle.pointer }

    /// Opens an existing repository (bare or not) at exactly `path`; parent folders are not searched.
    public static func open(at path: String) throws(GitError) -> Repository {
        LibGit2.ensureInitialized()
        var pointer: OpaquePointer?
        try check(
            git_repository_open_ext(&pointer, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
            "open repository \(path)")
        let gitDirectory = String(cString: git_repository_path(pointer))
        return Repository(path: gitDirectory, handle: pointer!)
    }

    /// Creates an empty bare repository at `path` (or opens the one already there).
    public static func createBare(at path: String) throws(GitError) -> Repository {
        LibGit2.ensureInitialized()
        var pointer: OpaquePointer?
        try check(git_repository_init(&pointer, path, 1), "create bare repository \(path)")
        let gitDirectory = String(cString: git_repository_path(pointer))
        return Repository(path: gitDirectory, handle: pointer!)
    }

    // MARK: Revisions and refs

    /// The commit a revision names: a full ref (`refs/remotes/origin/main`), a short branch name, or a hex id.
    public func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, raw, revision), "resolve \(revision)")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "resolve \(revision) to a commit")
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }

    /// The commit a branch of `origin` points at after the last fetch.
    public func resolveRemoteBranch(_ branch: String) throws(GitError) -> ObjectID {
        do {
            return try resolveCommit("refs/remotes/origin/\(branch)")
        } catch where error.code == .notFound {
            let branches = (try? references(matching: "refs/remotes/origin/*")) ?? [:]
            let known = branches.keys.map { String($0.dropFirst("refs/remotes/origin/".count)) }.sorted()
            let hint = known.isEmpty
                ? "the remote has no branches (is it empty?)"
                : "the remote has: \(known.joined(separator: ", "))"
            throw GitError(.notFound, operation: "resolve branch \(branch)",
                           message: "branch '\(branch)' not found on origin; \(hint)")
        }
    }

    /// The id a ref points at (peeled through symbolic refs), or nil when there is no such ref.
    public func reference(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, raw, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        if result < 0 { throw GitError.last(result, "read ref \(name)") }
        return ObjectID(oid)
    }

    /// All refs whose names match a glob (`refs/notes/*`), with their ids.
    public func references(matching glob: String) throws(GitError) -> [String: ObjectID] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, raw, glob), "list refs \(glob)")
        defer { git_reference_iterator_free(iterator) }
        var out: [String: ObjectID] = [:]
        while true {
            var reference: OpaquePointer?
            let result = git_reference_next(&reference, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            if result < 0 { throw GitError.last(result, "list refs \(glob)") }
            defer { git_reference_free(reference) }
            var resolved: OpaquePointer?
            guard git_reference_resolve(&resolved, reference) == 0 else { continue }
            defer { git_reference_free(resolved) }
            if let target = git_reference_target(resolved) {
                out[String(cString: git_reference_name(reference))] = ObjectID(target)
            }
        }
        return out
    }

    /// Moves `name` to `target` only if it still points at `expected` (nil: only if it does not exist yet).
    ///
    /// Throws `.refMoved` when another writer got there first; the caller re-reads and decides.
    public func updateReference(_ name: String, to target: ObjectID, expected: ObjectID?, message: String) throws(GitError) {
        var reference: OpaquePointer?
        var newID = target.raw
        let operation = "update ref \(name)"
        let result: Int32
        // The expected value is compared while the ref is locked. For "must not exist yet", libgit2's
        // plain create checks before it locks (two creators racing could both "win"); the all-zero id
        // as the expected value makes that check happen under the lock too.
        var oldID = expected?.raw ?? git_oid()
        result = git_reference_create_matching(&reference, raw, name, &newID, 1, &oldID, message)
        git_reference_free(reference)
        if result == GIT_EMODIFIED.rawValue || result == GIT_EEXISTS.rawValue {
            let current = (try? self.reference(name)).flatMap { $0?.hex } ?? "nothing"
            throw GitError(.refMoved, operation: operation,
                           message: "expected \(expected?.hex ?? "no ref"), found \(current)",
                           libgit2Code: result)
        }
        if result < 0 { throw GitError.last(result, operation) }
    }

    /// Deletes a ref if it exists.
    public func deleteReference(_ name: String) throws(GitError) {
        var reference: OpaquePointer?
        let result = git_reference_lookup(&reference, raw, name)
        if result == GIT_ENOTFOUND.rawValue { return }
        if result < 0 { throw GitError.last(result, "delete ref \(name)") }
        defer { git_reference_free(reference) }
        try check(git_reference_delete(reference), "delete ref \(name)")
    }

    /// Whether `descendant` has `ancestor` in its history (a commit is not its own descendant).
    public func isDescendant(_ descendant: ObjectID, of ancestor: ObjectID) throws(GitError) -> Bool {
        var commit = descendant.raw
        var base = ancestor.raw
        return try check(
            git_graph_descendant_of(raw, &commit, &base),
            "compare history of \(descendant) and \(ancestor)") == 1
    }

    /// The id of the empty tree (written to the object database if it is not there yet).
    public func emptyTreeID() throws(GitError) -> ObjectID {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, raw, nil), "build the empty tree")
        defer { git_treebuilder_free(builder) }
        var id = git_oid()
        try check(git_treebuilder_write(&id, builder), "write the empty tree")
        return ObjectID(id)
    }

    /// A commit's full message.
    public func commitMessage(_ id: ObjectID) throws(GitError) -> String {
        var oid = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, raw, &oid), "look up commit \(id)")
        defer { git_commit_free(commit) }
        return git_commit_message(commit).map { String(cString: $0) } ?? ""
    }

    /// Creates a commit with the given tree and parents without moving any ref.
    public func createCommit(tree: ObjectID, parents: [ObjectID], message: String, signature: Signature) throws(GitError) -> ObjectID {
        try withCommitParts(tree: tree, parents: parents, signature: signature) { (treeObject, sig, count, parentPointers) throws(GitError) in
            var out = git_oid()
            let result = git_commit_create(&out, raw, nil, sig, sig, "UTF-8", message, treeObject, count, parentPointers)
            if result < 0 { throw GitError.last(result, "create commit") }
            return ObjectID(out)
        }
    }

    /// The tree and the parent commits looked up and the signature made, for `git_commit_create` and
    /// `git_commit_create_buffer` (`commitContent`); freed after `body`.
    func withCommitParts<T>(tree: ObjectID, parents: [ObjectID], signature: Signature,
                            _ body: (OpaquePointer?, UnsafeMutablePointer<git_signature>?, Int,
                                     UnsafeMutablePointer<OpaquePointer?>) throws(GitError) -> T) throws(GitError) -> T {
        var treeID = tree.raw
        var treeObject: OpaquePointer?
        try check(git_tree_lookup(&treeObject, raw, &treeID), "look up tree \(tree)")
        defer { git_tree_free(treeObject) }
        var commits: [OpaquePointer?] = []
        defer { commits.forEach { git_commit_free($0) } }
        for parent in parents {
            var parentID = parent.raw
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, raw, &parentID), "look up commit \(parent)")
            commits.append(commit)
        }
        let sig = try signature.make()
        defer { git_signature_free(sig) }
        let parentPointers = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: max(commits.count, 1))
        defer { parentPointers.deallocate() }
        parentPointers.initialize(from: commits, count: commits.count)
        return try body(treeObject, sig, commits.count, parentPointers)
    }
}

/// Owner of the raw `git_repository*`.
///
/// `@unchecked Sendable` is safe because only the owning `Repository` actor dereferences the pointer,
/// always on that actor's serial queue; this class exists only so the pointer can be freed in `deinit`.
final class Handle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { git_repository_free(pointer) }
}

/// A serial executor backed by a dispatch queue, so that a `Repository`'s blocking libgit2 calls run on
/// dispatch's threads instead of Swift's cooperative pool.
final class QueueExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}

/// Who a commit or note is by.
public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String
    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    public static let innominatus = Signature(name: "innominatus", email: "innominatus@localhost")

    func make() throws(GitError) -> UnsafeMutablePointer<git_signature>? {
        var signature: UnsafeMutablePointer<git_signature>?
        try check(git_signature_now(&signature, name, email), "make signature for \(name) <\(email)>")
        return signature
    }
}
