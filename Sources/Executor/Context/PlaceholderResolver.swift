import Specs

/// Substitutes `${…}` references in step fields (docs/ARCHITECTURE.md §2); `$${` is a literal `${`, and any
/// other `$` (`$HOME`, `$$`) reaches the step unchanged. Strings are cut by `Placeholder.tokens`, the
/// validator's tokenizer.
///
/// Resolution happens just before a step runs, so `${steps.STEP.outputs.KEY}` sees the outputs of the steps
/// that finished before it. A reference with no value is an error naming it, never an empty string.
struct PlaceholderResolver: Sendable {
    var scope: StepScope
    /// For dry runs: a reference with no value yet (an output of a step that has not run) stays as written.
    var keepsUnknown = false

    /// The value of one reference, or nil when it has none. `parts` are the validator's (`Placeholder.split`),
    /// so a '\.' is a dot inside a key and an unescaped '.' goes one level down: metadata values and
    /// resource outputs a step sees are one level deep, so `${resources.db.a.b}` has no value, while
    /// `${resources.db.a\.b}` is the output `a.b`.
    func value(of parts: [String]) -> String? {
        switch parts.first {
        case "app" where parts.count == 2 && parts[1] == "name": return scope.app.appName
        case "app" where parts.count == 2 && parts[1] == "product": return scope.app.product ?? ""
        case "commit" where parts.count == 1: return scope.app.commit
        case "metadata" where parts.count == 2: return scope.app.metadata[parts[1]]
        case "steps" where parts.count == 4 && parts[2] == "outputs": return scope.outputs[parts[1]]?[parts[3]]
        case "resources" where parts.count == 3: return scope.app.resources[parts[1]]?[parts[2]]
        default: return nil
        }
    }

    /// `text` with every placeholder replaced by `insert(value, textBeforeIt)` (by the value itself unless told
    /// otherwise). Cut by the validator's tokenizer (`Placeholder.tokens`, workflow escapes: `$${` is a literal
    /// `${`, `$$` stays as written; docs/ARCHITECTURE.md §2, §15), so a step runs what `validate` checked.
    func resolve(_ text: String, field: String, insert: (String, String) -> String = { value, _ in value }) throws(ExecutorError) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        for token in Placeholder.tokens(of: text, dollars: .workflow) {
            switch token {
            case .text(let piece):
                result += piece
            case .unclosed:
                throw ExecutorError(.placeholder, "\(field): the placeholder starting '${' is not closed; add '}' or write '$${'")
            case .malformed(let body, let problem):
                guard keepsUnknown else { throw ExecutorError(.placeholder, "\(field): \(problem)") }
                result += "${\(body)}"
            case .reference(let placeholder):
                guard let value = value(of: placeholder.parts) else {
                    if keepsUnknown {
                        result += "${\(placeholder.reference)}"
                        continue
                    }
                    throw ExecutorError(.placeholder, "\(field): '${\(placeholder.reference)}' has no value here; use ${app.name}, "
                        + "${app.product}, ${commit}, ${metadata.KEY}, ${steps.STEP.outputs.KEY} of an earlier step, "
                        + "or ${resources.NAME.OUTPUT}; write '$${' for a literal '${'")
                }
                result += insert(value, result)
            }
        }
        return result
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
