/// Bounds on what the YAML front end accepts, checked before any value is built.
///
/// Spec files arrive from pull requests, so a hostile one must fail fast with a clear error instead of
/// exhausting memory or stack: a "billion laughs" alias bomb composes in milliseconds in libyaml but
/// expands to gigabytes in a naive decoder (see ENGINEERING-NOTES, "YAML").
public struct SpecLimits: Sendable, Hashable {
    /// Largest file accepted, in bytes. Real Score files and workflows are a few KiB.
    public var maxFileBytes: Int
    /// Largest number of nodes a document may have once every alias is expanded.
    public var maxExpandedNodes: Int
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int

    public init(maxFileBytes: Int = 1 << 20, maxExpandedNodes: Int = 100_000, maxDepth: Int = 64) {
        self.maxFileBytes = maxFileBytes
        self.maxExpandedNodes = maxExpandedNodes
        self.maxDepth = maxDepth
    }

    /// Safe for spec files in a platform repository: 1 MiB, 100,000 nodes, 64 levels.
    public static let `default` = SpecLimits()
}
