import Provisioning
import Specs

/// A Score file of the original → `apps/<metadata.name>/score.yaml` (docs/ARCHITECTURE.md §17):
/// `containers.*.env` → `variables`, `resources.*.properties` → `params`, and the top-level
/// `environment:` (not part of Score) → `metadata.environment` (its `type`) and annotations (the rest),
/// so workflows' `${environment.type}` reads `${metadata.environment}`.
struct ScoreMigration {
    var file: String
    /// The environment an app without `environment.type` gets, when workflows read it.
    var defaultEnvironment: String?

    static let scoreFields: Set<String> = ["apiVersion", "metadata", "service", "containers", "resources"]
    static let annotationPrefix = "innominatus.dev/environment-"

    func location(_ node: YAMLNode) -> String { "\(file):\(node.location)" }

    func migrate(_ root: YAMLNode, changes: inout [MigrationReport.Change]) -> (name: String, score: ManifestValue)? {
        guard let name = root["metadata"]?["name"]?.string else {
            changes.append(.init(.manual, at: location(root), "a Score file with no metadata.name; not migrated: name the workload"))
            return nil
        }
        var out: [(String, ManifestValue)] = []
        let environment = root["environment"]
        for entry in root.entries ?? [] {
            let at = "\(file):\(entry.keyLocation)"
            switch entry.key {
            case "metadata":
                out.append(("metadata", metadata(entry.value, environment: environment, changes: &changes)))
            case "containers":
                out.append(("containers", containers(entry.value, changes: &changes)))
            case "resources":
                out.append(("resources", resources(entry.value, changes: &changes)))
            case "environment":
                continue
            case "workflows":
                changes.append(.init(.converted, at: at, "the Score's inline workflows → apps/\(name)/workflows/NAME.yaml (the app's own, application tier)"))
            case "variables" where root["workflows"] != nil:
                changes.append(.init(.converted, at: at, "the Score's top-level variables → the values of ${workflow.NAME} in its inline workflows"))
            case let key where Self.scoreFields.contains(key):
                out.append((key, value(entry.value, changes: &changes)))
            default:
                changes.append(.init(.dropped, at: at, "'\(entry.key)' is not a field of Score v1b1 (apiVersion, metadata, service, containers, resources)"))
            }
        }
        var score = ManifestValue.map(out)
        if let ports = movedPorts(root, changes: &changes) {
            var service = score["service"]?.entries ?? []
            var existing = service.first { $0.0 == "ports" }?.1.entries ?? []
            for port in ports where !existing.contains(where: { $0.0 == port.0 }) { existing.append(port) }
            service.removeAll { $0.0 == "ports" }
            service.append(("ports", .map(existing)))
            score = score.setting("service", to: .map(service))
        }
        return (name, score)
    }

    /// The original's `containers.*.ports` (a list of name, port, protocol, targetPort) → Score's `service.ports`.
    private func movedPorts(_ root: YAMLNode, changes: inout [MigrationReport.Change]) -> [(String, ManifestValue)]? {
        var ports: [(String, ManifestValue)] = []
        var found = false
        for container in root["containers"]?.entries ?? [] {
            guard let node = container.value["ports"] else { continue }
            found = true
            let items: [(String?, YAMLNode)] = node.items.map { $0.map { ($0["name"]?.string, $0) } } ?? (node.entries ?? []).map { ($0.key, $0.value) }
            for (index, (name, item)) in items.enumerated() {
                let portName = name ?? (items.count == 1 ? "http" : "port-\(index + 1)")
                var fields: [(String, ManifestValue)] = []
                for key in ["port", "protocol", "targetPort"] { if let field = item[key] { fields.append((key, ManifestValue(field))) } }
                if ports.contains(where: { $0.0 == portName }) {
                    changes.append(.init(.inconsistency, at: location(item), "port '\(portName)' of container \(container.key) is declared by another container too; the first kept"))
                    continue
                }
                ports.append((portName, .map(fields)))
            }
            changes.append(.init(.converted, at: location(node), "containers.\(container.key).ports → service.ports (Score v1b1 declares ports on the service)"))
        }
        return found ? ports : nil
    }

    /// A value with the original's Score placeholders rewritten: `${environment.type}` → `${metadata.environment}`,
    /// `${resources.NAME.outputs.KEY}` → `${resources.NAME.KEY}`.
    private func value(_ node: YAMLNode, changes: inout [MigrationReport.Change]) -> ManifestValue {
        switch node.value {
        case .string(let text) where text.contains("${"):
            let tokens = Placeholder.tokens(of: text, dollars: .score)
            guard !tokens.contains(.unclosed) else { return .string(text) }
            var out = ""
            var changed = false
            for token in tokens {
                switch token {
                case .text(let literal): out += literal.replacing("$", with: "$$")
                case .malformed(let body, _): out += "${" + body + "}"
                case .unclosed: break
                case .reference(let placeholder):
                    var parts = placeholder.parts
                    if parts == ["environment", "type"] {
                        parts = ["metadata", "environment"]
                    } else if parts.count >= 4, parts[0] == "resources", parts[2] == "outputs" {
                        parts.remove(at: 2)
                    }
                    let new = Placeholder(parts: parts).reference
                    if parts != placeholder.parts {
                        changed = true
                        changes.append(.init(.converted, at: location(node), "${\(placeholder.reference)} → ${\(new)}"))
                    }
                    out += "${" + new + "}"
                }
            }
            return .string(changed ? out : text)
        case .sequence(let items): return .list(items.map { value($0, changes: &changes) })
        case .mapping(let entries): return .map(entries.map { ($0.key, value($0.value, changes: &changes)) })
        default: return ManifestValue(node)
        }
    }

