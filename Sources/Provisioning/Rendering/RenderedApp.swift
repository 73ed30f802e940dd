/// The Kubernetes objects of one app, in the order they are written.
public struct RenderedApp: Sendable, Hashable {
    public var app: String
    public var objects: [ManifestValue]
    /// Every resource's outputs as text, by resource name then key (what `${resources.NAME.KEY}` gives).
    public var outputs: [String: [String: String]] = [:]
    /// The output keys each resource declared secret.
    public var secretOutputs: [String: Set<String>] = [:]

    /// Outputs that may be shown (in a status note): secret ones left out.
    public var publicOutputs: [String: [String: String]] {
        outputs.reduce(into: [:]) { result, entry in
            let secret = secretOutputs[entry.key] ?? []
            let shown = entry.value.filter { !secret.contains($0.key) }
            if !shown.isEmpty { result[entry.key] = shown }
        }
    }

    /// The values of secret outputs (for masking).
    public var secretValues: [String] {
        outputs.flatMap { resource, values in values.filter { secretOutputs[resource]?.contains($0.key) ?? false }.map(\.value) }
    }

    /// Whether an object is a Secret (what never goes to a branch).
    public static func isSecret(_ object: ManifestValue) -> Bool { object["kind"]?.string == "Secret" }

    /// Every object as one multi-document YAML stream.
    public var yaml: String { YAMLEmitter.documents(objects) }

    /// One file per object, named `<kind>-<name>.yaml` (lowercased), in object order.
    public var files: [(name: String, content: String)] {
        var seen: [String: Int] = [:]
        return objects.map { object in
            let kind = (object["kind"]?.string ?? "object").lowercased()
            let name = object["metadata"]?["name"]?.string ?? "unnamed"
            var file = KubernetesName.dns1123("\(kind)-\(name)")
            seen[file, default: 0] += 1
            if let count = seen[file], count > 1 { file += "-\(count)" }
            return (file + ".yaml", YAMLEmitter.emit(object))
        }
    }
}
