import Provisioning
import Specs

/// The original's admin config (an `admin-config.yaml` with `workflowPolicies`, or a `kind:
/// WorkflowPolicies` document) → `policies/admin-config.yaml` (docs/ARCHITECTURE.md §17): what has a
/// meaning here is kept and enforced, the step-type plugins are registered, and the rest is dropped with
/// the reason. The original never enforced its lists (it only printed them), so where its workflows break
/// its own lists the migration reports it and keeps the workflows runnable.
struct AdminConfigMigration {
    /// One policy source of the original.
    struct Source {
        var file: String
        var root: YAMLNode
        /// The map holding the policies: `workflowPolicies` of an admin config, `spec` of a WorkflowPolicies document.
        var policies: YAMLNode?
        var isWorkflowPoliciesDocument: Bool

        init(file: String, root: YAMLNode) {
            self.file = file
            self.root = root
            isWorkflowPoliciesDocument = root["kind"]?.string == "WorkflowPolicies"
            policies = isWorkflowPoliciesDocument ? root["spec"] : root["workflowPolicies"]
        }

        /// A field of the policies; a WorkflowPolicies document keeps the limits under `resources`.
        func field(_ key: String) -> YAMLNode? {
            policies?[key] ?? (isWorkflowPoliciesDocument ? policies?["resources"]?[key] : nil)
        }

        func list(_ key: String) -> [String]? { field(key)?.items?.compactMap { $0.string ?? $0["name"]?.string } }

        /// The `admin` block: values `${admin.KEY}` read.
        var adminValues: [String: String] {
            var values: [String: String] = [:]
            for entry in root["admin"]?.entries ?? [] where entry.value.entries == nil && entry.value.items == nil {
                values[entry.key] = entry.value.string ?? entry.value.text
            }
            return values
        }
    }

    struct Facts {
        var workflows: [WorkflowMigration.Result]
        /// The environment type workflows' `${environment.type}` defaults to, when any workflow used it.
        var defaultEnvironment: String?
    }

    var chosen: Source?
    var others: [Source]

    static let defaultPath = AdminConfig.defaultPath

    func location(_ node: YAMLNode, in source: Source) -> String { "\(source.file):\(node.location)" }

