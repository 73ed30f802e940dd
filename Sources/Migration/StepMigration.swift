import Provisioning
import Specs

/// One step of an original workflow → one step here: the same name, at the same place, with its type
/// mapped (docs/ARCHITECTURE.md §17, step types) and every field kept, moved into `config`, or dropped with
/// the reason.
struct StepMigration {
    struct Result {
        var step: ManifestValue
        /// The plugin type the step now uses, when it is not shell or http.
        var pluginType: String?
        /// Repository paths the step names that exist in the source: copied, and added to the workflow's inputs.
        var inputs: [String] = []
        /// Names the step sets (`setVariables`, `outputs`): later `${NAME}` references read them as outputs.
        var variables: [String] = []
    }

    var file: String
    var source: MigrationSource
    var translation: PlaceholderTranslation

    static let ourCommonFields: Set<String> = ["name", "type", "env", "dependsOn", "when", "if", "timeout", "retries"]

    func location(_ node: YAMLNode) -> String { "\(file):\(node.location)" }

    func migrate(_ node: YAMLNode, changes: inout [MigrationReport.Change]) -> Result? {
        guard let entries = node.entries else {
            changes.append(.init(.manual, at: location(node), "a step that is not a map; not migrated: rewrite it"))
            return nil
        }
        let name = node["name"]?.string ?? "step"
        let type = node["type"]?.string ?? ""
        let here = location(node)
        var out: [(String, ManifestValue)] = [("name", .string(name))]
        var config: [(String, ManifestValue)] = []
        var result = Result(step: .null)
        var env: ManifestValue?
        var pending: [(String, ManifestValue)] = []  // common fields, written after type and config

        let script = type == "policy" ? node["config"]?["script"]?.string : nil
        for entry in entries {
            let at = "\(file):\(entry.keyLocation)"
            switch entry.key {
            case "name", "type":
                continue
            case "config":
                for item in entry.value.entries ?? [] {
                    if script != nil && item.key == "script" { continue }
                    if config.contains(where: { $0.0 == item.key }) {
                        changes.append(.init(.inconsistency, at: "\(file):\(item.keyLocation)",
                                             "config.\(item.key) repeats the step field '\(item.key)'; config's value kept"))
                        config.removeAll { $0.0 == item.key }
                    }
                    config.append((item.key, translated(item.value, at: "\(file):\(item.value.location)", changes: &changes)))
                }
            case "env":
                env = translated(entry.value, at: at, changes: &changes)
            case "dependsOn", "retries":
                pending.append((entry.key, ManifestValue(entry.value)))
            case "when":
                let value = entry.value.string ?? ""
                let mapped = ["always": "always", "on_success": "on_success", "success": "on_success",
                              "on_failure": "on_failure", "failure": "on_failure"][value]
                if let mapped {
                    pending.append(("when", .string(mapped)))
                    if mapped != value { changes.append(.init(.converted, at: at, "when: \(value) → when: \(mapped)")) }
                } else {
                    changes.append(.init(.manual, at: at, "when: \(value) has no equivalent (always, on_success, on_failure); dropped: "
                        + "the step now runs when the steps before it succeeded. A manual step belongs in its own workflow with triggers: [manual]"))
                }
            case "if", "unless":
                changes.append(.init(.manual, at: at, "\(entry.key): '\(entry.value.string ?? entry.value.text)' is a condition in the original's "
                    + "expression language; dropped, so the step now runs whenever it is reached. Rewrite it as if: \"A == B\" or \"A != B\" over "
                    + "placeholders (e.g. if: \"${app.product} == ecommerce\")"))
            case "timeout":
                if let seconds = entry.value.value.intValue {
                    pending.append(("timeout", .string("\(seconds)s")))
                    changes.append(.init(.converted, at: at, "timeout: \(seconds) (seconds) → timeout: \(seconds)s"))
                } else if let text = entry.value.string, SpecDuration(parsing: text) != nil {
                    pending.append(("timeout", .string(text)))
                } else {
                    changes.append(.init(.dropped, at: at, "timeout '\(entry.value.text)' is not a duration; the workflow's timeout applies"))
                }
            case "parallel", "parallelGroup":
                continue  // WorkflowMigration turns parallel groups into dependsOn
            default:
                if StepTypeCatalogue.configFields.contains(entry.key) || !Self.ourCommonFields.contains(entry.key) {
                    config.append((entry.key, translated(entry.value, at: at, changes: &changes)))
                    if !StepTypeCatalogue.configFields.contains(entry.key) {
                        changes.append(.init(.converted, at: at, "the step field '\(entry.key)' (not one of the original's documented fields) moved into config"))
                    }
                }
            }
        }
        if let outputs = node["outputs"]?.items?.compactMap(\.string) { result.variables += outputs }
        if let set = node["setVariables"]?.entries?.map(\.key) { result.variables += set }

        if let script {
            let body = translation.translate(script, script: true, at: location(node["config"]!["script"]!), changes: &changes)
            out.append(("type", .string("shell")))
            out.append(("run", .string(Self.bashRun(body))))
            changes.append(.init(.converted, at: here, "step '\(name)': type policy with config.script → type shell, the script run by bash (as the original ran it)"))
            for (key, _) in config {
                changes.append(.init(.dropped, at: here, "step '\(name)': '\(key)' has no meaning for a script step (a shell step takes run, env, dependsOn, when, if, timeout, retries)"))
            }
            if config.contains(where: { $0.0 == "setVariables" }) || config.contains(where: { $0.0 == "outputFile" }) {
                changes.append(.init(.manual, at: here, "step '\(name)': setVariables/outputFile are not read for a shell step; write key=value lines to $INNOMINATUS_OUTPUT instead"))
            }
        } else if type == "shell" || type == "http" {
            out.append(("type", .string(type)))
            for (key, value) in config { out.append((key, value)) }
        } else {
            let plugin = type.isEmpty ? "unnamed" : type
            out.append(("type", .string(plugin)))
            result.pluginType = plugin
            if let kind = StepTypeCatalogue.tools[plugin] {
                changes.append(.init(.converted, at: here, "step '\(name)': type \(plugin) → the plugin workflows/plugins/\(plugin) (\(kind.what); fails clearly when \(kind.program) is not on the reconciler's PATH)"))
            } else {
                changes.append(.init(.manual, at: here, "step '\(name)': type \(plugin) → the plugin workflows/plugins/unported-step, which FAILS until a real program is registered under workflowPolicies.stepTypes.\(plugin) in policies/admin-config.yaml"
                    + (StepTypeCatalogue.placeholders.contains(plugin) ? " (the original's \(plugin) step did nothing)" : StepTypeCatalogue.integrations[plugin].map { " (the original \($0))" } ?? " (the original has no such step type)")))
            }
            for (key, _) in config where StepTypeCatalogue.configFields.contains(key) && node[key] != nil {
                changes.append(.init(.converted, at: "\(file):\(node.entries!.first { $0.key == key }!.keyLocation)",
                                     "step '\(name)': the field '\(key)' → config.\(key)"))
            }
            if !config.isEmpty { out.append(("config", .map(config))) }
            toolNeeds(plugin, config: config, at: here, step: name, changes: &changes)
        }
        if let env { out.append(("env", env)) }
        out += pending
        result.step = .map(out)
        result.inputs = referencedPaths(in: config, script: script, at: here, step: name, changes: &changes)
        return result
    }

