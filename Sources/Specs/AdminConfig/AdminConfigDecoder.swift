/// Checks `policies/admin-config.yaml` and builds the `AdminConfig`. An invalid admin config fails the
/// whole pass closed (docs/ARCHITECTURE.md §3), so every field is checked strictly.
struct AdminConfigDecoder {
    var checker: SpecChecker

    init(file: String) {
        checker = SpecChecker(file: file)
    }

    static let policyFields = [
        "workflowsRoot", "appsRoot", "requiredPlatformWorkflows", "allowedProductWorkflows", "allowedStepTypes",
        "stepTypes", "secretEnv", "maxStepsPerWorkflow", "maxWorkflowDuration", "maxConcurrentWorkflows",
        "maxPrunePerPass", "retry", "delivery", "products", "allowedProvisioners", "allowCmdProvisioners", "environment",
    ]
    static let tierKeys = Tier.allCases.map(\.rawValue)

    mutating func decode(_ root: YAMLNode) -> AdminConfig? {
        guard let top = checker.mapping(root, at: .root) else { return nil }
        for entry in top where entry.key != "workflowPolicies" {
            checker.warning(entry.keyLocation, FieldPath.root / entry.key,
                            "'\(entry.key)' is not read by the reconciler; only workflowPolicies is")
        }
        let path: FieldPath = "workflowPolicies"
        guard let node = root["workflowPolicies"],
              let fields = checker.fields(node, at: path, known: Self.policyFields) else { return nil }
        var config = AdminConfig.default
        for key in ["workflowsRoot", "appsRoot"] {
            guard let node = fields[key], let value = checker.string(node, at: path / key, minLength: 1) else { continue }
            if let problem = RepositoryPath.problem(with: value) {
                checker.error(node.location, path / key, problem)
            } else if RepositoryPath.normalized(value).isEmpty {
                checker.error(node.location, path / key, "'\(value)' is the repository root; name a folder inside it")
            }
            let normalized = RepositoryPath.normalized(value)
            if key == "workflowsRoot" { config.workflowsRoot = normalized } else { config.appsRoot = normalized }
        }
        if let node = fields["requiredPlatformWorkflows"],
           let names = checker.stringList(node, at: path / "requiredPlatformWorkflows") {
            for (index, name) in names.enumerated() where !ScorePatterns.isDNSLabel(name) {
                checker.error(node.items?[index].location ?? node.location,
                              (path / "requiredPlatformWorkflows").appending(index: index),
                              "'\(name)' is not a workflow name; \(WorkflowDecoder.nameRule)")
            }
            config.requiredPlatformWorkflows = names
        }
        if let node = fields["allowedProductWorkflows"] {
            config.allowedProductWorkflows = decodeApprovals(node, at: path / "allowedProductWorkflows")
        }
        if let node = fields["allowedStepTypes"] { decodeAllowedStepTypes(node, at: path / "allowedStepTypes", into: &config) }
        if let node = fields["stepTypes"] { config.stepTypes = decodeStepTypes(node, at: path / "stepTypes") }
        if let node = fields["secretEnv"] { config.secretEnv = decodeSecretEnv(node, at: path / "secretEnv") }
        if let node = fields["maxStepsPerWorkflow"] {
            config.maxStepsPerWorkflow = checker.integer(node, at: path / "maxStepsPerWorkflow", in: 1...100_000)
        }
        config.maxWorkflowDuration = fields["maxWorkflowDuration"].flatMap { checker.duration($0, at: path / "maxWorkflowDuration") }
        config.maxConcurrentWorkflows = fields["maxConcurrentWorkflows"].flatMap {
            checker.integer($0, at: path / "maxConcurrentWorkflows", in: 1...10_000)
        }
        if let node = fields["maxPrunePerPass"], let value = checker.integer(node, at: path / "maxPrunePerPass", in: 0...1_000_000) {
            config.maxPrunePerPass = value
        }
        if let node = fields["retry"], let retry = checker.fields(node, at: path / "retry", known: ["base", "cap", "attempts"]) {
            if let base = retry["base"].flatMap({ checker.duration($0, at: path / "retry" / "base") }) { config.retry.base = base }
            if let cap = retry["cap"].flatMap({ checker.duration($0, at: path / "retry" / "cap") }) { config.retry.cap = cap }
            if let attempts = retry["attempts"].flatMap({ checker.integer($0, at: path / "retry" / "attempts", in: 1...1000) }) {
                config.retry.attempts = attempts
            }
            if config.retry.cap < config.retry.base {
                checker.error(node.location, path / "retry", "cap (\(config.retry.cap)) is shorter than base (\(config.retry.base)); raise cap")
            }
        }
        if let node = fields["delivery"] { decodeDelivery(node, at: path / "delivery", into: &config) }
        if let node = fields["products"] { config.products = decodeProducts(node, at: path / "products") }
        if let node = fields["allowedProvisioners"] {
            config.allowedProvisioners = decodeProvisionerApprovals(node, at: path / "allowedProvisioners")
        }
        if let allow = fields["allowCmdProvisioners"].flatMap({ checker.bool($0, at: path / "allowCmdProvisioners") }) {
            config.allowCmdProvisioners = allow
        }
        if let node = fields["environment"], let values = checker.stringMap(node, at: path / "environment") {
            config.environment = values
        }
        return checker.hasErrors ? nil : config
    }