    static let probeFields: Set<String> = ["httpGet", "exec"]

    private func probe(_ node: YAMLNode, at path: String, changes: inout [MigrationReport.Change]) -> ManifestValue {
        guard let entries = node.entries else { return ManifestValue(node) }
        var kept: [(String, ManifestValue)] = []
        for entry in entries {
            if Self.probeFields.contains(entry.key) { kept.append((entry.key, value(entry.value, changes: &changes))) } else {
                changes.append(.init(.dropped, at: "\(file):\(entry.keyLocation)", "\(path).\(entry.key): a Score v1b1 probe has only httpGet and exec (the timing is the platform's)"))
            }
        }
        return .map(kept)
    }

    private func metadata(_ node: YAMLNode, environment: YAMLNode?, changes: inout [MigrationReport.Change]) -> ManifestValue {
        var value = ManifestValue(node)
        let type = environment?["type"]
        let existing = node["environment"]?.string
        if let type, let text = type.string {
            if let existing, existing != text {
                changes.append(.init(.inconsistency, at: location(type), "environment.type '\(text)' differs from metadata.environment '\(existing)'; metadata.environment kept"))
            } else {
                value = value.setting("environment", to: .string(text))
                changes.append(.init(.converted, at: location(type), "environment.type → metadata.environment: \(text) (what ${environment.type} read)"))
            }
        } else if existing == nil, let defaultEnvironment {
            value = value.setting("environment", to: .string(defaultEnvironment))
            changes.append(.init(.converted, at: location(node), "metadata.environment: \(defaultEnvironment) added (the migrated admin config's environment.type), "
                + "so workflows' ${metadata.environment} (the original's ${environment.type}) resolves"))
        }
        var annotations = value["annotations"]?.entries ?? []
        for entry in environment?.entries ?? [] where entry.key != "type" {
            let key = Self.annotationPrefix + entry.key
            let text = entry.value.string ?? entry.value.text
            annotations.append((key, .string(text)))
            changes.append(.init(.converted, at: "\(file):\(entry.keyLocation)", "environment.\(entry.key) → metadata.annotations.\(key): \(text)"))
        }
        if let environment, environment.entries == nil {
            changes.append(.init(.dropped, at: location(environment), "a top-level environment that is not a map"))
        }
        if !annotations.isEmpty { value = value.setting("annotations", to: .map(annotations)) }
        return value
    }

    private func containers(_ node: YAMLNode, changes: inout [MigrationReport.Change]) -> ManifestValue {
        guard let entries = node.entries else { return ManifestValue(node) }
        return .map(entries.map { container in
            guard let fields = container.value.entries else { return (container.key, ManifestValue(container.value)) }
            var out: [(String, ManifestValue)] = []
            for field in fields where field.key != "env" && field.key != "variables" && field.key != "ports" {
                if field.key == "livenessProbe" || field.key == "readinessProbe" {
                    out.append((field.key, probe(field.value, at: "containers.\(container.key).\(field.key)", changes: &changes)))
                } else {
                    out.append((field.key, value(field.value, changes: &changes)))
                }
            }
            guard let env = container.value["env"] else {
                if let variables = container.value["variables"] {
                    let index = fields.filter { $0.key != "ports" }.firstIndex { $0.key == "variables" } ?? out.count
                    out.insert(("variables", value(variables, changes: &changes)), at: min(index, out.count))
                }
                return (container.key, .map(out))
            }
            var variables = container.value["variables"]?.entries.map { $0.map { ($0.key, value($0.value, changes: &changes)) } } ?? []
            for variable in env.entries ?? [] {
                if variables.contains(where: { $0.0 == variable.key }) {
                    changes.append(.init(.inconsistency, at: "\(file):\(variable.keyLocation)",
                                         "containers.\(container.key).env.\(variable.key) is also in variables; the variables value kept"))
                } else {
                    variables.append((variable.key, value(variable.value, changes: &changes)))
                }
            }
            changes.append(.init(.converted, at: "\(file):\(container.value.entries!.first { $0.key == "env" }!.keyLocation)",
                                 "containers.\(container.key).env → containers.\(container.key).variables (\(env.entries?.count ?? 0) variables)"))
            let index = fields.filter { $0.key != "ports" }.firstIndex { $0.key == "env" || $0.key == "variables" } ?? out.count
            out.insert(("variables", .map(variables)), at: min(index, out.count))
            return (container.key, .map(out))
        })
    }

    private func resources(_ node: YAMLNode, changes: inout [MigrationReport.Change]) -> ManifestValue {
        guard let entries = node.entries else { return ManifestValue(node) }
        return .map(entries.map { resource in
            guard let fields = resource.value.entries, let properties = resource.value["properties"] else {
                return (resource.key, value(resource.value, changes: &changes))
            }
            var out: [(String, ManifestValue)] = []
            var params = resource.value["params"]?.entries.map { $0.map { ($0.key, value($0.value, changes: &changes)) } } ?? []
            for property in properties.entries ?? [] where !params.contains(where: { $0.0 == property.key }) {
                params.append((property.key, value(property.value, changes: &changes)))
            }
            for field in fields where field.key != "properties" && field.key != "params" { out.append((field.key, value(field.value, changes: &changes))) }
            out.append(("params", .map(params)))
            changes.append(.init(.converted, at: "\(file):\(fields.first { $0.key == "properties" }!.keyLocation)",
                                 "resources.\(resource.key).properties → resources.\(resource.key).params"))
            return (resource.key, .map(out))
        })
    }
}
