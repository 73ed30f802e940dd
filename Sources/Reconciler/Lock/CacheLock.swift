import Foundation

/// Serialises writers of one workdir's `cache.git` (fetches) across processes: `innominatus status` or
/// `plan` run beside a `watch` on the same workdir wait for its fetch instead of failing on libgit2's
/// ref locks. A `flock` on `<workdir>/cache.lock`, polled so no thread blocks; the kernel drops it when
/// its process dies.
struct CacheLock {
    private let descriptor: Int32

    static func acquire(workdir: String, timeout: Duration = .seconds(600)) async throws -> CacheLock {
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        let path = workdir + "/cache.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        let deadline = ContinuousClock.now + timeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard ContinuousClock.now < deadline else {
                close(fd)
                throw ReconcileError(.busy, "the cache \(workdir)/cache.git stayed busy (another innominatus fetching) for \(timeout)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return CacheLock(descriptor: fd)
    }

    func release() {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
