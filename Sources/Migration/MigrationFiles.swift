import Foundation
import Specs

/// The migration's only I/O: reading the source folder and writing the destination at the end.
public enum MigrationFiles {
    /// Why a source or destination cannot be used; the command prints it and exits 2.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Folders of a source checkout that hold no specs of the original.
    static let skippedFolders: Set<String> = [".git", "node_modules", "vendor", ".build"]

    /// Every file under `root` (symlinks are not followed), with the YAML files' bytes.
    public static func read(_ root: String, limits: SpecLimits = .default) throws -> MigrationSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Problem(message: "the source \(root) is not a folder")
        }
        var yaml: [RepoFile] = []
        var others: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? root : root + "/" + relative
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(root + "/" + path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    if !skippedFolders.contains(name) { pending.append(path) }
                case S_IFREG:
                    if (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && Int(info.st_size) <= limits.maxFileBytes {
                        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/" + path))
                        yaml.append(RepoFile(path: path, bytes: Array(data)))
                    } else {
                        others.append(path)
                    }
                default:
                    continue
                }
            }
        }
        return MigrationSource(yamlFiles: yaml, otherPaths: others)
    }

    /// Checks that `destination` can be written: it does not exist, or is an empty folder.
    public static func checkDestination(_ destination: String, source: String) throws {
        let standardized = URL(fileURLWithPath: destination).standardizedFileURL.path
        let sourcePath = URL(fileURLWithPath: source).standardizedFileURL.path
        if standardized == sourcePath || standardized.hasPrefix(sourcePath + "/") {
            throw Problem(message: "--output \(destination) lies inside the source folder; write the platform repo elsewhere")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue, (try FileManager.default.contentsOfDirectory(atPath: destination)).isEmpty else {
            throw Problem(message: "--output \(destination) exists and is not an empty folder; name a new folder (nothing is overwritten)")
        }
    }

    /// Writes every file into a staging folder beside `destination`, then moves it into place, so a
    /// failure leaves no half-written platform repo.
    public static func write(_ result: MigrationResult, from source: String, to destination: String) throws {
        try checkDestination(destination, source: source)
        let target = URL(fileURLWithPath: destination).standardizedFileURL
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).migrating-\(getpid())")
        let manager = FileManager.default
        try? manager.removeItem(at: staging)
        do {
            for file in result.files {
                let url = staging.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let data: Data = switch file.content {
                case .text(let text): Data(text.utf8)
                case .copy(let path): try Data(contentsOf: URL(fileURLWithPath: source + "/" + path))
                }
                try data.write(to: url)
                var mode: mode_t = file.executable ? 0o755 : 0o644
                if case .copy(let path) = file.content, access(source + "/" + path, X_OK) == 0 { mode = 0o755 }
                chmod(url.path, mode)
            }
            if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
            try manager.moveItem(at: staging, to: target)
        } catch {
            try? manager.removeItem(at: staging)
            throw Problem(message: "cannot write \(destination): \(error.localizedDescription)")
        }
    }
}
