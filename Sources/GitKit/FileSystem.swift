import Glibc

/// The few file operations a checkout needs, on Glibc directly.
enum FileSystem {
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func setMode(_ path: String, _ mode: mode_t) {
        _ = chmod(path, mode)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether the symlink at `path` resolves (fully, through every link) to `root` or below it.
    static func resolvesInside(_ path: String, root: String) -> Bool {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, Int(PATH_MAX))
        guard length > 0, buffer[0] != CChar(UInt8(ascii: "/")) else { return false }
        guard let resolved = realPath(path) else { return false }
        return resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Replaces a symlink by a plain file holding the link's target text (as git does where links are off).
    static func replaceLinkWithFile(_ path: String, operation: String) throws(GitError) {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pointer.count) { readlink(path, $0, Int(PATH_MAX)) }
        }
        let target = Array(buffer.prefix(max(length, 0)))
        guard unlink(path) == 0 else { throw ioError(operation, "cannot remove symlink \(path)") }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else { throw ioError(operation, "cannot create \(path)") }
        defer { close(descriptor) }
        guard write(descriptor, target, target.count) == target.count else { throw ioError(operation, "cannot write \(path)") }
    }

    static func makeDirectory(_ path: String, operation: String) throws(GitError) {
        var prefix = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            prefix += prefix.isEmpty && path.hasPrefix("/") ? "/" + component : (prefix.isEmpty ? String(component) : "/" + component)
            if prefix.isEmpty || prefix == "/" { continue }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw ioError(operation, "cannot create folder \(prefix)") }
        }
    }

    /// Removes a folder and everything in it, making read-only folders writable first. Never follows symlinks.
    static func removeTree(_ path: String, operation: String) throws(GitError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            _ = chmod(path, 0o700)
            guard let handle = opendir(path) else { throw ioError(operation, "cannot read folder \(path)") }
            var names: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(handle)
            for name in names { try removeTree(path + "/" + name, operation: operation) }
            guard rmdir(path) == 0 else { throw ioError(operation, "cannot remove folder \(path)") }
        } else {
            guard unlink(path) == 0 else { throw ioError(operation, "cannot remove \(path)") }
        }
    }

    static func readRecord(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = fread(&buffer, 1, buffer.count - 1, file)
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// A whole (small) file as text, its last newline dropped; nil when it cannot be read.
    static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer.prefix(count)
        }
        guard ferror(file) == 0 else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// Writes a record atomically (temporary file, then rename), 0600; a short write (a full disk) throws
    /// with the system's words for it rather than leaving half a record.
    static func writeRecord(_ path: String, _ text: String, operation: String) throws(GitError) {
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "w") else { throw ioError(operation, "cannot write \(temporary)") }
        fchmod(fileno(file), 0o600)
        let wrote = fputs(text + "\n", file) >= 0 && fflush(file) == 0 && fsync(fileno(file)) == 0
        let failure = errno
        guard fclose(file) == 0, wrote else {
            if wrote == false { errno = failure }
            let error = ioError(operation, "cannot write \(temporary)")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else { throw ioError(operation, "cannot rename \(temporary) to \(path)") }
    }

    static func ioError(_ operation: String, _ message: String) -> GitError {
        GitError(.io, operation: operation, message: "\(message): \(String(cString: strerror(errno)))")
    }
}