    func migrate(_ facts: Facts, changes: inout [MigrationReport.Change]) -> ManifestValue {
        var policies: [(String, ManifestValue)] = [("workflowsRoot", .string("./workflows")), ("appsRoot", .string("./apps"))]
        let platform = facts.workflows.filter { $0.tier == .platform }
        let products = facts.workflows.filter { $0.tier == .product }
        let productNames = products.map { "\($0.product!)/\($0.name)" }
        guard let source = chosen else {
            changes.append(.init(.manual, at: "(none)", "no admin-config.yaml or WorkflowPolicies document in the source: written with no product workflow allowed"))
            return Self.document(policies + [("stepTypes", Self.stepTypes(facts))])
        }
        func at(_ key: String) -> String { source.field(key).map { location($0, in: source) } ?? source.file }

        if let root = source.field("workflowsRoot")?.string, RepositoryPath.normalized(root) != "workflows" {
            changes.append(.init(.converted, at: at("workflowsRoot"), "workflowsRoot \(root) → ./workflows (the migrated workflows are written there)"))
        } else if source.field("workflowsRoot") != nil {
            changes.append(.init(.kept, at: at("workflowsRoot"), "workflowsRoot ./workflows"))
        }

        // Required platform workflows: kept when migrated; a missing one would block every app.
        if let required = source.list("requiredPlatformWorkflows") {
            var kept: [String] = []
            for name in required {
                if platform.contains(where: { $0.name == name }) { kept.append(name) } else {
                    changes.append(.init(.inconsistency, at: at("requiredPlatformWorkflows"), "required platform workflow '\(name)' is not in the source; dropped from requiredPlatformWorkflows (here a missing required workflow blocks every app)"))
                    changes.append(.init(.manual, at: at("requiredPlatformWorkflows"), "write workflows/platform/\(name).yaml and list it again under requiredPlatformWorkflows"))
                }
            }
            policies.append(("requiredPlatformWorkflows", .list(kept.map(ManifestValue.string))))
            changes.append(.init(.kept, at: at("requiredPlatformWorkflows"), "requiredPlatformWorkflows \(kept) (enforced: every app's platform tier needs them)"))
        }

        // The allow-list: kept as written; enforced here.
        let allowed = source.list("allowedProductWorkflows") ?? []
        policies.append(("allowedProductWorkflows", .list(allowed.map(ManifestValue.string))))
        changes.append(.init(.kept, at: at("allowedProductWorkflows"), "allowedProductWorkflows \(allowed) (enforced: other product workflows are blocked; innominatus approve PRODUCT/WORKFLOW adds one and pins its digest)"))
        for name in allowed where !productNames.contains(name) {
            changes.append(.init(.inconsistency, at: at("allowedProductWorkflows"), "'\(name)' is allowed but no such product workflow is in the source"))
        }
        for name in productNames where !allowed.contains(name) {
            changes.append(.init(.manual, at: at("allowedProductWorkflows"), "product workflow '\(name)' is not in allowedProductWorkflows, so it stays blocked, as the original's list says; approve it with innominatus approve \(name)"))
        }

        // Step types: the original's list, plus what the workflows it lets run use (it never enforced it).
        let stepTypes = Self.stepTypes(facts)
        if let list = source.list("allowedStepTypes") {
            var types = list
            // Every migrated workflow, golden paths too: they are meant to be copied into apps.
            for workflow in facts.workflows {
                for type in workflow.stepTypes where !types.contains(type) {
                    types.append(type)
                    let what = type == "shell" ? "its policy scripts are shell steps here" : "the original used it but never enforced allowedStepTypes"
                    changes.append(.init(type == "shell" ? .converted : .inconsistency, at: at("allowedStepTypes"),
                                         "step type '\(type)' is used by \(workflow.tier.rawValue) workflow '\(workflow.product.map { "\($0)/" } ?? "")\(workflow.name)' (\(workflow.destination)) but is not in allowedStepTypes; added (\(what)), so the migration blocks nothing: remove it to block that workflow"))
                }
            }
            let unused = types.filter { type in !facts.workflows.contains { $0.stepTypes.contains(type) } }
            if !unused.isEmpty {
                changes.append(.init(.kept, at: at("allowedStepTypes"), "allowedStepTypes also lists \(unused), which no migrated workflow uses; kept"))
            }
            policies.append(("allowedStepTypes", .list(types.map(ManifestValue.string))))
            changes.append(.init(.kept, at: at("allowedStepTypes"), "allowedStepTypes (every tier; enforced before any step runs)"))
        }
        policies.append(("stepTypes", stepTypes))

        // Limits.
        if let node = source.field("maxWorkflowDuration") {
            let text = node.string ?? node.text
            if SpecDuration(parsing: text) != nil {
                policies.append(("maxWorkflowDuration", .string(text)))
                changes.append(.init(.kept, at: location(node, in: source), "maxWorkflowDuration \(text) (enforced: caps every workflow's timeout)"))
            } else {
                changes.append(.init(.dropped, at: location(node, in: source), "maxWorkflowDuration '\(text)' is not a duration (500ms, 90s, 10m, 1h)"))
            }
        }
        for key in ["maxConcurrentWorkflows", "maxStepsPerWorkflow"] {
            guard let node = source.field(key) else { continue }
            guard let value = node.value.intValue, value >= 1 else {
                changes.append(.init(.dropped, at: location(node, in: source), "\(key) '\(node.text)' is not a positive number"))
                continue
            }
            policies.append((key, .int(value)))
            let meaning = key == "maxStepsPerWorkflow" ? "a workflow with more steps is blocked" : "parallel steps of a workflow at once"
            changes.append(.init(.kept, at: location(node, in: source), "\(key) \(value) (enforced: \(meaning))"))
            if key == "maxStepsPerWorkflow" {
                for workflow in facts.workflows where workflow.stepTypes.count > value {
                    changes.append(.init(.inconsistency, at: location(node, in: source), "workflow '\(workflow.name)' has \(workflow.stepTypes.count) steps, more than maxStepsPerWorkflow \(value): it will be blocked"))
                }
            }
        }
        if let environment = facts.defaultEnvironment {
            policies.append(("environment", .map([("type", .string(environment))])))
            changes.append(.init(.converted, at: source.list("allowedEnvironments") != nil ? at("allowedEnvironments") : source.file,
                                 "environment.type: \(environment) (what ${environment.type} meant for a Score with no environment; each Score's metadata.environment holds its own)"))
        }

        // What has no meaning here.
        for entry in source.policies?.entries ?? [] {
            let here = "\(source.file):\(entry.keyLocation)"
            switch entry.key {
            case "workflowsRoot", "requiredPlatformWorkflows", "allowedProductWorkflows", "allowedStepTypes",
                 "maxWorkflowDuration", "maxConcurrentWorkflows", "maxStepsPerWorkflow":
                continue
            case "workflowOverrides":
                changes.append(.init(.dropped, at: here, "workflowOverrides: tiers never override each other here; every tier's workflows run, platform → product → application, and a failing tier stops the later ones"))
            case "security":
                dropSecurity(entry.value, in: source, changes: &changes)
            case "resources" where source.isWorkflowPoliciesDocument:
                for item in entry.value.entries ?? [] where !["maxConcurrentWorkflows", "maxStepsPerWorkflow", "allowedStepTypes"].contains(item.key) {
                    changes.append(.init(.dropped, at: "\(source.file):\(item.keyLocation)", "resources.\(item.key) has no equivalent"))
                }
            default:
                changes.append(.init(.dropped, at: here, "\(entry.key) has no equivalent in workflowPolicies"))
            }
        }
        if source.isWorkflowPoliciesDocument {
            changes.append(.init(.converted, at: source.file, "a kind: WorkflowPolicies document → the workflowPolicies block of policies/admin-config.yaml (its resources.* limits moved up)"))
        } else {
            dropTopLevel(source, changes: &changes)
        }
        for other in others { compare(other, with: source, changes: &changes) }
        return Self.document(policies)
    }

