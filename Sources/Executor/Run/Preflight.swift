import Foundation
import Specs

/// The checks made before anything of a workflow runs (an unknown step type must never half-run an app),
/// and the secret values known up front, so they are masked from the first byte of the first step.
struct Preflight {
    var admin: AdminConfig
    var settings: ExecutorSettings

    func problems(in workflow: Workflow, repositoryRoot: String) -> [ExecutorError] {
        let tier = workflow.kind.tier
        var problems: [ExecutorError] = []
        let names = Set(workflow.steps.map(\.name))
        for step in workflow.steps {
            let where_ = "workflow '\(workflow.name)', step '\(step.name)'"
            switch step.type {
            case .shell, .http: break
            case .plugin(let type):
                if admin.stepTypes[type] == nil {
                    let known = (["shell", "http"] + admin.stepTypes.keys.sorted()).joined(separator: ", ")
                    problems.append(ExecutorError(.unknownStepType, "\(where_): unknown step type '\(type)'; use one of \(known), "
                        + "or register it under workflowPolicies.stepTypes in \(AdminConfig.defaultPath)"))
                } else if let program = admin.stepTypes[type]?.command.first {
                    do {
                        _ = try PluginCommand.executable(program, root: repositoryRoot, path: settings.path, type: type)
                    } catch {
                        problems.append(ExecutorError(error.code, "\(where_): \(error.message)"))
                    }
                }
            }
            if !admin.allows(stepType: step.type.description, in: tier) {
                problems.append(ExecutorError(.unknownStepType, "\(where_): step type '\(step.type)' is not allowed in the "
                    + "\(tier.rawValue) tier by workflowPolicies.allowedStepTypes; ask the platform team or use an allowed type"))
            }
            if step.type == .shell && (step.run ?? "").isEmpty {
                problems.append(ExecutorError(.invalidStep, "\(where_): a shell step needs 'run'"))
            }
            for dependency in step.dependsOn ?? [] where !names.contains(dependency) {
                problems.append(ExecutorError(.invalidStep, "\(where_): dependsOn names '\(dependency)', which is not a step of the workflow"))
            }
            for entry in step.env {
                if case .fromEnv(let name) = entry.value.source {
                    do {
                        try StepEnvironment.checkFromEnv(name, entry: entry.name, step: step.name, tier: tier, admin: admin)
                        if settings.hostEnvironment[name] == nil {
                            problems.append(ExecutorError(.environment, "\(where_): env \(entry.name) reads fromEnv '\(name)', "
                                + "which is not set in the reconciler's environment"))
                        }
                    } catch {
                        problems.append(error)
                    }
                }
                if case .fromFile(let path) = entry.value.source {
                    do {
                        _ = try RepositoryPath.resolve(path, in: repositoryRoot, what: "\(where_): env \(entry.name) fromFile")
                    } catch {
                        problems.append(error)
                    }
                }
            }
        }
        return problems
    }

    /// Secret values that need no earlier step to be known: inline `secret: true` values without
    /// placeholders, `fromEnv` values, and `secret: true` files.
    func secrets(of workflows: [Workflow], repositoryRoot: String) -> [String] {
        var secrets: [String] = []
        for step in workflows.flatMap(\.steps) {
            for entry in step.env {
                switch entry.value.source {
                case .value(let text) where entry.value.secret && !text.contains("${"): secrets.append(text)
                case .fromEnv(let name): if let value = settings.hostEnvironment[name] { secrets.append(value) }
                case .fromFile(let path) where entry.value.secret:
                    if let full = try? RepositoryPath.resolve(path, in: repositoryRoot, what: "fromFile"),
                       let data = FileManager.default.contents(atPath: full) {
                        var text = String(decoding: data, as: UTF8.self)
                        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                        secrets.append(text)
                    }
                default: break
                }
            }
        }
        return secrets
    }
}
