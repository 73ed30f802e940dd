import Foundation
import Specs

/// Provisioning with a provisioner in score-k8s's format (docs/ARCHITECTURE.md §2, "Go-template
/// provisioners"): `init`, `state`, `shared`, `outputs`, `manifests` are rendered in that order, each
/// one's text read as YAML; `.Init`, `.State` and `.Shared` carry the results forward.
extension Provisioner {
    func provision(_ resource: ResourceRequest, state previous: ManifestValue, shared previousShared: ManifestValue,
                   goTemplate spec: ProvisionerDefinition.GoTemplateSpec) throws(ProvisioningError) -> ProvisionedResource {
        let functions = GoTemplateFunctions(random: randomText)
        let emptyMap = ManifestValue.map([])
        var data = resource.goTemplateData(state: previous.entries == nil ? emptyMap : previous,
                                           shared: previousShared.entries == nil ? emptyMap : previousShared)
        do throws(ProvisioningError) {
            let initial = try Self.map(spec.initial, data, functions) ?? emptyMap
            data = data.setting("Init", to: initial)
            // The state is what the state template gives: without one, nothing is kept (as in score-k8s).
            let state = try Self.map(spec.state, data, functions) ?? emptyMap
            data = data.setting("State", to: state)
            var shared = data["Shared"] ?? emptyMap
            if let patch = try Self.map(spec.shared, data, functions) { shared = Self.mergePatch(shared, patch) }
            data = data.setting("Shared", to: shared)
            let written = try Self.map(spec.outputs, data, functions) ?? emptyMap
            var manifests: [ManifestValue] = []
            if let template = spec.manifests, let value = try Self.yaml(template, data, functions) {
                guard let items = value.items else {
                    throw ProvisioningError("\(template.file): the manifests template must write a YAML list of objects, not "
                                            + Self.kind(of: value))
                }
                for (index, item) in items.enumerated() where item != .null {
                    guard item.entries != nil else {
                        throw ProvisioningError("\(template.file): manifests[\(index)] is \(Self.kind(of: item)), not a Kubernetes object")
                    }
                    manifests.append(item)
                }
            }
            let (outputs, referenced) = try SecretReference.resolve(written, manifests: manifests)
            let held = SecretReference.heldValues(manifests, minimumLength: SecretLeakCheck.minimumLength)
            let carrying = (outputs.entries ?? []).filter { _, value in held.contains { Self.text(of: value).contains($0) } }.map(\.0)
            var result = ProvisionedResource(state: state, outputs: outputs, secrets: Set(spec.secrets).union(referenced).union(carrying),
                                             manifests: manifests)
            result.shared = shared
            return result
        } catch {
            throw ProvisioningError("resources.\(resource.name): the provisioner \(definition.uri) (\(definition.origin)) failed: \(error.message)")
        }
    }

    /// A block's text read as YAML; nil when the block is absent or writes only white space.
    private static func yaml(_ template: GoTemplate, _ data: ManifestValue, _ functions: GoTemplateFunctions) throws(ProvisioningError) -> ManifestValue? {
        let text = try template.render(data, functions: functions)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        let read = YAMLReader().read(Array(trimmed.utf8), file: "output")
        if let problem = read.diagnostics.first(where: { $0.severity == .error }) {
            // Only where and what: the text may hold generated passwords, and errors reach the note.
            throw ProvisioningError("\(template.file): the \(template.field) template wrote text that is not YAML "
                                    + "(line \(problem.line), column \(problem.column) of what it wrote: \(problem.message))")
        }
        return read.documents.first.map(ManifestValue.init)
    }

    private static func map(_ template: GoTemplate?, _ data: ManifestValue, _ functions: GoTemplateFunctions) throws(ProvisioningError) -> ManifestValue? {
        guard let template, let value = try yaml(template, data, functions) else { return nil }
        guard value.entries != nil else {
            throw ProvisioningError("\(template.file): the \(template.field) template must write a YAML map (key: value), not \(kind(of: value))")
        }
        return value
    }

    private static func kind(of value: ManifestValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .list: "a list"
        case .map: "a map"
        }
    }

    /// RFC 7386 JSON merge patch, as score-k8s applies a `shared` block: a null removes a key, maps merge.
    static func mergePatch(_ current: ManifestValue, _ patch: ManifestValue) -> ManifestValue {
        guard let changes = patch.entries else { return patch }
        var result = current.entries == nil ? ManifestValue.map([]) : current
        for (key, value) in changes {
            if value == .null {
                result = .map((result.entries ?? []).filter { $0.0 != key })
            } else if value.entries != nil {
                result = result.setting(key, to: mergePatch(result[key] ?? .map([]), value))
            } else {
                result = result.setting(key, to: value)
            }
        }
        return result
    }
}

extension ResourceRequest {
    /// The data score-k8s gives its templates, with the names it gives them (docs/ARCHITECTURE.md §2,
    /// "Go-template provisioners", says what each one is here).
    func goTemplateData(state: ManifestValue, shared: ManifestValue) -> ManifestValue {
        .map([("Guid", .string(guid)), ("Uid", .string(scoreUid)), ("Type", .string(type)), ("Class", .string(self.class ?? "default")),
              ("Id", .string(scoreId)), ("Params", params), ("Metadata", metadata), ("Init", .map([])), ("State", state),
              ("Shared", shared), ("SourceWorkload", .string(app)), ("WorkloadMetadata", workloadMetadata),
              ("WorkloadServices", workloadServices), ("Namespace", .string(""))])
    }
}
