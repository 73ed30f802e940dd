import Executor
import Foundation
import Glibc

/// The reconciler's folder (docs/ARCHITECTURE.md, "The workdir"): who may enter what, how much room is
/// left, and how long step logs stay.
struct Workdir {
    let path: String

    /// The folders steps work in: read-only trees of the head (and of the last applied commit, for prunes).
    static let stepFolders: Set<String> = ["checkout", "checkout-previous"]

    /// Closes the workdir to steps: 0700, or 0711 when steps run as another user (who must pass through it
    /// to their checkout, but cannot list it), and every other entry 0700 (folders) or 0600 (files): the
    /// state key, the bare clone, resource state, Secrets and logs. Throws when the step user could not
    /// reach the checkout.
    func secure(for stepUser: StepUser?) throws {
        chmod(path, stepUser == nil ? 0o700 : 0o711)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in entries where !Self.stepFolders.contains(name) {
            var status = stat()
            guard lstat(path + "/" + name, &status) == 0, status.st_mode & S_IFMT != S_IFLNK else { continue }
            let wanted: mode_t = status.st_mode & S_IFMT == S_IFDIR ? 0o700 : 0o600
            if status.st_mode & 0o7777 != wanted { chmod(path + "/" + name, wanted) }
        }
        if let stepUser { try checkReachable(by: stepUser) }
    }

    /// Every folder above the workdir must let the step user through.
    private func checkReachable(by user: StepUser) throws {
        var folder = (path as NSString).deletingLastPathComponent
        while true {
            var status = stat()
            if stat(folder, &status) == 0 {
                let mode = status.st_mode
                let allowed = status.st_uid == user.uid ? mode & 0o100 != 0
                    : status.st_gid == user.gid ? mode & 0o010 != 0 : mode & 0o001 != 0
                if !allowed {
                    throw ReconcileError(.workdir, "steps run as \(user) but cannot enter \(folder) (mode \(String(mode & 0o777, radix: 8))) "
                        + "on the way to the checkout in \(path): let that user through (chmod o+x \(folder)) or choose "
                        + "another --workdir (e.g. /var/lib/innominatus), or name the step user with --step-user")
                }
            }
            if folder == "/" || folder.isEmpty { return }
            folder = (folder as NSString).deletingLastPathComponent
        }
    }

    /// Bytes free for this process in the workdir's file system; nil when it cannot be asked.
    func freeBytes() -> Int? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// Why a pass must not start: less room than `minimum` to record its state and notes.
    func spaceProblem(minimum: Int) -> String? {
        guard let free = freeBytes(), free < minimum else { return nil }
        return "disk full: \(free >> 20) MB free in \(path), a pass needs \(minimum >> 20) MB to record its status and "
            + "state (\(String(cString: strerror(ENOSPC)))); free space there (old step logs are in \(path)/logs)"
    }

    /// Keeps the step logs of the newest `passes` passes (folders `logs/<commit>/`, by modification time)
    /// and removes the rest; returns what it removed.
    @discardableResult
    func pruneLogs(keeping passes: Int) -> [String] {
        let logs = path + "/logs"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: logs) else { return [] }
        let dated = names.compactMap { name -> (String, Int64)? in
            var status = stat()
            guard lstat(logs + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { return nil }
            return (name, Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec))
        }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 > $1.0 }
        let old = dated.dropFirst(max(0, passes)).map(\.0)
        for name in old { try? FileManager.default.removeItem(atPath: logs + "/" + name) }
        return old
    }

    /// Replaces `path` with `bytes`, mode 0600, through a temporary file renamed over it: a reader never
    /// sees half a file, and a kill -9 leaves the old one. False when it could not (errno says why).
    static func replace(_ path: String, with bytes: [UInt8]) -> Bool {
        // Unique per writer, so two writers in one process never share the file they write aside.
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return false }
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count > 0 { offset += count } else if count < 0, errno == EINTR { continue } else { return false }
            }
            return true
        }
        guard close(descriptor) == 0, written, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// The bytes of the regular file `path` (a symbolic link is not followed), nil when it cannot be read
    /// whole or is larger than `limit`.
    static func contents(of path: String, limit: Int = .max) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= limit else { return nil }
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: Int(info.st_size)) { buffer, initialized in
            while initialized < buffer.count {
                let count = read(descriptor, buffer.baseAddress! + initialized, buffer.count - initialized)
                if count > 0 { initialized += count } else if count < 0, errno == EINTR { continue } else { break }
            }
            complete = initialized == buffer.count
        }
        return complete ? bytes : nil
    }

    /// Removes the lock files git leaves in `cache.git` when a process is killed while it updates a ref
    /// (`refs/…/NAME.lock`, `packed-refs.lock`, `HEAD.lock`, `config.lock`): libgit2 then refuses that ref
    /// for ever ("failed to lock file … for writing"). Only safe while nothing else writes the cache: the
    /// caller holds the workdir lock (no other pass) and the cache lock (no fetch of `status` or `plan`).
    /// Returns the files removed, relative to `cache.git`.
    func removeStaleGitLocks() -> [String] {
        let cache = path + "/cache.git"
        var removed: [String] = []
        for name in ["packed-refs.lock", "HEAD.lock", "config.lock"] where unlink(cache + "/" + name) == 0 {
            removed.append(name)
        }
        guard let walk = FileManager.default.enumerator(atPath: cache + "/refs") else { return removed }
        while let relative = walk.nextObject() as? String {
            guard relative.hasSuffix(".lock"), unlink(cache + "/refs/" + relative) == 0 else { continue }
            removed.append("refs/" + relative)
        }
        return removed
    }
}
