import Foundation
import Specs

/// A step of a type registered under the admin config's `stepTypes`: its command runs in the checkout with
/// a JSON document on stdin and answers with a JSON object of outputs on stdout (stderr is its log).
///
/// stdin: `{"step": NAME, "type": TYPE, "config": {…resolved…}, "context": {app, product, commit, tier,
/// phase, scoreFile, scoreJSON, metadata}, "outputs": {STEP: {KEY: VALUE}}, "env": {declared env}}`
/// (`scoreJSON`: the path of the Score as JSON, as in `SCORE_JSON`, which the plugin's environment holds too).
/// stdout: `{"outputs": {KEY: VALUE}}` or a flat `{KEY: VALUE}`; non-string values become their JSON text.
enum PluginStep {
    struct Input: Encodable {
        struct Context: Encodable {
            var app: String
            var product: String?
            var commit: String
            var tier: String
            var phase: String
            var scoreFile: String
            var scoreJSON: String?
            var metadata: [String: String]
        }

        var step: String
        var type: String
        var config: JSONValue
        var context: Context
        var outputs: [String: [String: String]]
        var env: [String: String]
    }

    static func run(_ invocation: StepInvocation, type: String) async -> AttemptResult {
        let step = invocation.step
        guard let definition = invocation.admin.stepTypes[type], let program = definition.command.first else {
            return .failure("step type '\(type)' is not registered under workflowPolicies.stepTypes in the admin config")
        }
        let root = invocation.scope.app.repositoryRoot
        var environment: StepEnvironment
        let executable: String
        let document: Data
        do {
            environment = try StepEnvironment(step: step, scope: invocation.scope, resolver: invocation.resolver,
                                              outputFile: "/dev/null", admin: invocation.admin, settings: invocation.settings)
            environment.variables["TMPDIR"] = invocation.scratch
            executable = try PluginCommand.executable(program, root: root, path: invocation.settings.path, type: type)
            let config = try step.config.map { try invocation.resolver.resolve($0, field: "steps.\(step.name).config") } ?? .object([:])
            let scope = invocation.scope
            let input = Input(step: step.name, type: type, config: config,
                              context: .init(app: scope.app.appName, product: scope.app.product, commit: scope.app.commit,
                                             tier: scope.tier.rawValue, phase: scope.phase.rawValue,
                                             scoreFile: scope.app.scoreFile, scoreJSON: scope.scoreJSON,
                                             metadata: scope.app.metadata),
                              outputs: scope.outputs,
                              env: Dictionary(step.env.compactMap { entry in environment.variables[entry.name].map { (entry.name, $0) } },
                                              uniquingKeysWith: { $1 }))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            document = try encoder.encode(input)
        } catch let error as ExecutorError {
            return .failure(error.message)
        } catch {
            return .failure("cannot encode the plugin's input: \(error)")
        }
        let mask = invocation.mask.adding(environment.secrets)
        var timeout = invocation.timeout
        if let limit = definition.timeout?.duration, limit < timeout { timeout = limit }
        let spec = ProcessSpec(executable: executable, arguments: [executable] + definition.command.dropFirst(),
                               environment: environment.variables, directory: root, input: Array(document),
                               separateStdout: true, timeout: timeout, grace: invocation.settings.killGrace,
                               mask: mask, logPath: invocation.logPath, user: invocation.settings.stepUser,
                               logBudget: invocation.settings.logBudget)
        let end = await StepProcess.run(spec)
        var result = AttemptResult.from(end, what: "the plugin '\(type)' (\(program))", timeout: timeout)
        result.secrets = environment.secrets
        guard result.result == .succeeded else { return result }
        switch parse(end, type: type) {
        case .success(let outputs): result.outputs = outputs
        case .failure(let error):
            result.result = .failed
            result.message = error.message
        }
        return result
    }

    static func parse(_ end: ProcessEnd, type: String) -> Result<[String: String], ExecutorError> {
        if end.stdoutOverflowed {
            return .failure(ExecutorError(.invalidStep, "the plugin '\(type)' wrote more than 4 MiB to stdout; "
                + "it must answer with a small JSON object of outputs and log to stderr"))
        }
        let text = String(decoding: end.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .success([:]) }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object(var fields) = value else {
            let preview = text.count > 120 ? String(text.prefix(120)) + "…" : text
            return .failure(ExecutorError(.invalidStep, "the plugin '\(type)' did not answer with a JSON object on stdout "
                + "(got: \(preview)); it must print {\"outputs\": {\"key\": \"value\"}} and log to stderr"))
        }
        if fields.count == 1, case .object(let outputs)? = fields["outputs"] { fields = outputs }
        return .success(fields.mapValues(\.outputText))
    }
}

/// Where a plugin's program is: a path inside the repository (`./plugins/x`), or a bare name on `PATH`.
enum PluginCommand {
    static func executable(_ program: String, root: String, path: String, type: String) throws(ExecutorError) -> String {
        if program.contains("/") {
            let full = try RepositoryPath.resolve(program, in: root, what: "the command of step type '\(type)'")
            guard FileManager.default.isExecutableFile(atPath: full) else {
                throw ExecutorError(.path, "the command of step type '\(type)', '\(program)', is not an executable file "
                    + "in the repository; commit it with its executable bit set (git update-index --chmod=+x)")
            }
            return full
        }
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)") {
            return "\(directory)/\(program)"
        }
        throw ExecutorError(.path, "the command of step type '\(type)', '\(program)', is not on PATH (\(path)); "
            + "use a path inside the repository such as ./plugins/\(program)")
    }
}
