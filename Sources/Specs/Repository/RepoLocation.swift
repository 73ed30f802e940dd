/// Where a file lies in a platform repository (ARCHITECTURE.md §1), which fixes what it must be.
enum RepoLocation: Equatable {
    case adminConfig
    case score(app: String)
    case platformWorkflow(name: String)
    case productWorkflow(product: String, name: String)
    case appWorkflow(app: String, name: String)
    /// `provisioners/NAME.yaml`: provisioner definitions, which the Provisioning module checks.
    case provisioners
    /// A YAML file anywhere else: validated only if its content says it is a spec.
    case other

    static func of(_ path: String, config: AdminConfig) -> RepoLocation {
        if AdminConfig.repositoryPaths.contains(path) { return .adminConfig }
        let parts = path.split(separator: "/").map(String.init)
        if parts.count == 2, parts[0] == "provisioners", yamlStem(parts[1]) != nil { return .provisioners }
        let apps = config.appsRoot.split(separator: "/").map(String.init)
        let workflows = config.workflowsRoot.split(separator: "/").map(String.init)
        if parts.starts(with: apps) {
            let rest = Array(parts.dropFirst(apps.count))
            if rest.count == 2, rest[1] == "score.yaml" || rest[1] == "score.yml" { return .score(app: rest[0]) }
            if rest.count == 3, rest[1] == "workflows", let name = yamlStem(rest[2]) { return .appWorkflow(app: rest[0], name: name) }
        }
        if parts.starts(with: workflows) {
            let rest = Array(parts.dropFirst(workflows.count))
            if rest.count == 2, rest[0] == "platform", let name = yamlStem(rest[1]) { return .platformWorkflow(name: name) }
            if rest.count == 3, rest[0] == "products", let name = yamlStem(rest[2]) {
                return .productWorkflow(product: rest[1], name: name)
            }
        }
        return .other
    }

    static func yamlStem(_ file: String) -> String? {
        for suffix in [".yaml", ".yml"] where file.hasSuffix(suffix) { return String(file.dropLast(suffix.count)) }
        return nil
    }

    var expectedKind: SpecKind? {
        switch self {
        case .adminConfig: .adminConfig
        case .score: .score
        case .platformWorkflow, .productWorkflow, .appWorkflow: .workflow
        case .provisioners, .other: nil
        }
    }

    var workflowKind: Workflow.Kind? {
        switch self {
        case .platformWorkflow: .platform
        case .productWorkflow: .product
        case .appWorkflow: .application
        default: nil
        }
    }
}
