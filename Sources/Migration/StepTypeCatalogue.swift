/// The step types of the original innominatus and what each becomes here (docs/ARCHITECTURE.md §17).
enum StepTypeCatalogue {
    /// Types the original ran with a real tool: each gets a plugin that calls that tool.
    static let tools: [String: (program: String, what: String)] = [
        "terraform": ("terraform", "runs terraform init and apply (or config.operation) in config.path; outputs are terraform's non-sensitive outputs"),
        "kubernetes": ("kubectl", "applies config.manifests (files or folders) with kubectl, in config.namespace"),
        "ansible": ("ansible-playbook", "runs ansible-playbook config.playbook with config.vars"),
        "policy": ("opa", "evaluates the Score against config.policies with opa (engine: opa)"),
    ]

    /// Types that did nothing real in the original (placeholders): their plugin fails saying what to configure.
    static let placeholders: Set<String> = [
        "security", "cost-analysis", "tagging", "database-migration", "database-schema", "vault-setup", "monitoring",
        "validation", "resource-provisioning", "dummy",
    ]

    /// Types the original implemented against its own integrations (Gitea, Argo CD, its workflow engine),
    /// with credentials from its admin config: not ported, their plugin fails saying what to configure.
    static let integrations: [String: String] = [
        "gitea-repo": "created a Gitea repository with the admin config's Gitea credentials",
        "gitea-archive": "archived a Gitea repository with the admin config's Gitea credentials",
        "git-commit-manifests": "committed generated manifests to a Gitea repository",
        "argocd-app": "registered an Argo CD Application with the admin config's Argo CD credentials",
        "argocd-delete": "deleted an Argo CD Application",
        "terraform-generate": "generated Terraform files from a template of the original's resource types",
        "kubernetes-delete": "deleted a namespace with kubectl",
        "workflow": "ran another workflow of the original's golden paths",
    ]

    /// The original's step fields that become plugin config under the same name.
    static let configFields: [String] = [
        "path", "workingDir", "playbook", "namespace", "operation", "variables", "resource", "outputDir", "repo",
        "branch", "commitMessage", "workspace", "repoName", "description", "private", "owner", "appName", "repoURL",
        "targetPath", "project", "syncPolicy", "manifestPath", "gitBranch", "waitForSync", "outputs", "outputFile",
        "setVariables",
    ]

    /// The plugin file written for `type` and its stepTypes registration arguments.
    static func command(for type: String) -> [String] {
        if tools[type] != nil { return ["./workflows/plugins/\(type)"] }
        let kind = placeholders.contains(type) ? "placeholder" : integrations[type] != nil ? "integration" : "unknown"
        return ["./workflows/plugins/unported-step", type, kind]
    }
}
