extension Repository {
    /// Writes one commit on the remote ref `ref` without ever forcing it: fetches the remote's tip into
    /// `tracking`, asks `build` for the new commit on that tip, moves the local `ref` to it with a
    /// compare-and-swap and pushes `ref:ref`. When the push is refused (another writer moved the remote
    /// ref since the fetch) or the local ref moved under the build, it starts again from the fetch, so
    /// that `build` always works on the newest tip and no writer's commit is lost (docs/ARCHITECTURE.md §4).
    ///
    /// `build` gets the remote's tip (nil when the remote has no such ref) and returns:
    /// - nil: nothing to write; nothing is moved or pushed, and `publish` returns nil;
    /// - the tip itself: the remote already has what we want; the local ref follows it, nothing is pushed;
    /// - a new commit (normally a descendant of the tip): it is written locally and pushed.
    /// An error `build` throws ends the publish at once, unchanged: a refusal is the caller's to make.
    ///
    /// It runs in the caller's isolation (`nonisolated(nonsending)`), so `build` need not be `Sendable`
    /// and may keep what it learns in the caller's variables.
    ///
    /// Gives up after `attempts` rounds with `.contended`, naming the last refusal. Any other error of the
    /// fetch or the push (unreachable, authentication) is thrown as it is, without retrying. After a
    /// failure the local `ref` may hold a commit the remote never took; the next publish moves it on.
    ///
    /// - Returns: the commit the remote ref now points at because of us, or nil when `build` returned nil.
    @discardableResult
    public nonisolated(nonsending) func publish(
        _ ref: String, to remote: Remote, tracking: String, attempts: Int = 5,
        build: (_ tip: ObjectID?) async throws(GitError) -> ObjectID?
    ) async throws(GitError) -> ObjectID? {
        var lastRefusal: GitError?
        for attempt in 0..<max(attempts, 1) {
            if attempt > 0 { await backOff(attempt - 1) }
            try await fetch(from: remote, refspecs: ["+\(ref):\(tracking)"], prune: true)
            let tip = try await reference(tracking)
            let local = try await reference(ref)
            guard let commit = try await build(tip) else { return nil }
            do {
                if commit != local {
                    try await updateReference(ref, to: commit, expected: local, message: "innominatus: publish \(ref)")
                }
                if commit != tip { try await push(["\(ref):\(ref)"], to: remote) }
                return commit
            } catch where error.code == .nonFastForward || error.code == .rejected || error.code == .refMoved
                || error.code == .locked {
                lastRefusal = error
            }
        }
        throw GitError(.contended, operation: "publish \(ref) to \(RemoteURL.redacted(remote.url))",
                       message: "gave up after \(max(attempts, 1)) attempts: the ref kept moving under us "
                           + "(last: \(lastRefusal?.message ?? "unknown")); try again later, or look for another writer of \(ref)")
    }
}
