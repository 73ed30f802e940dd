import CLibGit2

extension Repository {
    /// The bytes of the commit `createCommit(tree:parents:message:signature:)` would write, not written:
    /// what a signature covers (`git_commit_create_buffer`).
    public func commitContent(tree: ObjectID, parents: [ObjectID], message: String, signature: Signature) throws(GitError) -> [UInt8] {
        try withCommitParts(tree: tree, parents: parents, signature: signature) { (treeObject, sig, count, parentPointers) throws(GitError) in
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            try check(git_commit_create_buffer(&buffer, raw, sig, sig, "UTF-8", message, treeObject, count, parentPointers),
                      "build a commit on \(tree)")
            guard let pointer = buffer.ptr else { return [] }
            return pointer.withMemoryRebound(to: UInt8.self, capacity: buffer.size) {
                Array(UnsafeBufferPointer(start: $0, count: buffer.size))
            }
        }
    }

    /// Writes the commit `content` (from `commitContent`) with an armored signature in its `gpgsig` header,
    /// without moving any ref (`git_commit_create_with_signature`).
    public func createCommit(content: [UInt8], signature armored: String) throws(GitError) -> ObjectID {
        var out = git_oid()
        let text = String(decoding: content, as: UTF8.self)
        try check(git_commit_create_with_signature(&out, raw, text, armored, nil), "write a signed commit")
        return ObjectID(out)
    }
}
