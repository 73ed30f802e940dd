import Foundation
import Specs

/// The complete environment of a step (docs/ARCHITECTURE.md §2): the context variables (`APP_NAME`, `PRODUCT`,
/// `SCORE_FILE`, `SCORE_JSON`, `COMMIT`, `TIER`, `PHASE`, `INNOMINATUS_OUTPUT`), earlier outputs,
/// `PATH`, and what the step's `env` declares — nothing else of the reconciler's (tokens, `SSH_AUTH_SOCK`).
///
/// `SCORE_JSON` is the path of the app's Score as JSON (`ScoreJSON`): a file in the run's private scratch
/// folder, mode 0600, removed when the run ends; steps read it instead of parsing the YAML of `SCORE_FILE`.
struct StepEnvironment: Sendable {
    var variables: [String: String]
    /// Values to mask: `secret: true` entries and everything read with `fromEnv`.
    var secrets: [String]

    /// - Parameter outputFile: the value of `INNOMINATUS_OUTPUT`.
    init(step: WorkflowStep, scope: StepScope, resolver: PlaceholderResolver, outputFile: String,
         admin: AdminConfig, settings: ExecutorSettings) throws(ExecutorError) {
        var variables: [String: String] = [:]
        for (stepName, outputs) in scope.outputs {
            for (key, value) in outputs { variables[Self.outputVariable(step: stepName, key: key)] = value }
        }
        variables["PATH"] = settings.path
        variables["APP_NAME"] = scope.app.appName
        variables["PRODUCT"] = scope.app.product ?? ""
        variables["SCORE_FILE"] = scope.app.scoreFile
        if let scoreJSON = scope.scoreJSON { variables["SCORE_JSON"] = scoreJSON }
        variables["COMMIT"] = scope.app.commit
        variables["TIER"] = scope.tier.rawValue
        variables["PHASE"] = scope.phase.rawValue
        variables["INNOMINATUS_OUTPUT"] = outputFile
        var secrets: [String] = []
        for entry in step.env {
            let value = try Self.value(of: entry, step: step, scope: scope, resolver: resolver, admin: admin, settings: settings)
            variables[entry.name] = value
            if entry.value.secret { secrets.append(value) }
            if case .fromEnv = entry.value.source { secrets.append(value) }
        }
        self.variables = variables
        self.secrets = secrets
    }

    /// `STEP_<STEP>_<KEY>`, upper-cased, anything but letters and digits as `_`: how earlier outputs appear.
    static func outputVariable(step: String, key: String) -> String {
        let raw = "STEP_\(step)_\(key)".uppercased()
        return String(raw.unicodeScalars.map { ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) ? Character($0) : "_" })
    }

    static func value(of entry: WorkflowStep.EnvEntry, step: WorkflowStep, scope: StepScope,
                      resolver: PlaceholderResolver, admin: AdminConfig,
                      settings: ExecutorSettings) throws(ExecutorError) -> String {
        switch entry.value.source {
        case .value(let text):
            return try resolver.resolve(text, field: "steps.\(step.name).env.\(entry.name)")
        case .fromEnv(let name):
            try checkFromEnv(name, entry: entry.name, step: step.name, tier: scope.tier, admin: admin)
            guard let value = settings.hostEnvironment[name] else {
                throw ExecutorError(.environment, "step '\(step.name)': env \(entry.name) reads fromEnv '\(name)', "
                    + "which is not set in the reconciler's environment; set it where the reconciler runs")
            }
            return value
        case .fromFile(let path):
            let full = try RepositoryPath.resolve(path, in: scope.app.repositoryRoot,
                                                  what: "step '\(step.name)': env \(entry.name) fromFile")
            guard let data = FileManager.default.contents(atPath: full) else {
                throw ExecutorError(.path, "step '\(step.name)': env \(entry.name) cannot read fromFile '\(path)'; "
                    + "the file must exist in the repository")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
    }

    static func checkFromEnv(_ name: String, entry: String, step: String, tier: Tier, admin: AdminConfig) throws(ExecutorError) {
        guard admin.secretEnv[tier]?.contains(name) == true else {
            throw ExecutorError(.environment, "step '\(step)': env \(entry) reads fromEnv '\(name)', which the admin "
                + "config does not allow for the \(tier.rawValue) tier; add it to workflowPolicies.secretEnv.\(tier.rawValue) "
                + "in \(AdminConfig.defaultPath) or use a value")
        }
    }
}
