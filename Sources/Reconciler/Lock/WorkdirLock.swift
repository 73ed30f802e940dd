import Foundation
import Synchronization

/// One reconciler per workdir on this machine: an exclusive `flock` on `<workdir>/lock`.
///
/// The kernel drops the lock when its process dies, however it dies (kill -9 included), so a lock is
/// never left stuck; the holder's pid is written into the file only to say who holds it.
public final class WorkdirLock: Sendable {
    public struct Busy: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var holder: String
        public var description: String {
            "another innominatus (\(holder)) is using the workdir \(path.dropLast("/lock".count)); "
                + "wait for it to finish, or give this one its own --workdir"
        }
    }

    public let path: String
    private let descriptor: Mutex<Int32?>

    /// Takes the lock, or throws `Busy` at once when another process holds it.
    public init(workdir: String) throws {
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        path = workdir + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw Busy(path: path, holder: holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown process")
        }
        descriptor = Mutex(fd)
        let text = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
    }

    /// Releases the lock (also done when the value goes away, or the process ends).
    public func release() {
        descriptor.withLock { fd in
            guard let open = fd else { return }
            _ = flock(open, LOCK_UN)
            close(open)
            fd = nil
        }
    }

    deinit { release() }
}
