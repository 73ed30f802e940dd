import Foundation
import Specs

/// Renders one app from its Score file: validate, provision (with state from the store, saved back),
/// resolve placeholders, build the manifests. What `innominatus render` runs, and what the reconciler
/// will run for the application tier.
public struct AppRenderer: Sendable {
    public var registry: ProvisionerRegistry
    public var stateStore: any ResourceStateStore
    public var commit: String
    public var random: @Sendable (Template.RandomKind) -> String
    /// False for a preview: `cmd://` provisioners are not run and their outputs read "(at apply)".
    public var runsCommands = true
    /// The values `environment` resources read: the admin config's `workflowPolicies.environment` (the
    /// reconciler, a preview), or the process environment (`innominatus render`, as score-compose does).
    public var environment: [String: String] = [:]
    /// Random text of Go-template provisioners (`randAlphaNum`…): the system's generator unless a test fixes it.
    public var randomText: @Sendable (_ alphabet: [Character], _ count: Int) -> String = GoTemplateFunctions.systemRandom

    public init(registry: ProvisionerRegistry, stateStore: any ResourceStateStore, commit: String = "local",
                random: @escaping @Sendable (Template.RandomKind) -> String = RandomValue.generate) {
        self.registry = registry
        self.stateStore = stateStore
        self.commit = commit
        self.random = random
    }

    /// - Parameters:
    ///   - scoreFile: the Score file on disk.
    ///   - root: the repository root `source:` files must stay inside.
    public func render(scoreFile: String, root: String) throws(ProvisioningError) -> RenderedApp {
        let report: SpecFileReport
        do { report = try SpecValidator().validate(fileAt: scoreFile) } catch {
            throw ProvisioningError("\(scoreFile): cannot be read; check the path")
        }
        guard let workload = report.score else {
            let errors = report.errors.map(\.description)
            throw ProvisioningError(errors.isEmpty ? "\(scoreFile): not a Score file (apiVersion: score.dev/v1b1)" : errors.joined(separator: "\n"))
        }
        return try render(workload, source: ScoreSource(file: scoreFile, root: report.root), root: root,
                          sources: SourceFiles(scoreFile: scoreFile, root: root))
    }

    /// Renders a Score already read and validated (the reconciler's, parsed from the commit's blob).
    /// - Parameters:
    ///   - source: the Score's path and YAML tree, for errors at file:line:column.
    ///   - root: where `cmd://` provisioners run.
    ///   - sources: where the Score's `source:` files are read.
    public func render(_ workload: ScoreWorkload, source: ScoreSource, root: String?,
                       sources: SourceFiles) throws(ProvisioningError) -> RenderedApp {
        var states = try stateStore.load()
        var provisioning = ResourceProvisioning(registry: registry, random: random, root: root, runsCommands: runsCommands)
        provisioning.environment = environment
        provisioning.randomText = randomText
        let resources = try provisioning.provision(workload, file: source, states: &states)
        let rendered = try ManifestRenderer(commit: commit).render(workload, file: source, resources: resources, sources: sources)
        try stateStore.save(states)
        var result = rendered
        for (name, resource) in resources {
            result.outputs[name] = Dictionary((resource.outputs.entries ?? []).map { ($0.0, $0.1.text) },
                                              uniquingKeysWith: { $1 })
            result.secretOutputs[name] = resource.secrets
        }
        return result
    }
}
