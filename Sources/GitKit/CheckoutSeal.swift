import Glibc

/// What a checkout folder held when it was written, so that a later look can tell whether anything changed
/// it since: a step that rewrote, chmod-ed, replaced, linked, added or removed a file. It is a digest over
/// every entry's relative path, inode, change time, size, mode and link count, taken with one `lstat` per
/// entry and no file read. The change time (`ctime`) cannot be set back by any process, so a file written
/// and restored to its old bytes and times still differs.
public struct CheckoutSeal: Sendable, Equatable {
    var digest: UInt64
    /// Entries below the folder, the folder itself included.
    public var count: Int
    /// When the seal was taken (ns since the epoch): a changed or added entry has a later change time.
    var takenAt: Int64

    /// Walks `directory` (never following links).
    public static func take(of directory: String) -> CheckoutSeal {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var walker = Walker()
        walker.walk(directory)
        return CheckoutSeal(digest: walker.hash, count: walker.count,
                            takenAt: Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec))
    }

    /// Whether the folder is as sealed.
    public func matches(_ directory: String) -> Bool {
        var walker = Walker()
        walker.walk(directory)
        return walker.hash == digest && walker.count == count
    }

    /// What differs now, for a log line: entries changed or added since the seal (by change time, sorted),
    /// and a note when entries are gone. Empty when the folder is as sealed.
    public func differences(in directory: String) -> [String] {
        guard !matches(directory) else { return [] }
        var walker = Walker()
        walker.changedSince = takenAt
        walker.walk(directory)
        var paths = walker.changed.sorted()
        if walker.count < count { paths.append("(\(count - walker.count) entries removed)") }
        return paths.isEmpty ? ["(entries replaced)"] : paths
    }

    func serialized() -> String { "innominatus checkout seal 2 \(digest) \(count) \(takenAt)" }

    init(digest: UInt64, count: Int, takenAt: Int64) {
        self.digest = digest
        self.count = count
        self.takenAt = takenAt
    }

    /// nil for anything but a seal this code wrote.
    init?(serialized text: String) {
        let fields = text.split(separator: " ")
        guard fields.count == 7, fields[0...3] == ["innominatus", "checkout", "seal", "2"],
              let digest = UInt64(fields[4]), let count = Int(fields[5]), let takenAt = Int64(fields[6]) else { return nil }
        self.init(digest: digest, count: count, takenAt: takenAt)
    }

    /// The seal a checkout into `directory` left (`<directory>.seal`); nil when there is none.
    public static func read(for directory: String) -> CheckoutSeal? {
        FileSystem.readText(directory + ".seal").flatMap(CheckoutSeal.init(serialized:))
    }

    /// A depth-first walk by descriptors (`openat`, `fstatat`): no path strings are built unless asked to
    /// list changes. The order of a folder's entries does not matter: each entry's hash is combined by
    /// addition, and an entry's hash covers its whole relative path.
    struct Walker {
        var hash: UInt64 = 0
        var count = 0
        var changedSince: Int64?
        var changed: [String] = []

        mutating func walk(_ directory: String) {
            var status = stat()
            guard lstat(directory, &status) == 0 else { return }
            add(pathHash: Self.offset, status, name: "")
            guard status.st_mode & S_IFMT == S_IFDIR else { return }
            let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { return }
            walk(folder: descriptor, pathHash: Self.offset, prefix: "")
        }

        /// Takes ownership of `descriptor`.
        private mutating func walk(folder descriptor: Int32, pathHash: UInt64, prefix: String) {
            guard let handle = fdopendir(descriptor) else {
                close(descriptor)
                return
            }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let skip = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    raw[0] == 0x2E && (raw[1] == 0 || (raw[1] == 0x2E && raw[2] == 0))
                }
                if skip { continue }
                var status = stat()
                let found = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    fstatat(descriptor, raw.baseAddress!.assumingMemoryBound(to: CChar.self), &status, AT_SYMLINK_NOFOLLOW) == 0
                }
                guard found else { continue }
                // The entry's path hash: the parent's, then '/', then its name's bytes (FNV-1a).
                let entryHash = withUnsafeBytes(of: entry.pointee.d_name) { raw -> UInt64 in
                    var value = (pathHash ^ 0x2F) &* Self.prime
                    for byte in raw {
                        if byte == 0 { break }
                        value = (value ^ UInt64(byte)) &* Self.prime
                    }
                    return value
                }
                let name = changedSince == nil ? "" : withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                add(pathHash: entryHash, status, name: prefix + name)
                if status.st_mode & S_IFMT == S_IFDIR {
                    let child = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        openat(descriptor, raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    }
                    if child >= 0 { walk(folder: child, pathHash: entryHash, prefix: changedSince == nil ? "" : prefix + name + "/") }
                }
            }
        }

        private mutating func add(pathHash: UInt64, _ status: stat, name: String) {
            let changedAt = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
            var value = pathHash
            Self.mix(&value, UInt64(status.st_ino))
            Self.mix(&value, UInt64(bitPattern: changedAt))
            Self.mix(&value, UInt64(bitPattern: Int64(status.st_size)))
            Self.mix(&value, UInt64(status.st_mode))
            Self.mix(&value, UInt64(status.st_nlink))
            hash &+= value
            count += 1
            if let since = changedSince, changedAt >= since { changed.append(name.isEmpty ? "." : name) }
        }

        @inline(__always) private static func mix(_ value: inout UInt64, _ field: UInt64) {
            value = (value ^ field) &* prime
            value ^= value >> 29
        }

        static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
        static let prime: UInt64 = 0x100_0000_01b3
    }
}
