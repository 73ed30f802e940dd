import CLibGit2

/// A commit's signature as git stores it (the `gpgsig` header) and the bytes it signs (the commit object
/// without that header). GitKit only reads them; checking them is the signature tools' work
/// (docs/ARCHITECTURE.md §9, trust).
public struct CommitSignature: Sendable, Hashable {
    /// The armored signature: `-----BEGIN SSH SIGNATURE-----` or `-----BEGIN PGP SIGNATURE-----`.
    public var signature: [UInt8]
    public var signedData: [UInt8]
}

extension Repository {
    /// The commit's signature and signed data (`git_commit_extract_signature`), nil when it is not signed.
    public func signature(of commit: ObjectID) throws(GitError) -> CommitSignature? {
        var id = commit.raw
        var signature = git_buf(), signed = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signed)
        }
        let result = git_commit_extract_signature(&signature, &signed, raw, &id, nil)
        if result == GIT_ENOTFOUND.rawValue {
            // Also "no such commit": tell the two apart, a missing commit is an error.
            var object: OpaquePointer?
            try check(git_commit_lookup(&object, raw, &id), "look up commit \(commit)")
            git_commit_free(object)
            return nil
        }
        if result < 0 { throw GitError.last(result, "read the signature of \(commit)") }
        func bytes(_ buffer: git_buf) -> [UInt8] {
            guard let pointer = buffer.ptr, buffer.size > 0 else { return [] }
            return pointer.withMemoryRebound(to: UInt8.self, capacity: buffer.size) { Array(UnsafeBufferPointer(start: $0, count: buffer.size)) }
        }
        return CommitSignature(signature: bytes(signature), signedData: bytes(signed))
    }

    /// A commit's parents, first parent first.
    public func parents(of commit: ObjectID) throws(GitError) -> [ObjectID] {
        var id = commit.raw
        var object: OpaquePointer?
        try check(git_commit_lookup(&object, raw, &id), "look up commit \(commit)")
        defer { git_commit_free(object) }
        return (0..<git_commit_parentcount(object)).compactMap { index -> ObjectID? in
            guard let parent: UnsafePointer<git_oid> = git_commit_parent_id(object, index) else { return nil }
            return ObjectID(parent)
        }
    }

    /// The commits reachable from `head` but not from `hidden` (`hidden..head`), children before parents
    /// (the head first). A `hidden` commit the repository lacks hides nothing.
    public func commits(from head: ObjectID, hiding hidden: ObjectID?) throws(GitError) -> [ObjectID] {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, raw), "walk the history of \(head)")
        defer { git_revwalk_free(walk) }
        try check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue), "sort the history of \(head)")
        var start = head.raw
        try check(git_revwalk_push(walk, &start), "walk the history of \(head)")
        if let hidden {
            var stop = hidden.raw
            var object: OpaquePointer?
            if git_commit_lookup(&object, raw, &stop) == 0 {
                git_commit_free(object)
                try check(git_revwalk_hide(walk, &stop), "walk \(hidden)..\(head)")
            }
        }
        var commits: [ObjectID] = []
        var next = git_oid()
        while true {
            let result = git_revwalk_next(&next, walk)
            if result == GIT_ITEROVER.rawValue { break }
            if result < 0 { throw GitError.last(result, "walk the history of \(head)") }
            commits.append(ObjectID(next))
        }
        return commits
    }
}
