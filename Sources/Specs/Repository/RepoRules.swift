/// The rules that span files of a platform repository, applied to each file's report.
struct RepoRules {
    let config: AdminConfig
    /// Every file of the repository, for what workflows' `inputs` name.
    let tree: RepoTree
    /// Where the admin config lies, to name it in messages.
    let configPath: String
    /// Platform workflow names found, for `requiredPlatformWorkflows`.
    private(set) var platformWorkflows: Set<String> = []
    /// `product/name` of every product workflow found, for the allow-list.
    private(set) var productWorkflows: Set<String> = []
    /// `product/name` → the files a pin of it covers beside the workflow file (path → blob id), for
    /// pins that cover the file alone.
    private(set) var productInputs: [String: [String: String]] = [:]
    /// App folders holding a Score file, for the products' membership patterns.
    private(set) var apps: Set<String> = []

    /// Set when the admin config file does not validate: the rules then run on the defaults, and their
    /// messages say so, so that its errors are read first (no plugin is registered, nothing is approved).
    var configIsInvalid = false

    /// The clause messages about stepTypes and the allow-list end with while the admin config is invalid.
    private var invalidConfigNote: String {
        configIsInvalid ? " (\(configPath) does not validate, so its stepTypes and allow-list are not read: fix its errors first)" : ""
    }

    init(config: AdminConfig, tree: RepoTree, configPath: String = AdminConfig.defaultPath) {
        self.config = config
        self.tree = tree
        self.configPath = configPath
    }

    /// The identity rules (`RepoIdentity`, the loader's too), then what this file adds to the repository's
    /// picture: apps, platform and product workflows, product membership and approval warnings.
    mutating func checkIdentity(_ report: inout SpecFileReport, location: RepoLocation, bytes: [UInt8]) {
        let root = report.root
        for problem in RepoIdentity.problems(at: location, path: report.path, claims: RepoIdentity.Claims(root: root)) {
            report.add(problem)
        }
        switch location {
        case .score(let app):
            apps.insert(app)
            if let node = root?["metadata"]?["product"], let product = node.string, !config.admits(app: app, toProduct: product) {
                report.addError(at: "metadata.product", node: node, AdminConfig.notAMember(app: app, product: product, configPath: configPath))
            }
        case .platformWorkflow, .productWorkflow, .appWorkflow:
            recordWorkflow(&report, location: location, bytes: bytes)
        case .other, .scoreFolder:
            switch report.kind {
            case .workflow:
                report.addError(at: .root, node: nil,
                                "a workflow must lie under \(config.workflowsRoot)/platform/, \(config.workflowsRoot)/products/<product>/ "
                                    + "or \(config.appsRoot)/<app>/workflows/; move it there")
            case .score:
                report.addWarning(at: .root, node: nil,
                                  "this Score file is not reconciled: apps are read from \(config.appsRoot)/<app>/score.yaml")
            case .adminConfig:
                report.addWarning(at: .root, node: nil, "the admin config is read only from \(AdminConfig.defaultPath)")
            case .provisioners, .unknown:
                break
            }
        case .adminConfig, .provisioners:
            break
        }
    }

    /// Platform and product workflows found (for the admin config's checks), and a product workflow's approval.
    private mutating func recordWorkflow(_ report: inout SpecFileReport, location: RepoLocation, bytes: [UInt8]) {
        switch location {
        case .platformWorkflow(let name):
            platformWorkflows.insert(name)
        case .productWorkflow(let product, let name):
            productWorkflows.insert("\(product)/\(name)")
            let inputs = tree.inputs(named: report.workflow?.inputs ?? [])
            productInputs["\(product)/\(name)"] = inputs.filter { $0.key != report.path }
            switch config.approval(ofWorkflow: product, name, path: report.path, blobID: GitBlobID.of(bytes), inputs: inputs) {
            case .approved, .pinned:
                break
            case .changed(let digest, let now):
                let covered = WorkflowPin.isBlobID(digest) ? "its file" : "its file and its inputs"
                report.addWarning(at: .root, node: nil,
                                  "'\(product)/\(name)' changed since it was approved (the digest of \(covered) is now "
                                    + "\(now), not \(digest)), so it will be blocked until the platform team approves it "
                                    + "again (innominatus approve \(product)/\(name))")
            case .notListed:
                report.addWarning(at: .root, node: nil,
                                  "'\(product)/\(name)' is not in allowedProductWorkflows of the admin config, so it will be "
                                    + "blocked; ask the platform team to approve it" + invalidConfigNote)
            }
        default:
            break
        }
    }

