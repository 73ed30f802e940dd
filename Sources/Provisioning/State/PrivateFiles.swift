import Foundation

/// Files that hold secrets (Secret manifests, generated passwords) and the folders they sit in: files 0600,
/// folders 0700, whatever the process's umask and whatever mode an earlier version left on them. The modes
/// are set explicitly (`fchmod`, `chmod`) because `open` and `mkdir` only ever narrow theirs by the umask.
public enum PrivateFiles {
    /// Creates `path` and every missing folder above it with mode 0700. Folders that exist are left as they
    /// are, except `path` itself when `restrict` is set (a folder innominatus owns, such as `<workdir>/secrets`):
    /// it is made 0700 too. Returns an error message, or nil.
    public static func makeFolder(_ path: String, restrict: Bool) -> String? {
        var missing: [String] = []
        var folder = path
        while !folder.isEmpty, folder != "/", !FileManager.default.fileExists(atPath: folder) {
            missing.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            if mkdir(folder, 0o700) != 0 && errno != EEXIST { return "cannot create the folder \(folder): \(reason())" }
            chmod(folder, 0o700)
        }
        if restrict && chmod(path, 0o700) != 0 { return "cannot make \(path) private (mode 0700): \(reason())" }
        return nil
    }

    /// Writes `bytes` to `path` with mode 0600, replacing what was there (also a file of another mode: it
    /// is truncated, then narrowed before the secret is written). A symlink at `path` is refused. Returns an
    /// error message, or nil.
    public static func write(_ bytes: [UInt8], to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return "cannot write \(path): \(reason())" }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else { return "cannot make \(path) private (mode 0600): \(reason())" }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return "cannot write \(path): \(reason())" }
            offset += written
        }
        return nil
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
