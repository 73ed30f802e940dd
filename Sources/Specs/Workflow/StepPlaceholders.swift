/// Where placeholders may appear in a step, and which references exist (docs/ARCHITECTURE.md §2):
/// `${app.name}`, `${app.product}`, `${commit}`, `${metadata.KEY}`, `${steps.STEP.outputs.KEY}`,
/// `${resources.NAME.OUTPUT}`. An unknown reference is an error naming it, found before anything runs.
enum StepPlaceholders {
    static let fields = ["run", "env", "if", "url", "headers", "body", "config"]

    /// Calls `body` for every string value of a step in which placeholders are resolved.
    static func forEachString(in step: YAMLNode, at path: FieldPath, _ body: (YAMLNode, FieldPath) -> Void) {
        func walk(_ node: YAMLNode, _ path: FieldPath) {
            switch node.value {
            case .string: body(node, path)
            case .sequence(let items): for (index, item) in items.enumerated() { walk(item, path.appending(index: index)) }
            case .mapping(let entries): for entry in entries { walk(entry.value, path / entry.key) }
            default: break
            }
        }
        for entry in step.entries ?? [] where fields.contains(entry.key) {
            if entry.key == "env" {
                // Only inline values are resolved; fromEnv/fromFile name sources, not templates.
                for variable in entry.value.entries ?? [] {
                    if variable.value.string != nil {
                        walk(variable.value, path / "env" / variable.key)
                    } else if let value = variable.value["value"] {
                        walk(value, path / "env" / variable.key / "value")
                    }
                }
            } else {
                walk(entry.value, path / entry.key)
            }
        }
    }

    static func problem(with placeholder: Placeholder) -> String? {
        let parts = placeholder.parts
        let valid: Bool = switch parts[0] {
        case "app": parts.count == 2 && (parts[1] == "name" || parts[1] == "product")
        case "commit": parts.count == 1
        case "metadata": parts.count >= 2
        case "steps": parts.count == 4 && parts[2] == "outputs"
        case "resources": parts.count >= 3
        default: false
        }
        guard !valid else { return nil }
        return "unknown placeholder '${\(placeholder.reference)}'; use ${app.name}, ${app.product}, ${commit}, "
            + "${metadata.KEY}, ${steps.STEP.outputs.KEY} or ${resources.NAME.OUTPUT}, or write '$${' for a literal '${'"
    }
}
