import Foundation

/// Where the platform repository that a local file or folder belongs to begins, for the commands that work
/// on a checkout (`run`, `render`, `approve`, `validate FILE`): the nearest folder, at or above the start,
/// that holds `policies/admin-config.yaml`, a `provisioners/` folder, or `.git` (a folder, or the file of a
/// worktree). One rule for all of them, so they agree on which admin config and provisioners apply.
public enum RepositoryRoot {
    /// The nearest root at or above `folder`, or nil when no folder up to `/` is one.
    public static func enclosing(folder: String) -> String? {
        let manager = FileManager.default
        var current = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        while true {
            if isRoot(current.path, manager) { return current.path }
            if current.path == "/" { return nil }
            current = current.deletingLastPathComponent()
        }
    }

    /// The nearest root at or above the folder `file` lies in.
    public static func enclosing(file: String) -> String? {
        enclosing(folder: URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path)
    }

    /// The admin config of the repository at `root`, when it has one.
    public static func adminConfigPath(in root: String) -> String? {
        AdminConfig.repositoryPaths.map { (root as NSString).appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    private static func isRoot(_ path: String, _ manager: FileManager) -> Bool {
        if adminConfigPath(in: path) != nil { return true }
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: (path as NSString).appendingPathComponent("provisioners"), isDirectory: &isDirectory),
           isDirectory.boolValue { return true }
        return manager.fileExists(atPath: (path as NSString).appendingPathComponent(".git"))
    }
}