    /// What a tool plugin will refuse at run time that the source already shows: said now, as a manual step.
    private func toolNeeds(_ type: String, config: [(String, ManifestValue)], at here: String, step: String,
                           changes: inout [MigrationReport.Change]) {
        let value = { (key: String) in config.first { $0.0 == key }?.1 }
        switch type {
        case "kubernetes" where value("manifests") == nil && value("manifest") == nil:
            changes.append(.init(.manual, at: here, "step '\(step)' names no manifests: the original applied the Score's generated manifests, "
                + "which the application tier's generated deploy renders and delivers here; the kubernetes plugin fails until config.manifests names files, or remove the step"))
        case "ansible" where value("playbook") == nil:
            changes.append(.init(.manual, at: here, "step '\(step)' names no playbook: the ansible plugin fails until config.playbook is set"))
        case "policy":
            let folder = value("policyPath")?.string.map(RepositoryPath.normalized) ?? "policies/opa"
            let names: [String] = value("policies").map { $0.items?.compactMap(\.string) ?? $0.string.map { [$0] } ?? [] } ?? []
            for policy in names where !source.paths.contains("\(folder)/\(policy).rego") {
                changes.append(.init(.manual, at: here, "step '\(step)' evaluates the policy '\(policy)': write it as \(folder)/\(policy).rego "
                    + "(package innominatus, deny rules over the Score), or the policy plugin fails"))
            }
            if names.isEmpty {
                changes.append(.init(.manual, at: here, "step '\(step)' is a policy step with neither config.script nor config.policies: the policy plugin fails until one is set"))
            }
        default:
            break
        }
    }

