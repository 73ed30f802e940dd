import Specs

/// A Score file's path and its composed YAML, so an error about a field says file:line:column and the
/// field's path, as validation errors do.
public struct ScoreSource: Sendable, ExpressibleByStringLiteral {
    public var file: String
    public var root: YAMLNode?

    public init(file: String, root: YAMLNode? = nil) {
        self.file = file
        self.root = root
    }

    public init(stringLiteral file: String) { self.init(file: file) }

    /// `file:line:column: a.b.c` for the deepest node of `path` that exists (file:1:1 without a tree).
    public func at(_ path: [String]) -> String {
        var node = root
        var location = root?.location ?? .start
        for component in path {
            guard let next = node?[component] else { break }
            node = next
            location = next.location
        }
        return "\(file):\(location): \(path.joined(separator: "."))"
    }
}
