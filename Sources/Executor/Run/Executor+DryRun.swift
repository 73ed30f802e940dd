import Specs

/// One step as `innominatus run --dry-run` shows it: what would run, with the placeholders that are known
/// before running resolved (outputs of earlier steps stay as `${steps…}`).
public struct PlannedStep: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
    /// After which steps it starts (the previous step when it declares no `dependsOn`).
    public var after: [String]
    public var when: String
    public var condition: String?
    public var timeoutMs: Int?
    public var retries: Int
    /// The script of a shell step, the request line of an http step, the command of a plugin and its config.
    public var action: String
}

extension Executor {
    /// The steps of `workflow` as they would run for `app`, and the problems that would stop it.
    public func dryRun(_ workflow: Workflow, app: AppContext) -> (steps: [PlannedStep], problems: [ExecutorError]) {
        let scope = StepScope(app: app, tier: workflow.kind.tier, phase: workflow.phase, workflow: workflow.name, outputs: [:])
        let resolver = PlaceholderResolver(scope: scope, keepsUnknown: true)
        var problems = check([workflow], repositoryRoot: app.repositoryRoot)
        var steps: [PlannedStep] = []
        for (index, step) in workflow.steps.enumerated() {
            func config(of step: WorkflowStep) -> String {
                guard let node = step.config else { return "{}" }
                do { return try resolver.resolve(node, field: "steps.\(step.name).config").outputText } catch {
                    problems.append(error)
                    return "{}"
                }
            }
            func resolved(_ text: String, _ field: String) -> String {
                do { return try resolver.resolve(text, field: "steps.\(step.name).\(field)") } catch {
                    problems.append(error)
                    return text
                }
            }
            let action: String = switch step.type {
            case .shell: resolved(step.run ?? "", "run")
            case .http: step.http.map { "\($0.method) \(resolved($0.url, "url"))" } ?? ""
            case .plugin(let type): (admin.stepTypes[type]?.command ?? [type]).joined(separator: " ") + " < " + config(of: step)
            }
            steps.append(PlannedStep(name: step.name, type: step.type.description,
                                     after: step.dependsOn ?? (index == 0 ? [] : [workflow.steps[index - 1].name]),
                                     when: step.when.rawValue, condition: step.condition.map { resolved($0, "if") },
                                     timeoutMs: step.timeout?.milliseconds, retries: step.retries, action: action))
        }
        return (steps, problems)
    }
}
