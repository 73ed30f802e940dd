import Foundation

/// Reads a Score file's `source:` files: relative to the Score file and never outside the repository,
/// whether through `..` or through a symlink, because a product team must not read the platform's
/// other files through a render.
public struct SourceFiles: Sendable {
    /// The folder holding the Score file.
    public var scoreFolder: String
    /// The repository root every source must stay inside.
    public var root: String

    public init(scoreFile: String, root: String) {
        scoreFolder = URL(fileURLWithPath: scoreFile).standardizedFileURL.deletingLastPathComponent().path
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    public func read(_ source: String, field: String) throws(ProvisioningError) -> Data {
        if source.hasPrefix("/") || source.split(separator: "/").contains("..") {
            throw ProvisioningError("\(field): the source '\(source)' must be a path inside the repository relative to the "
                                    + "Score file, without '..' or a leading '/'")
        }
        let path = URL(fileURLWithPath: scoreFolder).appendingPathComponent(source).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ProvisioningError("\(field): the source file '\(source)' does not exist (looked for \(path)); add it or fix the path")
        }
        let realRoot = Self.realPath(root)
        let real = Self.realPath(path)
        guard real == realRoot || real.hasPrefix(realRoot + "/") else {
            throw ProvisioningError("\(field): the source '\(source)' leads outside the repository (to \(real)), through a symlink; "
                                    + "copy the file into the repository instead")
        }
        guard let data = FileManager.default.contents(atPath: real) else {
            throw ProvisioningError("\(field): the source file '\(source)' cannot be read; check that it is a readable file")
        }
        return data
    }

    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
