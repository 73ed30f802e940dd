import Provisioning
import Specs

/// One original workflow file → one workflow here, keeping its name, tier, phase, triggers and every
/// step in order (docs/ARCHITECTURE.md §17). Golden paths (`kind: Workflow`, which the original ran on
/// request for an app) become manual application-tier workflows under `golden-paths/`.
struct WorkflowMigration {
    struct Result {
        var tier: Tier
        var name: String
        var product: String?
        var destination: String
        var workflow: ManifestValue
        var pluginTypes: [String]
        var inputs: [String]
        var stepTypes: [String]
    }

    var file: String
    var source: MigrationSource
    var adminValues: [String: String]
    /// Set for a workflow written inline in an app's Score file (`workflows:`): it becomes that app's own.
    var app: String?

    static let triggers: Set<String> = ["all_deployments", "product_deployment", "first_deployment", "manual"]
    static let phases: Set<String> = ["pre-deployment", "deployment", "post-deployment", "destroy"]

    func location(_ node: YAMLNode) -> String { "\(file):\(node.location)" }

    func migrate(_ root: YAMLNode, changes: inout [MigrationReport.Change]) -> Result? {
        let kind = root["kind"]?.string
        let metadata = root["metadata"]
        let spec = kind == nil && root["spec"] == nil ? root : root["spec"]
        let stem = String(file.split(separator: "/").last!.split(separator: ".").first!)
        let name = metadata?["name"]?.string ?? stem
        let tier: Tier
        var product: String?
        switch kind {
        case "PlatformWorkflow": tier = .platform
        case "ProductWorkflow":
            tier = .product
            product = metadata?["product"]?.string ?? Self.productFolder(of: file)
            if product == nil {
                changes.append(.init(.manual, at: location(root), "a ProductWorkflow with no metadata.product and not under products/<product>/; not migrated: name its product"))
                return nil
            }
        default:
            tier = .application
            if kind == nil {
                changes.append(.init(.converted, at: location(root), "no apiVersion or kind: read as a golden-path workflow (kind: Workflow)"))
            }
        }
        if metadata?["name"]?.string == nil {
            changes.append(.init(.converted, at: location(root), "no metadata.name: named '\(name)' after the file"))
        }
        var meta: [(String, ManifestValue)] = [("name", .string(name))]
        for entry in metadata?.entries ?? [] {
            let at = "\(file):\(entry.keyLocation)"
            switch entry.key {
            case "name": continue
            case "description", "owner":
                if let text = entry.value.string { meta.append((entry.key, .string(text))) }
            case "product":
                if tier == .product { meta.append(("product", .string(product!))) } else {
                    changes.append(.init(.dropped, at: at, "metadata.product only applies to a ProductWorkflow"))
                }
            case "phase":
                let phase = entry.value.string ?? ""
                if Self.phases.contains(phase) { meta.append(("phase", .string(phase))) } else {
                    changes.append(.init(.manual, at: at, "phase '\(phase)' is not pre-deployment, deployment, post-deployment or destroy; dropped (deployment applies): set it"))
                }
            default:
                changes.append(.init(.dropped, at: at, "metadata.\(entry.key) is not read here (workflow metadata: name, description, owner, phase, product)"))
            }
        }
        if tier == .product, metadata?["product"] == nil {
            meta.append(("product", .string(product!)))
            changes.append(.init(.converted, at: location(root), "metadata.product set to '\(product!)' from the folder"))
        }

        var specOut: [(String, ManifestValue)] = []
        var triggers: [String] = []
        if let list = spec?["triggers"]?.items {
            for item in list {
                let trigger = item.string ?? item.text
                if Self.triggers.contains(trigger) { triggers.append(trigger) } else {
                    changes.append(.init(.manual, at: location(item), "trigger '\(trigger)' has no equivalent (all_deployments, product_deployment, first_deployment, manual); dropped"))
                }
            }
        }
        if tier == .application && app == nil {
            if !triggers.isEmpty && triggers != ["manual"] {
                changes.append(.init(.converted, at: location(spec ?? root), "triggers \(triggers) of a golden path → [manual]: it runs for an app when someone asks (innominatus trigger APP \(name))"))
            } else if triggers.isEmpty {
                changes.append(.init(.converted, at: location(spec ?? root), "a golden path runs when someone asks for it: triggers: [manual] (innominatus trigger APP \(name))"))
            }
            triggers = ["manual"]
        }
        if !triggers.isEmpty { specOut.append(("triggers", .list(triggers.map(ManifestValue.string)))) }
        if let timeout = spec?["timeout"]?.string, SpecDuration(parsing: timeout) != nil { specOut.append(("timeout", .string(timeout))) }

        var workflowVariables: [String: String] = [:]
        for entry in spec?["variables"]?.entries ?? [] {
            if let text = entry.value.string ?? (entry.value.value == .null ? nil : entry.value.text) { workflowVariables[entry.key] = text }
        }
        for entry in spec?.entries ?? [] where !["triggers", "steps", "timeout", "inputs"].contains(entry.key) {
            let at = "\(file):\(entry.keyLocation)"
            switch entry.key {
            case "variables":
                changes.append(.init(.converted, at: at, "spec.variables: their values are written where ${workflow.NAME} or ${NAME} used them"))
            case "parameters":
                changes.append(.init(.manual, at: at, "spec.parameters (golden-path parameters asked from the user) have no equivalent; dropped: "
                    + "references to them became their defaults (the app's name parameter ${app.name}); for other values put them in the "
                    + "app's Score metadata and use ${metadata.KEY}"))
            default:
                changes.append(.init(.dropped, at: at, "spec.\(entry.key) is not read here (spec: triggers, timeout, inputs, steps)"))
            }
        }

        guard let steps = spec?["steps"]?.items, !steps.isEmpty else {
            changes.append(.init(.manual, at: location(spec ?? root), "a workflow with no steps; not migrated"))
            return nil
        }
        var translation = PlaceholderTranslation(adminValues: adminValues, workflowVariables: workflowVariables)
        for item in spec?["parameters"]?.items ?? [] {
            guard let name = item["name"]?.string else { continue }
            translation.parameters[name] = item["default"].map { $0.string ?? $0.text }
        }
        for entry in spec?["parameters"]?.entries ?? [] {
            translation.parameters[entry.key] = entry.value["default"].map { $0.string ?? $0.text }
        }
        var stepsOut: [ManifestValue] = []
        var plugins: [String] = []
        var stepTypes: [String] = []
        var inputs: [String] = spec?["inputs"]?.items?.compactMap(\.string) ?? []
        var order = ParallelOrder()
        for node in steps {
            let migration = StepMigration(file: file, source: source, translation: translation)
            guard let result = migration.migrate(node, changes: &changes) else { continue }
            var step = result.step
            let stepName = step["name"]?.string ?? ""
            if node["dependsOn"] == nil, let dependsOn = order.next(stepName, node: node) {
                step = step.setting("dependsOn", to: .list(dependsOn.map(ManifestValue.string)))
                changes.append(.init(.converted, at: location(node), "step '\(stepName)': parallel → dependsOn \(dependsOn) (runs beside the other steps of its parallel group)"))
            } else if node["dependsOn"] != nil {
                order.explicit(stepName)
            }
            stepsOut.append(step)
            if let type = step["type"]?.string { stepTypes.append(type) }
            if let plugin = result.pluginType, !plugins.contains(plugin) { plugins.append(plugin) }
            for path in result.inputs where !inputs.contains(path) { inputs.append(path) }
            translation.earlierSteps.append(stepName)
            if node["type"]?.string == "terraform" { translation.lastTerraformStep = stepName }
            for variable in result.variables { translation.variables[variable] = stepName }
        }
        if !inputs.isEmpty { specOut.append(("inputs", .list(inputs.map(ManifestValue.string)))) }
        specOut.append(("steps", .list(stepsOut)))
        let destination: String = switch tier {
        case .platform: "workflows/platform/\(name).yaml"
        case .product: "workflows/products/\(product!)/\(name).yaml"
        case .application: app.map { "apps/\($0)/workflows/\(name).yaml" } ?? "golden-paths/\(name)\(Self.goldenPathSuffix)"
        }
        let ourKind = switch tier {
        case .platform: "PlatformWorkflow"
        case .product: "ProductWorkflow"
        case .application: "Workflow"
        }
        if let apiVersion = root["apiVersion"]?.string, apiVersion != "workflow.dev/v1", apiVersion != "orchestrator.innominatus.dev/v1" {
            changes.append(.init(.converted, at: location(root["apiVersion"]!), "apiVersion \(apiVersion) → workflow.dev/v1"))
        }
        let workflow = ManifestValue.map([
            ("apiVersion", .string(root["apiVersion"]?.string == "orchestrator.innominatus.dev/v1" ? "orchestrator.innominatus.dev/v1" : "workflow.dev/v1")),
            ("kind", .string(ourKind)), ("metadata", .map(meta)), ("spec", .map(specOut)),
        ])
        return Result(tier: tier, name: name, product: product, destination: destination, workflow: workflow,
                      pluginTypes: plugins, inputs: inputs, stepTypes: stepTypes)
    }

    /// Golden paths are templates, not specs of the repository (`validate DIR` reads only `.yaml`/`.yml`):
    /// a workflow of the application tier belongs to an app, so each is copied into apps/APP/workflows/.
    static let goldenPathSuffix = ".yaml.template"

    /// `…/products/<product>/<file>` → `<product>`.
    static func productFolder(of path: String) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        guard let index = parts.lastIndex(of: "products"), index + 2 == parts.count - 1 else { return nil }
        return parts[index + 1]
    }
}
