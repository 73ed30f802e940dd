import Specs

/// Where the reconciler looks for apps and workflows (ARCHITECTURE.md §1), after `workflowsRoot` and
/// `appsRoot` of the admin config. Only prefix checks on paths: it runs for every file of the tree.
struct RepositoryLayout {
    enum Place: Equatable {
        case score(app: String)
        /// Something under `apps/<app>/score.yaml/`: a folder where the Score file should be.
        case scoreFolder(app: String, path: String)
        case appWorkflow(app: String, name: String)
        case platformWorkflow(name: String)
        case productWorkflow(product: String, name: String)
    }

    let appsPrefix: String
    let workflowsPrefix: String

    init(config: AdminConfig) {
        appsPrefix = Self.normalized(config.appsRoot) + "/"
        workflowsPrefix = Self.normalized(config.workflowsRoot) + "/"
    }

    func place(of path: String) -> Place? {
        if path.hasPrefix(appsPrefix) {
            let parts = path.dropFirst(appsPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
            if parts.count >= 2, parts[1] == "score.yaml" || parts[1] == "score.yml" {
                return parts.count == 2 ? .score(app: String(parts[0]))
                    : .scoreFolder(app: String(parts[0]), path: appsPrefix + parts[0] + "/" + parts[1])
            }
            if parts.count == 3, parts[1] == "workflows", let name = Self.stem(parts[2]) {
                return .appWorkflow(app: String(parts[0]), name: name)
            }
        }
        if path.hasPrefix(workflowsPrefix) {
            let parts = path.dropFirst(workflowsPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == "platform", let name = Self.stem(parts[1]) { return .platformWorkflow(name: name) }
            if parts.count == 3, parts[0] == "products", let name = Self.stem(parts[2]) {
                return .productWorkflow(product: String(parts[1]), name: name)
            }
        }
        return nil
    }

    static func stem(_ file: Substring) -> String? {
        for suffix in [".yaml", ".yml"] where file.hasSuffix(suffix) { return String(file.dropLast(suffix.count)) }
        return nil
    }

    /// `./workflows/` → `workflows`, the form of paths in a git tree.
    static func normalized(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