    /// Step types registered and allowed for the tier, `fromEnv` allowed by `secretEnv`, limits kept.
    func checkPolicy(_ report: inout SpecFileReport, location: RepoLocation) {
        guard let tier = location.workflowKind?.tier, let root = report.root,
              let steps = root["spec"]?["steps"]?.items else { return }
        let stepsPath: FieldPath = "spec.steps"
        if let max = config.maxStepsPerWorkflow, steps.count > max {
            report.addError(at: stepsPath, node: root["spec"]?["steps"],
                            "the workflow has \(steps.count) steps, more than maxStepsPerWorkflow (\(max)); split it")
        }
        if let max = config.maxWorkflowDuration, let node = root["spec"]?["timeout"],
           let text = node.string, let timeout = SpecDuration(parsing: text), timeout > max {
            report.addWarning(at: "spec.timeout", node: node,
                              "the timeout \(timeout) exceeds maxWorkflowDuration (\(max)); it will be capped at \(max)")
        }
        for (index, step) in steps.enumerated() {
            let path = stepsPath.appending(index: index)
            let typeNode = step["type"]
            let type = typeNode?.string ?? "shell"
            if !WorkflowStep.StepType.builtInNames.contains(type), config.stepTypes[type] == nil {
                let hint = Suggestion.closest(to: type, among: WorkflowStep.StepType.builtInNames + config.stepTypes.keys)
                    .map { " Did you mean '\($0)'?" } ?? ""
                report.addError(at: path / "type", node: typeNode,
                                "unknown step type '\(type)': use shell, http, or a plugin registered under stepTypes "
                                    + "in the admin config.\(hint)" + invalidConfigNote)
            } else if !config.allows(stepType: type, in: tier) {
                report.addError(at: path / "type", node: typeNode ?? step,
                                "the step type '\(type)' is not allowed in the \(tier.rawValue) tier by allowedStepTypes "
                                    + "in the admin config")
            }
            for variable in step["env"]?.entries ?? [] {
                guard let source = variable.value["fromEnv"], let name = source.string else { continue }
                if !(config.secretEnv[tier] ?? []).contains(name) {
                    report.addError(at: path / "env" / variable.key / "fromEnv", node: source,
                                    "'\(name)' is not listed under secretEnv.\(tier.rawValue) in the admin config, so a "
                                        + "\(tier.rawValue) workflow may not read it; ask the platform team to allow it")
                }
            }
        }
    }

    /// Each shell step's `run:` names only repository files its workflow's inputs cover.
    func checkInputs(_ report: inout SpecFileReport, location: RepoLocation) {
        guard location.workflowKind != nil else { return }
        InputCoverage.check(&report, tree: tree)
    }

    /// Required platform workflows exist; allow-list entries name existing workflows.
    func checkAdminConfig(_ report: inout SpecFileReport) {
        let policies = report.root?["workflowPolicies"]
        for (index, name) in config.requiredPlatformWorkflows.enumerated() where !platformWorkflows.contains(name) {
            report.addError(at: FieldPath("workflowPolicies.requiredPlatformWorkflows").appending(index: index),
                            node: policies?["requiredPlatformWorkflows"]?.items?[index],
                            "the required platform workflow '\(name)' does not exist; add "
                                + "\(config.workflowsRoot)/platform/\(name).yaml or remove it from the list")
        }
        for (index, approval) in config.allowedProductWorkflows.enumerated() {
            let path = FieldPath("workflowPolicies.allowedProductWorkflows").appending(index: index)
            let node = policies?["allowedProductWorkflows"]?.items?[index]
            guard productWorkflows.contains(approval.fullName) else {
                report.addWarning(at: path, node: node,
                                  "'\(approval.fullName)' is approved but \(config.workflowsRoot)/products/\(approval.fullName).yaml "
                                    + "does not exist")
                continue
            }
            if let digest = approval.digest, WorkflowPin.isBlobID(digest),
               let inputs = productInputs[approval.fullName], !inputs.isEmpty {
                let names = inputs.keys.sorted()
                let shown = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
                report.addWarning(at: path / "digest", node: node?["digest"] ?? node,
                                  "'\(approval.fullName)' is pinned by the git blob id of its file alone, which does not cover "
                                    + "its inputs (\(shown)): an edit to them would run unreviewed under this approval; pin "
                                    + "them too with: innominatus approve \(approval.fullName)")
            }
        }
        let products = policies?["products"]
        for (product, membership) in config.products.sorted(by: { $0.key < $1.key }) {
            for (index, pattern) in membership.apps.enumerated()
            where !apps.contains(where: { AdminConfig.ProductMembership(apps: [pattern]).admits($0) }) {
                report.addWarning(at: (FieldPath("workflowPolicies.products") / product / "apps").appending(index: index),
                                  node: products?[product]?["apps"]?.items?[index],
                                  "'\(pattern)' matches no app under \(config.appsRoot)/; check the name")
            }
        }
    }
}
