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
    /// False for a preview: a `cmd://` program is not started, its resource is `deferred`.
    public var runsCommands: Bool
    /// Random text for a Go template's `randAlphaNum` and its kin: the system's generator unless a test fixes it.
    public var randomText: @Sendable (_ alphabet: [Character], _ count: Int) -> String = GoTemplateFunctions.systemRandom

    public init(_ definition: ProvisionerDefinition, random: @escaping @Sendable (Template.RandomKind) -> String = RandomValue.generate,
                workingDirectory: String? = nil, runsCommands: Bool = true) {
        self.definition = definition
        self.random = random
        self.workingDirectory = workingDirectory
        self.runsCommands = runsCommands
    }

    /// - Parameter shared: what Go-template provisioners of this `uri` share (`.Shared`); the result's `shared` is its new value.
    public func provision(_ resource: ResourceRequest, state: ManifestValue,
                          shared: ManifestValue = .map([])) throws(ProvisioningError) -> ProvisionedResource {
        switch definition.kind {
        case .template(let spec): return try provision(resource, state: state, template: spec)
        case .goTemplate(let spec): return try provision(resource, state: state, shared: shared, goTemplate: spec)
        case .command where !runsCommands: return .deferred(state: state)
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
                                       secrets: Set(spec.secrets).union(Self.carryingGeneratedSecrets(outputs, state: state, spec: spec)),
                                       manifests: manifests.items ?? [])
        } catch {
            throw ProvisioningError("resources.\(resource.name): the provisioner \(definition.uri) (\(definition.origin)) "
                                    + "failed: \(error.message)")
        }
    }

    /// Outputs that carry a value the provisioner generated with `random.password` (as a state key's
    /// template): secret whether or not `secrets` lists them, so a generated password never reaches a
    /// ConfigMap, a Deployment's plain env or the note. (`random.id` values are identifiers, not secrets.)
    static func carryingGeneratedSecrets(_ outputs: ManifestValue, state: ManifestValue,
                                         spec: ProvisionerDefinition.TemplateSpec) -> Set<String> {
        let generated = (spec.state.entries ?? []).compactMap { key, template -> String? in
            guard Self.mentionsRandomPassword(template), let value = state[key]?.string, !value.isEmpty else { return nil }
            return value
        }
        guard !generated.isEmpty else { return [] }
        return Set((outputs.entries ?? []).compactMap { key, value in
            generated.contains { Self.text(of: value).contains($0) } ? key : nil
        })
    }

    private static func mentionsRandomPassword(_ template: ManifestValue) -> Bool {
        switch template {
        case .string(let text): text.contains("random.password")
        case .list(let items): items.contains(where: mentionsRandomPassword)
        case .map(let entries): entries.contains { mentionsRandomPassword($0.1) }
        default: false
        }
    }

    /// Every string inside a value, joined (an output may be a map or list holding the password).
    static func text(of value: ManifestValue) -> String {
        switch value {
        case .string(let text): text
        case .list(let items): items.map(text(of:)).joined(separator: "\n")
        case .map(let entries): entries.map { text(of: $0.1) }.joined(separator: "\n")
        default: ""
        }
    }

    private func provision(_ resource: ResourceRequest, state: ManifestValue,
                           command spec: ProvisionerDefinition.CommandSpec) throws(ProvisioningError) -> ProvisionedResource {
        let where_ = "resources.\(resource.name): the cmd provisioner \(definition.uri) (\(definition.origin))"
        let input = JSONText.encode(resource.context(state: state.entries == nil ? .map([]) : state)) + "\n"
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let result = try CommandRunner.run([spec.program] + spec.arguments, input: Data(input.utf8), environment: environment,
                                           directory: workingDirectory)
        guard result.status == 0 else {
            let errorTail = String(decoding: result.stderr.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            // Past the cap, say so: the tail shown is the end of a longer output, of which only the end was kept.
            let cut = result.stderrDropped == 0 ? ""
                : " after printing \(result.stderr.count + result.stderrDropped) bytes on stderr (only the last "
                    + "\(CommandRunner.stderrLimit >> 10) KiB are kept); they end"
            throw ProvisioningError("\(where_) exited with status \(result.status)" + cut
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
