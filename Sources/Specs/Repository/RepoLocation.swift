/// Where a file lies in a platform repository (docs/ARCHITECTURE.md §1), which fixes what it must be. The one
/// classifier of repository paths: `validate DIR`, `approve` and the reconciler's loader all ask it
/// (docs/ARCHITECTURE.md §15).
public enum RepoLocation: Equatable, Sendable {
    case adminConfig
    case score(app: String)
    /// Something under `<appsRoot>/<app>/score.yaml/`: a folder (`path`) where the app's Score file should be.
    case scoreFolder(app: String, path: String)
    case platformWorkflow(name: String)
    case productWorkflow(product: String, name: String)
    case appWorkflow(app: String, name: String)
    /// `provisioners/NAME.yaml`: provisioner definitions, which the Provisioning module checks.
    case provisioners
    /// A YAML file anywhere else: validated only if its content says it is a spec.
    case other

    /// Classifies one path; to classify many (every path of a tree), make one `Classifier` and reuse it.
    public static func of(_ path: String, config: AdminConfig) -> RepoLocation {
        Classifier(config: config).location(of: path)
    }

    /// The roots of one admin config, prepared once: classifying a path is then prefix checks and one
    /// split of the path's tail, cheap enough for every path of a 10,000-app tree.
    public struct Classifier: Sendable {
        let appsPrefix: String
        let workflowsPrefix: String

        public init(config: AdminConfig) {
            appsPrefix = RepositoryPath.normalized(config.appsRoot) + "/"
            workflowsPrefix = RepositoryPath.normalized(config.workflowsRoot) + "/"
        }

        /// What `path` (relative to the repository root, as a git tree names it) is.
        public func location(of path: String) -> RepoLocation {
            if AdminConfig.repositoryPaths.contains(path) { return .adminConfig }
            if path.hasPrefix("provisioners/") {
                let rest = path.dropFirst("provisioners/".count)
                if !rest.contains("/"), RepoLocation.yamlStem(rest) != nil { return .provisioners }
            }
            if path.hasPrefix(appsPrefix) {
                let parts = path.dropFirst(appsPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
                if parts.count >= 2, parts[1] == "score.yaml" || parts[1] == "score.yml" {
                    return parts.count == 2 ? .score(app: String(parts[0]))
                        : .scoreFolder(app: String(parts[0]), path: appsPrefix + parts[0] + "/" + parts[1])
                }
                if parts.count == 3, parts[1] == "workflows", let name = RepoLocation.yamlStem(parts[2]) {
                    return .appWorkflow(app: String(parts[0]), name: name)
                }
            }
            if path.hasPrefix(workflowsPrefix) {
                let parts = path.dropFirst(workflowsPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
                if parts.count == 2, parts[0] == "platform", let name = RepoLocation.yamlStem(parts[1]) {
                    return .platformWorkflow(name: name)
                }
                if parts.count == 3, parts[0] == "products", let name = RepoLocation.yamlStem(parts[2]) {
                    return .productWorkflow(product: String(parts[1]), name: name)
                }
            }
            return .other
        }
    }

    /// `name.yaml` or `name.yml` → `name`; nil for any other file name.
    static func yamlStem(_ file: Substring) -> String? {
        for suffix in [".yaml", ".yml"] where file.hasSuffix(suffix) { return String(file.dropLast(suffix.count)) }
        return nil
    }

    var expectedKind: SpecKind? {
        switch self {
        case .adminConfig: .adminConfig
        case .score: .score
        case .platformWorkflow, .productWorkflow, .appWorkflow: .workflow
        case .scoreFolder, .provisioners, .other: nil
        }
    }

    /// The kind a workflow must have where it lies; nil where no workflow belongs.
    public var workflowKind: Workflow.Kind? {
        switch self {
        case .platformWorkflow: .platform
        case .productWorkflow: .product
        case .appWorkflow: .application
        default: nil
        }
    }
}
