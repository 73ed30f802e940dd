import CLibGit2

/// Process-wide libgit2 set-up, done exactly once (a Swift `static let` initialiser runs once, thread-safely).
enum LibGit2 {
    private static let initialized: Void = {
        git_libgit2_init()
        // Hermetic: read only the repository's own config, never the machine's or the user's
        // (a global `url.insteadOf` or credential helper must not change what the reconciler fetches).
        for level in [GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL] {
            _ = innominatus_git_set_search_path(level.rawValue, "")
        }
        _ = innominatus_git_set_user_agent("innominatus")
        // libgit2 keeps parsed trees of at most 4 KB: the apps folder's tree of 10,000 entries (360 KB) was
        // inflated and parsed again by each walk of one pass (the changed paths, the snapshot). Up to 16 MB
        // (some 400,000 entries) it is parsed once per process; the cache's total stays bounded (256 MB).
        _ = innominatus_git_set_cache_object_limit(GIT_OBJECT_TREE, 16 << 20)
    }()

    static func ensureInitialized() { initialized }

    /// Debian's libgit2 uses mbedTLS, which does not find the system CA store by itself. Loading it
    /// parses every certificate (tens of milliseconds), so only the network helper does it.
    static func loadSystemCertificates() {
        _ = innominatus_git_set_ssl_cert_locations(nil, "/etc/ssl/certs")
    }
}