    /// The script as the body of a quoted here-document read by bash, so `sh -c` (the shell step) passes it
    /// on untouched and bash runs it as the original did; placeholders reach it as `${INNOMINATUS_VALUE_n}`
    /// environment variables, which bash expands.
    static func bashRun(_ script: String) -> String {
        var delimiter = "INNOMINATUS_SCRIPT"
        while script.contains(delimiter) { delimiter += "_" }
        let body = script.hasSuffix("\n") ? script : script + "\n"
        return "bash -s <<'\(delimiter)'\n\(body)\(delimiter)\n"
    }

    /// A YAML value with its placeholders translated.
    func translated(_ node: YAMLNode, at location: String, changes: inout [MigrationReport.Change]) -> ManifestValue {
        switch node.value {
        case .string(let text):
            return .string(translation.translate(text, script: false, at: "\(file):\(node.location)", changes: &changes))
        case .sequence(let items):
            return .list(items.map { translated($0, at: location, changes: &changes) })
        case .mapping(let entries):
            return .map(entries.map { ($0.key, translated($0.value, at: location, changes: &changes)) })
        default:
            return ManifestValue(node)
        }
    }

    /// Paths the step's config names (`./terraform/db`, `k8s/app.yaml`): those in the source are copied
    /// and become inputs; a `./…` path the source lacks is a manual step.
    private func referencedPaths(in config: [(String, ManifestValue)], script: String?, at here: String, step: String,
                                 changes: inout [MigrationReport.Change]) -> [String] {
        var candidates: [String] = []
        func collect(_ value: ManifestValue) {
            switch value {
            case .string(let text): candidates.append(text)
            case .list(let items): items.forEach(collect)
            default: break
            }
        }
        for (key, value) in config where !["variables", "setVariables", "outputFile", "outputs"].contains(key) { collect(value) }
        if let base = config.first(where: { $0.0 == "path" })?.1.string, let playbook = config.first(where: { $0.0 == "playbook" })?.1.string {
            candidates.append(base + "/" + playbook)
        }
        var found: [String] = []
        for text in candidates where !text.contains("${") && !text.contains(" ") && !text.contains("\n") {
            guard !text.isEmpty, RepositoryPath.problem(with: text) == nil else { continue }
            let path = RepositoryPath.normalized(text)
            guard !path.isEmpty, !path.hasPrefix("..") else { continue }
            if source.holds(path) {
                // One input per tree: a folder covers the files in it.
                if found.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { continue }
                found.removeAll { $0.hasPrefix(path + "/") }
                found.append(path)
            } else if text.hasPrefix("./") {
                changes.append(.init(.manual, at: here, "step '\(step)' names \(text), which is not in the source folder; add it to the repository"))
            }
        }
        return found
    }
}

extension YAMLNode.Value {
    var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }
}
