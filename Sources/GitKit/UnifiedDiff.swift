import CLibGit2

/// A unified diff of two texts, as `git diff` prints it (libgit2's patch of two buffers: no repository,
/// no object written). Used to show what a change would do to a file before anything is written.
public enum UnifiedDiff {
    /// The patch from `old` to `new` at `path` (nil: the file does not exist on that side), with
    /// `context` lines around each change; empty when the texts are equal.
    public static func between(_ old: [UInt8]?, _ new: [UInt8]?, path: String, context: Int = 3) throws(GitError) -> String {
        LibGit2.ensureInitialized()
        if old == new { return "" }
        var options = git_diff_options()
        _ = try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "init diff options")
        options.context_lines = UInt32(max(0, context))
        var patch: OpaquePointer?
        // A trailing NUL keeps each buffer's address non-nil even for an empty file (nil means "absent").
        let oldBytes = (old ?? []) + [0]
        let newBytes = (new ?? []) + [0]
        let result = oldBytes.withUnsafeBytes { oldBuffer in
            newBytes.withUnsafeBytes { newBuffer in
                git_patch_from_buffers(&patch, old == nil ? nil : oldBuffer.baseAddress, oldBytes.count - 1, old == nil ? nil : path,
                                       new == nil ? nil : newBuffer.baseAddress, newBytes.count - 1, new == nil ? nil : path,
                                       &options)
            }
        }
        if result < 0 { throw GitError.last(result, "diff \(path)") }
        defer { git_patch_free(patch) }
        guard let patch else { return "" }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        _ = try check(git_patch_to_buf(&buffer, patch), "print the diff of \(path)")
        guard let bytes = buffer.ptr else { return "" }
        return String(cString: bytes)
    }
}