    private func dropSecurity(_ node: YAMLNode, in source: Source, changes: inout [MigrationReport.Change]) {
        let reasons = [
            "requireApproval": "per-environment approval has no equivalent: approval here is review of policies/admin-config.yaml (allowedProductWorkflows, pinned by innominatus approve) and of the branch; put CODEOWNERS on policies/",
            "allowedExecutors": "who may change what is decided by review (CODEOWNERS) and, outside the repo, by the reconciler's --trust file (signers per path)",
            "secretsAccess": "steps see only what their env declares; fromEnv reads only the variables listed under workflowPolicies.secretEnv for the tier (left empty: nothing is shared)",
        ]
        for entry in node.entries ?? [] {
            changes.append(.init(.dropped, at: "\(source.file):\(entry.keyLocation)", "security.\(entry.key): " + (reasons[entry.key] ?? "no equivalent")))
        }
    }

    private func dropTopLevel(_ source: Source, changes: inout [MigrationReport.Change]) {
        let reasons = [
            "admin": "only workflowPolicies is read here; its values were written where workflows used ${admin.KEY}",
            "providers": "provisioners here are provisioners/*.yaml files approved under allowedProvisioners; the original's providers were not loaded",
            "resourceDefinitions": "resource types are served by provisioners (built-in: README, the application tier), not by a name map",
            "policies": "only workflowPolicies is read here",
            "gitea": "credentials never live in the platform repository here; nothing of this block was copied",
            "argocd": "credentials never live in the platform repository here; nothing of this block was copied",
            "vault": "credentials never live in the platform repository here; nothing of this block was copied",
        ]
        for entry in source.root.entries ?? [] where entry.key != "workflowPolicies" {
            changes.append(.init(.dropped, at: "\(source.file):\(entry.keyLocation)", "\(entry.key): " + (reasons[entry.key] ?? "only workflowPolicies is read here")))
            switch entry.key {
            case "providers":
                changes.append(.init(.manual, at: "\(source.file):\(entry.keyLocation)", "port the providers' provisioners to provisioners/NAME.yaml and approve them (innominatus approve provisioners/NAME.yaml)"))
            case "gitea", "argocd", "vault":
                changes.append(.init(.manual, at: "\(source.file):\(entry.keyLocation)", "rotate the \(entry.key) credentials the original kept in its admin config, and give plugins that need them fromEnv entries (listed under secretEnv)"))
            default: break
            }
        }
    }

    /// A policy source that was not used: said so, with where its lists differ from the one used.
    private func compare(_ other: Source, with source: Source, changes: inout [MigrationReport.Change]) {
        changes.append(.init(.dropped, at: other.file, "another policy source; \(source.file) was used"))
        for key in ["requiredPlatformWorkflows", "allowedProductWorkflows", "allowedStepTypes"] {
            let mine = Set(source.list(key) ?? []), theirs = Set(other.list(key) ?? [])
            guard mine != theirs, other.field(key) != nil else { continue }
            let onlyUsed = mine.subtracting(theirs).sorted(), onlyOther = theirs.subtracting(mine).sorted()
            changes.append(.init(.inconsistency, at: "\(other.file):\(other.field(key)!.location)",
                                 "\(key) differs from \(source.file)'s"
                                    + (onlyUsed.isEmpty ? "" : "; only in \(source.file): \(onlyUsed)")
                                    + (onlyOther.isEmpty ? "" : "; only here: \(onlyOther)")))
        }
    }

    /// Every plugin type the migrated workflows use, registered with its program.
    static func stepTypes(_ facts: Facts) -> ManifestValue {
        var types: [String] = []
        for workflow in facts.workflows { for type in workflow.pluginTypes where !types.contains(type) { types.append(type) } }
        return .map(types.sorted().map { type in
            let tool = StepTypeCatalogue.tools[type]
            return (type, .map([
                ("command", .list(StepTypeCatalogue.command(for: type).map(ManifestValue.string))),
                ("timeout", .string(tool == nil ? "1m" : "30m")),
                ("description", .string(tool.map { "migrated from the original innominatus: \($0.what)" }
                    ?? "migrated from the original innominatus: NOT IMPLEMENTED, fails until a real program is registered here")),
            ]))
        })
    }

    static func document(_ policies: [(String, ManifestValue)]) -> ManifestValue {
        .map([("workflowPolicies", .map(policies))])
    }

    static let header = """
        # Workflow policies, migrated from the original innominatus by `innominatus migrate` (MIGRATION.md
        # says what changed and why). Owned by the platform team (CODEOWNERS): a product workflow runs only
        # when allowedProductWorkflows lists it; `innominatus approve PRODUCT/WORKFLOW` pins its digest.

        """
}
