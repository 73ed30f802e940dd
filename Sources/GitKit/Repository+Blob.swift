import CLibGit2

extension Repository {
    /// The size of a blob, read from the object header (the content is not inflated).
    public func blobSize(_ id: ObjectID) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, raw), "open object database")
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_INVALID
        var oid = id.raw
        try check(git_odb_read_header(&size, &type, odb, &oid), "read header of \(id)")
        guard type == GIT_OBJECT_BLOB else {
            throw GitError(.invalid, operation: "read blob \(id)", message: "object is not a blob")
        }
        return size
    }

    /// The content of a blob, refused whole when it is larger than `limit` bytes: a file in the platform
    /// repo may be hostile, and a truncated read would look like valid, shorter content.
    public func readBlob(_ id: ObjectID, limit: Int) throws(GitError) -> [UInt8] {
        let size = try blobSize(id)
        guard size <= limit else {
            throw GitError(.tooLarge, operation: "read blob \(id)",
                           message: "blob is \(size) bytes, over the limit of \(limit) bytes")
        }
        var oid = id.raw
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, raw, &oid), "read blob \(id)")
        defer { git_blob_free(blob) }
        let length = Int(git_blob_rawsize(blob))
        guard length > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: length))
    }

    /// Writes `content` as a blob (used for notes and state documents).
    public func writeBlob(_ content: [UInt8]) throws(GitError) -> ObjectID {
        var oid = git_oid()
        let result = content.withUnsafeBytes { git_blob_create_from_buffer(&oid, raw, $0.baseAddress, $0.count) }
        if result < 0 { throw GitError.last(result, "write blob") }
        return ObjectID(oid)
    }
}