    /// `delivery: {enabled: true, branch: env/main}`: the environment branch the application tier commits to.
    private mutating func decodeDelivery(_ node: YAMLNode, at path: FieldPath, into config: inout AdminConfig) {
        guard let fields = checker.fields(node, at: path, known: ["enabled", "branch"]) else { return }
        if let enabled = fields["enabled"].flatMap({ checker.bool($0, at: path / "enabled") }) { config.delivery.enabled = enabled }
        guard let branchNode = fields["branch"], let branch = checker.string(branchNode, at: path / "branch", minLength: 1) else { return }
        if let problem = Self.branchProblem(branch) {
            checker.error(branchNode.location, path / "branch", problem)
        } else {
            config.delivery.branch = branch
        }
    }

    /// Why `name` cannot be a branch the reconciler pushes to (git's ref-name rules, and not the notes or
    /// innominatus refs), or nil.
    static func branchProblem(_ name: String) -> String? {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        let forbidden: [Character] = [" ", "~", "^", ":", "?", "*", "[", "\\"]
        if name.hasPrefix("refs/") { return "'\(name)' is a ref; write the branch name only, like env/main" }
        if components.contains(where: { $0.isEmpty || $0.hasPrefix(".") || $0.hasSuffix(".lock") })
            || name.contains("..") || name.contains("@{") || name.hasSuffix(".")
            || name.contains(where: { forbidden.contains($0) || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false }) {
            return "'\(name)' is not a valid branch name; use letters, digits, '-', '_', '.' and '/' (like env/main)"
        }
        return nil
    }

    private mutating func decodeApprovals(_ node: YAMLNode, at path: FieldPath) -> [AdminConfig.ApprovedWorkflow] {
        guard let items = checker.sequence(node, at: path) else { return [] }
        var result: [AdminConfig.ApprovedWorkflow] = []
        for (index, item) in items.enumerated() {
            guard let (nameNode, namePath, digest) = pinnedEntry(item, at: path.appending(index: index), key: "name",
                                                                  WorkflowPin.isWellFormed, WorkflowPin.rule),
                  let full = checker.string(nameNode, at: namePath) else { continue }
            let parts = full.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, ScorePatterns.isDNSLabel(parts[0]), ScorePatterns.isDNSLabel(parts[1]) else {
                checker.error(nameNode.location, namePath,
                              "'\(full)' is not 'product/workflow'; write the product folder and the workflow name, e.g. ecommerce/deploy")
                continue
            }
            result.append(.init(product: parts[0], name: parts[1], digest: digest))
        }
        return result
    }

    /// One entry of an approval list: `VALUE`, or `{KEY: VALUE, digest: PIN}` — the value's node and path,
    /// and the pin when one is written (checked by `isPin`). Nil when the map form is malformed (reported).
    private mutating func pinnedEntry(_ item: YAMLNode, at itemPath: FieldPath, key: String, _ isPin: (String) -> Bool,
                                      _ pinRule: String) -> (node: YAMLNode, path: FieldPath, digest: String?)? {
        guard item.entries != nil else { return (item, itemPath, nil) }
        guard let fields = checker.fields(item, at: itemPath, known: [key, "digest"], required: [key]),
              let node = fields[key] else { return nil }
        let digest = fields["digest"].flatMap { checker.matching($0, at: itemPath / "digest", isPin, pinRule) }
        return (node, itemPath / key, digest)
    }

