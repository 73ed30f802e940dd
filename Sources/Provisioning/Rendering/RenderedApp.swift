/// The Kubernetes objects of one app, in the order they are written.
public struct RenderedApp: Sendable, Hashable {
    public var app: String
    public var objects: [ManifestValue]

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
