import Foundation

/// Keeps `fromFile` and plugin paths inside the checkout: no `..` or symlink leads out of it.
enum RepositoryPath {
    static func resolve(_ path: String, in root: String, what: String) throws(ExecutorError) -> String {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath()
        let candidate = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : rootURL.appendingPathComponent(path))
            .standardizedFileURL.resolvingSymlinksInPath()
        let rootPath = rootURL.path.hasSuffix("/") ? rootURL.path : rootURL.path + "/"
        guard candidate.path.hasPrefix(rootPath) else {
            throw ExecutorError(.path, "\(what) '\(path)' is outside the repository \(root); use a path inside it")
        }
        return candidate.path
    }
}