    /// `allowedProvisioners: [provisioners/db.yaml, {path: provisioners/queue.yaml, digest: <blob id>}]`.
    private mutating func decodeProvisionerApprovals(_ node: YAMLNode, at path: FieldPath) -> [AdminConfig.ApprovedProvisioner] {
        guard let items = checker.sequence(node, at: path) else { return [] }
        var result: [AdminConfig.ApprovedProvisioner] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            guard let (pathNode, pathPath, digest) = pinnedEntry(item, at: path.appending(index: index), key: "path", Self.isBlobID,
                                                                  "a provisioners file's digest is its git blob id, 40 hexadecimal "
                                                                      + "digits (git hash-object FILE, or innominatus approve FILE)"),
                  let file = checker.string(pathNode, at: pathPath) else { continue }
            guard Self.isProvisionersPath(file) else {
                checker.error(pathNode.location, pathPath,
                              "'\(file)' is not a provisioners file; write provisioners/NAME.yaml (a YAML file directly in provisioners/)")
                continue
            }
            if !seen.insert(file).inserted {
                checker.error(pathNode.location, pathPath, "'\(file)' is listed twice; keep one entry")
                continue
            }
            result.append(.init(path: file, digest: digest))
        }
        return result
    }

    /// `provisioners/NAME.yaml` or `.yml`: the files the reconciler and `render` read as provisioners.
    static func isProvisionersPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "provisioners", !parts[1].hasPrefix(".") else { return false }
        return parts[1].count > 5 && (parts[1].hasSuffix(".yaml") || parts[1].hasSuffix(".yml"))
    }

    static func isBlobID(_ text: String) -> Bool {
        text.utf8.count == 40 && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    /// `products: {ecommerce: {apps: [shop, "cart-*"]}}`: the apps that may claim each product.
    private mutating func decodeProducts(_ node: YAMLNode, at path: FieldPath) -> [String: AdminConfig.ProductMembership] {
        guard let entries = checker.mapping(node, at: path) else { return [:] }
        var result: [String: AdminConfig.ProductMembership] = [:]
        for entry in entries {
            let entryPath = path / entry.key
            if !ScorePatterns.isDNSLabel(entry.key) {
                checker.error(entry.keyLocation, entryPath,
                              "'\(entry.key)' is not a product name (a DNS label: lowercase letters, digits and '-')")
            }
            guard let fields = checker.fields(entry.value, at: entryPath, known: ["apps"], required: ["apps"]),
                  let appsNode = fields["apps"], let patterns = checker.stringList(appsNode, at: entryPath / "apps") else { continue }
            for (index, pattern) in patterns.enumerated() where !Self.isAppPattern(pattern) {
                checker.error(appsNode.items?[index].location ?? appsNode.location, (entryPath / "apps").appending(index: index),
                              "'\(pattern)' is not an app name or pattern: lowercase letters, digits and '-', with '*' for "
                                  + "any run of them (e.g. cart-*), at most 63 characters")
            }
            result[entry.key] = .init(apps: patterns)
        }
        return result
    }

    /// An app name where `*` may stand for any run of characters; without a star it must be a valid app name.
    static func isAppPattern(_ pattern: String) -> Bool {
        guard !pattern.isEmpty, pattern.utf8.count <= 63,
              pattern.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "*" })
        else { return false }
        return pattern.contains("*") || ScorePatterns.isLabel(pattern)
    }

    private mutating func decodeAllowedStepTypes(_ node: YAMLNode, at path: FieldPath, into config: inout AdminConfig) {
        if node.items != nil {
            config.allowedStepTypes = checker.stringList(node, at: path)
            return
        }
        guard let fields = checker.fields(node, at: path, known: ["global"] + Self.tierKeys) else { return }
        config.allowedStepTypes = fields["global"].flatMap { checker.stringList($0, at: path / "global") }
        for tier in Tier.allCases {
            if let list = fields[tier.rawValue].flatMap({ checker.stringList($0, at: path / tier.rawValue) }) {
                config.allowedStepTypesByTier[tier] = list
            }
        }
    }

    private mutating func decodeStepTypes(_ node: YAMLNode, at path: FieldPath) -> [String: AdminConfig.StepTypeDefinition] {
        guard let entries = checker.mapping(node, at: path) else { return [:] }
        var result: [String: AdminConfig.StepTypeDefinition] = [:]
        for entry in entries {
            let entryPath = path / entry.key
            if !ScorePatterns.isDNSLabel(entry.key) || entry.key == "shell" || entry.key == "http" {
                checker.error(entry.keyLocation, entryPath, entry.key == "shell" || entry.key == "http"
                    ? "'\(entry.key)' is a built-in step type and cannot be redefined"
                    : "'\(entry.key)' is not a valid step type name (lowercase letters, digits and '-')")
            }
            guard let fields = checker.fields(entry.value, at: entryPath, known: ["command", "timeout", "description"],
                                              required: ["command"]),
                  let commandNode = fields["command"] else { continue }
            var command: [String]?
            if let text = commandNode.string { command = [text] } else { command = checker.stringList(commandNode, at: entryPath / "command") }
            guard let command, let program = command.first else {
                if commandNode.items?.isEmpty == true {
                    checker.error(commandNode.location, entryPath / "command", "name the plugin program, e.g. [./plugins/\(entry.key)]")
                }
                continue
            }
            if program.contains("/"), let problem = RepositoryPath.problem(with: program) {
                checker.error(commandNode.location, entryPath / "command", "\(problem) (plugins live in the repository)")
            }
            let timeout = fields["timeout"].flatMap { checker.duration($0, at: entryPath / "timeout") }
            let description = fields["description"].flatMap { checker.string($0, at: entryPath / "description") }
            result[entry.key] = .init(command: command, timeout: timeout, description: description)
        }
        return result
    }

    private mutating func decodeSecretEnv(_ node: YAMLNode, at path: FieldPath) -> [Tier: [String]] {
        guard let fields = checker.fields(node, at: path, known: Self.tierKeys) else { return [:] }
        var result: [Tier: [String]] = [:]
        for tier in Tier.allCases {
            guard let listNode = fields[tier.rawValue], let names = checker.stringList(listNode, at: path / tier.rawValue) else { continue }
            for (index, name) in names.enumerated() where !EnvironmentName.isValid(name) {
                checker.error(listNode.items?[index].location ?? listNode.location,
                              (path / tier.rawValue).appending(index: index), EnvironmentName.rule(name))
            }
            result[tier] = names
        }
        return result
    }
}
