import Specs

/// A folder laid out as the original innominatus repository, as values: the YAML files' bytes and the
/// paths of every other file (which are copied, never read, when a step names them).
public struct MigrationSource: Sendable {
    /// YAML files (`.yaml`, `.yml`), paths relative to the folder.
    public var yamlFiles: [RepoFile]
    /// Every file path of the folder, YAML or not.
    public var paths: Set<String>

    public init(yamlFiles: [RepoFile], otherPaths: [String] = []) {
        self.yamlFiles = yamlFiles.sorted { $0.path < $1.path }
        self.paths = Set(yamlFiles.map(\.path) + otherPaths)
    }

    /// Whether `path` (normalised, relative) is a file of the folder or a folder holding files.
    func holds(_ path: String) -> Bool {
        paths.contains(path) || paths.contains { $0.hasPrefix(path + "/") }
    }

    /// The files at or under `path`.
    func files(at path: String) -> [String] {
        paths.filter { $0 == path || $0.hasPrefix(path + "/") }.sorted()
    }
}

/// What the migration writes: files (text, or a copy of a source file) and the report.
public struct MigrationResult: Sendable {
    public struct File: Sendable, Hashable {
        public enum Content: Sendable, Hashable {
            case text(String)
            /// The bytes of this source path, copied unchanged.
            case copy(String)
        }

        public var path: String
        public var content: Content
        public var executable: Bool

        public init(path: String, content: Content, executable: Bool = false) {
            self.path = path
            self.content = content
            self.executable = executable
        }

        public var text: String? {
            if case .text(let text) = content { return text }
            return nil
        }
    }

    public var files: [File]
    public var report: MigrationReport

    public func file(_ path: String) -> File? { files.first { $0.path == path } }
}
