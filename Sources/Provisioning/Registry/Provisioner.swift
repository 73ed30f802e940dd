import Foundation

/// Runs one provisioner definition for one resource: templates are evaluated here, commands are
/// started with the JSON protocol (`params`, `metadata`, `state`… in; `state`, `outputs`, `secrets`,
/// `manifests` out).
public struct Provisioner: Sendable {
    public var definition: ProvisionerDefinition
    public var random: @Sendable (Template.RandomKind) -> String
    /// Where a `cmd://` program runs: the repository's root (the checkout), as steps do — never the
    /// reconciler's own folder.
    public var workingDirectory: String?

    public init(_ definition: ProvisionerDefinition, random: @escaping @Sendable (Template.RandomKind) -> String = RandomValue.generate,
                workingDirectory: String? = nil) {
        self.definition = definition
        self.random = random
        self.workingDirectory = workingDirectory
    }

    public func provision(_ resource: ResourceRequest, state: ManifestValue) throws(ProvisioningError) -> ProvisionedResource {
        switch definition.kind {
        case .template(let spec): return try provision(resource, state: state, template: spec)
        case .command(let spec): return try provision(resource, state: state, command: spec)
        }
    }

    private func provision(_ resource: ResourceRequest, state previous: ManifestValue,
                           template spec: ProvisionerDefinition.TemplateSpec) throws(ProvisioningError) -> ProvisionedResource {
        do {
            var state = previous.entries == nil ? ManifestValue.map([]) : previous
            // In order, each key seeing the ones before it, so a key can build on a generated one.
            for (key, value) in spec.state.entries ?? [] {
                let template = Template(context: resource.context(state: state), random: random)
                state = state.setting(key, to: try template.render(value))
            }
            let outputs = try Template(context: resource.context(state: state), random: random).render(spec.outputs)
            let manifestContext = resource.context(state: state).setting("outputs", to: outputs)
            let manifests = try Template(context: manifestContext, random: random).render(spec.manifests)
            return ProvisionedResource(state: state, outputs: outputs.entries == nil ? .map([]) : outputs,
                                       secrets: Set(spec.secrets), manifests: manifests.items ?? [])
        } catch {
            throw ProvisioningError("resources.\(resource.name): the provisioner \(definition.uri) (\(definition.origin)) "
                                    + "failed: \(error.message)")
        }
    }

    private func provision(_ resource: ResourceRequest, state: ManifestValue,
                           command spec: ProvisionerDefinition.CommandSpec) throws(ProvisioningError) -> ProvisionedResource {
        let where_ = "resources.\(resource.name): the cmd provisioner \(definition.uri) (\(definition.origin))"
        let input = JSONText.encode(resource.context(state: state.entries == nil ? .map([]) : state)) + "\n"
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let result = try CommandRunner.run([spec.program] + spec.arguments, input: Data(input.utf8), environment: environment,
                                           directory: workingDirectory)
        let errorTail = String(decoding: result.stderr.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0 else {
            throw ProvisioningError("\(where_) exited with status \(result.status)"
                                    + (errorTail.isEmpty ? "" : ": \(errorTail)"))
        }
        guard let document = JSONText.decode(result.stdout), document.entries != nil else {
            let head = String(decoding: result.stdout.prefix(200), as: UTF8.self)
            throw ProvisioningError("\(where_) printed something that is not a JSON object on stdout ('\(head)'); it must "
                                    + "print {\"state\": {…}, \"outputs\": {…}, \"secrets\": […], \"manifests\": […]}")
        }
        for (key, expectMap) in [("state", true), ("outputs", true), ("manifests", false)] {
            if let value = document[key], value != .null, (expectMap ? value.entries == nil : value.items == nil) {
                throw ProvisioningError("\(where_) printed '\(key)' as \(expectMap ? "something other than an object" : "something other than a list")")
            }
        }
        let secrets = document["secrets"]?.items?.compactMap(\.string) ?? []
        return ProvisionedResource(state: document["state"] ?? state, outputs: document["outputs"] ?? .map([]),
                                   secrets: Set(secrets), manifests: document["manifests"]?.items ?? [])
    }
}
