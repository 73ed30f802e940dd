import Specs

/// Rewrites the original's placeholders into this project's (docs/ARCHITECTURE.md §2, placeholders):
/// `${application.name}` → `${app.name}`, `${environment.type}` → `${metadata.environment}` (the Score's
/// `environment.type`, moved into its metadata by the Score migration), `${admin.KEY}` → the value of the
/// original admin config's `admin` block, `${terraform.KEY}` → the output of the workflow's last
/// terraform step before it, `${STEP.KEY}` → `${steps.STEP.outputs.KEY}`. A reference with no equivalent
/// is written `$${…}` (literal text, so the file still validates) and listed as a manual step.
struct PlaceholderTranslation {
    /// The original admin config's `admin` block.
    var adminValues: [String: String]
    /// The workflow's `spec.variables`: `${workflow.NAME}` and `${NAME}` become their values.
    var workflowVariables: [String: String] = [:]
    /// Names earlier steps set (`setVariables`, `outputs`) → the step: `${NAME}` becomes that step's output.
    var variables: [String: String] = [:]
    /// A golden path's `spec.parameters` → their defaults: `${parameters.NAME}` (and the Go template
    /// `{{.parameters.NAME}}`) becomes the default; the app's name parameter becomes `${app.name}`.
    var parameters: [String: String?] = [:]

    static let appParameters: Set<String> = ["app_name", "appName", "app", "application", "application_name"]
    static var goTemplate: Regex<AnyRegexOutput> { try! Regex(#"\{\{\s*\.parameters\.([A-Za-z0-9_]+)\s*\}\}"#) }
    /// Names of the steps before the one being translated, in file order.
    var earlierSteps: [String] = []
    /// The last terraform step before the one being translated.
    var lastTerraformStep: String?

    /// `text` translated; `script` says it is shell code, where `${NAME}` is a shell variable.
    func translate(_ text: String, script: Bool, at location: String, changes: inout [MigrationReport.Change]) -> String {
        var text = text
        if text.contains("{{") {
            let before = text
            text = text.replacing(Self.goTemplate) { match in "${parameters.\(match.output[1].substring ?? "")}" }
            if text != before {
                changes.append(.init(.converted, at: location, "Go templates {{.parameters.NAME}} read as ${parameters.NAME}"))
            }
        }
        guard text.contains("${") else { return text }
        let tokens = Placeholder.tokens(of: text, dollars: .workflow)
        if tokens.contains(.unclosed) {
            changes.append(.init(.manual, at: location, "a '${' that is never closed; written as literal text ('$${'): check the value"))
            return text.replacing("${", with: "$${")
        }
        var out = ""
        var shellVariables: [String] = []
        for token in tokens {
            switch token {
            case .text(let literal):
                out += literal.replacing("${", with: "$${")
            case .malformed(let body, _):
                out += "$${" + body + "}"
                if !script {
                    changes.append(.init(.manual, at: location, "'${\(body)}' is not a placeholder of either system; kept as literal text"))
                }
            case .unclosed:
                break
            case .reference(let placeholder):
                out += reference(placeholder, script: script, at: location, changes: &changes, shellVariables: &shellVariables)
            }
        }
        if !shellVariables.isEmpty {
            let names = Array(Set(shellVariables)).sorted().map { "${\($0)}" }.joined(separator: ", ")
            changes.append(.init(.converted, at: location,
                                 "shell variables \(names) escaped as '$${…}' so they stay shell variables (not placeholders)"))
        }
        return out
    }

    /// A workflow variable's value, its own placeholders translated (`namespace_name: ${parameters.app_name}-dev`).
    private func variable(_ name: String, changes: inout [MigrationReport.Change], at location: String) -> String {
        var inner = self
        inner.workflowVariables[name] = nil
        return inner.translate(workflowVariables[name]!, script: false, at: location, changes: &changes)
    }

    private func reference(_ placeholder: Placeholder, script: Bool, at location: String,
                           changes: inout [MigrationReport.Change], shellVariables: inout [String]) -> String {
        let parts = placeholder.parts
        let original = "${\(placeholder.reference)}"
        func converted(_ new: String, _ why: String) -> String {
            changes.append(.init(.converted, at: location, "\(original) → \(new) (\(why))"))
            return new
        }
        func untranslated(_ why: String) -> String {
            changes.append(.init(.manual, at: location, "\(original) has no equivalent (\(why)); kept as literal text '$\(original)': replace it"))
            return "$" + original
        }
        switch parts[0] {
        case "app" where parts.count == 2 && (parts[1] == "name" || parts[1] == "product"),
             "commit" where parts.count == 1,
             "metadata" where parts.count >= 2,
             "steps" where parts.count == 4 && parts[2] == "outputs",
             "resources" where parts.count >= 3:
            return original
        case "application" where parts.count == 2 && parts[1] == "name":
            return converted("${app.name}", "the app's name")
        case "application" where parts.count == 2 && parts[1] == "product":
            return converted("${app.product}", "the app's product")
        case "environment" where parts.count == 2 && parts[1] == "type":
            return converted("${metadata.environment}", "each Score's environment.type is now its metadata.environment")
        case "admin" where parts.count == 2:
            guard let value = adminValues[parts[1]] else {
                return untranslated("the original admin config's admin block has no '\(parts[1])'")
            }
            return converted(value.replacing("${", with: "$${"), "the value of admin.\(parts[1]) in the original admin config")
        case "terraform" where parts.count == 2:
            guard let step = lastTerraformStep else {
                return untranslated("no terraform step runs before this one in the workflow")
            }
            return converted("${steps.\(step).outputs.\(parts[1])}", "the output of the terraform step '\(step)'")
        case "workflow" where parts.count == 2 && workflowVariables[parts[1]] != nil,
             "variables" where parts.count == 2 && workflowVariables[parts[1]] != nil:
            return converted(variable(parts[1], changes: &changes, at: location), "the value of the workflow's spec.variables.\(parts[1])")
        case "parameters" where parts.count == 2 && Self.appParameters.contains(parts[1]):
            return converted("${app.name}", "a golden path runs for one app here; its name is ${app.name}")
        case "parameters" where parts.count == 2 && (parameters[parts[1]] ?? nil) != nil:
            return converted(parameters[parts[1]]!!.replacing("${", with: "$${"),
                             "the default of the golden path's parameter \(parts[1]); a run takes no parameters here: put another value in the Score's metadata")
        case "parameters" where parts.count == 2 && parameters.keys.contains(parts[1]):
            return untranslated("the golden path's parameter \(parts[1]) has no default; a run takes no parameters here: read it from the Score's metadata (${metadata.KEY})")
        case let name where parts.count == 1 && variables[name] != nil:
            return converted("${steps.\(variables[name]!).outputs.\(name)}", "set by the step '\(variables[name]!)'")
        case let name where parts.count == 1 && workflowVariables[name] != nil:
            return converted(variable(name, changes: &changes, at: location), "the value of the workflow's spec.variables.\(name)")
        case let name where parts.count == 2 && earlierSteps.contains(name):
            return converted("${steps.\(name).outputs.\(parts[1])}", "the original's step-output form")
        default:
            // In a script, `${NAME}` and `${NAME:-default}`, `${#NAME}`, `${NAME%.*}` … are the shell's.
            if script && (parts.count == 1 || !parts[0].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }) {
                shellVariables.append(parts[0])
                return "$" + original
            }
            return untranslated("this project's placeholders are ${app.name}, ${app.product}, ${commit}, ${metadata.KEY}, "
                + "${steps.STEP.outputs.KEY} and ${resources.NAME.KEY}")
        }
    }
}
