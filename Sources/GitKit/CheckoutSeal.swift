import Glibc

/// What a checkout folder held when it was written, path by path (inode, change time, size, mode), so
/// that a later look can tell whether anything changed it since: a step that rewrote, chmod-ed, replaced,
/// linked or added a file. The change time (`ctime`) cannot be set back by a process that is not the
/// kernel, so a file written and restored to its old bytes and times still differs. Contents are not read:
/// a seal of 20,000 files takes one `lstat` each.
public struct CheckoutSeal: Sendable, Equatable {
    struct Stamp: Equatable {
        var inode: UInt64
        var changed: Int64
        var size: Int64
        var mode: UInt32
        var links: UInt64
    }

    private var stamps: [String: Stamp]

    /// Walks `directory` (not following links) and stamps every entry below it, the folder itself as "".
    public static func take(of directory: String) -> CheckoutSeal {
        var stamps: [String: Stamp] = [:]
        walk(directory, relative: "", into: &stamps)
        return CheckoutSeal(stamps: stamps)
    }

    public var count: Int { stamps.count }

    /// Paths that differ between the seal and the folder now: changed, added and removed (sorted);
    /// empty when the folder is as sealed.
    public func differences(in directory: String) -> [String] {
        let now = Self.take(of: directory).stamps
        var paths: [String] = []
        for (path, stamp) in now where stamps[path] != stamp { paths.append(path) }
        for path in stamps.keys where now[path] == nil { paths.append(path) }
        return paths.map { $0.isEmpty ? "." : $0 }.sorted()
    }

    /// `<path>\t<inode>\t<ctime ns>\t<size>\t<mode>\t<links>` per entry.
    func serialized() -> String {
        var lines = ["innominatus checkout seal 1"]
        for (path, stamp) in stamps.sorted(by: { $0.key < $1.key }) {
            lines.append("\(path)\t\(stamp.inode)\t\(stamp.changed)\t\(stamp.size)\t\(stamp.mode)\t\(stamp.links)")
        }
        return lines.joined(separator: "\n")
    }

    /// The seal a checkout into `directory` left (`<directory>.seal`); nil when there is none.
    public static func read(for directory: String) -> CheckoutSeal? {
        FileSystem.readText(directory + ".seal").flatMap(CheckoutSeal.init(serialized:))
    }

    init(stamps: [String: Stamp]) { self.stamps = stamps }

    /// nil for anything but a seal this code wrote.
    init?(serialized text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "innominatus checkout seal 1" else { return nil }
        lines.removeFirst()
        var stamps: [String: Stamp] = [:]
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 6, let inode = UInt64(fields[1]), let changed = Int64(fields[2]), let size = Int64(fields[3]),
                  let mode = UInt32(fields[4]), let links = UInt64(fields[5]) else { return nil }
            stamps[String(fields[0])] = Stamp(inode: inode, changed: changed, size: size, mode: mode, links: links)
        }
        self.stamps = stamps
    }

    private static func walk(_ directory: String, relative: String, into stamps: inout [String: Stamp]) {
        var status = stat()
        guard lstat(directory, &status) == 0 else { return }
        stamps[relative] = stamp(status)
        guard status.st_mode & S_IFMT == S_IFDIR, let folder = opendir(directory) else { return }
        defer { closedir(folder) }
        let descriptor = dirfd(folder)
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = relative.isEmpty ? name : relative + "/" + name
            var child = stat()
            guard fstatat(descriptor, name, &child, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if child.st_mode & S_IFMT == S_IFDIR {
                walk(directory + "/" + name, relative: path, into: &stamps)
            } else {
                stamps[path] = stamp(child)
            }
        }
    }

    private static func stamp(_ status: stat) -> Stamp {
        Stamp(inode: UInt64(status.st_ino), changed: Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec),
              size: Int64(status.st_size), mode: UInt32(status.st_mode), links: UInt64(status.st_nlink))
    }
}
