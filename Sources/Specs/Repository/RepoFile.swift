/// One file of a platform repository: its path relative to the root and its bytes (a git blob's
/// content, or a file read from a checkout).
public struct RepoFile: Sendable, Hashable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}
