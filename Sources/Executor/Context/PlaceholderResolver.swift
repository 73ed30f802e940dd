import Specs

/// Substitutes `${…}` references in step fields (ARCHITECTURE.md §2); `$${` is a literal `${`, and any
/// other `$` (`$HOME`, `$$`) reaches the step unchanged.
///
/// Resolution happens just before a step runs, so `${steps.STEP.outputs.KEY}` sees the outputs of the steps
/// that finished before it. A reference with no value is an error naming it, never an empty string.
struct PlaceholderResolver: Sendable {
    var scope: StepScope
    /// For dry runs: a reference with no value yet (an output of a step that has not run) stays as written.
    var keepsUnknown = false

    /// The value of one reference, or nil when it has none.
    func value(of parts: [String]) -> String? {
        switch parts.first {
        case "app" where parts.count == 2 && parts[1] == "name": return scope.app.appName
        case "app" where parts.count == 2 && parts[1] == "product": return scope.app.product ?? ""
        case "commit" where parts.count == 1: return scope.app.commit
        case "metadata" where parts.count >= 2: return scope.app.metadata[parts.dropFirst().joined(separator: ".")]
        case "steps" where parts.count == 4 && parts[2] == "outputs": return scope.outputs[parts[1]]?[parts[3]]
        case "resources" where parts.count >= 3:
            return scope.app.resources[parts[1]]?[parts.dropFirst(2).joined(separator: ".")]
        default: return nil
        }
    }

    /// `text` with every placeholder replaced by `insert(value, textBeforeIt)` (by the value itself unless told otherwise).
    func resolve(_ text: String, field: String, insert: (String, String) -> String = { value, _ in value }) throws(ExecutorError) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("${") {
                // `$${` keeps a literal `${`.
                result += "${"
                rest = after.dropFirst(2)
            } else if after.hasPrefix("$") {
                // `$$` stays as written (a shell's own pid); only `$${` is an escape (ARCHITECTURE.md §2).
                // Pairs are consumed together, as the validator's scan does, so `$$${x}` is `$$` then `${x}`.
                result += "$$"
                rest = after.dropFirst()
            } else if after.hasPrefix("{") {
                guard let close = after.firstIndex(of: "}") else {
                    throw ExecutorError(.placeholder, "\(field): the placeholder starting '${' is not closed; add '}' or write '$${'")
                }
                let reference = String(after[after.index(after: after.startIndex)..<close])
                // The validator's splitting, so `\.` inside a part means the same here.
                let parts = Placeholder.split(reference)
                if keepsUnknown && value(of: parts) == nil {
                    result += "${\(reference)}"
                    rest = after[after.index(after: close)...]
                    continue
                }
                guard let value = value(of: parts) else {
                    throw ExecutorError(.placeholder, "\(field): '${\(reference)}' has no value here; use ${app.name}, "
                        + "${app.product}, ${commit}, ${metadata.KEY}, ${steps.STEP.outputs.KEY} of an earlier step, "
                        + "or ${resources.NAME.OUTPUT}; write '$${' for a literal '${'")
                }
                result += insert(value, result)
                rest = after[after.index(after: close)...]
            } else {
                result += "$"
                rest = after
            }
        }
        return result + rest
    }

    /// A YAML value with every string resolved, as JSON-compatible data for a plugin.
    func resolve(_ node: YAMLNode, field: String) throws(ExecutorError) -> JSONValue {
        switch node.value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .number(Double(number))
        case .float(let number): return .number(number)
        case .string(let text): return .string(try resolve(text, field: field))
        case .sequence(let items):
            var values: [JSONValue] = []
            for (index, item) in items.enumerated() { values.append(try resolve(item, field: "\(field)[\(index)]")) }
            return .array(values)
        case .mapping(let entries):
            var values: [String: JSONValue] = [:]
            for entry in entries { values[entry.key] = try resolve(entry.value, field: "\(field).\(entry.key)") }
            return .object(values)
        }
    }
}
