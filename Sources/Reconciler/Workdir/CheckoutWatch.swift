import Glibc

/// The kernel's word (inotify) on whether anything wrote in a checkout since it was sealed: a watch on each
/// of its folders for writes, attribute and link changes, creations, removals and renames. Asking costs
/// one non-blocking read, so the reconciler can ask before every workflow; only when it says "touched" does
/// the slower `CheckoutSeal` walk find what changed (docs/ARCHITECTURE.md, "The checkout").
final class CheckoutWatch: @unchecked Sendable {
    private let descriptor: Int32
    private var touched = false

    /// nil when the kernel refuses (no inotify, or its per-user watch limit is reached); `reason` says why.
    init?(directory: String, reason: inout String) {
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            reason = "inotify is not available: \(String(cString: strerror(errno)))"
            return nil
        }
        let events = UInt32(IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVED_FROM | IN_MOVED_TO
            | IN_MOVE_SELF | IN_CLOSE_WRITE | IN_ONLYDIR)
        var folders = [directory]
        while let folder = folders.popLast() {
            guard inotify_add_watch(descriptor, folder, events) >= 0 else {
                reason = "cannot watch \(folder): \(String(cString: strerror(errno)))"
                    + (errno == ENOSPC ? " (raise fs.inotify.max_user_watches)" : "")
                close(descriptor)
                return nil
            }
            guard let handle = opendir(folder) else { continue }
            while let entry = readdir(handle) {
                guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { folders.append(folder + "/" + name) }
            }
            closedir(handle)
        }
    }

    deinit { close(descriptor) }

    /// True once anything happened in the folder since the watch began (an event, or a lost queue).
    var wasTouched: Bool {
        guard !touched else { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 { touched = true }
        return touched
    }
}
