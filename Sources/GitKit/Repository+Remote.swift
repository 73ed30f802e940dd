import CLibGit2
import Glibc

extension Repository {
    /// Where `fetch` puts the remote's branches.
    public static let branchesRefspec = "+refs/heads/*:refs/remotes/origin/*"

    /// Where a fetched copy of the remote's notes ref `ref` is kept: outside `refs/remotes/origin/*`,
    /// so that pruning branches never deletes it.
    public static func remoteNotesRef(for ref: String) -> String {
        "refs/innominatus/remote-notes/" + ref.dropFirst(ref.hasPrefix("refs/notes/") ? "refs/notes/".count : 0)
    }

    /// Opens the bare cache of `remote` at `directory`, creating it (a clone) when it is not there yet,
    /// and fetches the remote's branches into `refs/remotes/origin/*`.
    public static func clone(_ remote: Remote, into directory: String) async throws(GitError) -> Repository {
        let repository: Repository
        if FileSystem.isDirectory(directory + "/objects") {
            repository = try Repository.open(at: directory)
        } else {
            repository = try Repository.createBare(at: directory)
        }
        try await repository.setOrigin(remote.url)
        try await repository.fetch(from: remote)
        return repository
    }

    /// Records `url` as `origin` in the repository's config (for people looking at the cache). A URL with a
    /// password is refused (`RemoteURL.refusal`): nothing secret is ever written there. The cache is made
    /// private to its owner (folder 0700, config 0600) on every call, so that a cache made by an earlier
    /// version is closed too: it holds the platform repository, which may be private, and names its remote.
    public func setOrigin(_ url: String) throws(GitError) {
        if let refusal = RemoteURL.refusal(url, operation: "record origin") { throw refusal }
        defer {
            FileSystem.setMode(path, 0o700)
            FileSystem.setMode(path + "/config", 0o600)
        }
        // Read and written as config values: `git_remote_lookup` and `git_remote_create` apply
        // `url.*.insteadOf`, and libgit2 1.5 leaks memory for each config entry that does not match it
        // (docs/ARCHITECTURE.md §8); this runs before every fetch of a long-running `serve`.
        var config: OpaquePointer?
        try check(git_repository_config(&config, raw), "read the config of \(path)")
        defer { git_config_free(config) }
        var current = git_buf()
        let found = git_config_get_string_buf(&current, config, "remote.origin.url")
        defer { git_buf_dispose(&current) }
        if found == 0, String(cString: current.ptr) == url { return }
        if found < 0 && found != GIT_ENOTFOUND.rawValue { throw GitError.last(found, "read origin") }
        try check(git_config_set_string(config, "remote.origin.url", url), "record origin \(RemoteURL.redacted(url))")
        if found == GIT_ENOTFOUND.rawValue {
            try check(git_config_set_string(config, "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"),
                      "record origin \(RemoteURL.redacted(url))")
        }
    }

    /// Fetches `refspecs` (default: every branch, force-updated, deleted branches pruned) within the
    /// remote's deadline. A force-pushed branch simply moves; nothing is merged.
    public nonisolated func fetch(from remote: Remote, refspecs: [String] = [Repository.branchesRefspec],
                                  prune: Bool = true) async throws(GitError) {
        let request = NetworkRequest(operation: .fetch, gitDirectory: path, url: remote.url, refspecs: refspecs,
                                     prune: prune, credentials: remote.credentials, parent: getpid())
        _ = try await NetworkHelper.run(request, helper: remote.helper, timeout: remote.timeout)
    }

    /// Pushes refspecs (`refs/x:refs/x`; a leading `+` forces) within the remote's deadline.
    ///
    /// Throws `.nonFastForward` when libgit2 sees that the remote has commits we lack, and `.rejected`
    /// when the server refuses an update (which libgit2 reports only through a callback, never as a
    /// failed push).
    @discardableResult
    public nonisolated func push(_ refspecs: [String], to remote: Remote) async throws(GitError) -> [PushedRef] {
        let request = NetworkRequest(operation: .push, gitDirectory: path, url: remote.url, refspecs: refspecs,
                                     prune: false, credentials: remote.credentials, parent: getpid())
        let response = try await NetworkHelper.run(request, helper: remote.helper, timeout: remote.timeout)
        let rejected = response.pushed.filter { $0.rejection != nil }
        if !rejected.isEmpty {
            throw GitError(.rejected, operation: "push to \(RemoteURL.redacted(remote.url))",
                           message: "the remote refused " + rejected.map { "\($0.ref) (\($0.rejection!))" }.joined(separator: ", "))
        }
        return response.pushed
    }

    /// Pushes the notes ref `ref` without forcing, through `publish`: the remote's notes are fetched and
    /// merged with ours (`notesMerge`) before each push, and a refused push starts again from the fetch,
    /// up to `attempts` times, so that no writer's note is lost. Returns the number of merges it took
    /// (rounds in which the remote had notes we lacked).
    @discardableResult
    public func pushNotes(_ ref: String = Repository.defaultNotesRef, to remote: Remote, attempts: Int = 8) async throws(GitError) -> Int {
        guard try reference(ref) != nil else { return 0 }
        var merges = 0
        try await publish(ref, to: remote, tracking: Self.remoteNotesRef(for: ref), attempts: attempts) { theirs throws(GitError) in
            guard let ours = try reference(ref) else { return nil }
            guard let theirs else { return ours }
            switch try notesMerge(of: theirs, into: ours) {
            case .upToDate: return ours
            case .fastForward(let id), .merged(let id, _):
                merges += 1
                return id
            }
        }
        return merges
    }
}
