import CLibGit2
import Glibc

/// Process-wide libgit2 set-up, done exactly once (a Swift `static let` initialiser runs once, thread-safely).
enum LibGit2 {
    private static let initialized: Void = {
        git_libgit2_init()
        // Hermetic: read only the repository's own config, never the machine's or the user's
        // (a global `url.insteadOf` or credential helper must not change what the reconciler fetches).
        for level in [GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL] {
            _ = innominatus_git_set_search_path(level.rawValue, "")
        }
        // Debian's libgit2 uses mbedTLS, which does not find the system CA store by itself.
        _ = innominatus_git_set_ssl_cert_locations(nil, "/etc/ssl/certs")
        _ = innominatus_git_set_user_agent("innominatus")
    }()

    static func ensureInitialized() { initialized }
}

/// Frees a libgit2 object when it leaves scope.
struct Owned: ~Copyable {
    let pointer: OpaquePointer
    private let free: (OpaquePointer) -> Void
    init(_ pointer: OpaquePointer, free: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.free = free
    }
    deinit { free(pointer) }
}

extension Array where Element == String {
    /// Calls `body` with a `git_strarray` view of the strings, valid only inside `body`.
    func withStrarray<Result>(_ body: (inout git_strarray) throws(GitError) -> Result) throws(GitError) -> Result {
        let duplicates = map { strdup($0) }
        defer { duplicates.forEach { free($0) } }
        var pointers = duplicates
        return try pointers.withUnsafeMutableBufferPointer { (buffer) throws(GitError) -> Result in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return try body(&array)
        }
    }
}
