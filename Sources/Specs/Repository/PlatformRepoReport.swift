/// The verdict on a whole platform repository: every spec file's report, with the cross-file rules
/// (identity, allow-list, required workflows, step types) already applied to them.
public struct PlatformRepoReport: Sendable {
    public var files: [SpecFileReport]
    /// The admin config in force: the file's when valid, else the defaults.
    public var adminConfig: AdminConfig

    public var isValid: Bool { files.allSatisfy(\.isValid) }

    public var scores: [String: ScoreWorkload] {
        var result: [String: ScoreWorkload] = [:]
        for file in files { if let score = file.score { result[score.metadata.name] = score } }
        return result
    }
}
